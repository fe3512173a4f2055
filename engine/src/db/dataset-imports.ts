/**
 * Dataset import sessions: an upload of existing annotations (a dataset file, or a zip of images
 * and annotations) parsed into a preview, stored only when a lead confirms it. Written only by the
 * server's dataset-imports module (server/src/modules/dataset-imports).
 */
import { GridFSBucket, type Collection, type Db, type ObjectId } from 'mongodb';
import type { DatasetError, ImportAnnotators, ImportAs, ImportPreview, ImportResult, LabelMapping } from '@labelwork/core';

export interface DatasetImportDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  fileName: string;
  format: string;
  as: ImportAs;
  /** For `as: annotations`: whose annotations they become. */
  annotatorId: ObjectId | null;
  /** For `as: annotations`: the confirm's annotator mapping (file annotator → member, and the default). */
  annotators?: ImportAnnotators | null;
  /** What the confirm stored and skipped (set when it completes). */
  result?: ImportResult | null;
  /** The upload as received, in the `datasetUploads` GridFS bucket, until the session ends. */
  uploadId: ObjectId | null;
  /** `preview`: parsed, waiting for a confirm; `running`: being stored; then `complete` or `failed`. */
  status: 'preview' | 'running' | 'complete' | 'failed';
  preview: ImportPreview;
  /** The mapping the confirm used. */
  mapping: LabelMapping | null;
  done: number;
  total: number;
  error: DatasetError | { code: string; message: string } | null;
  byId: ObjectId;
  createdAt: Date;
  finishedAt: Date | null;
  /** A preview not confirmed by then is discarded (its upload deleted). */
  expiresAt: Date;
}

export interface DatasetImportCollections {
  datasetImports: Collection<DatasetImportDoc>;
  /** Uploads waiting for their confirm (kept out of the `files` bucket, which holds the items' images). */
  datasetUploads: GridFSBucket;
}

export function datasetImportCollections(db: Db): DatasetImportCollections {
  return {
    datasetImports: db.collection<DatasetImportDoc>('datasetImports'),
    datasetUploads: new GridFSBucket(db, { bucketName: 'datasetUploads' }),
  };
}

export async function ensureDatasetImportIndexes(d: DatasetImportCollections): Promise<void> {
  await d.datasetImports.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
  await d.datasetImports.createIndex({ status: 1, expiresAt: 1 }, { name: 'status_expires' });
}
