import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  JOB_NAMES, MaintenanceJobData, bullPriority, itemAgreementJobId, projectKeys, replicaJobId, taskItemOf,
  type ReplicaJobData,
} from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import type { ItemRow } from '../infra/mongo.ts';


export interface RequeueResult {
  items: number;
  jobsAdded: number;
  qualityJobs: number;
  exclusions: number;
}

/**
 * Rebuilds a project's queue state in Redis from MongoDB (after a Redis loss, or to repair a
 * queueing interrupted by a crash): every item ever put up (queue batches) gets its missing replica
 * jobs back unless its slot already has an annotation; caches, gold pool, the per-item annotation
 * hand-off and every user's exclusions (annotated, skipped) are restored. Safe to run any time:
 * existing jobs keep their ids (BullMQ ignores a duplicate id) and filled slots are never re-added.
 */
export async function requeueAllProcessor(w: WorkerContext, job: Job): Promise<RequeueResult> {
  const parsed = MaintenanceJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad requeue-all payload');
  const pid = parsed.data.projectId;
  const projectId = new ObjectId(pid);
  const keys = projectKeys(w.config.REDIS_PREFIX, pid);
  const wanted = new Map<string, { k: number; priority: number }>();
  for await (const b of w.db.queueBatches.find({ projectId })) {
    for (const id of b.itemIds) if (!wanted.has(id.toHexString())) wanted.set(id.toHexString(), { k: b.k, priority: b.priority });
  }
  for (const [id, k] of Object.entries(await w.redis.hgetall(keys.queued))) if (!wanted.has(id)) wanted.set(id, { k: Number(k), priority: 50 });
  await job.updateProgress({ phase: 'annotations', items: wanted.size });

  const filled = new Set<string>();
  const byItem = new Map<string, { userId: string; annotationId: string; regions: unknown; version: number }[]>();
  const exclusions = w.redis.pipeline();
  let nExcl = 0;
  for await (const a of w.db.annotations.find({ projectId })) {
    filled.add(a.slot);
    exclusions.sadd(keys.excluded(a.userId.toHexString()), a.itemId.toHexString());
    nExcl++;
    if (a.gold) continue;
    const list = byItem.get(a.itemId.toHexString()) ?? [];
    list.push({ userId: a.userId.toHexString(), annotationId: a._id.toHexString(), regions: a.regions, version: a.version });
    byItem.set(a.itemId.toHexString(), list);
  }
  for await (const s of w.db.skips.find({ projectId })) {
    exclusions.sadd(keys.excluded(s.userId.toHexString()), s.itemId.toHexString());
    nExcl++;
  }
  await exclusions.exec();

  const complete = new Set(await w.redis.smembers(keys.complete));
  const queue = new Queue(keys.queueName, { connection: w.redis, prefix: w.config.REDIS_PREFIX });
  let jobsAdded = 0;
  let qualityJobs = 0;
  try {
    const ids = [...wanted.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const docs = await w.db.items.find({ _id: { $in: chunk.map((s) => new ObjectId(s)) } }).toArray();
      const p = w.redis.pipeline();
      const jobs = [];
      for (const d of docs) {
        const itemId = d._id.toHexString();
        const { k, priority } = wanted.get(itemId) as { k: number; priority: number };
        p.hsetnx(keys.queued, itemId, String(k));
        if (d.isGold && d.gold) {
          p.set(keys.item(itemId), JSON.stringify(taskItemOf(d)));
          p.set(keys.goldAnswer(itemId), JSON.stringify(d.gold));
          p.sadd(keys.goldPool, itemId);
          continue;
        }
        const anns = byItem.get(itemId) ?? [];
        for (const a of anns) p.hsetnx(keys.itemAnnotations(itemId), a.userId, JSON.stringify({ annotationId: a.annotationId, regions: a.regions, version: a.version }));
        if (d.status === 'complete' || complete.has(itemId)) continue;
        p.set(keys.item(itemId), JSON.stringify(taskItemOf(d)));
        for (let r = 0; r < k; r++) {
          const jobId = replicaJobId(itemId, r);
          if (filled.has(jobId)) continue;
          const data: ReplicaJobData = { projectId: pid, itemId, r, k };
          jobs.push({ name: JOB_NAMES.replica, data, opts: { jobId, priority: bullPriority(priority), removeOnComplete: true, removeOnFail: false, attempts: 1 } });
        }
        if (anns.length >= k) {
          await w.quality.add(JOB_NAMES.itemAgreement, { projectId: pid, itemId, k, fromDb: true }, { jobId: itemAgreementJobId(itemId), removeOnComplete: true, removeOnFail: 5000, attempts: 8, backoff: { type: 'exponential', delay: 500 } });
          qualityJobs++;
        }
      }
      await p.exec();
      if (jobs.length) {
        const added = await queue.addBulk(jobs);
        jobsAdded += added.length;
      }
      await job.updateProgress({ phase: 'jobs', done: Math.min(ids.length, i + 500), items: ids.length });
    }
  } finally {
    await queue.close();
  }
  w.log.info('requeue-all done', { projectId: pid, items: wanted.size, jobsAdded, qualityJobs });
  return { items: wanted.size, jobsAdded, qualityJobs, exclusions: nExcl };
}
