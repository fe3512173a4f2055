import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ObjectId } from 'mongodb';
import { SwrCache, type Role } from '@labelwork/core';
import type { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { Database, UserDoc } from '@labelwork/engine';
import { syncAccessEpoch } from '../infra/access-changes.ts';
import { AppError, validationError, zodIssues } from './errors.ts';

export const SESSION_COOKIE = 'lw_sid';

export interface AuthState {
  user: UserDoc;
  token: string;
  csrf: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthState;
    /** A session cookie came with the request but its session is gone. */
    sessionExpired?: boolean;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Users by id for session resolution, fresh for 30 s and then refreshed in the background: every
 * request resolves its session, and on FerretDB a read waits behind writes, which put the task hot
 * path's p99 in the hundreds of ms; refreshed every second, 1,000 annotators' requests made about
 * one user read each, a queue of reads that held up everything else on the database (bench:assign,
 * issue #17). Every change of a user (role, level, reviewer flag,
 * disabled, password) drops the entry at once on every server process (projects/access-cache.ts:
 * targeted through the Redis adapter, and the access epoch read by every request), so no request
 * after the change is decided on the old document. Built by the composition root (app.ts), which
 * registers it there; kept in `ctx.state.users`.
 */
export function userCache(db: Database, now: () => number): SwrCache<UserDoc | null> {
  // Served while refreshing in the background for up to 5 min (changes never wait for that, see
  // above): with 10 s, an annotator whose submit took longer than that on a busy FerretDB (seconds
  // at 1,000 annotators) waited for a user read in the session of their next request.
  // Each entry fresh 30–45 s: the users of a thousand annotators who signed in together are
  // refreshed over a quarter minute, not in one burst of reads every 30 s (bench:assign).
  return new SwrCache(now, USER_TTL_MS, USER_MAX_STALE_MS, (k) => db.users.findOne({ _id: new ObjectId(k) }), { spread: 0.5 });
}

const USER_TTL_MS = 30_000;
const USER_MAX_STALE_MS = 5 * 60_000;

export function cachedUser(ctx: AppContext, id: string): Promise<UserDoc | null> {
  return ctx.state.users.get(id);
}

/** Resolves the session cookie to a user (disabled users have no session). */
export async function resolveSession(ctx: AppContext, cookieHeader: string | undefined): Promise<{ auth?: AuthState; expired: boolean }> {
  const token = parseCookies(cookieHeader)[SESSION_COOKIE];
  if (!token) return { expired: false };
  const [session] = await Promise.all([ctx.sessions.get(token), syncAccessEpoch(ctx)]);
  if (!session || !ObjectId.isValid(session.userId)) return { expired: true };
  const user = await cachedUser(ctx, session.userId);
  if (!user || user.disabled) return { expired: true };
  return { auth: { user, token, csrf: session.csrf }, expired: false };
}

export function loadSession(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    const r = await resolveSession(ctx, req.headers.cookie);
    if (r.auth) req.auth = r.auth;
    req.sessionExpired = r.expired;
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Origin rule, shared by HTTP and the Socket.IO handshake: no Origin (a non-browser client) is
 * fine; otherwise it must parse and name this host (host and port). Returns why not, or null.
 */
export function originProblem(origin: string | undefined, host: string | undefined): string | null {
  if (!origin) return null;
  let named: string;
  try {
    named = new URL(origin).host;
  } catch {
    return 'bad Origin header';
  }
  return named === host ? null : 'cross-site request refused';
}

/**
 * CSRF: state-changing requests from a signed-in browser must echo the session's token in
 * `X-CSRF-Token`; any request whose Origin names another host is refused.
 */
export const csrfProtection: RequestHandler = (req, _res, next) => {
  if (!UNSAFE.has(req.method)) return next();
  const origin = req.headers.origin;
  // `null` (sandboxed frames, some redirects) cannot be judged here; the CSRF token below still must match.
  const problem = origin === 'null' ? null : originProblem(origin, req.headers.host);
  if (problem) return next(new AppError('CSRF_FAILED', problem));
  if (!req.auth) return next();
  const sent = req.header('x-csrf-token') ?? '';
  const a = Buffer.from(sent);
  const b = Buffer.from(req.auth.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return next(new AppError('CSRF_FAILED', 'missing or wrong CSRF token'));
  next();
};

export function requireAuth(req: Request, _res: Response, next: NextFunction): void {
  if (req.auth) return next();
  next(
    req.sessionExpired
      ? new AppError('SESSION_EXPIRED', 'your session has expired; sign in again')
      : new AppError('UNAUTHENTICATED', 'sign in first'),
  );
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(new AppError('UNAUTHENTICATED', 'sign in first'));
    if (!roles.includes(req.auth.user.role)) return next(new AppError('FORBIDDEN', 'your role may not do this'));
    next();
  };
}

/** The signed-in user (routes behind requireAuth). */
export function me(req: Request): UserDoc {
  if (!req.auth) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return req.auth.user;
}

/** Parses with a zod schema or throws VALIDATION_FAILED listing every field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw validationError(zodIssues(r.error));
  return r.data;
}

/** A route param that must be an ObjectId; anything else answers like a missing target. */
export function idParam(req: Request, name: string, notFound: AppError): ObjectId {
  const v = req.params[name];
  if (typeof v !== 'string' || !/^[0-9a-f]{24}$/.test(v)) throw notFound;
  return new ObjectId(v);
}
