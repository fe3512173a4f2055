import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  DOMAIN_EVENTS,
  ItemAgreementJobData,
  JOB_NAMES,
  itemQuality,
  polygonWork,
  polygonsAsBoxes,
  projectAgreementJobId,
  projectKeys,
  type ItemCompletePayload,
  type ItemQuality,
  type LabelSchema,
  type Region,
} from '@labelwork/core';
import { PROJECT_AGREEMENT_JOB_OPTS, itemCompleteOps, projectAgreementWindowMs } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { projectOf } from '../infra/project-cache.ts';
import { putQualityResult, type QualityApproximation } from '@labelwork/engine';
import { appendDomainEvent, domainEventIdOf } from '@labelwork/engine';
import { queueItemComplete } from '../item-status.ts';
import { execEngineOps } from '@labelwork/engine';

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
    const list = Object.entries(raw).map(([userId, json]) => ({
      userId,
      ...(JSON.parse(json) as { annotationId: string; regions: Region[] }),
    }));
    if (list.length >= data.k) return list;
  }
  const docs = await w.db.annotations.find({ itemId: new ObjectId(data.itemId), gold: false }).toArray();
  return docs.map((d) => ({ annotationId: d._id.toHexString(), userId: d.userId.toHexString(), regions: d.regions }));
}

/**
 * The item's quality with bounded polygon work, never failing on geometry: pairs too costly to clip
 * are rasterised (core's polygonIou), more than QUALITY_MAX_POLYGON_PAIRS pairs are compared as
 * bounding boxes, and if the computation throws anyway it is redone with boxes. Anything but exact
 * is flagged in `approximate`.
 */
export function boundedItemQuality(
  w: WorkerContext,
  list: readonly { annotatorId: string; regions: Region[] }[],
  schema: LabelSchema,
): { quality: ItemQuality; approximate?: QualityApproximation } {
  const sets = list.map((a) => a.regions);
  const run = (s: readonly Region[][]) =>
    itemQuality(
      list.map((a, i) => ({ annotatorId: a.annotatorId, regions: s[i] ?? [] })),
      schema,
    );
  const work = polygonWork(sets);
  try {
    if (work.pairs > w.config.QUALITY_MAX_POLYGON_PAIRS) {
      return {
        quality: run(polygonsAsBoxes(sets)),
        approximate: {
          method: 'boxes',
          polygonPairs: work.pairs,
          reason: `more than ${w.config.QUALITY_MAX_POLYGON_PAIRS} polygon pairs to compare`,
        },
      };
    }
    const quality = run(sets);
    return work.rasterised
      ? {
          quality,
          approximate: {
            method: 'raster',
            polygonPairs: work.rasterised,
            reason: 'large or often-crossing polygon pairs measured on a grid',
          },
        }
      : { quality };
  } catch (e) {
    if (!work.pairs) throw e;
    w.log.warn('item agreement fell back to polygon bounding boxes', { err: e });
    return {
      quality: run(polygonsAsBoxes(sets)),
      approximate: {
        method: 'boxes',
        polygonPairs: work.pairs,
        reason: `polygon comparison failed: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
  }
}

/**
 * Schedules the project's agreement recomputation: at most one run per window (see
 * `projectAgreementWindowMs`: the configured debounce or twenty times the last run's duration,
 * capped by `PROJECT_AGREEMENT_MAX_WINDOW_MS`).
 */
export async function scheduleProjectAgreement(w: WorkerContext, projectId: string): Promise<void> {
  const lastMs = Number(await w.redis.hget(projectKeys(w.config.REDIS_PREFIX, projectId).stats, 'agreementMs')) || 0;
  const window = projectAgreementWindowMs(w.config.PROJECT_AGREEMENT_DEBOUNCE_MS, lastMs, w.config.PROJECT_AGREEMENT_MAX_WINDOW_MS);
  const bucket = Math.floor(w.now() / window);
  const delay = Math.max(0, (bucket + 1) * window - w.now());
  await w.quality.add(
    JOB_NAMES.projectAgreement,
    { projectId },
    { jobId: projectAgreementJobId(projectId, bucket), delay, ...PROJECT_AGREEMENT_JOB_OPTS },
  );
}

/**
 * Runs when an item has its k annotations: agreement per tool, per annotator pair, consensus,
 * stored under `item:<itemId>`; the item is marked complete (batched, see item-status.ts); an
 * `item.completed` domain event goes to the stream (review routing, the project room).
 * Idempotent: a retry replaces the same result and counts the item once (a Redis set guards it).
 */
export async function itemAgreementProcessor(w: WorkerContext, job: Job): Promise<ItemCompletePayload> {
  const parsed = ItemAgreementJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad item-agreement payload: ${parsed.error.issues[0]?.message}`);
  const data = parsed.data;
  const projectId = new ObjectId(data.projectId);
  const itemId = new ObjectId(data.itemId);
  const project = await projectOf(w, data.projectId);
  if (!project) throw new UnrecoverableError('the project no longer exists');
  await job.updateProgress({ phase: 'loading' });
  const list = await annotationsOf(w, data);
  if (list.length < data.k) throw new UnrecoverableError(`the item has ${list.length} annotations; ${data.k} are needed`);
  if (w.config.QUALITY_JOB_DELAY_MS) await new Promise((r) => setTimeout(r, w.config.QUALITY_JOB_DELAY_MS));
  const { quality, approximate } = boundedItemQuality(
    w,
    list.map((a) => ({ annotatorId: a.userId, regions: a.regions })),
    project.labelSchema,
  );
  const at = new Date(w.now());
  await putQualityResult(w.db, {
    _id: `item:${data.itemId}`,
    schemaVersion: 1,
    scope: 'item',
    projectId,
    itemId,
    at,
    k: data.k,
    annotationIds: list.map((a) => new ObjectId(a.annotationId)),
    ...quality,
    ...(approximate ? { approximate } : {}),
  });
  const keys = projectKeys(w.config.REDIS_PREFIX, data.projectId);
  // Counted once however often this runs; the project's `counts.done` follows in the debounced
  // project-agreement job (a write per item would hold the database's write lock on FerretDB).
  // All replicas are in: the annotator view of the item is no longer needed in Redis. Before the
  // status update is queued: an item `complete` in MongoDB is always counted in Redis too, even
  // when this process dies between the two (the retry queues the update).
  await execEngineOps(w.redis, itemCompleteOps(keys, data.itemId));
  await queueItemComplete(w, data.itemId, list.length);
  const payload: ItemCompletePayload = {
    projectId: data.projectId,
    itemId: data.itemId,
    annotators: list.length,
    agreement: Object.fromEntries(Object.entries(quality.summary).map(([t, v]) => [t, v ?? null])),
  };
  await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
    type: DOMAIN_EVENTS.itemCompleted,
    eventId: domainEventIdOf(job),
    at: w.now(),
    data: payload,
  });
  await scheduleProjectAgreement(w, data.projectId);
  return payload;
}
