import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ObjectId, type Filter } from 'mongodb';
import type { ItemStatus } from '@labelwork/core';
import type { Database, ImportDoc, ItemDoc } from '@labelwork/engine';

export interface ItemFilter {
  q?: string;
  status?: ItemStatus;
  importId?: ObjectId;
}

/**
 * Imports that are still running (or failed and may have left items behind): their items are hidden.
 * An import becomes visible at once when its status turns `complete` — one document update, where
 * flagging every item would be a bulk update (slow on FerretDB) that a crash could leave half done.
 */
async function hiddenImports(db: Database, projectId: ObjectId): Promise<ObjectId[]> {
  const docs = await db.imports
    .find({ projectId, status: { $in: ['running', 'failed'] } })
    .project<{ _id: ObjectId }>({ _id: 1 })
    .toArray();
  return docs.map((d) => d._id);
}

export const itemsRepo = {
  insertMany: (db: Database, docs: ItemDoc[]) => db.items.insertMany(docs, { ordered: true }),
  deleteImport: (db: Database, importId: ObjectId) => db.items.deleteMany({ importId }),
  /**
   * A page of visible items, optionally filtered: `q` matches the file name, text or external id
   * (case-insensitive substring), `status` and `importId` match exactly. `total` is counted only
   * when a filter is given (counting is a scan on FerretDB; the project keeps the unfiltered count).
   */
  async page(db: Database, projectId: ObjectId, skip: number, limit: number, filter: ItemFilter = {}) {
    const hidden = await hiddenImports(db, projectId);
    const query: Filter<ItemDoc> = { projectId, importId: { $nin: hidden } };
    if (filter.importId) query.importId = hidden.some((h) => h.equals(filter.importId!)) ? { $in: [] } : filter.importId;
    if (filter.status) query.status = filter.status;
    if (filter.q) {
      const re = new RegExp(filter.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      query.$or = [{ 'image.name': re }, { text: re }, { externalId: re }];
    }
    const filtered = filter.q !== undefined || filter.status !== undefined || filter.importId !== undefined;
    const [docs, total] = await Promise.all([
      db.items.find(query).sort({ seq: 1 }).skip(skip).limit(limit).toArray(),
      filtered ? db.items.countDocuments(query) : Promise.resolve(null),
    ]);
    return { docs, total };
  },
  /** Visible items of the project among `ids`. */
  async byIds(db: Database, projectId: ObjectId, ids: ObjectId[]) {
    const hidden = await hiddenImports(db, projectId);
    return db.items.find({ projectId, _id: { $in: ids }, importId: { $nin: hidden } }).toArray();
  },
  deleteByIds: (db: Database, projectId: ObjectId, ids: ObjectId[]) =>
    ids.length ? db.items.deleteMany({ projectId, _id: { $in: ids } }) : Promise.resolve(null),
  setGold: (db: Database, id: ObjectId, gold: ItemDoc['gold'] | null) =>
    db.items.findOneAndUpdate({ _id: id }, gold ? { $set: { gold, isGold: true } } : { $unset: { gold: '' }, $set: { isGold: false } }, {
      returnDocument: 'after',
    }),
  /** Visible items of the project with one of these content hashes. */
  async byHashes(db: Database, projectId: ObjectId, hashes: string[]) {
    if (hashes.length === 0) return [];
    const hidden = await hiddenImports(db, projectId);
    return db.items
      .find({ projectId, sha256: { $in: hashes }, importId: { $nin: hidden } })
      .project<Pick<ItemDoc, '_id' | 'seq' | 'sha256'>>({ _id: 1, seq: 1, sha256: 1 })
      .toArray();
  },
  async byId(db: Database, id: ObjectId) {
    const item = await db.items.findOne({ _id: id });
    if (!item) return null;
    const imp = await db.imports.findOne({ _id: item.importId });
    return imp?.status === 'complete' ? item : null;
  },
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

/** Stores a file from disk, streamed (uploads are never held in memory whole). */
export async function storeFileFrom(db: Database, name: string, path: string, metadata: Record<string, unknown>): Promise<ObjectId> {
  const id = new ObjectId();
  await pipeline(createReadStream(path), db.files.openUploadStreamWithId(id, name, { metadata }));
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
  info: (db: Database, id: ObjectId) =>
    db.db.collection<{ _id: ObjectId; length: number; metadata?: Record<string, unknown> }>('files.files').findOne({ _id: id }),
  stream: (db: Database, id: ObjectId) => db.files.openDownloadStream(id),
};
