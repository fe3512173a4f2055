/**
 * Dataset exports and snapshots: their collections, document types and indexes. Written only by
 * the export/snapshot worker jobs and the server's datasets module (server/src/modules/datasets).
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import { storedKeys } from './stored-keys.ts';
import type {
  ExportManifest,
  ExportOptions,
  ExportStatus,
  SnapshotChangelog,
  SnapshotCounts,
  SnapshotHeader,
  SnapshotStatus,
} from '@labelwork/core';

/** A finished snapshot's counts and changelog as stored (label keys escaped, see `storedKeys`), and back. */
export const storedSnapshotResult = {
  encode: (counts: NonNullable<SnapshotDoc['counts']>, changelog: SnapshotChangelog | null) => ({
    counts: { ...counts, byLabel: storedKeys.encode(counts.byLabel) },
    changelog: changelog && { ...changelog, regionsByLabel: storedKeys.encode(changelog.regionsByLabel) },
  }),
  decode: (d: Pick<SnapshotDoc, 'counts' | 'changelog'>) => ({
    counts: d.counts && { ...d.counts, byLabel: storedKeys.decode(d.counts.byLabel) },
    changelog: d.changelog && { ...d.changelog, regionsByLabel: storedKeys.decode(d.changelog.regionsByLabel) },
  }),
};

export interface ExportDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  format: string;
  options: ExportOptions;
  snapshotId: ObjectId | null;
  status: ExportStatus;
  done: number;
  total: number;
  /** The finished file in the `files` GridFS bucket; set in the same update that marks the export complete. */
  fileId: ObjectId | null;
  fileName: string | null;
  bytes: number | null;
  contentHash: string | null;
  manifest: ExportManifest | null;
  error: string | null;
  /** Set by a lead's cancel; the job checks it between batches and stops. */
  cancelRequested: boolean;
  byId: ObjectId;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When the cleanup job deletes the file (finished exports only). */
  expiresAt: Date | null;
}

/** A frozen, numbered version of a project's labeled state. Its entries are in `snapshotEntries`. */
export interface SnapshotDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  /** 1, 2, 3 … per project (unique). */
  number: number;
  /** Semantic version, set when the build completes (it depends on the changelog). */
  version: string | null;
  /** sha256 of the canonical text (header line + entry lines in item order). */
  hash: string | null;
  status: SnapshotStatus;
  note: string;
  /** Cut-off: only annotations created at or before it are frozen. */
  asOf: Date;
  header: SnapshotHeader | null;
  counts: SnapshotCounts | null;
  changelog: SnapshotChangelog | null;
  previousId: ObjectId | null;
  error: string | null;
  byId: ObjectId;
  createdAt: Date;
  finishedAt: Date | null;
}

/**
 * One item of a snapshot (`_id` = `<snapshotId>:<itemId>`, so a retried build overwrites rather than
 * duplicates). `line` is the entry's canonical JSON line, exactly as hashed: exports parse it back,
 * so a later export reads the very bytes the snapshot id was computed from. One document per item
 * keeps every document far below 16 MB.
 */
export interface SnapshotEntryDoc {
  _id: string;
  snapshotId: ObjectId;
  itemId: string;
  line: string;
  /**
   * The item the entry stands for now, when that is not `itemId` any more: a snapshot restored from a
   * backup keeps its canonical lines (and so its sha256) byte for byte, while its items got new ids.
   */
  itemRef?: string;
}

export interface DatasetCollections {
  exports: Collection<ExportDoc>;
  snapshots: Collection<SnapshotDoc>;
  snapshotEntries: Collection<SnapshotEntryDoc>;
}

export function datasetCollections(db: Db): DatasetCollections {
  return {
    exports: db.collection<ExportDoc>('exports'),
    snapshots: db.collection<SnapshotDoc>('snapshots'),
    snapshotEntries: db.collection<SnapshotEntryDoc>('snapshotEntries'),
  };
}

export async function ensureDatasetIndexes(d: DatasetCollections): Promise<void> {
  await d.exports.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
  await d.exports.createIndex({ expiresAt: 1 }, { name: 'expires' });
  await d.snapshots.createIndex({ projectId: 1, number: 1 }, { unique: true, name: 'project_number_unique' });
  await d.snapshotEntries.createIndex({ snapshotId: 1, itemId: 1 }, { name: 'snapshot_item' });
}
