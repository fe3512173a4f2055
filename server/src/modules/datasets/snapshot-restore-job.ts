import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  DOMAIN_EVENTS,
  SNAPSHOT_RESTORE_QUEUE,
  SnapshotRestoreJobData,
  type RestoreSnapshotInput,
  type SnapshotRestoreRecord,
  type SnapshotRestoreResult,
} from '@labelwork/core';
import { appendDomainEvent, type ProjectDoc, type UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { projectsRepo } from '../access/index.ts';
import { audit } from '../audit/index.ts';
import { discardRestoredProject, restorableSnapshot, restoreSnapshotAsProject } from './snapshot-restore.ts';

/**
 * Snapshot restores as jobs of the servers' `{snapshot-restore}` queue: the request answers 202 at
 * once (a large snapshot no longer holds it open, and closing the tab does not stop it); progress
 * goes out as `dataset:progress` (kind `restore`) to the source project's room; the job itself is
 * the status resource. The restore uses the items, projects and tasks modules, so the servers run it
 * (one at a time per process); a server that dies mid-restore leaves its job to BullMQ's stalled check.
 */

const jobIdOf = (restoreId: string) => `restore-${restoreId}`;
const JOB_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 1000 } as const;
const PROGRESS_EVERY_MS = 500;

interface Progress {
  done: number;
  total: number;
}

/** Queues a restore of a complete snapshot into a new project (its id is the restore id). */
export async function startSnapshotRestore(
  ctx: AppContext,
  user: UserDoc,
  source: ProjectDoc,
  snapshotId: ObjectId,
  input: RestoreSnapshotInput,
): Promise<SnapshotRestoreRecord> {
  const snap = await restorableSnapshot(ctx, source, snapshotId);
  const restoreId = new ObjectId().toHexString();
  const data: SnapshotRestoreJobData = {
    restoreId,
    projectId: source._id.toHexString(),
    snapshotId: snap._id.toHexString(),
    userId: user._id.toHexString(),
    input,
  };
  const job = await ctx.queues.snapshotRestore.add('snapshot-restore', data, { ...JOB_OPTS, jobId: jobIdOf(restoreId) });
  await job.updateProgress({ done: 0, total: snap.counts?.items ?? 0 } satisfies Progress);
  await audit(ctx, user._id, 'snapshot.restore-start', { type: 'project', id: source._id }, { restoreId, snapshotId: data.snapshotId });
  return { ...recordOf(data), status: 'queued', total: snap.counts?.items ?? 0 };
}

function recordOf(d: SnapshotRestoreJobData): SnapshotRestoreRecord {
  return {
    id: d.restoreId,
    projectId: d.projectId,
    snapshotId: d.snapshotId,
    name: d.input.name,
    status: 'queued',
    done: 0,
    total: 0,
    result: null,
    error: null,
  };
}

/** A restore of the project's snapshot as it stands (read from its job); NOT_FOUND once the job is gone or for another project. */
export async function getSnapshotRestore(
  ctx: AppContext,
  source: ProjectDoc,
  snapshotId: ObjectId,
  restoreId: ObjectId,
): Promise<SnapshotRestoreRecord> {
  const job = (await ctx.queues.snapshotRestore.getJob(jobIdOf(restoreId.toHexString()))) as
    Job<SnapshotRestoreJobData, SnapshotRestoreResult> | undefined;
  const parsed = SnapshotRestoreJobData.safeParse(job?.data);
  if (!job || !parsed.success || parsed.data.projectId !== source._id.toHexString() || parsed.data.snapshotId !== snapshotId.toHexString())
    throw new AppError('NOT_FOUND', 'no such restore');
  const state = await job.getState();
  const p = (typeof job.progress === 'object' ? job.progress : {}) as Partial<Progress>;
  const status: SnapshotRestoreRecord['status'] =
    state === 'completed' ? 'complete' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued';
  return {
    ...recordOf(parsed.data),
    status,
    done: p.done ?? 0,
    total: p.total ?? 0,
    result: status === 'complete' ? (job.returnvalue ?? null) : null,
    error: status === 'failed' ? errorOf(job.failedReason) : null,
  };
}

/** A failed job's reason as `CODE: message` (an AppError's code kept) or a plain message. */
function errorOf(reason: string | undefined): { code: string; message: string } {
  const m = /^([A-Z_]+): (.*)$/s.exec(reason ?? '');
  return m ? { code: m[1]!, message: m[2]! } : { code: 'INTERNAL', message: reason || 'the restore failed' };
}

/**
 * Runs one restore attempt. Idempotent by restore id: the new project's id is the restore id, so an
 * attempt first discards what an earlier one (a server killed mid-restore) left, then starts over —
 * one project in the end, never two. A refusal (an AppError: the snapshot gone, a bad schema) is not
 * retried; the restore's own all-or-nothing undo has already taken its project away.
 */
export async function processSnapshotRestore(ctx: AppContext, job: Job): Promise<SnapshotRestoreResult> {
  const parsed = SnapshotRestoreJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('INTERNAL: bad snapshot-restore job payload');
  const d = parsed.data;
  const restoreId = new ObjectId(d.restoreId);
  const [source, user] = await Promise.all([
    projectsRepo.byId(ctx.db, new ObjectId(d.projectId)),
    ctx.db.users.findOne({ _id: new ObjectId(d.userId) }),
  ]);
  if (!source) throw new UnrecoverableError('NOT_FOUND: the source project no longer exists');
  if (!user || user.disabled) throw new UnrecoverableError('FORBIDDEN: the user who started the restore can no longer sign in');
  if (await projectsRepo.byId(ctx.db, restoreId)) {
    ctx.log.warn('snapshot restore: discarding an earlier attempt’s project', { restoreId: d.restoreId });
    await discardRestoredProject(ctx, user, restoreId, `snapshot-${d.snapshotId}`);
  }
  let last = 0;
  const progress = async (status: 'running' | 'complete' | 'failed', done: number, total: number, force = false) => {
    const now = ctx.now();
    if (!force && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    await job.updateProgress({ done, total } satisfies Progress);
    await appendDomainEvent(ctx.redis, ctx.config.REDIS_PREFIX, {
      type: DOMAIN_EVENTS.datasetProgress,
      eventId: `restore:${d.restoreId}:${status}:${done}:${now}`,
      at: now,
      data: { projectId: d.projectId, kind: 'restore', id: d.restoreId, status, done, total },
    }).catch((err: unknown) => ctx.log.warn('restore progress event not sent', { err }));
  };
  try {
    const result = await restoreSnapshotAsProject(ctx, user, source, new ObjectId(d.snapshotId), d.input, {
      id: restoreId,
      progress: (done, total) => progress('running', done, total),
    });
    await progress('complete', result.items + result.missing, result.items + result.missing, true);
    return result;
  } catch (e) {
    if (e instanceof AppError) {
      await progress('failed', 0, 0, true);
      throw new UnrecoverableError(`${e.code}: ${e.message}`);
    }
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await progress('failed', 0, 0, true);
    throw e;
  }
}

/** This process's restore worker (one job at a time). */
export function startSnapshotRestoreRuntime(ctx: AppContext): { close(): Promise<void> } {
  const connection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker(SNAPSHOT_RESTORE_QUEUE, (job) => processSnapshotRestore(ctx, job), {
    connection,
    prefix: ctx.config.REDIS_PREFIX,
    concurrency: 1,
    lockDuration: ctx.config.RESTORE_LOCK_MS,
    stalledInterval: Math.max(500, Math.round(ctx.config.RESTORE_LOCK_MS / 2)),
  });
  worker.on('error', (e) => ctx.log.warn('snapshot restore worker error', { err: e }));
  worker.on('failed', (job, err) => ctx.log.warn('snapshot restore failed', { jobId: job?.id, err }));
  return {
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
