import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { ObjectId } from 'mongodb';
import type { ImportAnnotators, LabelMapping } from '@labelwork/core';
import { storedAnnotators, storedMapping, type Database, type DatasetImportDoc, type ItemDoc } from '@labelwork/engine';

/** The dataset-imports module's access to its sessions (it is their only writer) and the reads it needs. */
export const datasetImportsRepo = {
  insert: (db: Database, doc: DatasetImportDoc) => db.datasetImports.insertOne(doc),
  byId: (db: Database, projectId: ObjectId, id: ObjectId) => db.datasetImports.findOne({ _id: id, projectId }),
  list: (db: Database, projectId: ObjectId) =>
    db.datasetImports
      .find({ projectId }, { projection: { 'preview.refusals': 0 } })
      .sort({ createdAt: -1 })
      .limit(100)
      .toArray(),
  /** Claims a preview for its confirm: only one confirm runs, and only on a preview. */
  claim: (db: Database, id: ObjectId, mapping: LabelMapping, total: number, annotators: ImportAnnotators | null = null) =>
    db.datasetImports.findOneAndUpdate(
      { _id: id, status: 'preview' },
      {
        $set: {
          status: 'running',
          mapping: storedMapping.encode(mapping),
          total,
          done: 0,
          annotators: annotators ? storedAnnotators.encode(annotators) : null,
        },
      },
      { returnDocument: 'after' },
    ),
  /** Back to preview (the confirm was refused before anything was stored). */
  release: (db: Database, id: ObjectId) => db.datasetImports.updateOne({ _id: id, status: 'running' }, { $set: { status: 'preview' } }),
  /** The plan the confirm carries out (under the lead's mapping), and how many items it writes. */
  planned: (db: Database, id: ObjectId, preview: DatasetImportDoc['preview'], total: number) =>
    db.datasetImports.updateOne({ _id: id }, { $set: { preview, total } }),
  /** The plan is stored: the dataset-import job takes over (status stays `running`). */
  queued: (db: Database, id: ObjectId, planId: ObjectId) => db.datasetImports.updateOne({ _id: id }, { $set: { planId, done: 0 } }),
  requestCancel: (db: Database, id: ObjectId) =>
    db.datasetImports.updateOne({ _id: id, status: 'running' }, { $set: { cancelRequested: true } }),
  /** Stores a confirmed import's plan (a gzip JSON-lines file the planning thread wrote) in the uploads bucket for the job. */
  async storePlan(db: Database, sessionId: ObjectId, file: string): Promise<ObjectId> {
    const id = new ObjectId();
    await pipeline(
      createReadStream(file),
      db.datasetUploads.openUploadStreamWithId(id, 'plan.jsonl.gz', {
        metadata: { datasetImportId: sessionId, encoding: 'gzip', kind: 'plan' },
      }),
    );
    return id;
  },
  progress: (db: Database, id: ObjectId, done: number) => db.datasetImports.updateOne({ _id: id }, { $set: { done } }),
  finish: (
    db: Database,
    id: ObjectId,
    status: 'complete' | 'failed',
    at: Date,
    error: DatasetImportDoc['error'] = null,
    result: DatasetImportDoc['result'] = null,
  ) => db.datasetImports.updateOne({ _id: id }, { $set: { status, finishedAt: at, error, result, uploadId: null } }),
  /** Previews nobody confirmed in time, and confirms left running by a process that died (started before `stalledBefore`). */
  stale: (db: Database, now: Date, stalledBefore: Date) =>
    db.datasetImports
      .find({
        $or: [
          { status: 'preview', expiresAt: { $lt: now } },
          // Confirms from before the worker job (no plan); a job's import is the job's to end.
          { status: 'running', createdAt: { $lt: stalledBefore }, planId: null },
        ],
      })
      .limit(100)
      .toArray(),
  /**
   * Keeps an upload (streamed from disk, gzip-compressed: annotation JSON shrinks ~10×, and GridFS
   * writes on FerretDB cost by the byte) until its session ends.
   */
  async storeUpload(db: Database, name: string, file: string, sessionId: ObjectId): Promise<ObjectId> {
    const id = new ObjectId();
    await pipeline(
      createReadStream(file),
      createGzip({ level: 1 }),
      db.datasetUploads.openUploadStreamWithId(id, name, { metadata: { datasetImportId: sessionId, encoding: 'gzip' } }),
    );
    return id;
  },
  /** Writes a kept upload back to a file, as it was uploaded. */
  readUpload: (db: Database, id: ObjectId, file: string) =>
    pipeline(db.datasetUploads.openDownloadStream(id), createGunzip(), createWriteStream(file, { mode: 0o600 })),
  async deleteUpload(db: Database, id: ObjectId | null): Promise<void> {
    if (!id) return;
    try {
      await db.datasetUploads.delete(id);
    } catch {
      // already gone
    }
  },
  /** The project's visible items as an import matches them (name, external id, extent). */
  itemRefs: async (db: Database, projectId: ObjectId) => {
    const hidden = (
      await db.imports
        .find({ projectId, status: { $in: ['running', 'failed'] } })
        .project<{ _id: ObjectId }>({ _id: 1 })
        .toArray()
    ).map((d) => d._id);
    return db.items
      .find({ projectId, importId: { $nin: hidden } })
      .project<Pick<ItemDoc, '_id' | 'kind' | 'externalId' | 'image' | 'textLength' | 'isGold'>>({
        _id: 1,
        kind: 1,
        externalId: 1,
        'image.name': 1,
        'image.width': 1,
        'image.height': 1,
        textLength: 1,
        isGold: 1,
      })
      .toArray();
  },
};
