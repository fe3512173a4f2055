import { Router } from 'express';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { requireAuth } from '../../http/middleware.ts';
import { findGuideline } from './guidelines.service.ts';

export function guidelinesRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/', (_req, res) => {
    const guidelines = [...ctx.guidelines.values()].map((g) => ({ slug: g.slug, version: g.version, title: g.title, kind: g.kind, languages: g.languages }));
    res.json({ guidelines });
  });
  // The document with its label schema; quiz answers stay on the server (exams use them).
  r.get('/:slug/:version', (req, res) => {
    const g = findGuideline(ctx, String(req.params.slug), String(req.params.version));
    if (!g) throw new AppError('NOT_FOUND', 'no such guideline');
    const { quiz, ...rest } = g;
    res.json({ guideline: { ...rest, quizSize: quiz.length } });
  });
  return r;
}
