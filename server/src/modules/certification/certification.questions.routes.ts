import type { Request, Router } from 'express';
import type { AppContext } from '../../context.ts';
import { me, requireRole } from '../../http/middleware.ts';
import { validationError, zodIssues } from '../../http/errors.ts';
import {
  QuestionFilter,
  createQuestion,
  importQuestions,
  listQuestions,
  questionHistory,
  setQuestionStatus,
  updateQuestion,
} from './certification.questions.ts';

const param = (req: Request, name: string) => String(req.params[name]);

/** The exam banks' editor for leads and admins: `/questions/:slug/:version[/:qid]`. */
export function questionRoutes(ctx: AppContext, r: Router): void {
  const leads = requireRole('admin', 'lead');
  r.get('/questions/:slug/:version', leads, async (req, res) => {
    const f = QuestionFilter.safeParse({ ...req.query });
    if (!f.success) throw validationError(zodIssues(f.error));
    res.json(await listQuestions(ctx, param(req, 'slug'), param(req, 'version'), f.data));
  });
  r.post('/questions/:slug/:version', leads, async (req, res) => {
    res.status(201).json({ question: await createQuestion(ctx, me(req), param(req, 'slug'), param(req, 'version'), req.body) });
  });
  r.post('/questions/:slug/:version/import', leads, async (req, res) => {
    res.json(await importQuestions(ctx, me(req), param(req, 'slug'), param(req, 'version')));
  });
  r.put('/questions/:slug/:version/:qid', leads, async (req, res) => {
    res.json({ question: await updateQuestion(ctx, me(req), param(req, 'slug'), param(req, 'version'), param(req, 'qid'), req.body) });
  });
  r.post('/questions/:slug/:version/:qid/retire', leads, async (req, res) => {
    const q = await setQuestionStatus(ctx, me(req), param(req, 'slug'), param(req, 'version'), param(req, 'qid'), 'retired', req.body);
    res.json({ question: q });
  });
  r.post('/questions/:slug/:version/:qid/restore', leads, async (req, res) => {
    const q = await setQuestionStatus(ctx, me(req), param(req, 'slug'), param(req, 'version'), param(req, 'qid'), 'active', req.body);
    res.json({ question: q });
  });
  r.get('/questions/:slug/:version/:qid/history', leads, async (req, res) => {
    res.json({ versions: await questionHistory(ctx, param(req, 'slug'), param(req, 'version'), param(req, 'qid')) });
  });
}
