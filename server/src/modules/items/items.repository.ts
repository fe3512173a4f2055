import { ObjectId } from 'mongodb';
import type { Database, ImportDoc, ItemDoc } from '../../infra/mongo.ts';

export const itemsRepo = {
  insertMany: (db: Database, docs: ItemDoc[]) => db.items.insertMany(docs, { ordered: true }),
  publishImport: (db: Database, importId: ObjectId) => db.items.updateMany({ importId }, { $set: { importState: 'done' } }),
  deleteImport: (db: Database, importId: ObjectId) => db.items.deleteMany({ importId }),
  page: (db: Database, projectId: ObjectId, skip: number, limit: number) =>
    db.items.find({ projectId, importState: 'done' }).sort({ seq: 1 }).skip(skip).limit(limit).toArray(),
  count: (db: Database, projectId: ObjectId) => db.items.countDocuments({ projectId, importState: 'done' }),
  byId: (db: Database, id: ObjectId) => db.items.findOne({ _id: id, importState: 'done' }),
};

export const importsRepo = {
  insert: (db: Database, doc: ImportDoc) => db.imports.insertOne(doc),
  progress: (db: Database, id: ObjectId, done: number) => db.imports.updateOne({ _id: id }, { $set: { done } }),
  finish: (db: Database, id: ObjectId, status: 'complete' | 'failed', at: Date, error?: string) =>
    db.imports.updateOne({ _id: id }, { $set: { status, finishedAt: at, ...(error ? { error } : {}) } }),
  list: (db: Database, projectId: ObjectId) => db.imports.find({ projectId }).sort({ createdAt: -1 }).limit(200).toArray(),
  /** Imports left running by a process that died (older than `before`). */
  stale: (db: Database, before: Date) => db.imports.find({ status: 'running', createdAt: { $lt: before } }).toArray(),
};

export async function storeFile(db: Database, name: string, data: Buffer, metadata: Record<string, unknown>): Promise<ObjectId> {
  const id = new ObjectId();
  await new Promise<void>((resolve, reject) => {
    const up = db.files.openUploadStreamWithId(id, name, { metadata });
    up.once('finish', () => resolve());
    up.once('error', reject);
    up.end(data);
  });
  return id;
}

export async function deleteFiles(db: Database, ids: ObjectId[]): Promise<void> {
  for (const id of ids) {
    try {
      await db.files.delete(id);
    } catch {
      // already gone
    }
  }
}

export const filesRepo = {
  info: (db: Database, id: ObjectId) => db.db.collection<{ _id: ObjectId; length: number; metadata?: Record<string, unknown> }>('files.files').findOne({ _id: id }),
  stream: (db: Database, id: ObjectId) => db.files.openDownloadStream(id),
};
