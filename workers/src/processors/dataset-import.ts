import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, DatasetImportJobData, REFUSALS_SHOWN, projectKeys, type ImportPlanLine, type ImportResult } from '@labelwork/core';
import {
  appendDomainEvent,
  datasetImportJob,
  deletePredictionsOfSource,
  fillSlotWithImport,
  goldAnswers,
  putPredictions,
  withdrawImportedAnnotations,
  type DatasetImportDoc,
  type PredictionSource,
  type SlotFillDeps,
} from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { datasetProgress } from '../datasets/progress.ts';

const BATCH = 500;
/**
 * Annotations fill their slots one at a time (several reads and writes each), and gold answers are
 * one update per item (100–800 ms each on a busy FerretDB): smaller batches keep progress and cancels prompt.
 */
const SMALL_BATCH = 50;

class Cancelled extends Error {}

/** The plan's lines, read from its gzip file in the `datasetUploads` bucket a line at a time. */
async function* planLines(w: WorkerContext, planId: ObjectId): AsyncGenerator<ImportPlanLine> {
  const lines = createInterface({ input: w.db.datasetUploads.openDownloadStream(planId).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as ImportPlanLine;
}

function slotDeps(w: WorkerContext, projectId: ObjectId): { deps: SlotFillDeps; close: () => Promise<void> } {
  const keys = projectKeys(w.config.REDIS_PREFIX, projectId.toHexString());
  const queue = new Queue(keys.queueName, { connection: w.redis, prefix: w.config.REDIS_PREFIX });
  return { deps: { db: w.db, redis: w.redis, keys, queue, quality: w.quality }, close: () => queue.close() };
}

/**
 * Stores a confirmed dataset import (the confirm planned it, added its labels and images, and wrote
 * the plan): its lines in batches through the engine's owners — predictions (idempotent per source
 * and item), gold answers (set again to the same answer), finished annotations (idempotent per line:
 * `fillSlotWithImport`) — with progress on the session and as `dataset:progress` events. A retry
 * after a crash starts over and stores nothing twice; a cancel stops at the next batch and takes
 * back what was stored (as does the last failed attempt, see `datasetImportFailed`).
 */
export async function datasetImportProcessor(w: WorkerContext, job: Job): Promise<{ status: string }> {
  const parsed = DatasetImportJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad dataset-import job payload');
  const id = new ObjectId(parsed.data.importId);
  const session = await datasetImportJob.byId(w.db, id);
  if (!session || session.status !== 'running' || !session.planId) return { status: session?.status ?? 'missing' };
  const project = await w.db.projects.findOne({ _id: session.projectId });
  if (!project) {
    await datasetImportJob.finish(w.db, id, 'failed', new Date(w.now()), {
      error: { code: 'NOT_FOUND', message: 'the project no longer exists' },
      result: null,
    });
    return { status: 'failed' };
  }
  const progress = datasetProgress(w, project._id, 'import', id);
  const result: ImportResult = { stored: 0, skipped: 0, skippedByReason: {}, skips: [] };
  const { deps, close } = slotDeps(w, project._id);
  const now = new Date(w.now());
  let source: PredictionSource | null = null;
  let done = 0;
  try {
    let batch: ImportPlanLine[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const fresh = await datasetImportJob.byId(w.db, id);
      if (!fresh || fresh.cancelRequested || fresh.status !== 'running') throw new Cancelled();
      if (session.as === 'predictions') {
        source ??= {
          kind: 'import',
          id: id.toHexString(),
          name: session.fileName,
          ...(batch[0]!.m ? { modelVersion: batch[0]!.m } : {}),
        };
        await putPredictions(
          w.db,
          project._id,
          source,
          batch.map((l) => ({ itemId: new ObjectId(l.i), regions: l.r, score: l.s ?? null })),
          now,
        );
        result.stored += batch.length;
      } else if (session.as === 'gold') {
        await goldAnswers.setMany(
          w.db,
          project._id,
          batch.map((l) => ({ id: new ObjectId(l.i), gold: { regions: l.r } })),
          id.toHexString(),
        );
        result.stored += batch.length;
      } else {
        for (const l of batch) {
          const fill = await fillSlotWithImport(
            deps,
            project,
            id.toHexString(),
            { line: l.l, itemId: new ObjectId(l.i), userId: new ObjectId(l.u!), regions: l.r },
            now,
          );
          if (fill.stored) {
            result.stored++;
            // The server's review routing applies the project's review policy to it, as to a submit (at least once; routing is idempotent).
            await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
              type: DOMAIN_EVENTS.annotationImported,
              eventId: `annotation-imported:${fill.annotation._id.toHexString()}`,
              at: w.now(),
              data: {
                projectId: project._id.toHexString(),
                itemId: l.i,
                annotationId: fill.annotation._id.toHexString(),
                importId: id.toHexString(),
              },
            });
          } else {
            result.skipped++;
            result.skippedByReason[fill.reason] = (result.skippedByReason[fill.reason] ?? 0) + 1;
            if (result.skips.length < REFUSALS_SHOWN) result.skips.push({ item: l.n, annotator: l.a ?? '', reason: fill.reason });
          }
        }
      }
      done += batch.length;
      batch = [];
      await datasetImportJob.progress(w.db, id, done);
      await progress('running', done, session.total);
      if (w.config.EXPORT_BATCH_DELAY_MS) await new Promise((r) => setTimeout(r, w.config.EXPORT_BATCH_DELAY_MS));
    };
    for await (const line of planLines(w, session.planId)) {
      batch.push(line);
      if (batch.length >= (session.as === 'predictions' ? BATCH : SMALL_BATCH)) await flush();
    }
    await flush();
    if (session.as === 'gold') {
      await goldAnswers.settle(w.db, project._id, id.toHexString());
      await goldAnswers.recount(w.db, project._id);
    }
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    await takeBack(w, session, deps);
    await datasetImportJob.finish(w.db, id, 'cancelled', new Date(w.now()), {
      error: { code: 'CANCELLED', message: 'cancelled; nothing was kept' },
      result: null,
    });
    await progress('cancelled', done, session.total, true);
    return { status: 'cancelled' };
  } finally {
    await close();
  }
  await datasetImportJob.finish(w.db, id, 'complete', new Date(w.now()), { error: null, result });
  await progress('complete', done, session.total, true);
  return { status: 'complete' };
}

/**
 * All or nothing: what a cancelled or failed import stored goes again — its predictions, its
 * annotations (with their slots, exclusions and counters), and its gold answers (each item gets its
 * answer from before back, or none, as before: `goldAnswers.takeBack`).
 */
async function takeBack(w: WorkerContext, session: DatasetImportDoc, deps: SlotFillDeps): Promise<void> {
  const id = session._id.toHexString();
  if (session.as === 'predictions') await deletePredictionsOfSource(w.db, session.projectId, id);
  else if (session.as === 'annotations')
    await withdrawImportedAnnotations(deps, session.projectId, id, (a) =>
      withdrawnEvent(w, { projectId: session.projectId, itemId: a.itemId, annotationId: a._id, importId: id }),
    );
  else {
    await goldAnswers.takeBack(w.db, session.projectId, id);
    await goldAnswers.recount(w.db, session.projectId);
  }
}

/** Records that an imported annotation is taken back: the server's review routing withdraws its review tasks (at least once). */
export async function withdrawnEvent(
  w: WorkerContext,
  a: { projectId: ObjectId; itemId: ObjectId; annotationId: ObjectId; importId: string },
): Promise<void> {
  await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
    type: DOMAIN_EVENTS.annotationWithdrawn,
    eventId: `annotation-withdrawn:${a.annotationId.toHexString()}`,
    at: w.now(),
    data: {
      projectId: a.projectId.toHexString(),
      itemId: a.itemId.toHexString(),
      annotationId: a.annotationId.toHexString(),
      importId: a.importId,
    },
  });
}

/** After the last attempt of a dataset-import job failed: what it stored goes, and the session says why. */
export async function datasetImportFailed(w: WorkerContext, job: Job, err: Error): Promise<void> {
  if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
  const parsed = DatasetImportJobData.safeParse(job.data);
  if (!parsed.success) return;
  const session = await datasetImportJob.byId(w.db, new ObjectId(parsed.data.importId));
  if (!session || session.status !== 'running') return;
  const { deps, close } = slotDeps(w, session.projectId);
  try {
    await takeBack(w, session, deps);
  } finally {
    await close();
  }
  await datasetImportJob.finish(w.db, session._id, 'failed', new Date(w.now()), {
    error: { code: 'INTERNAL', message: `storing the import failed: ${err.message.slice(0, 300)}` },
    result: null,
  });
}
