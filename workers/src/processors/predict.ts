import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { ML_BATCH_SIZE, ML_MEDIA_TTL_S, PredictRunJob } from '@labelwork/core';
import {
  checkBackendHealth,
  mlMediaSecret,
  ML_RUN_LOG_LINES,
  OutboundError,
  predictBatch,
  putPredictions,
  signedMediaUrl,
  type ItemDoc,
  type MlRunDoc,
  type MlRunLogLine,
  type PredictTask,
} from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';

/** Items read per ordered query (a run's batches are taken from them). */
const ITEM_PAGE = 2000;

/** Appends lines to a run's log (keeping the newest ML_RUN_LOG_LINES) together with other changes. */
async function updateRun(
  w: WorkerContext,
  runId: ObjectId,
  set: Partial<MlRunDoc>,
  lines: Omit<MlRunLogLine, 'at'>[] = [],
  inc: Partial<Record<'done' | 'stored' | 'refusedBatches', number>> = {},
) {
  const at = new Date(w.now());
  await w.db.mlRuns.updateOne(
    { _id: runId },
    {
      ...(Object.keys(set).length ? { $set: set } : {}),
      ...(Object.keys(inc).length ? { $inc: inc } : {}),
      ...(lines.length ? { $push: { log: { $each: lines.map((l) => ({ ...l, at })), $slice: -ML_RUN_LOG_LINES } } } : {}),
    },
  );
}

function taskOf(item: ItemDoc, mediaBase: string, secret: string, projectId: string, expSec: number): PredictTask | null {
  if (item.kind === 'image' && item.image) {
    const { width, height } = item.image;
    return {
      id: item.seq,
      data: { image: signedMediaUrl(mediaBase, secret, item.image.fileId.toHexString(), projectId, expSec), width, height },
      extent: { kind: 'image', width, height },
    };
  }
  if (item.kind === 'text' && typeof item.text === 'string')
    return {
      id: item.seq,
      data: { text: item.text },
      extent: { kind: 'text', length: item.textLength ?? [...item.text].length, text: item.text },
    };
  return null;
}

/**
 * A pre-annotation run: the project's items in `seq` order, in batches of ML_BATCH_SIZE, each sent to
 * the backend's /predict with integer task ids (the item's seq) and signed, expiring image URLs.
 * Every reply is validated; a refused reply is logged and stores nothing for its batch; an accepted
 * one is stored through the predictions owner and the run's cursor moves past the batch in the
 * same step, so a retried job (backend down, worker killed) resumes after the last stored batch,
 * and a batch stored twice overwrites itself (one prediction per item, backend and model version).
 */
export async function predictRunProcessor(w: WorkerContext, job: Job): Promise<{ done: number; stored: number }> {
  const parsed = PredictRunJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad predict-run payload');
  const runId = new ObjectId(parsed.data.runId);
  let run = await w.db.mlRuns.findOne({ _id: runId });
  if (!run || run.status === 'done' || run.status === 'cancelled' || run.status === 'failed')
    return { done: run?.done ?? 0, stored: run?.stored ?? 0 };
  const [backend, project, attachment] = await Promise.all([
    w.db.mlBackends.findOne({ _id: run.backendId }),
    w.db.projects.findOne({ _id: run.projectId }),
    w.db.mlAttachments.findOne({ _id: `${run.projectId}:${run.backendId}` }),
  ]);
  if (!backend || !project || !attachment) {
    await updateRun(w, runId, { status: 'failed', error: 'the backend was removed or detached', finishedAt: new Date(w.now()) }, [
      { level: 'error', message: 'the backend was removed or detached from the project; run stopped' },
    ]);
    return { done: run.done, stored: run.stored };
  }
  const attempt = job.attemptsMade + 1;
  await updateRun(
    w,
    runId,
    { status: 'running', startedAt: run.startedAt ?? new Date(w.now()) },
    attempt > 1 ? [{ level: 'info', message: `resuming after item #${run.cursorSeq} (attempt ${attempt})` }] : [],
  );
  const secret = await mlMediaSecret(w.db);
  const pid = project._id.toHexString();
  let modelVersion = run.modelVersion ?? attachment.modelVersion;
  let page: ItemDoc[] = [];
  for (;;) {
    run = await w.db.mlRuns.findOne({ _id: runId });
    if (!run) return { done: 0, stored: 0 };
    if (run.cancelRequested) {
      await updateRun(w, runId, { status: 'cancelled', finishedAt: new Date(w.now()) }, [
        { level: 'info', message: `cancelled after ${run.done} items` },
      ]);
      return { done: run.done, stored: run.stored };
    }
    // Items come in pages of ITEM_PAGE (one ordered query per page: on FerretDB every query scans the
    // collection, so one per batch would cost a scan per 16 items); batches are taken from the page.
    if (!page.length || page[0]!.seq <= run.cursorSeq) {
      page = await w.db.items
        .find({ projectId: project._id, seq: { $gt: run.cursorSeq } }, { sort: { seq: 1 }, limit: ITEM_PAGE })
        .toArray();
    }
    const items = page.splice(0, ML_BATCH_SIZE);
    if (!items.length) {
      // Counted from the store: a batch stored twice (a retry after a crash) is one prediction per item.
      run.stored = await w.db.predictions.countDocuments({ projectId: project._id, 'source.id': runId.toHexString() });
      await updateRun(w, runId, { status: 'done', finishedAt: new Date(w.now()), modelVersion, stored: run.stored }, [
        { level: 'info', message: `done: ${run.done} items, ${run.stored} predictions stored, ${run.refusedBatches} batches refused` },
      ]);
      return { done: run.done, stored: run.stored };
    }
    const last = items[items.length - 1]!.seq;
    const span = `items #${items[0]!.seq}–#${last}`;
    const expSec = Math.floor(w.now() / 1000) + ML_MEDIA_TTL_S;
    const sendable = items
      .map((it) => ({ item: it, task: taskOf(it, run!.mediaBase, secret, pid, expSec) }))
      .filter((x) => x.task !== null);
    let reply;
    try {
      reply = await predictBatch(backend, {
        kind: project.kind,
        labelSchema: project.labelSchema,
        projectId: pid,
        lsProject: attachment.lsProject,
        modelVersion,
        tasks: sendable.map((x) => x.task!),
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const final = attempt >= (job.opts.attempts ?? 1);
      await updateRun(w, runId, final ? { status: 'failed', error: message, finishedAt: new Date(w.now()) } : {}, [
        { level: 'error', message: `${span}: ${message}${final ? ' — giving up' : ` — retrying (attempt ${attempt})`}` },
      ]);
      if (e instanceof OutboundError && e.reason === 'address_refused') throw new UnrecoverableError(message);
      if (final) {
        await w.db.mlBackends.updateOne({ _id: backend._id }, { $set: { health: await checkBackendHealth(backend, new Date(w.now())) } });
      }
      throw e;
    }
    if (!reply.ok) {
      const where = reply.error.task === undefined ? '' : ` (task ${sendable[reply.error.task]?.task?.id ?? '?'})`;
      await w.db.mlRuns.updateOne(
        { _id: runId, cursorSeq: run.cursorSeq },
        {
          $set: { cursorSeq: last },
          $inc: { done: items.length, refusedBatches: 1 },
          $push: {
            log: {
              $each: [
                {
                  at: new Date(w.now()),
                  level: 'error' as const,
                  message: `${span} refused${where}: ${reply.error.reason}: ${reply.error.message}`,
                },
              ],
              $slice: -ML_RUN_LOG_LINES,
            },
          },
        },
      );
      continue;
    }
    modelVersion = reply.predictions.find((p) => p.modelVersion)?.modelVersion ?? modelVersion;
    const stored = await putPredictions(
      w.db,
      project._id,
      { kind: 'model', id: runId.toHexString(), name: backend.name, ...(modelVersion ? { modelVersion } : {}) },
      sendable.map((x, i) => ({ itemId: x.item._id, regions: reply.predictions[i]!.regions, score: reply.predictions[i]!.score })),
      new Date(w.now()),
    );
    await w.db.mlRuns.updateOne(
      { _id: runId, cursorSeq: run.cursorSeq },
      { $set: { cursorSeq: last, modelVersion }, $inc: { done: items.length, stored } },
    );
    await job.updateProgress({ done: run.done + items.length, total: run.total });
  }
}

/** Every backend's /health, on a schedule (ML_HEALTH_EVERY_MS). */
export async function mlHealthProcessor(w: WorkerContext): Promise<{ checked: number }> {
  const backends = await w.db.mlBackends.find({}).toArray();
  await Promise.all(
    backends.map(async (b) =>
      w.db.mlBackends.updateOne({ _id: b._id }, { $set: { health: await checkBackendHealth(b, new Date(w.now())) } }),
    ),
  );
  return { checked: backends.length };
}
