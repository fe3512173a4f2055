import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { annotatorHistory, annotatorsCsv, projectDashboard } from './dashboard.service.ts';

const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');
const CsvQuery = z.object({ lang: z.enum(['en', 'zh-CN']).optional() });

/** The lead's dashboard: one read of every figure, an annotator's history, the annotator table as CSV. */
export function dashboardRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth, requireRole('admin', 'lead'));
  r.get('/projects/:id/dashboard', async (req, res) => {
    res.json(await projectDashboard(ctx, me(req), idParam(req, 'id', forbidden())));
  });
  r.get('/projects/:id/dashboard/annotators.csv', async (req, res) => {
    const user = me(req);
    const lang = parseBody(CsvQuery, req.query).lang ?? user.lang;
    const d = await projectDashboard(ctx, user, idParam(req, 'id', forbidden()));
    res.type('text/csv; charset=utf-8').attachment(`annotators-${d.projectId}.csv`).send(annotatorsCsv(d, lang));
  });
  r.get('/projects/:id/dashboard/annotators/:userId', async (req, res) => {
    res.json(
      await annotatorHistory(
        ctx,
        me(req),
        idParam(req, 'id', forbidden()),
        idParam(req, 'userId', new AppError('NOT_FOUND', 'no such annotator')),
      ),
    );
  });
  return r;
}
