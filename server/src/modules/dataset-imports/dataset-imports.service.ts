import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import {
  DATASET_FORMAT_REGISTRY,
  EXPORT_JOBS,
  planDatasetImport,
  type DatasetFormatId,
  type DatasetImportView,
  type ImportAnnotators,
  type ImportAs,
  type ImportPlan,
  type ImportPlanLine,
  type ItemWrite,
  type LabelMapping,
  type ProjectItemRef,
} from '@labelwork/core';
import {
  deletePredictionsOfSource,
  putPredictions,
  type DatasetImportDoc,
  type PredictionSource,
  type ProjectDoc,
  type UserDoc,
} from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { deleteItems, importImages } from '../items/index.ts';
import { updateProject } from '../projects/index.ts';
import { openUpload, type OpenedUpload } from './dataset-upload.ts';
import { assertAnnotatorsMapped, assertMembers, withdrawImport } from './import-annotations.ts';
import { datasetImportsRepo } from './dataset-imports.repository.ts';

/** How long a preview waits for its confirm. */
const PREVIEW_TTL_MS = 24 * 3600_000;

export function toView(d: DatasetImportDoc): DatasetImportView {
  return {
    id: d._id.toHexString(),
    projectId: d.projectId.toHexString(),
    fileName: d.fileName,
    format: d.format,
    as: d.as,
    status: d.status,
    done: d.done,
    total: d.total,
    preview: d.preview,
    ...(d.annotators ? { annotators: d.annotators } : {}),
    ...(d.result ? { result: d.result } : {}),
    ...(d.cancelRequested && d.status === 'running' ? { cancelRequested: true } : {}),
    ...(d.error ? { error: d.error } : {}),
    createdAt: d.createdAt.toISOString(),
  };
}

function assertWritable(p: ProjectDoc): void {
  if (p.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'the project is archived; unarchive it to import');
}

async function projectRefs(ctx: AppContext, project: ProjectDoc): Promise<{ refs: ProjectItemRef[]; gold: Set<string> }> {
  const docs = await datasetImportsRepo.itemRefs(ctx.db, project._id);
  const gold = new Set<string>();
  const refs = docs.map((d): ProjectItemRef => {
    const id = d._id.toHexString();
    if (d.isGold) gold.add(id);
    return {
      id,
      ...(d.image ? { fileName: d.image.name } : {}),
      ...(d.externalId !== undefined ? { externalId: d.externalId } : {}),
      extent:
        d.kind === 'image'
          ? { kind: 'image', width: d.image?.width ?? 0, height: d.image?.height ?? 0 }
          : { kind: 'text', length: d.textLength ?? Number.MAX_SAFE_INTEGER },
    };
  });
  return { refs, gold };
}

/**
 * Reads an upload with the chosen format and plans it against the project (nothing stored).
 * A malformed input is BAD_IMPORT with the reader's error (file, line or element) in `details.error`.
 */
async function readAndPlan(
  ctx: AppContext,
  project: ProjectDoc,
  upload: OpenedUpload,
  formatId: DatasetFormatId,
  as: ImportAs,
  mapping: LabelMapping | undefined,
): Promise<{ plan: ImportPlan; gold: Set<string> }> {
  const format = DATASET_FORMAT_REGISTRY[formatId];
  if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `the ${formatId} format cannot be imported yet`, { format: formatId });
  if (!format.kinds.includes(project.kind))
    throw new AppError('VALIDATION_FAILED', `${formatId} files hold ${format.kinds.join(' or ')} data; this is a ${project.kind} project`, {
      format: formatId,
    });
  const { refs, gold } = await projectRefs(ctx, project);
  // Formats without image sizes (YOLO) take them from the project's items of the same file name.
  const imageSizes = new Map<string, { width: number; height: number }>();
  for (const r of refs)
    if (r.fileName && r.extent.kind === 'image') imageSizes.set(r.fileName, { width: r.extent.width, height: r.extent.height });
  const read = format.read(upload.inputs, { imageSizes, imageNames: [...upload.images.keys(), ...imageSizes.keys()] });
  if (!read.ok)
    throw new AppError(
      'BAD_IMPORT',
      `${read.error.file}${read.error.line ? `:${read.error.line}` : ''}: ${read.error.message}; nothing was imported`,
      {
        reason: 'FORMAT',
        error: read.error,
      },
    );
  if (read.dataset.kind !== project.kind)
    throw new AppError('VALIDATION_FAILED', `the file holds ${read.dataset.kind} data; this is a ${project.kind} project`);
  // Images in the upload that no project item has yet: their sizes as the dataset gives them (checked again when stored).
  const uploadedImages = new Map<string, { width: number; height: number }>();
  for (const it of read.dataset.items)
    if (it.width && it.height && (upload.images.has(it.name) || upload.images.has(path.posix.basename(it.name))))
      uploadedImages.set(upload.images.has(it.name) ? it.name : path.posix.basename(it.name), { width: it.width, height: it.height });
  const plan = planDatasetImport({
    format: formatId,
    as,
    dataset: read.dataset,
    warnings: read.warnings,
    projectKind: project.kind,
    schema: project.labelSchema,
    items: refs,
    uploadedImages,
    ...(mapping ? { mapping } : {}),
  });
  return { plan, gold };
}

async function withWorkDir<T>(ctx: AppContext, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(ctx.config.UPLOAD_DIR || os.tmpdir(), 'dataset-import-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PreviewRequest {
  file: { path: string; name: string };
  format: DatasetFormatId;
  as: ImportAs;
  annotator?: string;
}

/**
 * Parses an upload into a preview session: counts, the label mapping, refusals. Nothing of the
 * project changes; the upload is kept (GridFS) for the confirm. A bad file stores nothing at all.
 */
export async function previewDatasetImport(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  req: PreviewRequest,
): Promise<DatasetImportView> {
  assertWritable(project);
  await sweepStaleImports(ctx);
  const { plan } = await withWorkDir(ctx, async (dir) =>
    readAndPlan(ctx, project, await openUpload(req.file, dir, ctx.config.MAX_IMPORT_BYTES), req.format, req.as, undefined),
  );
  const id = new ObjectId();
  const uploadId = await datasetImportsRepo.storeUpload(ctx.db, req.file.name, req.file.path, id);
  const now = ctx.now();
  const doc: DatasetImportDoc = {
    _id: id,
    schemaVersion: 1,
    projectId: project._id,
    fileName: req.file.name,
    format: req.format,
    as: req.as,
    annotatorId: null,
    uploadId,
    status: 'preview',
    preview: plan.preview,
    mapping: null,
    done: 0,
    total: plan.writes.length,
    error: null,
    byId: user._id,
    createdAt: new Date(now),
    finishedAt: null,
    expiresAt: new Date(now + PREVIEW_TTL_MS),
  };
  try {
    await datasetImportsRepo.insert(ctx.db, doc);
  } catch (e) {
    await datasetImportsRepo.deleteUpload(ctx.db, uploadId);
    throw e;
  }
  return toView(doc);
}

/** Re-plans a preview with the given mapping (nothing stored): what the confirm would do. */
export async function replanDatasetImport(
  ctx: AppContext,
  project: ProjectDoc,
  session: DatasetImportDoc,
  mapping: LabelMapping,
): Promise<DatasetImportView> {
  if (session.status !== 'preview' || !session.uploadId) throw new AppError('CONFLICT', `this import is ${session.status}`);
  const { plan } = await withUpload(ctx, session.uploadId, session.fileName, (u) =>
    readAndPlan(ctx, project, u, session.format as DatasetFormatId, session.as, mapping),
  );
  return toView({ ...session, preview: plan.preview });
}

async function withUpload<T>(ctx: AppContext, uploadId: ObjectId, name: string, fn: (u: OpenedUpload) => Promise<T>): Promise<T> {
  return withWorkDir(ctx, async (dir) => {
    const file = path.join(dir, 'upload');
    await datasetImportsRepo.readUpload(ctx.db, uploadId, file);
    return fn(await openUpload({ path: file, name }, path.join(dir, 'unpacked'), ctx.config.MAX_IMPORT_BYTES));
  });
}

/**
 * Stores a previewed import with the lead's mapping: adds the new labels to the schema (one
 * project update, version-checked), then writes every item's regions in bulk. A mapping with
 * issues is refused (VALIDATION_FAILED, details = the issues) and the preview stays.
 */
export async function confirmDatasetImport(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  session: DatasetImportDoc,
  mapping: LabelMapping,
  annotators?: ImportAnnotators,
): Promise<DatasetImportView> {
  assertWritable(project);
  if (session.status !== 'preview' || !session.uploadId) throw new AppError('CONFLICT', `this import is ${session.status}, not a preview`);
  if (session.as === 'annotations') assertMembers(project, annotators);
  const claimed = await datasetImportsRepo.claim(
    ctx.db,
    session._id,
    mapping,
    session.total,
    session.as === 'annotations' ? annotators : null,
  );
  if (!claimed) throw new AppError('CONFLICT', 'this import is being confirmed already');
  let plan: ImportPlan;
  let gold: Set<string>;
  let createdItems: ObjectId[] = [];
  try {
    ({ plan, gold } = await withUpload(ctx, session.uploadId, session.fileName, async (u) => {
      const first = await readAndPlan(ctx, project, u, session.format as DatasetFormatId, session.as, mapping);
      if (first.plan.preview.mappingIssues.length > 0 || !first.plan.schema) return first;
      // Images of the zip the project lacks become items first (checked and stored by the items module), then the plan finds them.
      const images = [...new Set(first.plan.writes.flatMap((w) => (w.itemId === null && w.image ? [w.image] : [])))];
      if (images.length === 0) return first;
      const added = await importImages(
        ctx,
        user,
        project,
        images.map((p) => u.images.get(p)!),
        'import',
      );
      createdItems = added.items.map((i) => new ObjectId(i.id));
      return readAndPlan(ctx, project, u, session.format as DatasetFormatId, session.as, mapping);
    }));
    if (plan.preview.mappingIssues.length > 0 || !plan.schema)
      throw new AppError('VALIDATION_FAILED', 'the label mapping cannot be applied', { mappingIssues: plan.preview.mappingIssues });
    const newItems = plan.writes.filter((w) => w.itemId === null).length;
    if (newItems > 0)
      throw new AppError('VALIDATION_FAILED', `${newItems} item(s) are not in the project yet; import their texts (or images) first`, {
        reason: 'NEW_ITEMS',
        count: newItems,
      });
    if (session.as === 'annotations') assertAnnotatorsMapped(plan.writes, annotators);
    // New labels join the schema before anything is written (a concurrent schema edit refuses the confirm: VERSION_CONFLICT).
    if (plan.preview.newLabels.length > 0)
      await updateProject(ctx, user, project._id, { version: project.version, labelSchema: plan.schema });
  } catch (e) {
    // Items made from the zip's images go again (they have no annotations yet).
    if (createdItems.length) await deleteItems(ctx, user, project, createdItems).catch(() => undefined);
    await datasetImportsRepo.release(ctx.db, session._id);
    throw e;
  }
  const writes = plan.writes.filter((w) => w.itemId !== null && w.answered);
  const lines = planLines(session, writes, gold, annotators);
  await datasetImportsRepo.planned(ctx.db, session._id, plan.preview, writes.length);
  const planId = await datasetImportsRepo.storePlan(ctx.db, session._id, lines);
  await datasetImportsRepo.queued(ctx.db, session._id, planId);
  await ctx.queues.export.add(
    EXPORT_JOBS.datasetImport,
    { importId: session._id.toHexString() },
    { ...IMPORT_JOB_OPTS, jobId: `dataset-import-${session._id.toHexString()}` },
  );
  await audit(
    ctx,
    user._id,
    'dataset.import',
    { type: 'project', id: project._id },
    {
      importId: session._id.toHexString(),
      format: session.format,
      as: session.as,
      items: plan.preview.items.matched,
      regions: plan.preview.regions.accepted,
      newLabels: plan.preview.newLabels,
      ...(annotators && session.as === 'annotations' ? { annotators } : {}),
    },
  );
  // The workers store it; a small import is awaited here, so the answer is its outcome (as before the job existed).
  const deadline = ctx.now() + (writes.length > SYNC_ITEMS ? 0 : SYNC_WAIT_MS);
  let now = await datasetImportsRepo.byId(ctx.db, project._id, session._id);
  while (now?.status === 'running' && ctx.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    now = await datasetImportsRepo.byId(ctx.db, project._id, session._id);
  }
  return toView(now!);
}

/** Imports of more items than this answer at once (202, status `running`); smaller ones wait for the job up to SYNC_WAIT_MS. */
const SYNC_ITEMS = 2000;
const SYNC_WAIT_MS = 30_000;
const IMPORT_JOB_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 1000 } as const;

/** The plan the dataset-import job stores, one line per write (core's `ImportPlanLine`). */
function planLines(
  session: DatasetImportDoc,
  writes: readonly ItemWrite[],
  gold: Set<string>,
  annotators: ImportAnnotators | undefined,
): ImportPlanLine[] {
  const modelVersion = writes.find((w) => w.provenance?.modelVersion)?.provenance?.modelVersion;
  return writes.map((w, l): ImportPlanLine => {
    const line: ImportPlanLine = { l, i: w.itemId!, r: w.regions, n: w.name };
    if (session.as === 'predictions') {
      line.s = w.provenance?.score ?? null;
      if (l === 0 && modelVersion) line.m = modelVersion;
    } else if (session.as === 'gold') line.w = gold.has(w.itemId!);
    else {
      const source = w.provenance?.annotator ?? '';
      line.a = source;
      line.u = annotators?.bySource[source] ?? annotators?.default;
    }
    return line;
  });
}

/** Asks a confirmed import to stop: the job stops at its next batch and takes back what it stored. */
export async function cancelDatasetImport(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  session: DatasetImportDoc,
): Promise<DatasetImportView> {
  if (session.status !== 'running')
    throw new AppError('CONFLICT', `this import is ${session.status}; only a running import can be cancelled`);
  await datasetImportsRepo.requestCancel(ctx.db, session._id);
  await audit(ctx, user._id, 'dataset.import.cancel', { type: 'project', id: project._id }, { importId: session._id.toHexString() });
  return toView((await datasetImportsRepo.byId(ctx.db, project._id, session._id))!);
}

/**
 * Imports a dataset file in one call — preview, then confirm with `mapping` — as the benchmark
 * (bench/export.bench.ts, `import_coco_s`) and scripts do. Returns the session once stored (complete or failed).
 */
export async function importDatasetFile(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  req: PreviewRequest & { mapping?: LabelMapping },
): Promise<DatasetImportView> {
  const view = await previewDatasetImport(ctx, user, project, req);
  const session = await datasetImportsRepo.byId(ctx.db, project._id, new ObjectId(view.id));
  let done = await confirmDatasetImport(ctx, user, project, session!, req.mapping ?? {});
  // A large import is stored after the confirm answers: wait for it.
  while (done.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    done = toView((await datasetImportsRepo.byId(ctx.db, project._id, session!._id))!);
  }
  return done;
}

/** A confirm still running after this long was left by a process that died. */
const STALLED_MS = 6 * 3600_000;

/**
 * Ends what no one will finish: previews past their time (uploads deleted) and confirms a dead
 * process left running (their predictions removed, all or nothing). Run before each new preview.
 */
export async function sweepStaleImports(ctx: AppContext): Promise<number> {
  const now = ctx.now();
  const stale = await datasetImportsRepo.stale(ctx.db, new Date(now), new Date(now - STALLED_MS));
  for (const s of stale) {
    if (s.status === 'running' && s.as === 'predictions') await deletePredictionsOfSource(ctx.db, s.projectId, s._id.toHexString());
    if (s.status === 'running' && s.as === 'annotations') await withdrawImport(ctx, { _id: s.projectId }, s);
    await datasetImportsRepo.finish(ctx.db, s._id, 'failed', new Date(now), {
      code: s.status === 'preview' ? 'EXPIRED' : 'INTERRUPTED',
      message: s.status === 'preview' ? 'not confirmed in time; nothing was stored' : 'interrupted; nothing was kept',
    });
    await datasetImportsRepo.deleteUpload(ctx.db, s.uploadId);
  }
  return stale.length;
}
