import { Router, type Response } from 'express';
import { z } from 'zod';
import { DisplayName, Lang, LoginInput, Password } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { me, parseBody, requireAuth, SESSION_COOKIE } from '../../http/middleware.ts';
import { audit } from '../audit/index.ts';
import { usersRepo } from '../users/index.ts';
import { toUser } from '../users/index.ts';
import { accessChanged } from '../../infra/access-changes.ts';
import { checkCurrentPassword } from './current-password.ts';
import { hashPassword, verifyPassword } from '../users/index.ts';
import { endSession, endUserSessions } from '../users/index.ts';

const MePatch = z.object({
  lang: Lang.optional(),
  displayName: DisplayName.optional(),
  password: Password.optional(),
  currentPassword: z.string().optional(),
});

// A fixed hash so that unknown usernames cost the same scrypt time as known ones.
let dummyHash: Promise<string> | null = null;

export function authRoutes(ctx: AppContext): Router {
  const r = Router();
  const secure = ctx.config.COOKIE_SECURE ?? ctx.config.NODE_ENV === 'production';
  const setCookie = (res: Response, token: string, maxAgeS: number) =>
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeS * 1000 });

  r.post('/login', async (req, res) => {
    const input = parseBody(LoginInput, req.body);
    const now = ctx.now();
    await ctx.loginGuard.checkAddress(req.ip ?? 'unknown', now);
    await ctx.loginGuard.checkLock(input.username, now);
    const user = await usersRepo.byUsername(ctx.db, input.username);
    dummyHash ??= hashPassword('not-a-real-password');
    const ok = user
      ? await verifyPassword(input.password, user.passwordHash)
      : (await verifyPassword(input.password, await dummyHash), false);
    // A placeholder annotator (a dataset import's) never signs in, whatever its password or status.
    if (!user || !ok || user.disabled || user.imported) {
      await ctx.loginGuard.recordFailure(input.username, now);
      await audit(
        ctx,
        user?._id ?? null,
        'auth.login-failed',
        { type: 'user', id: user?._id ?? input.username.toLowerCase() },
        { ip: req.ip },
      );
      throw new AppError('BAD_CREDENTIALS', 'wrong username or password');
    }
    await ctx.loginGuard.recordSuccess(input.username);
    await ctx.loginGuard.refundAddress(req.ip ?? 'unknown', now);
    const { token, session } = await ctx.sessions.create(user._id.toHexString(), now);
    setCookie(res, token, ctx.config.SESSION_TTL_S);
    await audit(ctx, user._id, 'auth.login', { type: 'user', id: user._id }, { ip: req.ip });
    res.json({ user: toUser(user), csrfToken: session.csrf });
  });

  r.post('/logout', requireAuth, async (req, res) => {
    await endSession(ctx, req.auth!.token); // and its live sockets, on every server process
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    await audit(ctx, me(req)._id, 'auth.logout', { type: 'user', id: me(req)._id });
    res.status(204).end();
  });

  r.get('/me', requireAuth, (req, res) => {
    res.json({ user: toUser(me(req)), csrfToken: req.auth!.csrf });
  });

  r.patch('/me', requireAuth, async (req, res) => {
    const patch = parseBody(MePatch, req.body);
    const user = me(req);
    const set: Record<string, unknown> = { updatedAt: new Date(ctx.now()) };
    if (patch.lang) set.lang = patch.lang;
    if (patch.displayName) set.displayName = patch.displayName;
    if (patch.password !== undefined) {
      await checkCurrentPassword(ctx, user, patch.currentPassword);
      set.passwordHash = await hashPassword(patch.password);
    }
    const updated = await usersRepo.update(ctx.db, user._id, set);
    if (!updated) throw new AppError('NOT_FOUND', 'no such user');
    // Else a cached copy answers the next `me` (a reload right after switching language, on this or
    // another server process: users are cached for 30 s) with the old value. Every process drops it.
    if (patch.password !== undefined) {
      // The other sessions end, with their sockets; every process drops its copy of the old hash.
      await endUserSessions(ctx, user._id.toHexString(), req.auth!.token);
    }
    await accessChanged(ctx, { userId: user._id.toHexString() });
    await audit(
      ctx,
      user._id,
      'user.update-self',
      { type: 'user', id: user._id },
      { lang: patch.lang, displayName: patch.displayName, passwordChanged: patch.password !== undefined },
    );
    res.json({ user: toUser(updated) });
  });
  return r;
}
