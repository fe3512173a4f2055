import { Router } from 'express';
import { InboxListQuery } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth } from '../../http/middleware.ts';
import { listInbox, markAllRead, markRead, unreadCount } from './review.inbox.ts';

/** The signed-in user's inbox of verdicts and comments on their work (mounted at /api/inbox). */
export function inboxRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  r.get('/', async (req, res) => {
    const { page, pageSize } = parseBody(InboxListQuery, req.query);
    res.json(await listInbox(ctx, me(req), page, pageSize));
  });
  r.get('/unread-count', async (req, res) => {
    res.json({ unread: await unreadCount(ctx, me(req)) });
  });
  r.post('/read-all', async (req, res) => {
    res.json(await markAllRead(ctx, me(req)));
  });
  r.post('/:id/read', async (req, res) => {
    res.json(await markRead(ctx, me(req), idParam(req, 'id', new AppError('NOT_FOUND', 'no such inbox entry'))));
  });
  return r;
}
