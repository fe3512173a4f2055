import { z } from 'zod';
import { Id } from '../schema/common.ts';
import { ItemStatus } from '../schema/item.ts';
import { DATASET_FORMATS } from '../formats/dataset/types.ts';
import type { SnapshotChangelog } from '../datasets/snapshot.ts';
import type { Region } from '../schema/region.ts';

/**
 * Contracts of dataset exports and snapshots: the HTTP bodies, the job payloads of the `{export}`
 * queue, the records the API returns and the export's manifest. See docs/datasets.md.
 */

/**
 * Which annotations go out:
 * - `consensus`: per item the quality job's consensus (or the one annotation when only one was
 *   asked for), the gold answer on gold items;
 * - `all`: every annotator's annotation (and gold answers);
 * - `accepted`: only annotations a reviewer accepted or fixed (the fixed version);
 * - `gold`: only gold items, with their gold answers.
 */
export const EXPORT_SELECTIONS = ['consensus', 'all', 'accepted', 'gold'] as const;
export const ExportSelection = z.enum(EXPORT_SELECTIONS);
export type ExportSelection = z.infer<typeof ExportSelection>;

export const StartExportInput = z.strictObject({
  format: z.enum(DATASET_FORMATS),
  annotations: ExportSelection.default('consensus'),
  /** Only items in these statuses (default: all). */
  status: z.array(ItemStatus).min(1).max(4).optional(),
  /** Only items of this import. */
  importId: Id.optional(),
  /** `reference`: the annotation files name the images; `include`: images go into the zip as well. */
  images: z.enum(['reference', 'include']).default('reference'),
  /** CoNLL tag scheme. */
  scheme: z.enum(['iob2', 'bioes']).optional(),
  /** Render from this snapshot instead of the live project. */
  snapshotId: Id.optional(),
});
export type StartExportInput = z.infer<typeof StartExportInput>;
export type ExportOptions = Omit<StartExportInput, 'snapshotId'>;

export const EXPORT_STATUSES = ['queued', 'running', 'complete', 'failed', 'cancelled', 'expired'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** What the export writes beside the annotations (`manifest.json` in the zip). */
export interface ExportManifest {
  generator: 'labelwork';
  project: { id: string; name: string; kind: 'image' | 'text' };
  snapshot: { id: string; hash: string; version: string; number: number } | null;
  format: string;
  options: ExportOptions;
  counts: { items: number; unlabeled: number; annotations: number; regions: number; byLabel: Record<string, number> };
  warnings: { code: string; message: string; count: number }[];
  /** sha256 of the annotation files (each file's name and bytes, in name order), so two exports can be compared. */
  contentHash: string;
  files: { name: string; bytes: number; sha256: string }[];
}

/** An export as the API returns it. */
export interface ExportRecord {
  id: string;
  projectId: string;
  format: string;
  options: ExportOptions;
  snapshotId: string | null;
  status: ExportStatus;
  done: number;
  total: number;
  fileName: string | null;
  bytes: number | null;
  contentHash: string | null;
  error: string | null;
  byId: string;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string | null;
}

export const CreateSnapshotInput = z.strictObject({
  /** Release note (required when the snapshot is a major version). */
  note: z.string().trim().max(5000).default(''),
});
export type CreateSnapshotInput = z.infer<typeof CreateSnapshotInput>;

/**
 * A new project from a complete snapshot (a branch from a known version): its label schema, items
 * and ground truth (per item the gold answer, else the consensus) `as` gold answers, as submitted
 * annotations of the lead who restores, or left out.
 */
export const RestoreSnapshotInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  groundTruth: z.enum(['gold', 'annotations', 'none']).default('gold'),
});
export type RestoreSnapshotInput = z.infer<typeof RestoreSnapshotInput>;

/** What `POST …/snapshots/:id/restore` made. */
export interface SnapshotRestoreResult {
  projectId: string;
  items: number;
  /** Items whose image is gone from the source project (deleted since the snapshot): not copied. */
  missing: number;
  groundTruth: { as: 'gold' | 'annotations' | 'none'; stored: number };
}

/**
 * A snapshot restore runs as a job of the servers (`SNAPSHOT_RESTORE_QUEUE`): `POST …/restore`
 * answers 202 with this record; `GET …/restores/:restoreId` follows it. The new project's id is the
 * restore id (a retried job discards what an earlier attempt made and starts over: one project).
 */
export interface SnapshotRestoreRecord {
  id: string;
  projectId: string;
  snapshotId: string;
  name: string;
  status: 'queued' | 'running' | 'complete' | 'failed';
  done: number;
  total: number;
  result: SnapshotRestoreResult | null;
  error: { code: string; message: string } | null;
}

export const SnapshotRestoreJobData = z.object({
  restoreId: Id,
  projectId: Id,
  snapshotId: Id,
  userId: Id,
  input: RestoreSnapshotInput,
});
export type SnapshotRestoreJobData = z.infer<typeof SnapshotRestoreJobData>;

/** The queue of snapshot restores, processed by the servers (the restore uses their items and projects modules). */
export const SNAPSHOT_RESTORE_QUEUE = '{snapshot-restore}';

export type SnapshotStatus = 'building' | 'complete' | 'failed';

export interface SnapshotCounts {
  items: number;
  annotations: number;
  regions: number;
  byLabel: Record<string, number>;
  goldRegions?: number;
  consensusRegions?: number;
}

/** A snapshot as the API returns it. */
export interface SnapshotRecord {
  id: string;
  projectId: string;
  number: number;
  version: string | null;
  /** sha256 of the canonical text: the same state gives the same hash. */
  hash: string | null;
  status: SnapshotStatus;
  note: string;
  asOf: string;
  /**
   * `annotations`, `regions` and `byLabel` count annotators' annotations only; the regions of the
   * gold answers and of the consensus it also froze are counted apart (absent on snapshots made
   * before they were: those counted all three together).
   */
  counts: SnapshotCounts | null;
  changelog: SnapshotChangelog | null;
  previousId: string | null;
  error: string | null;
  byId: string;
  createdAt: string;
  finishedAt: string | null;
}

/** Job names of the `{export}` queue. */
export const EXPORT_JOBS = {
  export: 'export',
  snapshot: 'snapshot',
  cleanup: 'export-cleanup',
  /** Storing a confirmed dataset import (docs/dataset-import.md). */
  datasetImport: 'dataset-import',
} as const;

export const ExportJobData = z.object({ exportId: Id });
export type ExportJobData = z.infer<typeof ExportJobData>;
export const SnapshotJobData = z.object({ snapshotId: Id });
export type SnapshotJobData = z.infer<typeof SnapshotJobData>;
export const DatasetImportJobData = z.object({ importId: Id });
export type DatasetImportJobData = z.infer<typeof DatasetImportJobData>;

/**
 * One line of a confirmed import's plan file (gzip JSON lines in the `datasetUploads` bucket), as
 * the confirm writes it and the dataset-import job stores it: `l` its line number (idempotency),
 * `i` the item, `r` the regions, `n` the dataset item's name, `a` the file's annotator, `u` the
 * member whose annotation it becomes (as annotations), `s` the score (predictions), `w` whether
 * the item had a gold answer before (gold).
 */
export interface ImportPlanLine {
  l: number;
  i: string;
  r: Region[];
  n: string;
  a?: string;
  u?: string;
  s?: number | null;
  w?: boolean;
  /** Predictions: the model version of the import's source (on the first line). */
  m?: string;
}

/** Progress of an export or a snapshot build, to the project room (best-effort). */
export const DatasetProgressPayload = z.object({
  projectId: Id,
  kind: z.enum(['export', 'snapshot', 'import', 'restore']),
  id: Id,
  status: z.enum(['queued', 'running', 'complete', 'failed', 'cancelled', 'expired', 'building']),
  done: z.number().int(),
  total: z.number().int(),
});
export type DatasetProgressPayload = z.infer<typeof DatasetProgressPayload>;

/** The queue of exports, snapshot builds and the export cleanup (its own hash tag). */
export const EXPORT_QUEUE = '{export}';
/** How often the cleanup of expired exports runs. */
export const EXPORT_CLEANUP_EVERY_MS = 10 * 60_000;
