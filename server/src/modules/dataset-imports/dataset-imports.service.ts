import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import {
  EXPORT_JOBS,
  type DatasetFormatId,
  type DatasetImportView,
  type ImportAnnotators,
  type ImportAs,
  type LabelMapping,
  type ProjectItemRef,
} from '@labelwork/core';
import { deletePredictionsOfSource, storedAnnotators, type DatasetImportDoc, type ProjectDoc, type UserDoc } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { deleteItems, importImages } from '../items/index.ts';
import { updateProject } from '../projects/index.ts';
import type { PlanJob, PlanOutcome } from './plan-work.ts';
import { assertAnnotatorsMapped, assertMembers, withPlaceholders, withdrawImport } from './import-annotations.ts';
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
    ...(d.annotators ? { annotators: storedAnnotators.decode(d.annotators) } : {}),
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

/** The plan of an upload against the project as it is now, made in a planning thread (nothing stored). */
async function planInThread(
  ctx: AppContext,
  project: ProjectDoc,
  upload: { path: string; name: string },
  workDir: string,
  formatId: DatasetFormatId,
  as: ImportAs,
  mapping: LabelMapping | undefined,
  lines?: Omit<NonNullable<PlanJob['lines']>, 'gold'>,
): Promise<PlanOutcome> {
  const { refs, gold } = await projectRefs(ctx, project);
  return ctx.state.importPlans.run({
    upload,
    workDir,
    maxTextBytes: ctx.config.MAX_IMPORT_BYTES,
    format: formatId,
    as,
    ...(mapping ? { mapping } : {}),
    project: { kind: project.kind, labelSchema: project.labelSchema },
    refs,
    ...(lines ? { lines: { ...lines, gold: [...gold] } } : {}),
  });
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
  const plan = await withWorkDir(ctx, (dir) => planInThread(ctx, project, req.file, dir, req.format, req.as, undefined));
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
    total: plan.writes,
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
  const plan = await withUpload(ctx, session.uploadId, session.fileName, (upload, dir) =>
    planInThread(ctx, project, upload, dir, session.format as DatasetFormatId, session.as, mapping),
  );
  return toView({ ...session, preview: plan.preview });
}

/** The kept upload back on disk in a work directory (removed afterwards) for `fn`. */
async function withUpload<T>(
  ctx: AppContext,
  uploadId: ObjectId,
  name: string,
  fn: (upload: { path: string; name: string }, dir: string) => Promise<T>,
): Promise<T> {
  return withWorkDir(ctx, async (dir) => {
    const file = path.join(dir, 'upload');
    await datasetImportsRepo.readUpload(ctx.db, uploadId, file);
    return fn({ path: file, name }, dir);
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
  let placeholderIds: string[] = [];
  if (session.as === 'annotations' && annotators?.placeholders?.length)
    ({ annotators, placeholderIds } = await withPlaceholders(ctx, user, session.fileName, annotators));
  if (session.as === 'annotations') assertMembers(project, annotators, placeholderIds);
  const claimed = await datasetImportsRepo.claim(
    ctx.db,
    session._id,
    mapping,
    session.total,
    session.as === 'annotations' ? annotators : null,
  );
  if (!claimed) throw new AppError('CONFLICT', 'this import is being confirmed already');
  let createdItems: ObjectId[] = [];
  const planIn = (upload: { path: string; name: string }, dir: string, lines?: string) =>
    planInThread(
      ctx,
      project,
      upload,
      dir,
      session.format as DatasetFormatId,
      session.as,
      mapping,
      lines ? { file: lines, ...(annotators ? { annotators } : {}) } : undefined,
    );
  let plan: PlanOutcome;
  let planId: ObjectId;
  try {
    planId = await withUpload(ctx, session.uploadId, session.fileName, async (upload, dir) => {
      const linesFile = path.join(dir, 'plan.jsonl.gz');
      plan = await planIn(upload, path.join(dir, 'first'), linesFile);
      if (plan.preview.mappingIssues.length === 0 && plan.schema && plan.newImages.length > 0) {
        // Images of the zip the project lacks become items first (checked and stored by the items module), then the plan finds them.
        const added = await importImages(ctx, user, project, plan.newImages, 'import');
        createdItems = added.items.map((i) => new ObjectId(i.id));
        plan = await planIn(upload, path.join(dir, 'again'), linesFile);
      }
      if (plan.preview.mappingIssues.length > 0 || !plan.schema)
        throw new AppError('VALIDATION_FAILED', 'the label mapping cannot be applied', { mappingIssues: plan.preview.mappingIssues });
      if (plan.newItems > 0)
        throw new AppError(
          'VALIDATION_FAILED',
          `${plan.newItems} item(s) are not in the project yet; import their texts (or images) first`,
          {
            reason: 'NEW_ITEMS',
            count: plan.newItems,
          },
        );
      if (session.as === 'annotations') assertAnnotatorsMapped(plan.sources, annotators);
      // New labels join the schema before anything is written (a concurrent schema edit refuses the confirm: VERSION_CONFLICT).
      if (plan.preview.newLabels.length > 0)
        await updateProject(ctx, user, project._id, { version: project.version, labelSchema: plan.schema });
      return datasetImportsRepo.storePlan(ctx.db, session._id, linesFile);
    });
  } catch (e) {
    // Items made from the zip's images go again (they have no annotations yet).
    if (createdItems.length) await deleteItems(ctx, user, project, createdItems).catch(() => undefined);
    await datasetImportsRepo.release(ctx.db, session._id);
    throw e;
  }
  await datasetImportsRepo.planned(ctx.db, session._id, plan!.preview, plan!.lines);
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
      items: plan!.preview.items.matched,
      regions: plan!.preview.regions.accepted,
      newLabels: plan!.preview.newLabels,
      ...(annotators && session.as === 'annotations' ? { annotators: storedAnnotators.encode(annotators) } : {}),
    },
  );
  // The workers store it; a small import is awaited here, so the answer is its outcome (as before the job existed).
  const deadline = ctx.now() + (plan!.lines > SYNC_ITEMS ? 0 : SYNC_WAIT_MS);
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
