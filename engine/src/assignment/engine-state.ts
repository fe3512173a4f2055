import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JOB_NAMES,
  QUALITY_JOB_OPTS,
  handoffOp,
  type CachedItem,
  type ItemAgreementJobData,
  type ProjectKeys,
  type RedisOp,
} from '@labelwork/core';

/**
 * The assignment engine's Redis state as code outside the lease scripts touches it, for server and
 * workers alike. The write shapes (keys, payloads, job options) come from core's
 * `contracts/engine-state.ts`; nothing else spells out an engine key. The server's tasks module owns
 * leases and queueing (its lease scripts); its annotations module and the workers' processors call
 * these.
 */

/** Runs engine writes as core shapes them, in one pipeline; the first failed command throws. */
export async function execEngineOps(redis: Redis, ops: readonly RedisOp[]): Promise<void> {
  if (!ops.length) return;
  const res = (await redis.pipeline(ops.map((o) => [...o])).exec()) ?? [];
  for (const [err] of res) if (err) throw err;
}

/** The annotator's view of a queued item, as cached when it was put up (null when not cached). */
export async function cachedItem(redis: Redis, keys: ProjectKeys, itemId: string): Promise<CachedItem | null> {
  const raw = await redis.get(keys.item(itemId));
  return raw ? (JSON.parse(raw) as CachedItem) : null;
}

/**
 * An ordinary annotation's regions changed (author's edit, rework, label merge): the quality job's
 * hand-off is replaced and, once the item has its k annotations, its quality is recomputed from
 * MongoDB (job id per annotation version, so each change is computed once).
 */
export async function annotationRegionsChanged(
  redis: Redis,
  keys: ProjectKeys,
  quality: Queue,
  projectId: string,
  a: { annotationId: string; itemId: string; userId: string; regions: unknown; version: number },
): Promise<void> {
  const write = redis.pipeline([handoffOp(keys, a.itemId, a.userId, a, 'replace')]);
  write.hlen(keys.itemAnnotations(a.itemId));
  write.sismember(keys.complete, a.itemId);
  write.hget(keys.queued, a.itemId);
  const res = (await write.exec()) ?? [];
  for (const [err] of res) if (err) throw err;
  const count = Number(res[1]?.[1] ?? 0);
  const complete = Number(res[2]?.[1] ?? 0);
  const k = Number(res[3]?.[1] ?? 0);
  if (k > 0 && (complete === 1 || count >= k)) {
    const data: ItemAgreementJobData = { projectId, itemId: a.itemId, k, fromDb: true };
    await quality.add(JOB_NAMES.itemAgreement, data, { jobId: `agree-${a.itemId}-e-${a.annotationId}-${a.version}`, ...QUALITY_JOB_OPTS });
  }
}
export * from './redis-restarts.ts';
