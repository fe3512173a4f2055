import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { EXPORT_CLEANUP_EVERY_MS, EXPORT_JOBS, EXPORT_QUEUE, JOB_NAMES, QUEUES } from '@labelwork/core';
import type { WorkerConfig, WorkerQueue } from './config.ts';
import type { WorkerContext } from './context.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { connectDatabase } from '@labelwork/engine';
import { projectCache } from './infra/project-cache.ts';
import { createRedis } from './infra/redis.ts';
import { goldScoreProcessor } from './processors/gold-score.ts';
import { itemAgreementProcessor } from './processors/item-agreement.ts';
import { projectAgreementProcessor } from './processors/project-agreement.ts';
import { recomputeProjectProcessor } from './processors/recompute-project.ts';
import { requeueAllProcessor } from './processors/requeue-all.ts';
import { mlHealthProcessor, predictRunProcessor } from './processors/predict.ts';
import { mlWebhookProcessor, startAnnotationWebhooks, webhookTargetsCache } from './processors/ml-webhook.ts';
import { ML_HEALTH_EVERY_MS, ML_JOBS, ML_QUEUE } from '@labelwork/core';
import { EXPORT, exportFailed } from './processors/export-jobs.ts';
import { startLeaseLogDrain } from './lease-log.ts';
import { startItemStatusDrain } from './item-status.ts';
import { startReconcileAfterRestart } from './reconcile-after-restart.ts';
import { sweepDeadScratch } from './infra/scratch.ts';
import { watchWorkers, type WorkerSlot } from './infra/worker-watchdog.ts';

export interface RunningWorkers {
  ctx: WorkerContext;
  /**
   * Stops taking jobs, lets jobs in hand finish for up to `graceMs`, then lets go of the rest
   * (their locks lapse and another worker retries them: every processor is idempotent), and closes
   * connections.
   */
  close(graceMs?: number): Promise<void>;
}

type Processor = (w: WorkerContext, job: Job) => Promise<unknown>;

const QUALITY: Record<string, Processor> = {
  [JOB_NAMES.itemAgreement]: itemAgreementProcessor,
  [JOB_NAMES.goldScore]: goldScoreProcessor,
  [JOB_NAMES.projectAgreement]: projectAgreementProcessor,
};
const MAINTENANCE: Record<string, Processor> = {
  [JOB_NAMES.requeueAll]: requeueAllProcessor,
  [JOB_NAMES.recomputeProject]: recomputeProjectProcessor,
};

const ML: Record<string, Processor> = {
  [ML_JOBS.predictRun]: predictRunProcessor,
  [ML_JOBS.health]: mlHealthProcessor,
  [ML_JOBS.webhook]: mlWebhookProcessor,
};

function dispatch(w: WorkerContext, table: Record<string, Processor>) {
  return async (job: Job) => {
    const p = table[job.name];
    if (!p) throw new UnrecoverableError(`no processor for job "${job.name}"`);
    const t = performance.now();
    const out = await p(w, job);
    w.log.debug('job done', { name: job.name, id: job.id, ms: Math.round(performance.now() - t) });
    return out;
  };
}

/** Starts the quality and maintenance workers (used by main.ts, and in-process by tests). */
export async function startWorkers(config: WorkerConfig, opts: { log?: Logger; now?: () => number } = {}): Promise<RunningWorkers> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, { proc: 'workers', pid: process.pid });
  const db = await connectDatabase(config.MONGO_URL, config.MONGO_DB, { maxPoolSize: 20, ensureIndexes: false });
  const redis = createRedis(config.REDIS_URL, 'workers');
  await redis.ping();
  const quality = new Queue(QUEUES.quality, { connection: redis, prefix: config.REDIS_PREFIX });
  const now = opts.now ?? Date.now;
  const swept = await sweepDeadScratch(undefined, { atStart: true }).catch(
    (e: unknown) => (log.warn('scratch sweep failed', { err: e }), []),
  );
  if (swept.length) log.info('removed the temporary files of workers that died mid-job', { dirs: swept });
  // All state of this process lives here (no module keeps its own).
  const ctx: WorkerContext = {
    config,
    db,
    redis,
    log,
    quality,
    now,
    state: { projects: projectCache(db, now), webhookTargets: webhookTargetsCache(db, now) },
  };
  const common = {
    connection: redis,
    prefix: config.REDIS_PREFIX,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: Math.max(100, Math.round(config.WORKER_LOCK_MS / 2)),
    maxStalledCount: 5,
  };
  const exportQueue = new Queue(EXPORT_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX });
  const mlQueue = new Queue(ML_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX });
  const maintenanceQueue = new Queue(QUEUES.maintenance, { connection: redis, prefix: config.REDIS_PREFIX });
  const worker = (name: string, table: Record<string, Processor>, concurrency: number) => {
    const wk = new Worker(name, dispatch(ctx, table), { ...common, concurrency });
    wk.on('failed', (job, err) => {
      if (job && wk.name === EXPORT_QUEUE) void exportFailed(ctx, job, err).catch(() => undefined);
      log.warn('job failed', { queue: wk.name, name: job?.name, id: job?.id, attempts: job?.attemptsMade, err });
    });
    wk.on('error', (err) => log.error('worker error', { queue: wk.name, err }));
    return wk;
  };
  // Only the queues this process is for (WORKER_QUEUES), each with its own concurrency.
  const on = (q: WorkerQueue) => config.WORKER_QUEUES.includes(q);
  const slot = (queue: Queue, table: Record<string, Processor>, concurrency: number): WorkerSlot => ({
    queue,
    concurrency,
    make: () => worker(queue.name, table, concurrency),
  });
  const slots = [
    on('quality') ? slot(quality, QUALITY, config.WORKER_CONCURRENCY) : null,
    // One at a time: requeue-all and recompute runs rebuild a project's state.
    on('maintenance') ? slot(maintenanceQueue, MAINTENANCE, 1) : null,
    on('ml') ? slot(mlQueue, ML, config.ML_WORKER_CONCURRENCY) : null,
    on('export') ? slot(exportQueue, EXPORT, config.EXPORT_WORKER_CONCURRENCY) : null,
  ].filter((w) => w !== null);
  // Started by the watchdog, which replaces one that stops taking jobs (infra/worker-watchdog.ts).
  const watchdog = watchWorkers(slots, { log, everyMs: config.WORKER_WATCHDOG_EVERY_MS, stallMs: config.WORKER_STALL_MS });
  const workers = () => watchdog.workers();
  await exportQueue.upsertJobScheduler(EXPORT_JOBS.cleanup, { every: EXPORT_CLEANUP_EVERY_MS }, { name: EXPORT_JOBS.cleanup });
  await Promise.all(workers().map((wk) => wk.waitUntilReady()));
  await mlQueue.upsertJobScheduler(ML_JOBS.health, { every: ML_HEALTH_EVERY_MS }, { name: ML_JOBS.health });
  const drains = [
    await startLeaseLogDrain(ctx),
    await startItemStatusDrain(ctx),
    await startAnnotationWebhooks(ctx, mlQueue),
    await startReconcileAfterRestart(ctx),
  ];
  log.info('workers ready', { queues: workers().map((wk) => wk.name), concurrency: config.WORKER_CONCURRENCY });
  let closing: Promise<void> | null = null;
  return {
    ctx,
    close(graceMs = config.SHUTDOWN_GRACE_MS) {
      closing ??= (async () => {
        watchdog.stop();
        await Promise.all(drains.map((d) => d.stop()));
        // close() stops fetching at once and resolves when the jobs in hand are done.
        const graceful = Promise.all(workers().map((wk) => wk.close()));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(true), graceMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          // BullMQ's close() cannot be hurried once started: stop the jobs' lock renewals by
          // dropping the connection instead. Their locks lapse and another worker retries them.
          log.warn('jobs still running after the grace period; leaving them to be retried', { graceMs });
          for (const wk of workers()) wk.cancelAllJobs('shutting down');
          redis.disconnect();
          void graceful.catch(() => undefined);
        }
        await quality.close().catch(() => undefined);
        await mlQueue.close().catch(() => undefined);
        await exportQueue.close().catch(() => undefined);
        await maintenanceQueue.close().catch(() => undefined);
        redis.disconnect();
        await db.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
