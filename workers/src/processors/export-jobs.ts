import type { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { EXPORT_JOBS, TILES_JOBS } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { datasetImportFailed, datasetImportProcessor } from './dataset-import.ts';
import { exportCleanupProcessor } from './export-cleanup.ts';
import { exportProcessor } from './export.ts';
import { snapshotProcessor } from './snapshot.ts';
import { tilePyramidFailed, tilePyramidProcessor } from './tile-pyramid.ts';

/** Processors of the `{export}` queue by job name (exports, snapshot builds, their cleanup, dataset imports, tile pyramids). */
export const EXPORT: Record<string, (w: WorkerContext, job: Job) => Promise<unknown>> = {
  [EXPORT_JOBS.export]: exportProcessor,
  [EXPORT_JOBS.snapshot]: snapshotProcessor,
  [EXPORT_JOBS.cleanup]: exportCleanupProcessor,
  [EXPORT_JOBS.datasetImport]: datasetImportProcessor,
  [TILES_JOBS.pyramid]: tilePyramidProcessor,
};

/**
 * After an export or snapshot job's last attempt failed: the record says so (with the error) instead
 * of staying `running`. Earlier failed attempts are retried by BullMQ and change nothing here.
 */
export async function exportFailed(w: WorkerContext, job: Job, err: Error): Promise<void> {
  if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
  if (job.name === EXPORT_JOBS.datasetImport) return datasetImportFailed(w, job, err);
  if (job.name === TILES_JOBS.pyramid) return tilePyramidFailed(w, job, err);
  const data = job.data as { exportId?: string; snapshotId?: string };
  const error = err.message.slice(0, 500);
  const finishedAt = new Date(w.now());
  if (job.name === EXPORT_JOBS.export && data.exportId && ObjectId.isValid(data.exportId))
    await w.db.exports.updateOne(
      { _id: new ObjectId(data.exportId), status: { $in: ['queued', 'running'] } },
      { $set: { status: 'failed', error, finishedAt } },
    );
  if (job.name === EXPORT_JOBS.snapshot && data.snapshotId && ObjectId.isValid(data.snapshotId))
    await w.db.snapshots.updateOne(
      { _id: new ObjectId(data.snapshotId), status: 'building' },
      { $set: { status: 'failed', error, finishedAt } },
    );
}
