import type { ObjectId } from 'mongodb';
import { INTER_SERVER_EVENTS, type AccessChangeMessage, type ErrorCode } from '@labelwork/core';
import type { AppContext, IO } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { UserDoc } from '../../infra/mongo.ts';
import { loadProject, type ProjectNeed } from './projects.access.ts';

/**
 * Cached project-access decisions for hot socket paths (a lead's announcements): "may user U
 * view/manage project P", decided by the same `loadProject` rules on fresh reads of the user and
 * the project, then kept per (user, project, need).
 *
 * Bounds (the documented guarantee): a decision is used as is for ACCESS_FRESH_MS; up to
 * ACCESS_MAX_STALE_MS after its reads started it is still used while one background re-read
 * replaces it; older than that, the caller waits for a fresh read. Every project change (members,
 * status, settings) and every user change (role, disabled, level, name) drops the decisions about
 * that project or user at once in this process and, through the Socket.IO Redis adapter
 * (`serverSideEmit`), in every other server process. So someone who lost access is refused at once
 * everywhere the invalidation arrives, and in any case by ACCESS_MAX_STALE_MS after the change.
 *
 * The same invalidation reaches every other cache of access-relevant documents (the session user
 * cache, the task engine's project cache: they subscribe with {@link onAccessChange}). As the
 * Redis adapter's message may arrive after the next request, every change also bumps an epoch in
 * Redis before the change's request answers; each HTTP request and socket event reads it
 * ({@link syncAccessEpoch}, alongside its session read) and a process that sees a new epoch drops
 * all of these caches first. So no request that starts after a change is answered from a cache
 * filled before it, on any server process.
 */
export const ACCESS_FRESH_MS = 1000;
export const ACCESS_MAX_STALE_MS = 2000;

export interface AccessGrant {
  /** The user as read for this decision (no password hash). */
  user: Pick<UserDoc, '_id' | 'username' | 'displayName' | 'role'>;
}
type Outcome = { ok: true; grant: AccessGrant } | { ok: false; code: ErrorCode; message: string };

interface Entry {
  userId: string;
  projectId: string;
  /** When the reads behind `outcome` started. */
  at: number;
  outcome: Outcome;
  refreshing?: boolean;
}

class AccessCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Outcome>>();
  /**
   * Bumped by every invalidation: a read that started before one is not stored (it may predate the
   * change). Invalidations are rare (admin and lead actions), so one counter for all keys is enough.
   */
  private epoch = 0;

  constructor(private readonly ctx: AppContext) {}

  async get(userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<Outcome> {
    const key = `${userId.toHexString()}:${projectId.toHexString()}:${need}`;
    const e = this.entries.get(key);
    const age = e ? this.ctx.now() - e.at : Infinity;
    if (e && age < ACCESS_FRESH_MS) return e.outcome;
    if (e && age < ACCESS_MAX_STALE_MS) {
      if (!e.refreshing) {
        e.refreshing = true;
        this.load(key, userId, projectId, need)
          .catch(() => undefined)
          .finally(() => {
            e.refreshing = false;
          });
      }
      return e.outcome;
    }
    return this.loading.get(key) ?? this.load(key, userId, projectId, need);
  }

  private load(key: string, userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<Outcome> {
    const at = this.ctx.now();
    const epoch = this.epoch;
    const p = decide(this.ctx, userId, projectId, need).then((outcome) => {
      if (epoch === this.epoch) {
        this.entries.set(key, { userId: userId.toHexString(), projectId: projectId.toHexString(), at, outcome });
        if (this.entries.size > 10_000) this.sweep();
      }
      return outcome;
    });
    const tracked = p.finally(() => {
      if (this.loading.get(key) === tracked) this.loading.delete(key);
    });
    this.loading.set(key, tracked);
    return tracked;
  }

  private sweep(): void {
    const now = this.ctx.now();
    for (const [k, e] of this.entries) if (now - e.at >= ACCESS_MAX_STALE_MS) this.entries.delete(k);
  }

  forget(change: AccessChange): void {
    this.epoch++;
    if (change.all) {
      this.entries.clear();
      return;
    }
    for (const [k, e] of this.entries) {
      if (e.userId === change.userId || e.projectId === change.projectId) this.entries.delete(k);
    }
  }
}

/** The user and the project read afresh, judged by the rules of `loadProject`. */
async function decide(ctx: AppContext, userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<Outcome> {
  const user = await ctx.db.users.findOne({ _id: userId });
  if (!user || user.disabled) return { ok: false, code: 'UNAUTHENTICATED', message: 'sign in again' };
  try {
    await loadProject(ctx, user, projectId, need);
  } catch (e) {
    if (e instanceof AppError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  return { ok: true, grant: { user: { _id: user._id, username: user.username, displayName: user.displayName, role: user.role } } };
}

/** Who wants to know when access changed (socket modules holding long-lived grants, e.g. shadowing). */
const listeners = new WeakMap<AppContext, Set<(change: AccessChange) => void>>();

/** Calls `f` on every access change seen by this process (its own and the other processes'); returns the unsubscribe. */
export function onAccessChange(ctx: AppContext, f: (change: AccessChange) => void): () => void {
  let set = listeners.get(ctx);
  if (!set) listeners.set(ctx, (set = new Set()));
  set.add(f);
  return () => set.delete(f);
}

function notify(ctx: AppContext, change: AccessChange): void {
  for (const f of listeners.get(ctx) ?? []) {
    try {
      f(change);
    } catch {
      // a listener's failure is its own
    }
  }
}

const caches = new WeakMap<AppContext, AccessCache>();
function cacheOf(ctx: AppContext): AccessCache {
  let c = caches.get(ctx);
  if (!c) {
    c = new AccessCache(ctx);
    caches.set(ctx, c);
  }
  return c;
}

/**
 * `loadProject(user, projectId, need)` for hot paths, from the cache above: resolves with the
 * user as read for the decision, or throws the AppError `loadProject` would (UNAUTHENTICATED for a
 * missing or disabled user).
 */
export async function cachedAccess(ctx: AppContext, userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<AccessGrant> {
  const o = await cacheOf(ctx).get(userId, projectId, need);
  if (!o.ok) throw new AppError(o.code, o.message);
  return o.grant;
}

/** What changed (also the message to the other server processes, INTER_SERVER_EVENTS.accessChanged). */
export type AccessChange = AccessChangeMessage;

const epochKey = (ctx: AppContext) => `${ctx.config.REDIS_PREFIX}:access:epoch`;

/** The access epoch this process last saw in Redis (null: not yet read, so its caches are not trusted). */
const seenEpochs = new WeakMap<AppContext, string>();

function apply(ctx: AppContext, change: AccessChange): void {
  cacheOf(ctx).forget(change);
  notify(ctx, change);
}

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
  apply(ctx, change);
  ctx.io?.serverSideEmit(INTER_SERVER_EVENTS.accessChanged, change);
}

/**
 * Reads the access epoch; when it moved since this process last looked (a change made on another
 * process, whose targeted invalidation may still be on its way), drops every cached decision,
 * user and project here first. Called by every request and socket event before it decides.
 */
export async function syncAccessEpoch(ctx: AppContext): Promise<void> {
  const now = (await ctx.redis.get(epochKey(ctx))) ?? '0';
  if (seenEpochs.get(ctx) === now) return;
  seenEpochs.set(ctx, now);
  apply(ctx, { all: true });
}

/** Applies invalidations sent by the other server processes (called once Socket.IO is attached). */
export function listenForAccessChanges(ctx: AppContext, io: IO): void {
  io.on(INTER_SERVER_EVENTS.accessChanged, (change) => {
    if (!change || typeof change !== 'object') return;
    apply(ctx, {
      ...(typeof change.userId === 'string' ? { userId: change.userId } : {}),
      ...(typeof change.projectId === 'string' ? { projectId: change.projectId } : {}),
    });
  });
}
