import { JOB_NAMES, QUALITY_JOB_OPTS, handoffOp, type CachedItem, type ItemAgreementJobData } from '@labelwork/core';
import type { AppContext } from '../../context.ts';

/**
 * The assignment engine's Redis state as other server modules may touch it. The tasks module owns
 * the engine's keys (the lease scripts, queueing and this file write them); the annotations module
 * calls these instead of writing the keys itself. The write shapes come from core's
 * `engine-state.ts`, which the workers use too.
 */

/** The annotator's view of a queued item, as cached when it was put up (null when not cached). */
export async function cachedItem(ctx: AppContext, projectId: string, itemId: string): Promise<CachedItem | null> {
  const raw = await ctx.redis.get(ctx.tasks.keys(projectId).item(itemId));
  return raw ? (JSON.parse(raw) as CachedItem) : null;
}

/**
 * An ordinary annotation's regions changed (author's edit, rework, label merge): the quality job's
 * hand-off is replaced and, once the item has its k annotations, its quality is recomputed from
 * MongoDB (job id per annotation version, so each change is computed once).
 */
export async function annotationRegionsChanged(
  ctx: AppContext,
  projectId: string,
  a: { annotationId: string; itemId: string; userId: string; regions: unknown; version: number },
): Promise<void> {
  const keys = ctx.tasks.keys(projectId);
  const write = ctx.redis.pipeline([handoffOp(keys, a.itemId, a.userId, a, 'replace')]);
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
    await ctx.tasks.quality.add(JOB_NAMES.itemAgreement, data, {
      jobId: `agree-${a.itemId}-e-${a.annotationId}-${a.version}`,
      ...QUALITY_JOB_OPTS,
    });
  }
}
