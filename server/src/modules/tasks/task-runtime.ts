import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { SERVER_EVENTS, SwrCache, rooms, type QueueCounts, type QueueSettings } from '@labelwork/core';
import type { Redis } from 'ioredis';
import type { AppContext, TaskRuntime } from '../../context.ts';
import type { Database, ProjectDoc, UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { canAccess } from '../access/index.ts';
import { projectsRepo } from '../access/index.ts';
import { LeaseScripts } from './lease-scripts.ts';
import { DEFAULT_SETTINGS, queuesRepo } from './tasks.repository.ts';

/**
 * The assignment engine's per-process state (its lease scripts, cached project documents and queue
 * settings, the queue-count timers), built once by the composition root (app.ts) and kept in
 * `ctx.state.tasks`; app.ts registers its caches with the access invalidation path.
 */
export function createTaskRuntime(redis: Redis, db: Database, now: () => number): TaskRuntime {
  return {
    scripts: new LeaseScripts(redis),
    projects: new SwrCache(now, CACHE_TTL_MS, CACHE_MAX_STALE_MS, (id) => projectsRepo.byId(db, new ObjectId(id))),
    settings: new SwrCache(now, CACHE_TTL_MS, CACHE_MAX_STALE_MS, async (id) => {
      const doc = await queuesRepo.byProject(db, new ObjectId(id));
      return doc
        ? { paused: doc.paused, autoQueue: doc.autoQueue, goldWarmup: doc.goldWarmup, spread: doc.spread }
        : { ...DEFAULT_SETTINGS };
    }),
    countsTimers: new Map(),
  };
}

export function runtime(ctx: AppContext): TaskRuntime {
  return ctx.state.tasks;
}

/** A lease token: 128 random bits as 32 hex characters. */
export const newToken = () => randomBytes(16).toString('hex');

/** Project documents and queue settings on the hot path: fresh for a second, then refreshed in the background. */
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
  const p = await runtime(ctx).projects.get(id.toHexString());
  if (user.role === 'admin') {
    if (!p) throw new AppError('NOT_FOUND', 'no such project');
    return p;
  }
  if (!p || !canAccess(user, p, 'view')) throw new AppError('FORBIDDEN', 'you have no access to this project');
  return p;
}

/** Pushes live queue counts to the project room, at most every 300 ms per project and process. */
export function touchCounts(ctx: AppContext, projectId: string, compute: () => Promise<QueueCounts>): void {
  const rt = runtime(ctx);
  if (!ctx.io || rt.countsTimers.has(projectId)) return;
  const t = setTimeout(() => {
    rt.countsTimers.delete(projectId);
    compute()
      .then((counts) => ctx.io?.to(rooms.project(projectId)).emit(SERVER_EVENTS.queueCounts, counts))
      .catch((e: unknown) => ctx.log.warn('queue counts failed', { projectId, err: e }));
  }, 300);
  t.unref();
  rt.countsTimers.set(projectId, t);
}

export function stopRuntime(ctx: AppContext): void {
  const rt = ctx.state.tasks;
  for (const t of rt.countsTimers.values()) clearTimeout(t);
  rt.countsTimers.clear();
}
