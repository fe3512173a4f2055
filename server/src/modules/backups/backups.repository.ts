import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Document, ObjectId } from 'mongodb';
import { annotationsRepo, type Database, type ProjectDoc, type QueueDoc, type SnapshotDoc, type SnapshotEntryDoc } from '@labelwork/engine';
import type { BackupUser } from './backup-archive.ts';

/** A GridFS file document as the backup keeps it. */
export interface GridFileDoc {
  _id: ObjectId;
  filename: string;
  length: number;
  uploadDate: Date;
  metadata?: Record<string, unknown>;
}

type ProjectCollection = 'items' | 'annotations' | 'reviews' | 'agreements' | 'predictions';

const filesCollection = (db: Database) => db.db.collection<GridFileDoc>('files.files');

/**
 * Database access of backups. Reading is by cursor in `_id` order. Restoring inserts whole documents
 * of a project nobody can see yet (its project document is written last), and the rollback of a
 * failed restore deletes them by the new project id. Annotations go through their one writer in the
 * engine; predictions are inserted as stored (engine/src/predictions would renumber their region ids).
 */
export const backupsRepo = {
  project: (db: Database, id: ObjectId) => db.projects.findOne({ _id: id }),
  queueSettings: (db: Database, id: ObjectId) => db.queues.findOne({ _id: id }),
  imports: (db: Database, projectId: ObjectId) => db.imports.find({ projectId }).sort({ _id: 1 }),
  ofProject: (db: Database, c: ProjectCollection, projectId: ObjectId) =>
    (db[c] as unknown as { find(f: Document): { sort(s: Document): AsyncIterable<unknown> } }).find({ projectId }).sort({ _id: 1 }),

  /** Everyone the project's documents name: owner, members, annotators, reviewers, importers. */
  async users(db: Database, project: ProjectDoc): Promise<BackupUser[]> {
    const ids = new Map<string, ObjectId>();
    const put = (xs: readonly unknown[]) => {
      for (const x of xs) if (x && typeof x === 'object' && 'toHexString' in x) ids.set((x as ObjectId).toHexString(), x as ObjectId);
    };
    put([project.ownerId, ...project.memberIds]);
    const projectId = project._id;
    put(await db.annotations.distinct('userId', { projectId }));
    for (const f of ['annotatorId', 'reviewerId', 'authorId'] as const) put(await db.reviews.distinct(f, { projectId }));
    put(await db.imports.distinct('byId', { projectId }));
    put(await db.agreements.distinct('userId', { projectId }));
    return db.users
      .find({ _id: { $in: [...ids.values()] } })
      .project<BackupUser>({ _id: 1, username: 1, displayName: 1, role: 1, level: 1, reviewer: 1 })
      .sort({ _id: 1 })
      .toArray();
  },

  /** The image and thumbnail file ids of the project's items, in item order. */
  async *fileIds(db: Database, projectId: ObjectId): AsyncGenerator<ObjectId> {
    const cursor = db.items
      .find({ projectId, image: { $exists: true } })
      .project<{ image: { fileId: ObjectId; thumbId: ObjectId } }>({ 'image.fileId': 1, 'image.thumbId': 1 })
      .sort({ _id: 1 });
    for await (const d of cursor) {
      yield d.image.fileId;
      if (!d.image.thumbId.equals(d.image.fileId)) yield d.image.thumbId;
    }
  },
  fileInfos: (db: Database, ids: ObjectId[]) =>
    filesCollection(db)
      .find({ _id: { $in: ids } })
      .project<GridFileDoc>({ _id: 1, filename: 1, length: 1, uploadDate: 1, metadata: 1 })
      .toArray()
      .then((docs) => {
        const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
        return ids.flatMap((id) => byId.get(id.toHexString()) ?? []);
      }),
  openFile: (db: Database, id: ObjectId): Readable => db.files.openDownloadStream(id),

  /** The project's complete snapshots, by number. */
  snapshots: (db: Database, projectId: ObjectId) => db.snapshots.find({ projectId, status: 'complete' }).sort({ number: 1 }),
  /** One snapshot's entries in canonical (hash) order. */
  snapshotEntries: (db: Database, snapshotId: ObjectId) => db.snapshotEntries.find({ snapshotId }).sort({ snapshotId: 1, itemId: 1 }),

  // Restore.
  storeFile: (db: Database, id: ObjectId, name: string, path: string, metadata: Record<string, unknown>) =>
    pipeline(createReadStream(path), db.files.openUploadStreamWithId(id, name, { metadata })),
  async insert(db: Database, c: 'imports' | 'items' | 'reviews' | 'agreements' | 'annotations' | 'predictions', docs: Document[]) {
    if (docs.length === 0) return;
    if (c === 'annotations') await annotationsRepo.insertRestored(db, docs as never);
    else await (db[c] as unknown as { insertMany(d: Document[], o: Document): Promise<unknown> }).insertMany(docs, { ordered: true });
  },
  insertSnapshots: async (db: Database, docs: SnapshotDoc[]) => {
    if (docs.length) await db.snapshots.insertMany(docs, { ordered: true });
  },
  insertSnapshotEntries: async (db: Database, docs: SnapshotEntryDoc[]) => {
    if (docs.length) await db.snapshotEntries.insertMany(docs, { ordered: true });
  },
  insertQueue: (db: Database, doc: QueueDoc) => db.queues.insertOne(doc),
  insertProject: (db: Database, doc: ProjectDoc) => db.projects.insertOne(doc),
  setCounter: (db: Database, name: string, seq: number) => db.counters.insertOne({ _id: name, seq }),

  /** Removes everything a failed restore stored (the project's documents, its files, the placeholder users). */
  async rollback(
    db: Database,
    projectId: ObjectId,
    restoreId: string,
    counter: string,
    placeholders: ObjectId[],
    uploading: ObjectId | null,
  ): Promise<void> {
    await db.projects.deleteOne({ _id: projectId });
    await db.queues.deleteOne({ _id: projectId });
    await db.counters.deleteOne({ _id: counter });
    for (const c of ['items', 'reviews', 'agreements', 'imports'] as const) await db[c].deleteMany({ projectId });
    await annotationsRepo.deleteOfProject(db, projectId);
    await db.predictions.deleteMany({ projectId });
    const snapshotIds = (await db.snapshots.find({ projectId }).project<{ _id: ObjectId }>({ _id: 1 }).toArray()).map((d) => d._id);
    if (snapshotIds.length) await db.snapshotEntries.deleteMany({ snapshotId: { $in: snapshotIds } });
    await db.snapshots.deleteMany({ projectId });
    for await (const f of db.files.find({ 'metadata.restoreId': restoreId }).project<{ _id: ObjectId }>({ _id: 1 })) {
      await db.files.delete(f._id).catch(() => undefined);
    }
    // An upload cut off mid-file has chunks but no file document yet.
    if (uploading) await db.db.collection('files.chunks').deleteMany({ files_id: uploading });
    if (placeholders.length) await db.users.deleteMany({ _id: { $in: placeholders } });
  },
};
