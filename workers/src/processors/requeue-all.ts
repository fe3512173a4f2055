import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  DEFAULT_SPREAD,
  JOB_NAMES,
  MaintenanceJobData,
  QUALITY_JOB_OPTS,
  exclusionOp,
  itemCompleteOps,
  itemAgreementJobId,
  itemCacheOps,
  projectKeys,
  queuedOp,
  replicaJobId,
  replicaJobs,
  taskItemOf,
  type ProjectKeys,
  type RedisOp,
  type ReplicaItem,
} from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { queueItemComplete } from '../item-status.ts';
import { execEngineOps, markFilledSlots, restoreHandoffOp } from '@labelwork/engine';

export interface RequeueResult {
  items: number;
  jobsAdded: number;
  qualityJobs: number;
  exclusions: number;
  /** Replica jobs still queued although their slot has an annotation (marked: the next fetch finishes them). */
  filledMarked: number;
  /** Replica jobs this rebuild added back for slots a submit filled while it ran (removed again). */
  filledAfterAdd: number;
}

/** As long as the submit's own marker (tasks.submit.ts). */
const FILLED_MARKER_TTL_S = 7 * 24 * 3600;

/**
 * Rebuilds a project's queue state in Redis from MongoDB (after a Redis loss, or to repair a
 * queueing interrupted by a crash): every item ever put up (queue batches) gets its missing replica
 * jobs back unless its slot already has an annotation; caches, gold pool, the per-item annotation
 * hand-off and every user's exclusions (annotated, skipped) are restored. Safe to run any time:
 * existing jobs keep their ids (BullMQ ignores a duplicate id) and filled slots are never re-added.
 * Replicas go back interleaved in windows of the project's spread, as normal queueing puts them
 * (core's `interleaveReplicas`), so an item's replicas stay ~spread tasks apart after a rebuild.
 */
export async function requeueAllProcessor(w: WorkerContext, job: Job): Promise<RequeueResult> {
  const parsed = MaintenanceJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad requeue-all payload');
  const pid = parsed.data.projectId;
  const projectId = new ObjectId(pid);
  const keys = projectKeys(w.config.REDIS_PREFIX, pid);
  const spread = parsed.data.spread ?? DEFAULT_SPREAD;
  // Chunks are whole windows of `spread` items, so the interleave is the same as one pass over all.
  const chunkSize = spread * Math.max(1, Math.ceil(500 / spread));
  const wanted = new Map<string, { k: number; priority: number }>();
  for await (const b of w.db.queueBatches.find({ projectId })) {
    for (const id of b.itemIds) if (!wanted.has(id.toHexString())) wanted.set(id.toHexString(), { k: b.k, priority: b.priority });
  }
  for (const [id, k] of Object.entries(await w.redis.hgetall(keys.queued)))
    if (!wanted.has(id)) wanted.set(id, { k: Number(k), priority: 50 });
  await job.updateProgress({ phase: 'annotations', items: wanted.size });

  const filled = new Set<string>();
  const byItem = new Map<string, { userId: string; annotationId: string; regions: unknown; version: number }[]>();
  const exclusions: RedisOp[] = [];
  let nExcl = 0;
  for await (const a of w.db.annotations.find({ projectId })) {
    filled.add(a.slot);
    exclusions.push(exclusionOp(keys, a.userId.toHexString(), a.itemId.toHexString()));
    nExcl++;
    if (a.gold) continue;
    const list = byItem.get(a.itemId.toHexString()) ?? [];
    list.push({ userId: a.userId.toHexString(), annotationId: a._id.toHexString(), regions: a.regions, version: a.version });
    byItem.set(a.itemId.toHexString(), list);
  }
  for await (const s of w.db.skips.find({ projectId })) {
    exclusions.push(exclusionOp(keys, s.userId.toHexString(), s.itemId.toHexString()));
    nExcl++;
  }
  const queue = new Queue(keys.queueName, { connection: w.redis, prefix: w.config.REDIS_PREFIX });
  let jobsAdded = 0;
  let qualityJobs = 0;
  let filledMarked = 0;
  let filledAfterAdd = 0;
  try {
    // First, before anything else: a job still queued for a slot MongoDB has filled is marked, so a
    // fetch from now on finishes the stored submit instead of handing the task out again.
    filledMarked = await markFilledSlots(w.redis, keys, queue, [...filled], FILLED_MARKER_TTL_S);
    for (let i = 0; i < exclusions.length; i += 5000) await execEngineOps(w.redis, exclusions.slice(i, i + 5000));
    const complete = new Set(await w.redis.smembers(keys.complete));
    const ids = [...wanted.keys()];
    for (let i = 0; i < ids.length; i += chunkSize) {
      const chunk = ids.slice(i, i + chunkSize);
      const found = new Map(
        (await w.db.items.find({ _id: { $in: chunk.map((s) => new ObjectId(s)) } }).toArray()).map((d) => [d._id.toHexString(), d]),
      );
      const ops: RedisOp[] = [];
      const needed: ReplicaItem[] = [];
      // In the order the items were put up.
      for (const itemId of chunk) {
        const d = found.get(itemId);
        if (!d) continue;
        const { k, priority } = wanted.get(itemId) as { k: number; priority: number };
        ops.push(queuedOp(keys, itemId, k));
        if (d.isGold && d.gold) {
          ops.push(...itemCacheOps(keys, itemId, JSON.stringify(taskItemOf(d)), JSON.stringify(d.gold)));
          continue;
        }
        const anns = byItem.get(itemId) ?? [];
        for (const a of anns) ops.push(restoreHandoffOp(keys, itemId, a.userId, a));
        if (d.status === 'complete') ops.push(...itemCompleteOps(keys, itemId));
        // Complete in Redis, not in its document: its status update was lost (an item-status entry
        // written just before Redis went down). Queued again; the update is idempotent.
        else if (complete.has(itemId)) await queueItemComplete(w, itemId, anns.length);
        if (d.status === 'complete' || complete.has(itemId)) continue;
        ops.push(...itemCacheOps(keys, itemId, JSON.stringify(taskItemOf(d))));
        const skip = new Set<number>();
        for (let r = 0; r < k; r++) if (filled.has(replicaJobId(itemId, r))) skip.add(r);
        if (skip.size < k) needed.push({ itemId, k, priority, skip });
        if (anns.length >= k) {
          await w.quality.add(
            JOB_NAMES.itemAgreement,
            { projectId: pid, itemId, k, fromDb: true },
            { jobId: itemAgreementJobId(itemId), ...QUALITY_JOB_OPTS },
          );
          qualityJobs++;
        }
      }
      await execEngineOps(w.redis, ops);
      const jobs = replicaJobs(pid, needed, spread);
      if (jobs.length) {
        const addedAt = Date.now();
        const added = await queue.addBulk(jobs);
        jobsAdded += added.length;
        filledAfterAdd += await settleSlotsFilledMeanwhile(
          w,
          keys,
          queue,
          added.map((j) => j.id!),
          addedAt,
        );
      }
      await job.updateProgress({ phase: 'jobs', done: Math.min(ids.length, i + chunkSize), items: ids.length });
    }
  } finally {
    await queue.close();
  }
  w.log.info('requeue-all done', { projectId: pid, items: wanted.size, jobsAdded, qualityJobs, filledMarked, filledAfterAdd });
  return { items: wanted.size, jobsAdded, qualityJobs, exclusions: nExcl, filledMarked, filledAfterAdd };
}

/**
 * Replica jobs just added whose slot was filled after the annotations were read: a submit stored its
 * annotation and finished (its job completed, and BullMQ removed it) while this rebuild ran, so the
 * add created the job again for a task that is already done. The submit stores before it completes
 * and this reads after the add, so every such slot is seen here. Each gets the filled marker (a
 * fetch finishes it instead of handing it out); a job this add created (it is newer than `addedAt`)
 * is removed again unless someone holds it now. A job that was there before is left to the marker:
 * its submit may not have finished. Returns how many slots were found filled.
 */
export async function settleSlotsFilledMeanwhile(
  w: WorkerContext,
  keys: ProjectKeys,
  queue: Queue,
  jobIds: string[],
  addedAt: number,
): Promise<number> {
  if (!jobIds.length) return 0;
  const filled = (await w.db.annotations.find({ slot: { $in: jobIds } }, { projection: { slot: 1 } }).toArray()).map((a) => a.slot);
  if (!filled.length) return 0;
  await markFilledSlots(w.redis, keys, queue, filled, FILLED_MARKER_TTL_S);
  for (const id of filled) {
    const job = await queue.getJob(id);
    if (job && job.timestamp >= addedAt) await queue.remove(id).catch(() => 0);
  }
  return filled.length;
}
