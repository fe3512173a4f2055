import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  ItemAgreementJobData, JOB_NAMES, SERVER_EVENTS, itemQuality, projectAgreementJobId, projectKeys, rooms,
  type ItemCompletePayload, type Region,
} from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { putResult } from '../infra/mongo.ts';
import { publish } from '../infra/redis.ts';

interface Handoff {
  annotationId: string;
  userId: string;
  regions: Region[];
}

/** The item's k annotations: from the Redis hand-off written at submit, else from MongoDB. */
async function annotationsOf(w: WorkerContext, data: ItemAgreementJobData): Promise<Handoff[]> {
  const keys = projectKeys(w.config.REDIS_PREFIX, data.projectId);
  if (!data.fromDb) {
    const raw = await w.redis.hgetall(keys.itemAnnotations(data.itemId));
    const list = Object.entries(raw).map(([userId, json]) => ({ userId, ...(JSON.parse(json) as { annotationId: string; regions: Region[] }) }));
    if (list.length >= data.k) return list;
  }
  const docs = await w.db.annotations.find({ itemId: new ObjectId(data.itemId), gold: false }).toArray();
  return docs.map((d) => ({ annotationId: d._id.toHexString(), userId: d.userId.toHexString(), regions: d.regions }));
}

/** Schedules the project's agreement recomputation: at most one run per debounce window. */
export async function scheduleProjectAgreement(w: WorkerContext, projectId: string): Promise<void> {
  const window = w.config.PROJECT_AGREEMENT_DEBOUNCE_MS;
  const bucket = Math.floor(w.now() / window);
  const delay = Math.max(0, (bucket + 1) * window - w.now());
  await w.quality.add(JOB_NAMES.projectAgreement, { projectId }, { jobId: projectAgreementJobId(projectId, bucket), delay, removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
}

/**
 * Runs when an item has its k annotations: agreement per tool, per annotator pair, consensus,
 * stored under `item:<itemId>`; the item is marked complete; progress goes to the project room.
 * Idempotent: a retry replaces the same result and counts the item once (a Redis set guards it).
 */
export async function itemAgreementProcessor(w: WorkerContext, job: Job): Promise<ItemCompletePayload> {
  const parsed = ItemAgreementJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad item-agreement payload: ${parsed.error.issues[0]?.message}`);
  const data = parsed.data;
  const projectId = new ObjectId(data.projectId);
  const itemId = new ObjectId(data.itemId);
  const project = await w.db.projects.findOne({ _id: projectId });
  if (!project) throw new UnrecoverableError('the project no longer exists');
  const list = await annotationsOf(w, data);
  if (list.length < data.k) throw new UnrecoverableError(`the item has ${list.length} annotations; ${data.k} are needed`);
  if (w.config.QUALITY_JOB_DELAY_MS) await new Promise((r) => setTimeout(r, w.config.QUALITY_JOB_DELAY_MS));
  const quality = itemQuality(list.map((a) => ({ annotatorId: a.userId, regions: a.regions })), project.labelSchema);
  const at = new Date(w.now());
  await putResult(w.db, {
    _id: `item:${data.itemId}`, schemaVersion: 1, scope: 'item', projectId, itemId, at, k: data.k,
    annotationIds: list.map((a) => new ObjectId(a.annotationId)), ...quality,
  });
  await w.db.items.updateOne({ _id: itemId, status: { $ne: 'complete' } }, { $set: { status: 'complete', annotationCount: list.length, completedAt: at } });
  const keys = projectKeys(w.config.REDIS_PREFIX, data.projectId);
  const res = await w.redis.multi()
    .sadd(keys.complete, data.itemId)
    .scard(keys.complete)
    .exec();
  const added = Number(res?.[0]?.[1] ?? 0) === 1;
  const completeCount = Number(res?.[1]?.[1] ?? 0);
  if (added) await w.redis.hincrby(keys.stats, 'itemsComplete', 1);
  // Monotonic, idempotent: the project's done count follows the Redis set of complete items.
  await w.db.projects.updateOne({ _id: projectId, 'counts.done': { $lt: completeCount } }, { $set: { 'counts.done': completeCount } });
  // All replicas are in: the annotator view of the item is no longer needed in Redis.
  await w.redis.del(keys.item(data.itemId));
  const payload: ItemCompletePayload = { projectId: data.projectId, itemId: data.itemId, annotators: list.length, agreement: Object.fromEntries(Object.entries(quality.summary).map(([t, v]) => [t, v ?? null])) };
  await publish(w.redis, w.config.REDIS_PREFIX, { room: rooms.project(data.projectId), event: SERVER_EVENTS.itemComplete, payload });
  await scheduleProjectAgreement(w, data.projectId);
  return payload;
}
