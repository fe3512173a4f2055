import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ObjectId } from 'mongodb';
import {
  LabelSchema,
  type LabelDef,
  type Region,
  type RestoreSnapshotInput,
  type SnapshotEntry,
  type SnapshotLabel,
  type SnapshotRestoreResult,
} from '@labelwork/core';
import { fillSlotWithImport, withdrawImportedAnnotations, type ProjectDoc, type SnapshotDoc, type UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { projectsRepo } from '../access/index.ts';
import { audit } from '../audit/index.ts';
import { deleteItems, importImages, importText, putGoldAnswers } from '../items/index.ts';
import { createProject } from '../projects/index.ts';
import { queueRestoredItems } from '../tasks/index.ts';
import { datasetsRepo } from './datasets.repository.ts';

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990'];
const BATCH = 50;

/** The snapshot's labels as a schema: colours and hotkeys from the source project's label of the same name and tool, if it still has one. */
function schemaOf(labels: readonly SnapshotLabel[], current: LabelSchema): LabelSchema {
  const byName = new Map(current.labels.map((l) => [l.name, l]));
  const defs = labels.map((l, i): LabelDef => {
    const now = byName.get(l.name);
    const same = now && now.tool === l.tool ? now : undefined;
    return {
      ...(same ?? {}),
      name: l.name,
      tool: l.tool,
      color: same?.color ?? PALETTE[i % PALETTE.length]!,
      ...(l.points ? { points: l.points } : {}),
      ...(l.edges ? { edges: l.edges } : {}),
      ...(l.retired ? { retired: true } : {}),
    } as LabelDef;
  });
  const r = LabelSchema.safeParse({ labels: defs });
  if (!r.success)
    throw new AppError('VALIDATION_FAILED', `the snapshot's labels do not make a valid schema: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

/** An entry's ground truth: its gold answer, else its consensus (none: no ground truth). */
function groundTruthOf(e: SnapshotEntry): Region[] | null {
  return (e.annotations.find((a) => a.kind === 'gold') ?? e.annotations.find((a) => a.kind === 'consensus'))?.regions ?? null;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** The snapshot, if it can be restored (complete); else NOT_FOUND or SNAPSHOT_NOT_READY. */
export async function restorableSnapshot(ctx: AppContext, source: ProjectDoc, snapshotId: ObjectId): Promise<SnapshotDoc> {
  const snap = await datasetsRepo.snapshotById(ctx.db, source._id, snapshotId);
  if (!snap) throw new AppError('NOT_FOUND', 'no such snapshot');
  if (snap.status !== 'complete' || !snap.header || !snap.hash || !snap.version)
    throw new AppError('SNAPSHOT_NOT_READY', 'only a complete snapshot can be restored');
  return snap;
}

/**
 * Creates a NEW project from a complete snapshot of `source` (a branch from a known version): the
 * snapshot's label schema, its items (images copied from the source project's files through the items
 * module's image import, so they are checked and get their own files; texts from the frozen lines),
 * and its ground truth as gold answers or as submitted annotations of the restoring lead (filling one
 * replica slot each through the assignment engine), or none. The new project records the snapshot's
 * id, number, version and sha256. It takes the source's queue settings; with autoQueue the items are
 * put up for annotation at the end (after the ground truth), as any import's would be.
 */
export async function restoreSnapshotAsProject(
  ctx: AppContext,
  user: UserDoc,
  source: ProjectDoc,
  snapshotId: ObjectId,
  input: RestoreSnapshotInput,
  opts: { id?: ObjectId; progress?: (done: number, total: number) => Promise<void> } = {},
): Promise<SnapshotRestoreResult> {
  const snap = await restorableSnapshot(ctx, source, snapshotId);
  const header = snap.header!;
  const total = snap.counts?.items ?? 0;
  const created = await createProject(
    ctx,
    user,
    {
      name: input.name,
      description: `From snapshot #${snap.number} (${snap.version}) of “${source.name}”, sha256 ${snap.hash}`,
      kind: header.kind,
      labelSchema: schemaOf(header.labels, source.labelSchema),
      overlap: source.overlap,
      goldRate: source.goldRate,
      minLevel: source.minLevel,
      ...(header.guideline ? { guideline: header.guideline } : {}),
      reviewPolicy: source.reviewPolicy,
    },
    { projectId: source._id, snapshotId: snap._id, number: snap.number, version: snap.version!, sha256: snap.hash! },
    opts.id,
  );
  const projectId = new ObjectId(created.id);
  const lineage = `snapshot-${snap._id.toHexString()}`;
  try {
    const load = async () => (await projectsRepo.byId(ctx.db, projectId))!;
    const result: SnapshotRestoreResult = {
      projectId: created.id,
      items: 0,
      missing: 0,
      groundTruth: { as: input.groundTruth, stored: 0 },
    };
    const truths: { itemId: ObjectId; regions: Region[] }[] = [];
    const dir = await mkdtemp(path.join(ctx.config.UPLOAD_DIR || os.tmpdir(), 'snapshot-restore-'));
    try {
      let batch: { entry: SnapshotEntry; itemRef: string }[] = [];
      const flush = async () => {
        if (!batch.length) return;
        const project = await load();
        let itemIds: (ObjectId | null)[];
        if (header.kind === 'image') itemIds = await copyImages(ctx, user, project, batch, dir);
        else {
          const lines = batch.map(({ entry }) => JSON.stringify({ id: entry.name, text: entry.text ?? '' })).join('\n');
          const r = await importText(ctx, user, project, `snapshot-${snap.number}.jsonl`, Buffer.from(lines, 'utf8'), 'jsonl', 'import');
          const docs = r.importId
            ? await ctx.db.items
                .find({ projectId, importId: new ObjectId(r.importId) })
                .project<{ _id: ObjectId }>({ _id: 1 })
                .sort({ seq: 1 })
                .toArray()
            : [];
          itemIds = batch.map((_, i) => docs[i]?._id ?? null);
        }
        batch.forEach(({ entry }, i) => {
          const id = itemIds[i];
          if (!id) return void result.missing++;
          result.items++;
          const regions = groundTruthOf(entry);
          if (regions) truths.push({ itemId: id, regions });
        });
        batch = [];
        await opts.progress?.(result.items + result.missing, total);
        if (ctx.config.RESTORE_BATCH_DELAY_MS) await new Promise((r) => setTimeout(r, ctx.config.RESTORE_BATCH_DELAY_MS));
      };
      for await (const d of datasetsRepo.entries(ctx.db, snap._id)) {
        batch.push({ entry: JSON.parse(d.line) as SnapshotEntry, itemRef: d.itemRef ?? d.itemId });
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const project = await load();
    if (input.groundTruth === 'gold' && truths.length) {
      await putGoldAnswers(
        ctx,
        project,
        truths.map((t) => ({ id: t.itemId, gold: { regions: t.regions }, wasGold: false })),
      );
      result.groundTruth.stored = truths.length;
    } else if (input.groundTruth === 'annotations') {
      const pq = ctx.tasks.project(created.id);
      const deps = { db: ctx.db, redis: ctx.redis, keys: pq.keys, queue: pq.queue, quality: ctx.tasks.quality };
      const now = new Date(ctx.now());
      for (const [line, t] of truths.entries()) {
        const fill = await fillSlotWithImport(
          deps,
          project,
          lineage,
          { line, itemId: t.itemId, userId: user._id, regions: t.regions },
          now,
        );
        if (fill.stored) result.groundTruth.stored++;
      }
    }
    const queued = await queueRestoredItems(ctx, source, await load(), user._id);
    await audit(
      ctx,
      user._id,
      'snapshot.restore',
      { type: 'project', id: projectId },
      {
        from: { projectId: source._id.toHexString(), snapshotId: snap._id.toHexString(), version: snap.version, sha256: snap.hash },
        items: result.items,
        missing: result.missing,
        groundTruth: result.groundTruth,
        queued: queued?.queued ?? 0,
      },
    );
    return result;
  } catch (e) {
    // All or nothing: a restore that fails part-way takes away the project it made, with its items, files and annotations.
    await discardRestoredProject(ctx, user, projectId, lineage).catch((err: unknown) =>
      ctx.log.error('discarding a failed snapshot restore failed', { projectId: created.id, err }),
    );
    throw e;
  }
}

/** Removes a project a failed restore made: its imported annotations (slots and counters taken back), its items and their files, the project. */
export async function discardRestoredProject(ctx: AppContext, user: UserDoc, projectId: ObjectId, lineage: string): Promise<void> {
  const project = await projectsRepo.byId(ctx.db, projectId);
  if (!project) return;
  const pq = ctx.tasks.project(projectId.toHexString());
  await withdrawImportedAnnotations(
    { db: ctx.db, redis: ctx.redis, keys: pq.keys, queue: pq.queue, quality: ctx.tasks.quality },
    projectId,
    lineage,
  );
  const ids = await datasetsRepo.itemIdsOf(ctx.db, projectId);
  for (let i = 0; i < ids.length; i += 500) await deleteItems(ctx, user, project, ids.slice(i, i + 500));
  await datasetsRepo.discardProject(ctx.db, projectId);
}

/** The batch's images, copied from the source project's files through the items module's image import; null where the source item is gone. */
async function copyImages(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  batch: readonly { entry: SnapshotEntry; itemRef: string }[],
  dir: string,
): Promise<(ObjectId | null)[]> {
  const sources = await ctx.db.items
    .find({ _id: { $in: batch.map((b) => new ObjectId(b.itemRef)) } })
    .project<{ _id: ObjectId; image?: { fileId: ObjectId } }>({ _id: 1, 'image.fileId': 1 })
    .toArray();
  const fileOf = new Map(sources.flatMap((s) => (s.image ? [[s._id.toHexString(), s.image.fileId] as const] : [])));
  const uploads: { name: string; path: string; size: number; sha256: string }[] = [];
  const at: number[] = [];
  for (const [i, b] of batch.entries()) {
    const fileId = fileOf.get(b.itemRef);
    if (!fileId) continue;
    const file = path.join(dir, `${i}-${Date.now()}`);
    try {
      await pipeline(ctx.db.files.openDownloadStream(fileId), createWriteStream(file, { mode: 0o600 }));
    } catch {
      continue;
    }
    uploads.push({ name: b.entry.name, path: file, size: (await stat(file)).size, sha256: await sha256File(file) });
    at.push(i);
  }
  const out: (ObjectId | null)[] = batch.map(() => null);
  if (!uploads.length) return out;
  const r = await importImages(ctx, user, project, uploads, 'import');
  r.items.forEach((item, j) => (out[at[j]!] = new ObjectId(item.id)));
  await Promise.all(uploads.map((u) => rm(u.path, { force: true })));
  return out;
}
