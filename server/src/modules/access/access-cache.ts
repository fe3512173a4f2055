import { ObjectId } from 'mongodb';
import { SwrCache } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { AccessChange, AccessGrant, AccessOutcome } from '../../infra/access-changes.ts';
import { loadProject, type ProjectNeed } from './access.ts';

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
 * cache, the task engine's project and settings caches): the composition root (app.ts) builds them
 * all and registers them with `ctx.state.access` (infra/access-changes.ts), the one way any of
 * them is dropped; socket handlers holding long-lived grants listen with `onAccessChange`. As the
 * Redis adapter's message may arrive after the next request, every change also bumps an epoch in
 * Redis before the change's request answers; each HTTP request and socket event reads it
 * (`syncAccessEpoch` in infra/access-changes.ts, alongside its session read) and a process that sees a new epoch drops
 * all of these caches first. So no request that starts after a change is answered from a cache
 * filled before it, on any server process.
 */
export const ACCESS_FRESH_MS = 1000;
export const ACCESS_MAX_STALE_MS = 2000;

/**
 * The decisions cache, keyed `user:project:need` (built by the composition root, app.ts, which
 * registers it with the invalidation path through {@link accessDecisionAffected}). `app` gives the
 * context the decisions read through, once it is built.
 */
export function accessDecisionCache(now: () => number, app: () => AppContext): SwrCache<AccessOutcome> {
  return new SwrCache(now, ACCESS_FRESH_MS, ACCESS_MAX_STALE_MS, (key) => {
    const [userId, projectId, need] = key.split(':') as [string, string, ProjectNeed];
    return decide(app(), new ObjectId(userId), new ObjectId(projectId), need);
  });
}

/** Whether a change concerns the cached decision under `key` (its user or its project). */
export function accessDecisionAffected(key: string, change: AccessChange): boolean {
  const [userId, projectId] = key.split(':');
  return userId === change.userId || projectId === change.projectId;
}

/** The user and the project read afresh, judged by the rules of `loadProject`. */
async function decide(ctx: AppContext, userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<AccessOutcome> {
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

/**
 * `loadProject(user, projectId, need)` for hot paths, from the cache above: resolves with the
 * user as read for the decision, or throws the AppError `loadProject` would (UNAUTHENTICATED for a
 * missing or disabled user).
 */
export async function cachedAccess(ctx: AppContext, userId: ObjectId, projectId: ObjectId, need: ProjectNeed): Promise<AccessGrant> {
  const o = await ctx.state.accessDecisions.get(`${userId.toHexString()}:${projectId.toHexString()}:${need}`);
  if (!o.ok) throw new AppError(o.code, o.message);
  return o.grant;
}
