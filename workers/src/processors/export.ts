import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  DATASET_FORMAT_REGISTRY,
  addCount,
  ExportJobData,
  canonicalJson,
  datasetItemFromEntry,
  datasetLabels,
  snapshotLabels,
  type DatasetAnnotation,
  type DatasetLabel,
  type ExportManifest,
  type SnapshotEntry,
  type SnapshotHeader,
} from '@labelwork/core';
import { storedKeys, type ExportDoc, type ProjectDoc } from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { ENTRY_BATCH, frozenEntries, liveEntries } from '../datasets/entries.ts';
import { ExportParts, writeExportZip, type ZipSource } from '../datasets/export-file.ts';
import { datasetProgress } from '../datasets/progress.ts';

/** Single-answer formats write the first of these an item has. */
const PREFER: DatasetAnnotation['kind'][] = ['gold', 'consensus', 'annotation'];

class Cancelled extends Error {}

/**
 * Renders one export (`exports` document) to a zip in GridFS: the format's files, the images when
 * asked for, and `manifest.json`. Streams items in id order a batch at a time, from the live project
 * or from a snapshot's frozen entries (then the annotation files are byte-identical every time).
 * Idempotent: a retry (worker killed, lock lost) starts over and deletes what an earlier attempt
 * uploaded; the export points at its file only in the update that marks it complete. A lead's
 * cancel is seen between batches.
 */
export async function exportProcessor(w: WorkerContext, job: Job): Promise<{ status: string }> {
  const parsed = ExportJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad export job payload');
  const _id = new ObjectId(parsed.data.exportId);
  const doc = await w.db.exports.findOne({ _id });
  if (!doc || ['complete', 'failed', 'cancelled', 'expired'].includes(doc.status)) return { status: doc?.status ?? 'missing' };
  const progress = datasetProgress(w, doc.projectId, 'export', _id);
  if (doc.cancelRequested) {
    await w.db.exports.updateOne({ _id }, { $set: { status: 'cancelled', finishedAt: new Date(w.now()) } });
    await progress('cancelled', 0, doc.total, true);
    return { status: 'cancelled' };
  }
  const project = await w.db.projects.findOne({ _id: doc.projectId });
  const format = DATASET_FORMAT_REGISTRY[doc.format as keyof typeof DATASET_FORMAT_REGISTRY];
  if (!project || !format) {
    const error = !project ? 'the project no longer exists' : `format ${doc.format} is not available`;
    await w.db.exports.updateOne({ _id }, { $set: { status: 'failed', error, finishedAt: new Date(w.now()) } });
    await progress('failed', 0, 0, true);
    return { status: 'failed' };
  }
  // A previous attempt may have left an unfinished upload under this id: remove it first. Only an
  // export that was running can have one (the upload starts after the update to `running` below);
  // a first attempt skips it: on FerretDB each GridFS delete scans and decodes every stored chunk,
  // images included (100 MB of chunks ≈ 2.5 s of database CPU, twice).
  const fileId = exportFileId(_id);
  if (doc.status !== 'queued' || doc.startedAt) await removeUpload(w, fileId);
  await w.db.exports.updateOne({ _id }, { $set: { status: 'running', startedAt: new Date(w.now()), done: 0 } });
  const parts = await ExportParts.create(_id.toHexString());
  try {
    const result = await render(w, doc, project, parts, progress, fileId);
    const now = new Date(w.now());
    const r = await w.db.exports.updateOne(
      { _id, status: 'running', cancelRequested: false },
      {
        $set: {
          status: 'complete',
          fileId,
          fileName: result.fileName,
          bytes: result.bytes,
          contentHash: result.manifest.contentHash,
          manifest: {
            ...result.manifest,
            counts: { ...result.manifest.counts, byLabel: storedKeys.encode(result.manifest.counts.byLabel) },
          },
          done: result.total,
          total: result.total,
          finishedAt: now,
          expiresAt: new Date(now.getTime() + w.config.EXPORT_TTL_HOURS * 3_600_000),
        },
      },
    );
    if (r.matchedCount === 0) throw new Cancelled();
    await progress('complete', result.total, result.total, true);
    return { status: 'complete' };
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    await removeUpload(w, fileId);
    await w.db.exports.updateOne({ _id }, { $set: { status: 'cancelled', finishedAt: new Date(w.now()) } });
    await progress('cancelled', 0, 0, true);
    return { status: 'cancelled' };
  } finally {
    await parts.dispose();
  }
}

/** The GridFS id of an export's file: fixed per export, so every attempt writes (and first clears) the same id. */
export function exportFileId(exportId: ObjectId): ObjectId {
  return new ObjectId(createHash('sha256').update(`${exportId.toHexString()}:file`).digest('hex').slice(0, 24));
}

async function removeUpload(w: WorkerContext, fileId: ObjectId): Promise<void> {
  await w.db.files.delete(fileId).catch(() => undefined);
  // Chunks of an upload that never finished have no file document for delete() to find.
  await w.db.db.collection('files.chunks').deleteMany({ files_id: fileId });
}

async function render(
  w: WorkerContext,
  doc: ExportDoc,
  project: ProjectDoc,
  parts: ExportParts,
  progress: ReturnType<typeof datasetProgress>,
  fileId: ObjectId,
) {
  const format = DATASET_FORMAT_REGISTRY[doc.format as keyof typeof DATASET_FORMAT_REGISTRY]!;
  const snapshot = doc.snapshotId ? await w.db.snapshots.findOne({ _id: doc.snapshotId, status: 'complete' }) : null;
  if (doc.snapshotId && !snapshot?.header) throw new UnrecoverableError('the snapshot is not complete');
  const header: SnapshotHeader | null = snapshot?.header ?? null;
  const labels: DatasetLabel[] = datasetLabels(header?.labels ?? snapshotLabels(project.labelSchema.labels));
  const kind = header?.kind ?? project.kind;
  const opts = doc.options;
  const writer = format.writer(kind, {
    prefer: opts.annotations === 'all' ? undefined : PREFER,
    ...(opts.scheme ? { scheme: opts.scheme } : {}),
    ...(snapshot ? { info: { snapshot: snapshot.version ?? '', snapshotHash: snapshot.hash ?? '' } } : {}),
  });
  const total = snapshot?.counts?.items ?? doc.total;
  const counts: ExportManifest['counts'] = { items: 0, unlabeled: 0, annotations: 0, regions: 0, byLabel: {} };
  const images: { name: string; fileId: ObjectId }[] = [];
  await parts.put(writer.begin(labels));
  let done = 0;
  const take = async (entries: SnapshotEntry[], fileIds: Map<string, ObjectId>) => {
    for (const e of entries) {
      if (opts.status && !opts.status.includes(e.status as never)) continue;
      const item = datasetItemFromEntry(e, opts.annotations);
      if (!item) continue;
      counts.items += 1;
      if (item.annotations.length === 0) counts.unlabeled += 1;
      for (const a of item.annotations) {
        counts.annotations += 1;
        for (const r of a.regions) {
          counts.regions += 1;
          addCount(counts.byLabel, r.label);
        }
      }
      const f = fileIds.get(e.itemId);
      if (opts.images === 'include' && f) images.push({ name: writer.imagePath?.(item) ?? `images/${e.name}`, fileId: f });
      await parts.put(writer.item(item));
    }
    await parts.flush();
    done += entries.length;
    const fresh = await w.db.exports.findOne({ _id: doc._id }, { projection: { cancelRequested: 1 } });
    if (!fresh || fresh.cancelRequested) throw new Cancelled();
    await progress('running', done, total);
    if (w.config.EXPORT_BATCH_DELAY_MS) await new Promise((r) => setTimeout(r, w.config.EXPORT_BATCH_DELAY_MS));
  };
  if (snapshot) {
    let batch: SnapshotEntry[] = [];
    const refs = new Map<string, string>();
    const flush = async () => {
      const fileIds = new Map<string, ObjectId>();
      if (opts.images === 'include') {
        const byRef = new Map(batch.map((e) => [refs.get(e.itemId) ?? e.itemId, e.itemId]));
        const items = await w.db.items
          .find({ _id: { $in: [...byRef.keys()].map((id) => new ObjectId(id)) } })
          .project<{ _id: ObjectId; image?: { fileId: ObjectId } }>({ _id: 1, 'image.fileId': 1 })
          .toArray();
        for (const i of items) if (i.image) fileIds.set(byRef.get(i._id.toHexString())!, i.image.fileId);
      }
      await take(batch, fileIds);
      batch = [];
      refs.clear();
    };
    for await (const { entry, itemRef } of frozenEntries(w.db, snapshot._id)) {
      batch.push(entry);
      if (itemRef !== entry.itemId) refs.set(entry.itemId, itemRef);
      if (batch.length >= ENTRY_BATCH) await flush();
    }
    if (batch.length) await flush();
  } else {
    const filter = { ...(opts.status ? { status: opts.status } : {}), ...(opts.importId ? { importId: new ObjectId(opts.importId) } : {}) };
    for await (const b of liveEntries(w.db, project, filter)) await take(b.entries, b.images);
  }
  await parts.put(writer.finish());
  await parts.flush();
  const warnings = new Map<string, { code: string; message: string; count: number }>();
  for (const x of writer.warnings()) {
    const c = warnings.get(x.code);
    if (c) c.count += 1;
    else warnings.set(x.code, { code: x.code, message: x.message, count: 1 });
  }
  const safeName = project.name.replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 60) || 'project';
  const fileName = `${safeName}-${snapshot ? `v${snapshot.version}-` : ''}${doc.format}.zip`;
  const out: { manifest?: ExportManifest } = {};
  const { bytes } = await writeExportZip({
    bucket: w.db.files,
    fileId,
    fileName,
    parts,
    metadata: { kind: 'export', exportId: doc._id, projectId: project._id },
    extra: async function* (): AsyncIterable<ZipSource> {
      for (const img of images) yield { name: img.name, open: () => w.db.files.openDownloadStream(img.fileId) };
    },
    manifest: (files) => {
      const content = createHash('sha256');
      const imageNames = new Set(images.map((i) => i.name));
      for (const f of files.filter((x) => !imageNames.has(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1)))
        content.update(`${f.name}\n${f.sha256}\n`);
      const manifest: ExportManifest = {
        generator: 'labelwork',
        project: { id: project._id.toHexString(), name: project.name, kind },
        snapshot: snapshot
          ? { id: snapshot._id.toHexString(), hash: snapshot.hash ?? '', version: snapshot.version ?? '', number: snapshot.number }
          : null,
        format: doc.format,
        options: opts,
        counts,
        warnings: [...warnings.values()],
        contentHash: content.digest('hex'),
        files,
      };
      out.manifest = manifest;
      return `${JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 2)}\n`;
    },
  });
  return { bytes, fileName, manifest: out.manifest!, total: done };
}
