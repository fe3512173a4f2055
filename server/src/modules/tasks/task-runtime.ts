import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { SERVER_EVENTS, SwrCache, rooms, type QueueCounts, type QueueSettings } from '@labelwork/core';
import type { Redis } from 'ioredis';
import type { AppContext, TaskRuntime } from '../../context.ts';
import { AnnotationInserts, projectHasPredictions, type Database, type ProjectDoc, type UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { cachedProject, canAccess } from '../access/index.ts';
import { LeaseScripts } from './lease-scripts.ts';
import { DEFAULT_SETTINGS, queuesRepo } from './tasks.repository.ts';

/**
 * The assignment engine's per-process state (its lease scripts, cached project documents and queue
 * settings, the queue-count pushes), built once by the composition root (app.ts) and kept in
 * `ctx.state.tasks`; app.ts registers its caches with the access invalidation path.
 */
export function createTaskRuntime(redis: Redis, db: Database, now: () => number): TaskRuntime {
  return {
    scripts: new LeaseScripts(redis),
    settings: new SwrCache(now, CACHE_TTL_MS, CACHE_MAX_STALE_MS, async (id) => {
      const doc = await queuesRepo.byProject(db, new ObjectId(id));
      return doc
        ? { paused: doc.paused, autoQueue: doc.autoQueue, goldWarmup: doc.goldWarmup, spread: doc.spread }
        : { ...DEFAULT_SETTINGS };
    }),
    // Only whether the project has any prediction (the item's own is read when it does): a "no" is
    // trusted for a second, then refreshed, and reloaded before use once 5 s old.
    hasPredictions: new SwrCache(now, CACHE_TTL_MS, 5000, (id) => projectHasPredictions(db, new ObjectId(id))),
    countsPushes: new Map(),
    annotationInserts: new AnnotationInserts(db),
  };
}

export function runtime(ctx: AppContext): TaskRuntime {
  return ctx.state.tasks;
}

/** A lease token: 128 random bits as 32 hex characters. */
export const newToken = () => randomBytes(16).toString('hex');

/** Queue settings on the hot path: fresh for a second, then refreshed in the background. */
const CACHE_TTL_MS = 1000;
const CACHE_MAX_STALE_MS = 30_000;

/** The project's queue settings (a change made through this process is seen at once, elsewhere within about a second). */
export function settingsOf(ctx: AppContext, projectId: ObjectId): Promise<QueueSettings> {
  return runtime(ctx).settings.get(projectId.toHexString());
}

export function forgetSettings(ctx: AppContext, projectId: ObjectId): void {
  runtime(ctx).settings.forget(projectId.toHexString());
}

/**
 * `loadProject(…, 'view')` for the task hot path, on the cached project document: a change of
 * membership, status or settings made through the API reaches every process before its next
 * request (access-cache.ts); anything else within about a second.
 */
export async function projectForTask(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<ProjectDoc> {
  const p = await cachedProject(ctx, id.toHexString());
  if (user.role === 'admin') {
    if (!p) throw new AppError('NOT_FOUND', 'no such project');
    return p;
  }
  if (!p || !canAccess(user, p, 'view')) throw new AppError('FORBIDDEN', 'you have no access to this project');
  return p;
}

/**
 * The shortest gap between two `queue:counts` broadcasts of one project from one server process. A
 * change when the project's counts have been quiet this long is pushed at once (the counts are read
 * after the change, then one broadcast to the room: Socket.IO encodes it once for all its sockets);
 * the changes during the gap are coalesced into one push at its end, with counts read after all of
 * them. So a change reaches the dashboards at most this long plus one counts read after it is made,
 * and a burst costs one broadcast per gap, not one per change.
 */
export const COUNTS_MIN_GAP_MS = 100;

/** A project's counts push in progress: a read and broadcast under way, or the gap after one. */
export interface CountsPush {
  /** Changed since the counts being (or last) read: push once more at the end of the gap. */
  dirty: boolean;
  compute: () => Promise<QueueCounts>;
  timer: NodeJS.Timeout | null;
}

/** Pushes live queue counts to the project room: at once, or at the end of the current gap (see {@link COUNTS_MIN_GAP_MS}). */
export function touchCounts(ctx: AppContext, projectId: string, compute: () => Promise<QueueCounts>): void {
  const rt = runtime(ctx);
  if (!ctx.io || ctx.tasks.closing) return; // shutting down: no queue may be opened again
  const pending = rt.countsPushes.get(projectId);
  if (pending) {
    pending.dirty = true;
    pending.compute = compute;
    return;
  }
  const push: CountsPush = { dirty: false, compute, timer: null };
  rt.countsPushes.set(projectId, push);
  const send = () => {
    push.dirty = false;
    push
      .compute()
      .then((counts) => {
        // Not once shutting down: the adapter's Redis connection may be gone (its publish would reject unhandled).
        if (!ctx.tasks.closing) ctx.io?.to(rooms.project(projectId)).emit(SERVER_EVENTS.queueCounts, counts);
      })
      .catch((e: unknown) => ctx.log.warn('queue counts failed', { projectId, err: e }))
      .finally(() => {
        if (rt.countsPushes.get(projectId) !== push) return; // stopped meanwhile
        push.timer = setTimeout(() => {
          push.timer = null;
          if (push.dirty && !ctx.tasks.closing) send();
          else rt.countsPushes.delete(projectId);
        }, COUNTS_MIN_GAP_MS);
        push.timer.unref();
      });
  };
  send();
}

export function stopRuntime(ctx: AppContext): void {
  const rt = ctx.state.tasks;
  for (const p of rt.countsPushes.values()) if (p.timer) clearTimeout(p.timer);
  rt.countsPushes.clear();
}
