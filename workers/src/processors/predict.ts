import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { ObjectId, type FindCursor } from 'mongodb';
import { buildLsLabelConfig, ML_BATCH_SIZE, ML_MEDIA_TTL_S, mlLogLine, PredictRunJob, type ReplyResult } from '@labelwork/core';
import {
  backendAgent,
  BackendUnavailableError,
  checkBackendHealth,
  countPredictionsOfSource,
  finishCancelledRun,
  mlMediaSecret,
  ML_RUN_LOG_LINES,
  OutboundError,
  predictBatch,
  putPredictions,
  readBreaker,
  recordBackendSuccess,
  signedMediaUrl,
  throughBreaker,
  type ItemDoc,
  type MlRunDoc,
  type MlLogEntry,
  type MlRunLogLine,
  type NewPrediction,
  type PredictTask,
} from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { breakerDepsOf } from '@labelwork/engine';

/** Items the run's one item cursor fetches per round trip. */
const ITEM_CURSOR_BATCH = 1000;
/** Batches answered but not stored yet at most: stored together, so a crash re-predicts at most this many. */
const COMMIT_WINDOW = 16;

/** Appends lines to a run's log (keeping the newest ML_RUN_LOG_LINES) together with other changes. */
async function updateRun(
  w: WorkerContext,
  runId: ObjectId,
  set: Partial<MlRunDoc>,
  lines: MlLogEntry[] = [],
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
 * The project's items after `afterSeq`, in seq order, from one cursor for the whole run: on FerretDB
 * every query scans and sorts the collection, so one query per page of 2,000 cost a scan per page
 * (half of a 10,000-item run). A cursor that fails (e.g. timed out while a slow backend kept the run
 * busy) is opened again after the last item read.
 */
function itemReader(w: WorkerContext, projectId: ObjectId, afterSeq: number) {
  let last = afterSeq;
  let cursor: FindCursor<ItemDoc> | null = null;
  let retried = false;
  return {
    async next(n: number): Promise<ItemDoc[]> {
      const out: ItemDoc[] = [];
      while (out.length < n) {
        cursor ??= w.db.items.find({ projectId, seq: { $gt: last } }, { sort: { seq: 1 }, batchSize: ITEM_CURSOR_BATCH });
        let item: ItemDoc | null;
        try {
          item = await cursor.next();
        } catch (e) {
          await cursor.close().catch(() => undefined);
          cursor = null;
          if (retried) throw e;
          retried = true;
          continue;
        }
        retried = false;
        if (!item) break;
        last = item.seq;
        out.push(item);
      }
      return out;
    },
    close: () => cursor?.close().catch(() => undefined),
  };
}

/** One /predict call of a run: its items, the tasks sent, and its outcome once settled. */
interface Slot {
  items: ItemDoc[];
  sent: { item: ItemDoc; task: PredictTask }[];
  outcome: { reply: ReplyResult } | { error: unknown } | null;
}

function signal() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const spanOf = (items: ItemDoc[]) => ({ first: items[0]!.seq, last: items[items.length - 1]!.seq });

/**
 * A pre-annotation run: the project's items in `seq` order, in batches of ML_BATCH_SIZE, each sent to
 * the backend's /predict with integer task ids (the item's seq) and signed, expiring image URLs, at
 * most ML_PREDICT_CONCURRENCY calls at once over one keep-alive connection pool. Every reply is
 * validated; a refused reply is logged and stores nothing for its batch. Answered batches are
 * stored in seq order: the consecutive ones that are ready go to the predictions owner in one write,
 * and the run's cursor moves past them in the next (which also reads whether the run was cancelled),
 * so a retried job (backend down, worker killed) resumes after the last stored batch, and a batch
 * stored twice overwrites itself (one prediction per item and run).
 */
export async function predictRunProcessor(w: WorkerContext, job: Job): Promise<{ done: number; stored: number }> {
  const parsed = PredictRunJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad predict-run payload');
  const runId = new ObjectId(parsed.data.runId);
  let run = await w.db.mlRuns.findOne({ _id: runId });
  if (!run || run.status === 'done' || run.status === 'cancelled' || run.status === 'failed')
    return { done: run?.done ?? 0, stored: run?.stored ?? 0 };
  // The item cursor's first read (on FerretDB a scan and sort of the collection) starts now, beside the lookups below.
  const reader = itemReader(w, run.projectId, run.cursorSeq);
  let first: Promise<ItemDoc[]> | null = reader.next(ML_BATCH_SIZE);
  const firstSettled = first.then(
    () => undefined,
    () => undefined,
  );
  try {
    const [backend, project, attachment] = await Promise.all([
      w.db.mlBackends.findOne({ _id: run.backendId }),
      w.db.projects.findOne({ _id: run.projectId }),
      w.db.mlAttachments.findOne({ _id: `${run.projectId}:${run.backendId}` }),
    ]);
    if (!backend || !project || !attachment) {
      await updateRun(w, runId, { status: 'failed', error: 'the backend was removed or detached', finishedAt: new Date(w.now()) }, [
        mlLogLine('error', { code: 'run.detached', params: {} }),
      ]);
      return { done: run.done, stored: run.stored };
    }
    const attempt = job.attemptsMade + 1;
    await updateRun(
      w,
      runId,
      { status: 'running', startedAt: run.startedAt ?? new Date(w.now()) },
      attempt > 1 ? [mlLogLine('info', { code: 'run.resuming', params: { after: run.cursorSeq, attempt } })] : [],
    );
    const secret = await mlMediaSecret(w.db);
    const pid = project._id.toHexString();
    const concurrency = w.config.ML_PREDICT_CONCURRENCY;
    const agent = backendAgent(backend.url, concurrency);
    const lsConfig = backend.protocol === 'labelwork' ? undefined : buildLsLabelConfig(project.kind, project.labelSchema);
    let modelVersion = run.modelVersion ?? attachment.modelVersion;
    const breaker = breakerDepsOf(w);

    // The window: batches sent, in seq order, not stored yet. A producer reads items and calls the
    // backend (at most `concurrency` calls pending, at most COMMIT_WINDOW batches in the window); the
    // loop below stores the settled ones at the head. `changed` wakes whoever waits for either.
    const window: Slot[] = [];
    let reading = true;
    let stop = false;
    let readError: unknown = null;
    let changed = signal();
    const wake = () => {
      const c = changed;
      changed = signal();
      c.resolve();
    };
    const send = (items: ItemDoc[]): Slot => {
      const expSec = Math.floor(w.now() / 1000) + ML_MEDIA_TTL_S;
      const sent = items.flatMap((item) => {
        const task = taskOf(item, run!.mediaBase, secret, pid, expSec);
        return task ? [{ item, task }] : [];
      });
      const slot: Slot = { items, sent, outcome: null };
      // Through the backend's circuit breaker: refused at once (BackendUnavailableError) while it is open.
      void throughBreaker(breaker, backend._id.toHexString(), backend.timeoutMs + 5000, () =>
        predictBatch(backend, {
          kind: project.kind,
          labelSchema: project.labelSchema,
          projectId: pid,
          lsProject: attachment.lsProject,
          modelVersion,
          tasks: sent.map((x) => x.task),
          agent,
          ...(lsConfig ? { lsConfig } : {}),
        }),
      )
        .then(
          (reply) => (slot.outcome = { reply }),
          (error: unknown) => (slot.outcome = { error }),
        )
        .finally(wake);
      return slot;
    };
    const producer = (async () => {
      try {
        for (;;) {
          while (!stop && (window.length >= COMMIT_WINDOW || window.filter((s) => !s.outcome).length >= concurrency)) await changed.promise;
          if (stop) return;
          const items = await (first ?? reader.next(ML_BATCH_SIZE));
          first = null;
          if (!items.length || stop) return;
          window.push(send(items));
          wake();
        }
      } catch (e) {
        readError = e;
      } finally {
        reading = false;
        wake();
      }
    })();

    try {
      if (run.cancelRequested) return await cancelled(w, run);
      for (;;) {
        while (window.length ? !window[0]!.outcome : reading) await changed.promise;
        if (readError) throw readError;
        if (!window.length) {
          run.stored = await countPredictionsOfSource(w.db, run.projectId, runId.toHexString());
          await updateRun(w, runId, { status: 'done', finishedAt: new Date(w.now()), modelVersion, stored: run.stored }, [
            mlLogLine('info', { code: 'run.done', params: { done: run.done, stored: run.stored, refused: run.refusedBatches } }),
          ]);
          return { done: run.done, stored: run.stored };
        }
        let n = 0;
        while (n < window.length && window[n]!.outcome && !('error' in window[n]!.outcome!)) n++;
        const failed = n < window.length && window[n]!.outcome && 'error' in window[n]!.outcome! ? window[n]! : null;
        const ready = window.splice(0, n);
        wake();
        if (ready.length) {
          const next = await commit(ready);
          if (!next) return { done: run.done, stored: run.stored };
          run = next;
          if (run.cancelRequested) return await cancelled(w, run);
        }
        if (failed) {
          // A cancel that came while this batch was out ends the run here rather than after a retry's
          // backoff or an open breaker's wait (the server can only remove the job when no worker holds it).
          const latest = await w.db.mlRuns.findOne({ _id: runId });
          if (!latest) return { done: run.done, stored: run.stored };
          if (latest.cancelRequested) return await cancelled(w, latest);
          const e = (failed.outcome as { error: unknown }).error;
          // The breaker is open (this failure may have opened it): wait for it without spending an attempt.
          const b = e instanceof BackendUnavailableError ? null : await readBreaker(breaker, backend._id.toHexString());
          const until =
            e instanceof BackendUnavailableError ? e.retryAt : b?.reopenAt != null ? Math.max(b.reopenAt, b.probeUntil ?? 0) : null;
          if (until !== null) {
            // The failure that opened it is logged with it (it spent its attempt like any failure).
            const why = e instanceof BackendUnavailableError ? '' : e instanceof Error ? e.message : String(e);
            await updateRun(w, runId, {}, [
              mlLogLine(why ? 'error' : 'info', { code: 'run.waiting', params: { ...spanOf(failed.items), until, detail: why } }),
            ]);
            await job.moveToDelayed(Math.max(until, Date.now() + 100), job.token);
            throw new DelayedError();
          }
          const message = e instanceof Error ? e.message : String(e);
          const final = attempt >= (job.opts.attempts ?? 1);
          await updateRun(w, runId, final ? { status: 'failed', error: message, finishedAt: new Date(w.now()) } : {}, [
            final
              ? mlLogLine('error', { code: 'run.gaveUp', params: { ...spanOf(failed.items), detail: message } })
              : mlLogLine('error', { code: 'run.retrying', params: { ...spanOf(failed.items), attempt, detail: message } }),
          ]);
          if (e instanceof OutboundError && e.reason === 'address_refused') throw new UnrecoverableError(message);
          if (final) {
            await w.db.mlBackends.updateOne(
              { _id: backend._id },
              { $set: { health: await checkBackendHealth(backend, new Date(w.now())) } },
            );
          }
          throw e;
        }
      }
    } finally {
      stop = true;
      wake();
      await producer;
      agent.destroy();
    }

    /** Stores the answered batches (in seq order) and moves the cursor past them; the run as it is now, or null if it is gone. */
    async function commit(ready: Slot[]): Promise<MlRunDoc | null> {
      const at = new Date(w.now());
      const predictions: NewPrediction[] = [];
      const lines: MlRunLogLine[] = [];
      let refused = 0;
      for (const slot of ready) {
        const reply = (slot.outcome as { reply: ReplyResult }).reply;
        if (!reply.ok) {
          refused++;
          const task = reply.error.task === undefined ? '' : String(slot.sent[reply.error.task]?.task.id ?? '?');
          lines.push({
            at,
            ...mlLogLine('error', {
              code: 'run.refused',
              params: { ...spanOf(slot.items), task, reason: reply.error.reason, detail: reply.error.message },
            }),
          });
          continue;
        }
        modelVersion = reply.predictions.find((p) => p.modelVersion)?.modelVersion ?? modelVersion;
        slot.sent.forEach((x, i) =>
          predictions.push({ itemId: x.item._id, regions: reply.predictions[i]!.regions, score: reply.predictions[i]!.score }),
        );
      }
      const stored = predictions.length
        ? await putPredictions(
            w.db,
            project!._id,
            { kind: 'model', id: runId.toHexString(), name: backend!.name, ...(modelVersion ? { modelVersion } : {}) },
            predictions,
            at,
          )
        : 0;
      const items = ready.reduce((sum, s) => sum + s.items.length, 0);
      const last = ready[ready.length - 1]!.items.at(-1)!.seq;
      const moved = await w.db.mlRuns.findOneAndUpdate(
        { _id: runId, cursorSeq: run!.cursorSeq },
        {
          $set: { cursorSeq: last, modelVersion },
          $inc: { done: items, stored, refusedBatches: refused },
          ...(lines.length ? { $push: { log: { $each: lines, $slice: -ML_RUN_LOG_LINES } } } : {}),
        },
        // (No projection: FerretDB 1.24's findAndModify has none.)
        { returnDocument: 'after' },
      );
      // Not moved: another worker holding this run (a stalled job taken over) moved it; go on from where it is.
      const now = moved ?? (await w.db.mlRuns.findOne({ _id: runId }));
      if (now) await job.updateProgress({ done: now.done, total: now.total });
      return now;
    }
  } finally {
    await firstSettled;
    await reader.close();
  }
}

/** Ends the run as cancelled (the engine's `finishCancelledRun`: stored predictions counted from the store). */
async function cancelled(w: WorkerContext, run: MlRunDoc): Promise<{ done: number; stored: number }> {
  await finishCancelledRun(w.db, run, new Date(w.now()));
  const now = await w.db.mlRuns.findOne({ _id: run._id });
  return { done: now?.done ?? run.done, stored: now?.stored ?? run.stored };
}

/** Every backend's /health, on a schedule (ML_HEALTH_EVERY_MS). */
export async function mlHealthProcessor(w: WorkerContext): Promise<{ checked: number }> {
  const backends = await w.db.mlBackends.find({}).toArray();
  await Promise.all(
    backends.map(async (b) => {
      const health = await checkBackendHealth(b, new Date(w.now()));
      // A backend that answers /health UP closes its circuit breaker (the check is its probe).
      if (health.status === 'up') await recordBackendSuccess(breakerDepsOf(w), b._id.toHexString());
      await w.db.mlBackends.updateOne({ _id: b._id }, { $set: { health } });
    }),
  );
  return { checked: backends.length };
}
