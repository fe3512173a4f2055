import { Router } from 'express';
import { UserInput, UserPatch } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { idParam, me, parseBody, requireAuth, requireRole } from '../../http/middleware.ts';
import { usersRepo } from './users.repository.ts';
import { createUser, toUser, updateUser } from './users.service.ts';

export function usersRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(requireAuth);
  // Leads list users to pick project members; only admins change accounts.
  r.get('/', requireRole('admin', 'lead'), async (_req, res) => {
    res.json({ users: (await usersRepo.list(ctx.db)).map(toUser) });
  });
  r.post('/', requireRole('admin'), async (req, res) => {
    const user = await createUser(ctx, me(req)._id, parseBody(UserInput, req.body));
    res.status(201).json({ user });
  });
  r.patch('/:id', requireRole('admin'), async (req, res) => {
    const id = idParam(req, 'id', new AppError('NOT_FOUND', 'no such user'));
    res.json({ user: await updateUser(ctx, me(req), id, parseBody(UserPatch, req.body)) });
  });
  return r;
}
