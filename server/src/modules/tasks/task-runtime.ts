import { randomBytes } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { SERVER_EVENTS, rooms, type QueueCounts, type QueueSettings } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { LeaseScripts } from './lease-scripts.ts';
import { DEFAULT_SETTINGS, queuesRepo } from './tasks.repository.ts';

/** Per-process state of the assignment engine, keyed by the app context. */
interface Runtime {
  scripts: LeaseScripts;
  settings: Map<string, { at: number; value: QueueSettings }>;
  countsTimers: Map<string, NodeJS.Timeout>;
}

const runtimes = new WeakMap<AppContext, Runtime>();

export function runtime(ctx: AppContext): Runtime {
  let rt = runtimes.get(ctx);
  if (!rt) {
    rt = { scripts: new LeaseScripts(ctx.redis), settings: new Map(), countsTimers: new Map() };
    runtimes.set(ctx, rt);
  }
  return rt;
}

/** A lease token: 128 random bits as 32 hex characters. */
export const newToken = () => randomBytes(16).toString('hex');

const SETTINGS_TTL_MS = 1000;

/** The project's queue settings, cached for a second (other servers see a change within that). */
export async function settingsOf(ctx: AppContext, projectId: ObjectId): Promise<QueueSettings> {
  const rt = runtime(ctx);
  const key = projectId.toHexString();
  const hit = rt.settings.get(key);
  if (hit && ctx.now() - hit.at < SETTINGS_TTL_MS) return hit.value;
  const doc = await queuesRepo.byProject(ctx.db, projectId);
  const value: QueueSettings = doc
    ? { paused: doc.paused, autoQueue: doc.autoQueue, goldWarmup: doc.goldWarmup, spread: doc.spread }
    : { ...DEFAULT_SETTINGS };
  rt.settings.set(key, { at: ctx.now(), value });
  return value;
}

export function forgetSettings(ctx: AppContext, projectId: ObjectId): void {
  runtime(ctx).settings.delete(projectId.toHexString());
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
  const rt = runtimes.get(ctx);
  if (!rt) return;
  for (const t of rt.countsTimers.values()) clearTimeout(t);
  rt.countsTimers.clear();
}
