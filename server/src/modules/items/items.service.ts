import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS,
  codePointLength,
  parseCsvImport,
  parseJsonlImport,
  regionIssues,
  rooms,
  formatPath,
  type AnnotationContent,
  type ImportLineError,
  type Item,
  type TextItemImport,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { ImportDoc, ItemDoc, ProjectDoc, UserDoc } from '@labelwork/engine';
import { AppError, fieldIssue, validationError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { projectsRepo } from '../access/index.ts';
import { reserveSeq } from '@labelwork/engine';
import { onItemsImported } from '../tasks/index.ts';
import { withdrawItems } from '../tasks/index.ts';
import { annotationsRepo } from '@labelwork/engine';
import { DecodeSlots, ImageProbe } from './image-probe.ts';
import { checkImage, THUMB_SIZE, type CheckedImage, type ImageProblem, type UploadedFile } from './images.ts';
import { deleteFiles, importsRepo, itemsRepo, storeFile, storeFileFrom } from './items.repository.ts';
import { DEFAULT_SVG_LIMITS } from './svg-sanitize.ts';
import { recordPyramids, startPyramids } from './tile-pyramids.ts';
import { tilePyramids } from '@labelwork/engine';

const BATCH = 1000;
/** Largest raster image decoded (width × height). */
export const MAX_IMAGE_PIXELS = 20_000 * 20_000;

export function toItem(d: ItemDoc): Item {
  return {
    id: d._id.toHexString(),
    projectId: d.projectId.toHexString(),
    seq: d.seq,
    kind: d.kind,
    ...(d.externalId !== undefined ? { externalId: d.externalId } : {}),
    ...(d.text !== undefined ? { text: d.text, textLength: d.textLength ?? codePointLength(d.text) } : {}),
    ...(d.image ? { image: { ...d.image, fileId: d.image.fileId.toHexString(), thumbId: d.image.thumbId.toHexString() } } : {}),
    ...(d.meta ? { meta: d.meta } : {}),
    ...(d.gold ? { gold: d.gold } : {}),
    status: d.status,
    annotationCount: d.annotationCount,
    importId: d.importId.toHexString(),
    createdAt: d.createdAt.toISOString(),
  };
}

function assertWritable(p: ProjectDoc): void {
  if (p.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'the project is archived; unarchive it to import');
}

function emitProgress(ctx: AppContext, imp: ImportDoc, done: number, status: 'running' | 'complete' | 'failed'): void {
  ctx.io?.to(rooms.project(imp.projectId.toHexString())).emit(SERVER_EVENTS.importProgress, {
    projectId: imp.projectId.toHexString(),
    importId: imp._id.toHexString(),
    done,
    total: imp.total,
    status,
  });
}

/**
 * Stores an import's items so that they appear all at once or not at all: items are written as
 * part of a `running` import, which hides them until it turns `complete`; on failure they are removed.
 */
async function storeItems(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  imp: ImportDoc,
  docs: ItemDoc[],
  fileIds: ObjectId[],
): Promise<void> {
  emitProgress(ctx, imp, 0, 'running');
  try {
    for (let i = 0; i < docs.length; i += BATCH) {
      await itemsRepo.insertMany(ctx.db, docs.slice(i, i + BATCH));
      const done = Math.min(docs.length, i + BATCH);
      await importsRepo.progress(ctx.db, imp._id, done);
      emitProgress(ctx, imp, done, 'running');
    }
  } catch (e) {
    await itemsRepo.deleteImport(ctx.db, imp._id).catch(() => undefined);
    await deleteFiles(ctx.db, fileIds);
    await importsRepo.finish(ctx.db, imp._id, 'failed', new Date(ctx.now()), 'storage failed').catch(() => undefined);
    emitProgress(ctx, imp, 0, 'failed');
    throw e;
  }
  const gold = docs.filter((d) => d.isGold).length;
  await projectsRepo.incCounts(ctx.db, project._id, { items: docs.length, gold });
  await importsRepo.finish(ctx.db, imp._id, 'complete', new Date(ctx.now()));
  emitProgress(ctx, imp, docs.length, 'complete');
  // Projects with autoQueue put imported items up for annotation at once (the import itself stands if this fails).
  await onItemsImported(ctx, project, docs, user._id).catch((e: unknown) =>
    ctx.log.error('auto-queue after import failed', { projectId: project._id.toHexString(), err: e }),
  );
  await audit(
    ctx,
    user._id,
    'items.import',
    { type: 'project', id: project._id },
    { importId: imp._id.toHexString(), kind: imp.kind, file: imp.fileName, count: docs.length, gold },
  );
}

function newImport(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  kind: ImportDoc['kind'],
  fileName: string,
  total: number,
): ImportDoc {
  return {
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId: project._id,
    kind,
    fileName,
    status: 'running',
    total,
    done: 0,
    byId: user._id,
    createdAt: new Date(ctx.now()),
  };
}

/** Imports text items from a JSONL or CSV file. Every line is checked before anything is stored. */
export async function importText(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  fileName: string,
  data: Buffer,
  format: 'jsonl' | 'csv',
  duplicates: DuplicateChoice = 'skip',
): Promise<{ importId: string | null; created: number; duplicates: Duplicate[]; skipped: number }> {
  assertWritable(project);
  if (project.kind !== 'text') throw new AppError('VALIDATION_FAILED', 'text items can only be imported into a text project');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new AppError('BAD_IMPORT', 'the file is not valid UTF-8', { reason: 'NOT_UTF8', errors: [] });
  }
  const parsed = format === 'csv' ? parseCsvImport(text) : parseJsonlImport(text);
  if (!parsed.ok && parsed.errors[0]?.code === 'EMPTY_FILE')
    throw new AppError('EMPTY_IMPORT', 'the file is empty; nothing was imported', { errors: parsed.errors });
  if (!parsed.ok)
    throw new AppError('BAD_IMPORT', `${parsed.errors.length} line(s) are not valid; nothing was imported`, {
      reason: 'LINES',
      count: parsed.errors.length,
      errors: parsed.errors,
    });
  const errors: ImportLineError[] = [];
  const lines = recordLines(text, format, parsed.items.length);
  const lineOf = (i: number) => lines[i] ?? i + 1;
  parsed.items.forEach((it, i) => {
    if (!it.gold) return;
    const issues = regionIssues(project.labelSchema, { kind: 'text', length: codePointLength(it.text) }, it.gold.regions);
    if (issues.length)
      errors.push({
        line: lineOf(i),
        code: 'GOLD_INVALID',
        message: `gold: ${issues[0]!.message}`,
        params: { field: formatPath(['gold', ...issues[0]!.path]) },
      });
  });
  if (errors.length)
    throw new AppError('BAD_IMPORT', `${errors.length} gold answer(s) do not fit the label schema; nothing was imported`, {
      reason: 'GOLD',
      count: errors.length,
      errors: errors.slice(0, 100),
    });
  // Identical text (already in the project, or earlier in this file) is skipped unless asked for.
  const entries = parsed.items.map((it, i) => ({ it, line: lineOf(i), sha256: createHash('sha256').update(it.text).digest('hex') }));
  const twins = await findDuplicates(ctx, project._id, entries);
  const dupes: Duplicate[] = [...twins].map(([e, t]) => ({ line: e.line, ...t })).slice(0, 1000);
  const keep = duplicates === 'skip' ? entries.filter((e) => !twins.has(e)) : entries;
  if (keep.length === 0) return { importId: null, created: 0, duplicates: dupes, skipped: entries.length };
  const imp = newImport(ctx, user, project, 'text', fileName, keep.length);
  const first = await reserveSeq(ctx.db, `items:${project._id.toHexString()}`, keep.length);
  const now = new Date(ctx.now());
  const docs = keep.map(({ it, sha256 }: { it: TextItemImport; sha256: string }, i): ItemDoc => ({
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId: project._id,
    seq: first + i,
    kind: 'text',
    ...(it.id !== undefined ? { externalId: String(it.id) } : {}),
    text: it.text,
    textLength: codePointLength(it.text),
    ...(it.meta ? { meta: it.meta } : {}),
    ...(it.gold ? { gold: it.gold } : {}),
    isGold: it.gold !== undefined,
    status: 'new',
    annotationCount: 0,
    sha256,
    importId: imp._id,
    createdAt: now,
  }));
  await importsRepo.insert(ctx.db, imp);
  await storeItems(ctx, user, project, imp, docs, []);
  return { importId: imp._id.toHexString(), created: docs.length, duplicates: dupes, skipped: entries.length - keep.length };
}

/** Line number of each record, computed once (blank lines in JSONL and the CSV header are not records). */
function recordLines(text: string, format: 'jsonl' | 'csv', count: number): number[] {
  if (format === 'csv') return Array.from({ length: count }, (_, i) => i + 2);
  const out: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() !== '') out.push(i + 1);
  });
  return out;
}

export type DuplicateChoice = 'skip' | 'import';
/** An uploaded file or text line whose content the project already has (or that came twice in one upload). */
export interface Duplicate {
  file?: string;
  line?: number;
  /** The existing item (absent when the twin is earlier in the same upload). */
  itemId?: string;
  seq?: number;
}

/** Marks entries whose hash is already in the project or earlier in the same batch. */
async function findDuplicates<T extends { sha256: string }>(
  ctx: AppContext,
  projectId: ObjectId,
  entries: T[],
): Promise<Map<T, { itemId?: string; seq?: number }>> {
  const existing = await itemsRepo.byHashes(ctx.db, projectId, [...new Set(entries.map((e) => e.sha256))]);
  const known = new Map(existing.map((d) => [d.sha256!, { itemId: d._id.toHexString(), seq: d.seq }]));
  const seen = new Set<string>();
  const out = new Map<T, { itemId?: string; seq?: number }>();
  for (const e of entries) {
    const twin = known.get(e.sha256);
    if (twin) out.set(e, twin);
    else if (seen.has(e.sha256)) out.set(e, {});
    seen.add(e.sha256);
  }
  return out;
}

/**
 * Imports uploaded images (temp files, removed by the caller). SVG is rewritten from an allowlist;
 * every file is decoded in a time- and memory-limited child process; one bad file stores nothing.
 * Files whose bytes the project already has are skipped unless `duplicates` is 'import'.
 */
export async function importImages(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  uploads: UploadedFile[],
  duplicates: DuplicateChoice = 'skip',
  slots: DecodeSlots = new DecodeSlots(1),
): Promise<{ importId: string | null; created: number; items: Item[]; duplicates: Duplicate[]; skipped: number }> {
  assertWritable(project);
  if (project.kind !== 'image') throw new AppError('VALIDATION_FAILED', 'images can only be imported into an image project');
  if (uploads.length === 0) throw new AppError('VALIDATION_FAILED', 'no files were uploaded (field "files")');
  const twins = await findDuplicates(ctx, project._id, uploads);
  const dupes: Duplicate[] = [...twins].map(([f, t]) => ({ file: f.name, ...t }));
  const files = duplicates === 'skip' ? uploads.filter((f) => !twins.has(f)) : uploads;
  if (files.length === 0) return { importId: null, created: 0, items: [], duplicates: dupes, skipped: uploads.length };
  const checked: CheckedImage[] = [];
  const problems: ImageProblem[] = [];
  const probe = new ImageProbe({
    timeoutMs: ctx.config.IMAGE_DECODE_TIMEOUT_MS,
    memoryMb: ctx.config.IMAGE_DECODE_MEMORY_MB,
    maxPixels: MAX_IMAGE_PIXELS,
    thumbSize: THUMB_SIZE,
  });
  await slots.run(async () => {
    try {
      for (const f of files) {
        const r = await checkImage(probe, f, DEFAULT_SVG_LIMITS);
        if ('code' in r) problems.push(r);
        else checked.push(r);
      }
    } finally {
      probe.close();
    }
  });
  if (problems.length) {
    const code = problems.every((p) => p.code === 'UNSUPPORTED_MEDIA_TYPE') ? 'UNSUPPORTED_MEDIA_TYPE' : problems[0]!.code;
    throw new AppError(code, `${problems.length} of ${files.length} file(s) were refused; nothing was imported`, { errors: problems });
  }
  const imp = newImport(ctx, user, project, 'images', files.length === 1 ? files[0]!.name : `${files.length} images`, checked.length);
  const fileIds: ObjectId[] = [];
  const docs: ItemDoc[] = [];
  const first = await reserveSeq(ctx.db, `items:${project._id.toHexString()}`, checked.length);
  await importsRepo.insert(ctx.db, imp);
  try {
    for (const [i, c] of checked.entries()) {
      const meta = { projectId: project._id, importId: imp._id };
      const fileId = await storeFileFrom(ctx.db, c.name, c.path, { ...meta, role: 'original', mime: c.mime });
      fileIds.push(fileId);
      const thumbId = await storeFile(ctx.db, `${c.name}.thumb.webp`, c.thumb, { ...meta, role: 'thumb', mime: 'image/webp' });
      fileIds.push(thumbId);
      docs.push({
        _id: new ObjectId(),
        schemaVersion: 1,
        projectId: project._id,
        seq: first + i,
        kind: 'image',
        image: { fileId, thumbId, name: c.name, mime: c.mime, width: c.width, height: c.height, bytes: c.bytes },
        isGold: false,
        status: 'new',
        annotationCount: 0,
        sha256: c.sha256,
        importId: imp._id,
        createdAt: new Date(ctx.now()),
      });
    }
  } catch (e) {
    await deleteFiles(ctx.db, fileIds);
    await importsRepo.finish(ctx.db, imp._id, 'failed', new Date(ctx.now()), 'storage failed').catch(() => undefined);
    throw e;
  }
  const pyramids = await recordPyramids(ctx, docs);
  try {
    await storeItems(ctx, user, project, imp, docs, fileIds);
  } catch (e) {
    await tilePyramids.remove(ctx.db, pyramids).catch(() => undefined);
    throw e;
  }
  // The import stands without its pyramids: a pyramid that cannot be queued is failed, and its item shows the full image.
  await startPyramids(ctx, pyramids);
  return {
    importId: imp._id.toHexString(),
    created: docs.length,
    items: docs.map(toItem),
    duplicates: dupes,
    skipped: uploads.length - files.length,
  };
}

/** Removes what a crashed import left behind, so a retry starts clean. Run at server start. */
export async function sweepStaleImports(ctx: AppContext, olderThanMs: number): Promise<number> {
  const stale = await importsRepo.stale(ctx.db, new Date(ctx.now() - olderThanMs));
  for (const imp of stale) {
    await itemsRepo.deleteImport(ctx.db, imp._id);
    const files = await ctx.db.db.collection('files.files').find({ 'metadata.importId': imp._id }).project({ _id: 1 }).toArray();
    await deleteFiles(
      ctx.db,
      files.map((f) => f._id as ObjectId),
    );
    await tilePyramids.remove(
      ctx.db,
      files.map((f) => f._id as ObjectId),
    );
    await importsRepo.finish(ctx.db, imp._id, 'failed', new Date(ctx.now()), 'interrupted; nothing was kept');
  }
  return stale.length;
}

/** Sets (or clears, with null) an item's gold answer; regions are checked against the label schema. */
export async function setGold(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  item: ItemDoc,
  gold: AnnotationContent | null,
): Promise<Item> {
  assertWritable(project);
  if (gold) {
    const extent =
      item.kind === 'image'
        ? { kind: 'image' as const, width: item.image!.width, height: item.image!.height }
        : { kind: 'text' as const, length: item.textLength ?? codePointLength(item.text ?? '') };
    const issues = regionIssues(project.labelSchema, extent, gold.regions);
    if (issues.length) throw validationError(issues.map((i) => fieldIssue(i, ['gold'])));
  }
  const updated = await itemsRepo.setGold(ctx.db, item._id, gold);
  if (!updated) throw new AppError('NOT_FOUND', 'no such item');
  const delta = (gold ? 1 : 0) - (item.isGold ? 1 : 0);
  if (delta) await projectsRepo.incCounts(ctx.db, project._id, { gold: delta });
  await audit(
    ctx,
    user._id,
    gold ? 'item.set-gold' : 'item.clear-gold',
    { type: 'item', id: item._id },
    { regions: gold?.regions.length ?? 0 },
  );
  return toItem(updated);
}

/**
 * Deletes items that have no annotations (items with annotations are refused with
 * ITEMS_HAVE_ANNOTATIONS, so annotations, reviews and agreements never point at a missing item).
 * Their waiting tasks are withdrawn through the tasks module; an item leased right now is kept
 * and reported in `busy`. Image files go with their items.
 */
export async function deleteItems(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  ids: ObjectId[],
): Promise<{ deleted: number; busy: string[]; missing: string[] }> {
  assertWritable(project);
  const docs = await itemsRepo.byIds(ctx.db, project._id, ids);
  const found = new Set(docs.map((d) => d._id.toHexString()));
  const missing = ids.map((i) => i.toHexString()).filter((i) => !found.has(i));
  // Counted from the annotations themselves: the item's own annotationCount follows only on completion.
  const counts = await annotationsRepo.countByItems(
    ctx.db,
    project._id,
    docs.map((d) => d._id),
  );
  const annotated = docs.filter((d) => counts.has(d._id.toHexString()));
  if (annotated.length) {
    throw new AppError(
      'ITEMS_HAVE_ANNOTATIONS',
      `${annotated.length} item(s) have annotations and cannot be deleted; nothing was deleted`,
      {
        items: annotated.map((d) => ({ id: d._id.toHexString(), seq: d.seq, annotationCount: counts.get(d._id.toHexString())! })),
      },
    );
  }
  const { withdrawn, busy } = await withdrawItems(
    ctx,
    project,
    docs.map((d) => d._id),
  );
  const gone = new Set(withdrawn.map((i) => i.toHexString()));
  const remove = docs.filter((d) => gone.has(d._id.toHexString()));
  await itemsRepo.deleteByIds(
    ctx.db,
    project._id,
    remove.map((d) => d._id),
  );
  await deleteFiles(
    ctx.db,
    remove.flatMap((d) => (d.image ? [d.image.fileId, d.image.thumbId] : [])),
  );
  await tilePyramids.remove(
    ctx.db,
    remove.flatMap((d) => (d.image ? [d.image.fileId] : [])),
  );
  const gold = remove.filter((d) => d.isGold).length;
  if (remove.length) await projectsRepo.incCounts(ctx.db, project._id, { items: -remove.length, gold: -gold });
  await audit(
    ctx,
    user._id,
    'items.delete',
    { type: 'project', id: project._id },
    { count: remove.length, seqs: remove.slice(0, 100).map((d) => d.seq), busy: busy.length },
  );
  return { deleted: remove.length, busy: busy.map((i) => i.toHexString()), missing };
}
