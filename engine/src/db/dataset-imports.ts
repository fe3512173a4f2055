/**
 * Dataset import sessions: an upload of existing annotations (a dataset file, or a zip of images
 * and annotations) parsed into a preview, stored only when a lead confirms it. Written by the
 * server's dataset-imports module (server/src/modules/dataset-imports) up to the confirm, then by
 * the workers' dataset-import job (its progress, result and end) through `datasetImportJob` below.
 */
import { GridFSBucket, type Collection, type Db, type ObjectId } from 'mongodb';
import type { DatasetError, ImportAnnotators, ImportAs, ImportPreview, ImportResult, LabelDecision, LabelMapping } from '@labelwork/core';

/** `ImportAnnotators` as stored (see `DatasetImportDoc.annotators`). */
export interface StoredImportAnnotators {
  default?: string;
  /** Pairs; an object keyed by file annotator in sessions stored before them. */
  bySource: { source: string; userId: string }[] | Record<string, string>;
  placeholders?: string[];
}

/** Stored form of an annotator mapping, and back. */
export const storedAnnotators = {
  encode: (a: ImportAnnotators): StoredImportAnnotators => ({
    ...(a.default ? { default: a.default } : {}),
    bySource: Object.entries(a.bySource).map(([source, userId]) => ({ source, userId })),
    ...(a.placeholders ? { placeholders: a.placeholders } : {}),
  }),
  decode: (s: StoredImportAnnotators): ImportAnnotators => ({
    ...(s.default ? { default: s.default } : {}),
    // Sessions stored before the pairs kept `bySource` as an object.
    bySource: Array.isArray(s.bySource)
      ? Object.fromEntries(s.bySource.map((p) => [p.source, p.userId]))
      : { ...((s.bySource as Record<string, string> | undefined) ?? {}) },
    ...(s.placeholders ? { placeholders: s.placeholders } : {}),
  }),
};

/** `LabelMapping` as stored (see `DatasetImportDoc.mapping`). */
export type StoredLabelMapping = { label: string; decision: LabelDecision }[];

/**
 * Stored form of a label mapping, and back. Decoding also reads the object form sessions were
 * stored in before (keyed by label name; only names a stored key could hold ever got there).
 */
export const storedMapping = {
  encode: (m: LabelMapping): StoredLabelMapping => Object.entries(m).map(([label, decision]) => ({ label, decision })),
  decode: (s: StoredLabelMapping | LabelMapping | null | undefined): LabelMapping | null =>
    !s ? null : Array.isArray(s) ? Object.fromEntries(s.map((p) => [p.label, p.decision])) : s,
};

export interface DatasetImportDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  fileName: string;
  format: string;
  as: ImportAs;
  /** For `as: annotations`: whose annotations they become. */
  annotatorId: ObjectId | null;
  /**
   * For `as: annotations`: the confirm's annotator mapping (file annotator → member, and the default),
   * with `bySource` as pairs: file annotators are often e-mail addresses, and a '.' is not allowed in
   * a stored document's keys.
   */
  annotators?: StoredImportAnnotators | null;
  /** What the confirm stored and skipped (set when it completes). */
  result?: ImportResult | null;
  /** The upload as received, in the `datasetUploads` GridFS bucket, until the session ends. */
  uploadId: ObjectId | null;
  /**
   * `preview`: parsed, waiting for a confirm; `running`: confirmed, its plan stored and the
   * dataset-import worker job queued or storing it; then `complete`, `failed` or `cancelled`.
   */
  status: 'preview' | 'running' | 'complete' | 'failed' | 'cancelled';
  /** The confirm's plan (gzip JSON lines of core's `ImportPlanLine`, `datasetUploads` bucket) until the job ends. */
  planId?: ObjectId | null;
  /** The lead asked to cancel; the job stops at its next batch and takes back what it stored. */
  cancelRequested?: boolean;
  preview: ImportPreview;
  /**
   * The label mapping the confirm used, as pairs (`storedMapping`): a dataset's label names may hold
   * a '.' or start with '$', which a stored document's keys may not. Sessions stored before it: the object.
   */
  mapping: StoredLabelMapping | LabelMapping | null;
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

/**
 * The dataset-import job's writes to its session (workers/src/processors/dataset-import.ts): progress,
 * and the end (complete, failed or cancelled) with the files it no longer needs.
 */
export const datasetImportJob = {
  byId: (d: DatasetImportCollections, id: ObjectId) => d.datasetImports.findOne({ _id: id }),
  progress: (d: DatasetImportCollections, id: ObjectId, done: number) => d.datasetImports.updateOne({ _id: id }, { $set: { done } }),
  async finish(
    d: DatasetImportCollections,
    id: ObjectId,
    status: 'complete' | 'failed' | 'cancelled',
    at: Date,
    set: Pick<DatasetImportDoc, 'error' | 'result'>,
  ): Promise<boolean> {
    const r = await d.datasetImports.findOneAndUpdate(
      { _id: id, status: 'running' },
      { $set: { status, finishedAt: at, ...set, uploadId: null, planId: null } },
    );
    if (!r) return false;
    for (const f of [r.uploadId, r.planId ?? null])
      if (f)
        await d.datasetUploads.delete(f).catch(() => {
          // already gone
        });
    return true;
  },
};
