import type { Job } from 'bullmq';
import type { WorkerContext } from '../context.ts';

/**
 * Deletes finished exports whose time is up (`expiresAt`, EXPORT_TTL_HOURS after they finished):
 * the file first, then the record is marked `expired` (kept for the list, without a file). Runs as
 * a repeatable job; safe to run twice (a file already gone is fine).
 */
export async function exportCleanupProcessor(w: WorkerContext, _job: Job): Promise<{ expired: number }> {
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
  return { expired };
}
