import { Queue, type Job } from 'bullmq';
import { EXPORT_QUEUE, pyramidJob } from '@labelwork/core';
import { tilePyramids } from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { sweepDeadScratch } from '../infra/scratch.ts';

/** A pyramid still `queued` this long after it was recorded may have no job (see `queueStrandedPyramids`). */
export const STRANDED_PYRAMID_MS = 60_000;

/**
 * Deletes finished exports whose time is up (`expiresAt`, EXPORT_TTL_HOURS after they finished):
 * the file first, then the record is marked `expired` (kept for the list, without a file); removes
 * the scratch directories of dead workers on this host (infra/scratch.ts); queues stranded pyramid
 * builds. Runs as a repeatable job; safe to run twice (a file already gone is fine).
 */
export async function exportCleanupProcessor(
  w: WorkerContext,
  _job: Job,
): Promise<{ expired: number; pyramidsQueued: number; scratchRemoved: number }> {
  const now = new Date(w.now());
  let expired = 0;
  const cursor = w.db.exports.find({ expiresAt: { $lte: now }, status: { $in: ['complete', 'cancelled', 'failed'] } });
  for await (const doc of cursor) {
    if (doc.fileId) {
      await w.db.files.delete(doc.fileId).catch(() => undefined);
      await w.db.db.collection('files.chunks').deleteMany({ files_id: doc.fileId });
    }
    await w.db.exports.updateOne({ _id: doc._id }, { $set: { status: 'expired', fileId: null, expiresAt: null } });
    expired += 1;
  }
  // The temporary files of a worker on this host that died mid-job (the sweep at start covers a
  // restarted worker; this covers one that is not restarted while others run).
  const scratchRemoved = (await sweepDeadScratch()).length;
  return { expired, pyramidsQueued: await queueStrandedPyramids(w), scratchRemoved };
}

/**
 * Queues the build of every pyramid recorded as `queued` a while ago: a backup restored from the
 * command line (`labelwork restore` has no queue) records them without jobs. Adding a job whose id
 * exists adds nothing, so pyramids still waiting behind other builds are not built twice.
 */
export async function queueStrandedPyramids(w: WorkerContext, limit = 1000): Promise<number> {
  const stranded = await tilePyramids.queuedBefore(w.db, new Date(w.now() - STRANDED_PYRAMID_MS), limit);
  if (!stranded.length) return 0;
  const queue = new Queue(EXPORT_QUEUE, { connection: w.redis, prefix: w.config.REDIS_PREFIX });
  try {
    for (const p of stranded) {
      const job = pyramidJob(p._id.toHexString());
      await queue.add(job.name, job.data, job.opts);
    }
  } finally {
    await queue.close();
  }
  return stranded.length;
}
