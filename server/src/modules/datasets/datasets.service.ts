import { ObjectId } from 'mongodb';
import {
  DATASET_FORMAT_REGISTRY,
  EXPORT_JOBS,
  addHeaderDiff,
  addItemDiff,
  emptyChangelog,
  labelSchemaDiff,
  snapshotLabels,
  type ExportRecord,
  type SnapshotChangelog,
  type SnapshotEntry,
  type SnapshotRecord,
  type StartExportInput,
  type CreateSnapshotInput,
} from '@labelwork/core';
import { isDuplicateKey, storedSnapshotResult, type ExportDoc, type ProjectDoc, type SnapshotDoc, type UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { datasetsRepo } from './datasets.repository.ts';

/** Export and snapshot jobs: retried after a failure (a killed worker's job comes back through BullMQ's stalled check). */
const JOB_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 1000 } as const;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function exportView(d: ExportDoc): ExportRecord {
  return {
    id: d._id.toHexString(),
    projectId: d.projectId.toHexString(),
    format: d.format,
    options: d.options,
    snapshotId: d.snapshotId?.toHexString() ?? null,
    status: d.status,
    done: d.done,
    total: d.total,
    fileName: d.fileName,
    bytes: d.bytes,
    contentHash: d.contentHash,
    error: d.error,
    byId: d.byId.toHexString(),
    createdAt: d.createdAt.toISOString(),
    finishedAt: iso(d.finishedAt),
    expiresAt: iso(d.expiresAt),
  };
}

export function snapshotView(d: SnapshotDoc): SnapshotRecord {
  return {
    id: d._id.toHexString(),
    projectId: d.projectId.toHexString(),
    number: d.number,
    version: d.version,
    hash: d.hash,
    status: d.status,
    note: d.note,
    asOf: d.asOf.toISOString(),
    ...storedSnapshotResult.decode(d),
    previousId: d.previousId?.toHexString() ?? null,
    error: d.error,
    byId: d.byId.toHexString(),
    createdAt: d.createdAt.toISOString(),
    finishedAt: iso(d.finishedAt),
  };
}

/** Starts an export job of the project (live) or of one of its complete snapshots. */
export async function startExport(ctx: AppContext, user: UserDoc, project: ProjectDoc, input: StartExportInput): Promise<ExportRecord> {
  const format = DATASET_FORMAT_REGISTRY[input.format];
  if (!format) throw new AppError('FORMAT_NOT_AVAILABLE', `the ${input.format} format is not available yet`);
  if (!format.kinds.includes(project.kind))
    throw new AppError('FORMAT_NOT_AVAILABLE', `the ${input.format} format does not hold ${project.kind} items`);
  let snapshot: SnapshotDoc | null = null;
  if (input.snapshotId) {
    snapshot = await datasetsRepo.snapshotById(ctx.db, project._id, new ObjectId(input.snapshotId));
    if (!snapshot) throw new AppError('NOT_FOUND', 'no such snapshot');
    if (snapshot.status !== 'complete') throw new AppError('SNAPSHOT_NOT_READY', 'the snapshot is not complete yet');
  }
  const { snapshotId: _s, ...options } = input;
  const doc: ExportDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId: project._id,
    format: input.format,
    options,
    snapshotId: snapshot?._id ?? null,
    status: 'queued',
    done: 0,
    total: snapshot?.counts?.items ?? project.counts.items,
    fileId: null,
    fileName: null,
    bytes: null,
    contentHash: null,
    manifest: null,
    error: null,
    cancelRequested: false,
    byId: user._id,
    createdAt: new Date(ctx.now()),
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
  };
  await datasetsRepo.insertExport(ctx.db, doc);
  await ctx.queues.export.add(
    EXPORT_JOBS.export,
    { exportId: doc._id.toHexString() },
    { ...JOB_OPTS, jobId: `export-${doc._id.toHexString()}` },
  );
  await audit(
    ctx,
    user._id,
    'dataset.export',
    { type: 'project', id: project._id },
    { exportId: doc._id.toHexString(), format: doc.format },
  );
  return exportView(doc);
}

export async function getExport(ctx: AppContext, project: ProjectDoc, id: ObjectId): Promise<ExportDoc> {
  const doc = await datasetsRepo.exportById(ctx.db, project._id, id);
  if (!doc) throw new AppError('NOT_FOUND', 'no such export');
  return doc;
}

/** Cancels a queued export at once, a running one at its next batch (the worker then deletes what it wrote). */
export async function cancelExport(ctx: AppContext, user: UserDoc, project: ProjectDoc, id: ObjectId): Promise<ExportRecord> {
  const doc = await getExport(ctx, project, id);
  if (doc.status === 'queued' || doc.status === 'running') {
    await datasetsRepo.requestCancel(ctx.db, project._id, id, new Date(ctx.now()));
    await audit(ctx, user._id, 'dataset.export-cancel', { type: 'project', id: project._id }, { exportId: id.toHexString() });
  }
  return exportView(await getExport(ctx, project, id));
}

/** The finished file of an export, or the reason there is none. */
export async function exportFile(ctx: AppContext, project: ProjectDoc, id: ObjectId): Promise<{ doc: ExportDoc; fileId: ObjectId }> {
  const doc = await getExport(ctx, project, id);
  if (doc.status === 'expired') throw new AppError('EXPORT_EXPIRED', 'this export has expired; start it again');
  if (doc.status !== 'complete' || !doc.fileId) throw new AppError('EXPORT_NOT_READY', 'the export is not finished');
  return { doc, fileId: doc.fileId };
}

/**
 * Freezes the project: a numbered snapshot, built by a worker job. A breaking label-schema change
 * since the last snapshot (a major version) needs a release note.
 */
export async function createSnapshot(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  input: CreateSnapshotInput,
): Promise<SnapshotRecord> {
  const prev = await datasetsRepo.lastComplete(ctx.db, project._id);
  if (prev?.header && !input.note && labelSchemaDiff(prev.header.labels, snapshotLabels(project.labelSchema.labels)).bump === 'major')
    throw new AppError('RELEASE_NOTE_REQUIRED', 'the label schema changed incompatibly since the last snapshot: write a release note');
  const last = await datasetsRepo.lastSnapshot(ctx.db, project._id);
  const now = new Date(ctx.now());
  const doc: SnapshotDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId: project._id,
    number: (last?.number ?? 0) + 1,
    version: null,
    hash: null,
    status: 'building',
    note: input.note,
    asOf: now,
    header: null,
    counts: null,
    changelog: null,
    previousId: prev?._id ?? null,
    error: null,
    byId: user._id,
    createdAt: now,
    finishedAt: null,
  };
  try {
    await datasetsRepo.insertSnapshot(ctx.db, doc);
  } catch (e) {
    if (isDuplicateKey(e)) throw new AppError('CONFLICT', 'another snapshot was just started; try again');
    throw e;
  }
  await ctx.queues.export.add(
    EXPORT_JOBS.snapshot,
    { snapshotId: doc._id.toHexString() },
    { ...JOB_OPTS, jobId: `snapshot-${doc._id.toHexString()}` },
  );
  await audit(
    ctx,
    user._id,
    'dataset.snapshot',
    { type: 'project', id: project._id },
    { snapshotId: doc._id.toHexString(), number: doc.number },
  );
  return snapshotView(doc);
}

export async function getSnapshot(ctx: AppContext, project: ProjectDoc, id: ObjectId): Promise<SnapshotDoc> {
  const doc = await datasetsRepo.snapshotById(ctx.db, project._id, id);
  if (!doc) throw new AppError('NOT_FOUND', 'no such snapshot');
  return doc;
}

/**
 * The changelog from snapshot `a` to snapshot `b` (any two complete snapshots of the project, either
 * order): a merge of their entry streams in item-id order, one entry of each in memory at a time.
 */
export async function diffSnapshots(ctx: AppContext, project: ProjectDoc, aId: ObjectId, bId: ObjectId): Promise<SnapshotChangelog> {
  const [a, b] = await Promise.all([getSnapshot(ctx, project, aId), getSnapshot(ctx, project, bId)]);
  if (a.status !== 'complete' || b.status !== 'complete' || !a.header || !b.header)
    throw new AppError('SNAPSHOT_NOT_READY', 'both snapshots must be complete');
  const log = emptyChangelog();
  addHeaderDiff(log, a.header, b.header);
  const ia = datasetsRepo.entries(ctx.db, a._id)[Symbol.asyncIterator]();
  const ib = datasetsRepo.entries(ctx.db, b._id)[Symbol.asyncIterator]();
  const next = async (it: AsyncIterator<{ line: string }>): Promise<SnapshotEntry | undefined> => {
    const r = await it.next();
    return r.done ? undefined : (JSON.parse(r.value.line) as SnapshotEntry);
  };
  let ea = await next(ia);
  let eb = await next(ib);
  while (ea || eb) {
    if (ea && (!eb || ea.itemId < eb.itemId)) {
      addItemDiff(log, ea, undefined);
      ea = await next(ia);
    } else if (eb && (!ea || eb.itemId < ea.itemId)) {
      addItemDiff(log, undefined, eb);
      eb = await next(ib);
    } else {
      addItemDiff(log, ea, eb);
      ea = await next(ia);
      eb = await next(ib);
    }
  }
  return log;
}
