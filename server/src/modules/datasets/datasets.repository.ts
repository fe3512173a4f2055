import type { ObjectId } from 'mongodb';
import type { Database, ExportDoc, SnapshotDoc } from '@labelwork/engine';

/** Reads and writes of the `exports`, `snapshots` and `snapshotEntries` collections for the server. */
export const datasetsRepo = {
  insertExport: (db: Database, doc: ExportDoc) => db.exports.insertOne(doc),
  exportById: (db: Database, projectId: ObjectId, id: ObjectId) => db.exports.findOne({ _id: id, projectId }),
  exportsOf: (db: Database, projectId: ObjectId, limit: number) =>
    db.exports.find({ projectId }).sort({ createdAt: -1 }).limit(limit).toArray(),
  /** Asks a queued or running export to stop; a queued one stops at once. */
  async requestCancel(db: Database, projectId: ObjectId, id: ObjectId, now: Date): Promise<void> {
    await db.exports.updateOne(
      { _id: id, projectId, status: 'queued' },
      { $set: { status: 'cancelled', cancelRequested: true, finishedAt: now } },
    );
    await db.exports.updateOne({ _id: id, projectId, status: 'running' }, { $set: { cancelRequested: true } });
  },
  insertSnapshot: (db: Database, doc: SnapshotDoc) => db.snapshots.insertOne(doc),
  snapshotById: (db: Database, projectId: ObjectId, id: ObjectId) => db.snapshots.findOne({ _id: id, projectId }),
  snapshotsOf: (db: Database, projectId: ObjectId) => db.snapshots.find({ projectId }).sort({ number: -1 }).limit(200).toArray(),
  lastSnapshot: (db: Database, projectId: ObjectId) => db.snapshots.find({ projectId }).sort({ number: -1 }).limit(1).next(),
  lastComplete: (db: Database, projectId: ObjectId) =>
    db.snapshots.find({ projectId, status: 'complete' }).sort({ number: -1 }).limit(1).next(),
  itemIdsOf: async (db: Database, projectId: ObjectId) =>
    (await db.items.find({ projectId }).project<{ _id: ObjectId }>({ _id: 1 }).toArray()).map((d) => d._id),
  /** The last of a failed snapshot restore (its items already deleted): the project, its queue settings and item imports. */
  async discardProject(db: Database, projectId: ObjectId): Promise<void> {
    await db.imports.deleteMany({ projectId });
    await db.queues.deleteOne({ _id: projectId });
    await db.projects.deleteOne({ _id: projectId });
  },
  entries: (db: Database, snapshotId: ObjectId) => db.snapshotEntries.find({ snapshotId }).sort({ snapshotId: 1, itemId: 1 }),
};
