import { Router } from 'express';
import { z } from 'zod';
import { Id, ReviewCommentInput, ReviewLeaseInput, ReviewTaskId, ReworkInput, VerdictInput } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth } from '../../http/middleware.ts';
import { canAccess, loadProject } from '../access/index.ts';
import {
  addComment,
  canReview,
  giveVerdict,
  itemDetail,
  listRework,
  nextReview,
  releaseReview,
  reviewHeartbeat,
  reviewHistory,
  reviewInbox,
  reviewQueue,
  submitRework,
} from './review.service.ts';
import { inboxRoutes } from './review.inbox.routes.ts';

const forbidden = () => new AppError('FORBIDDEN', 'you have no access to this project');
const InboxQuery = z.object({ since: z.iso.datetime({ offset: true }).optional() });
const HistoryQuery = z.object({
  annotationId: Id.optional(),
  annotatorId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

function taskParam(v: unknown): string {
  const r = ReviewTaskId.safeParse(v);
  if (!r.success) throw new AppError('NOT_FOUND', 'no such review task');
  return r.data;
}

/** Review queue (reviewers), rework (annotators), inbox (reconnect catch-up) and history (leads). */
export function reviewRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.use('/inbox', inboxRoutes(ctx));
  r.post('/projects/:id/review/next', async (req, res) => {
    res.json({ task: await nextReview(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.post('/projects/:id/review/tasks/:taskId/heartbeat', async (req, res) => {
    res.json(
      await reviewHeartbeat(
        ctx,
        me(req),
        idParam(req, 'id', forbidden()),
        taskParam(req.params.taskId),
        parseBody(ReviewLeaseInput, req.body).token,
      ),
    );
  });
  r.post('/projects/:id/review/tasks/:taskId/release', async (req, res) => {
    await releaseReview(
      ctx,
      me(req),
      idParam(req, 'id', forbidden()),
      taskParam(req.params.taskId),
      parseBody(ReviewLeaseInput, req.body).token,
    );
    res.json({ ok: true });
  });
  r.post('/projects/:id/review/tasks/:taskId/verdict', async (req, res) => {
    res.status(201).json({
      review: await giveVerdict(
        ctx,
        me(req),
        idParam(req, 'id', forbidden()),
        taskParam(req.params.taskId),
        parseBody(VerdictInput, req.body),
      ),
    });
  });
  r.post('/projects/:id/review/tasks/:taskId/comments', async (req, res) => {
    const { token, ...c } = parseBody(ReviewCommentInput, req.body);
    res
      .status(201)
      .json({ comment: await addComment(ctx, me(req), idParam(req, 'id', forbidden()), taskParam(req.params.taskId), token, c) });
  });
  r.get('/projects/:id/review/counts', async (req, res) => {
    const user = me(req);
    const project = await loadProject(ctx, user, idParam(req, 'id', forbidden()), 'view');
    if (!canReview(user) && !canAccess(user, project, 'manage')) throw forbidden();
    res.json(await reviewQueue(ctx, project._id.toHexString()).counts(ctx.now()));
  });
  r.get('/projects/:id/reviews', async (req, res) => {
    const q = parseBody(HistoryQuery, req.query);
    res.json({ reviews: await reviewHistory(ctx, me(req), idParam(req, 'id', forbidden()), q, q.limit) });
  });
  r.get('/projects/:id/items/:itemId/detail', async (req, res) => {
    const projectId = idParam(req, 'id', forbidden());
    res.json(await itemDetail(ctx, me(req), projectId, idParam(req, 'itemId', new AppError('NOT_FOUND', 'no such item in this project'))));
  });
  r.get('/projects/:id/rework', async (req, res) => {
    res.json({ tasks: await listRework(ctx, me(req), idParam(req, 'id', forbidden())) });
  });
  r.post('/projects/:id/rework/:taskId', async (req, res) => {
    res.json(
      await submitRework(ctx, me(req), idParam(req, 'id', forbidden()), taskParam(req.params.taskId), parseBody(ReworkInput, req.body)),
    );
  });
  r.get('/review/inbox', async (req, res) => {
    const { since } = parseBody(InboxQuery, req.query);
    res.json(await reviewInbox(ctx, me(req), new Date(since ?? 0)));
  });
  return r;
}
