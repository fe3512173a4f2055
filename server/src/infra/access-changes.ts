import { INTER_SERVER_EVENTS, type AccessChangeMessage, type ErrorCode, type SwrCache } from '@labelwork/core';
import type { UserDoc } from '@labelwork/engine';
import type { AppContext, IO } from '../context.ts';

/** What changed (also the message to the other server processes, INTER_SERVER_EVENTS.accessChanged). */
export type AccessChange = AccessChangeMessage;

/** The user as read for an access decision (no password hash). */
export interface AccessGrant {
  user: Pick<UserDoc, '_id' | 'username' | 'displayName' | 'role'>;
}
/** A cached "may user U view/manage project P" (modules/access/access-cache.ts). */
export type AccessOutcome = { ok: true; grant: AccessGrant } | { ok: false; code: ErrorCode; message: string };

/**
 * The one invalidation path of a server process: every cache of access-relevant documents is
 * registered here by the composition root (app.ts), and every access change (this process's own,
 * another process's through the Redis adapter, or a moved access epoch) reaches all of them through
 * {@link apply}. The event and the epoch are handled by the functions below it.
 */
export class AccessChanges {
  private readonly listeners = new Set<(change: AccessChange) => void>();
  /** The access epoch this process last saw in Redis (null: not yet read, so its caches are not trusted). */
  seenEpoch: string | null = null;

  /** Calls `f` on every access change seen by this process; returns the unsubscribe. */
  on(f: (change: AccessChange) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Drops a cache's entries on every change: all of them on `{all}`, else those `affected` names. */
  register(cache: Pick<SwrCache<unknown>, 'clear' | 'forgetWhere'>, affected: (key: string, change: AccessChange) => boolean): void {
    this.on((change) => {
      if (change.all) cache.clear();
      else cache.forgetWhere((key) => affected(key, change));
    });
  }

  apply(change: AccessChange): void {
    for (const f of this.listeners) {
      try {
        f(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

/** Calls `f` on every access change seen by this process (its own and the other processes'); returns the unsubscribe. */
export function onAccessChange(ctx: AppContext, f: (change: AccessChange) => void): () => void {
  return ctx.state.access.on(f);
}

const epochKey = (ctx: AppContext) => `${ctx.config.REDIS_PREFIX}:access:epoch`;

/**
 * A user's or a project's access changed: bumps the access epoch in Redis, then drops the cached
 * decisions here and on every other server process. Await it before answering the change's
 * request, so any request after it, on any process, is decided afresh.
 */
export async function accessChanged(ctx: AppContext, change: AccessChange): Promise<void> {
  try {
    await ctx.redis.incr(epochKey(ctx));
  } catch (e) {
    ctx.log.warn('access epoch not bumped: other processes rely on the Redis adapter message alone', { err: e });
  }
  ctx.state.access.apply(change);
  ctx.io?.serverSideEmit(INTER_SERVER_EVENTS.accessChanged, change);
}

/**
 * Reads the access epoch; when it moved since this process last looked (a change made on another
 * process, whose targeted invalidation may still be on its way), drops every cached decision,
 * user and project here first. Called by every request and socket event before it decides.
 */
export async function syncAccessEpoch(ctx: AppContext): Promise<void> {
  const now = (await ctx.redis.get(epochKey(ctx))) ?? '0';
  const access = ctx.state.access;
  if (access.seenEpoch === now) return;
  access.seenEpoch = now;
  access.apply({ all: true });
}

/** Applies invalidations sent by the other server processes (called once Socket.IO is attached). */
export function listenForAccessChanges(ctx: AppContext, io: IO): void {
  io.on(INTER_SERVER_EVENTS.accessChanged, (change) => {
    if (!change || typeof change !== 'object') return;
    ctx.state.access.apply({
      ...(typeof change.userId === 'string' ? { userId: change.userId } : {}),
      ...(typeof change.projectId === 'string' ? { projectId: change.projectId } : {}),
    });
  });
}
