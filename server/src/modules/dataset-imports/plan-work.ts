import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  DATASET_FORMAT_REGISTRY,
  planDatasetImport,
  type DatasetFormatId,
  type ImportAnnotators,
  type ImportAs,
  type ImportPlanLine,
  type ImportPreview,
  type ItemWrite,
  type LabelMapping,
  type LabelSchema,
  type ProjectItemRef,
} from '@labelwork/core';
import { AppError } from '../../http/errors.ts';
import { openUpload, type UploadedImage } from './dataset-upload.ts';

/** What a planning thread is given: the upload on disk and everything of the project the plan needs (no database access). */
export interface PlanJob {
  upload: { path: string; name: string };
  /** Where a zip is unpacked (the caller's to remove; its images stay there for the confirm to store). */
  workDir: string;
  maxTextBytes: number;
  format: DatasetFormatId;
  as: ImportAs;
  mapping?: LabelMapping;
  project: { kind: 'image' | 'text'; labelSchema: LabelSchema };
  refs: ProjectItemRef[];
  /** Confirm only: write the plan's lines (gzip JSON lines, core's `ImportPlanLine`) to this file. */
  lines?: { file: string; gold: string[]; annotators?: ImportAnnotators };
}

/** What comes back from a planning thread: small, whatever the file's size (the writes stay in the thread or its lines file). */
export interface PlanOutcome {
  preview: ImportPreview;
  /** The schema after the confirm (with the added labels), or null when the mapping has issues. */
  schema: LabelSchema | null;
  /** Images of the upload that no project item has yet: the confirm stores them as items, then plans again. */
  newImages: UploadedImage[];
  /** Writes whose item is not in the project (uploaded images included, until the confirm stores them). */
  newItems: number;
  /** The file annotators of the answered writes (annotations: each must be mapped or covered by the default). */
  sources: string[];
  /** Every item the file plans a write for (the preview's total). */
  writes: number;
  /** Lines written to `lines.file`. */
  lines: number;
}

/** A file's annotator as the mapping names it: '' for annotations that name none (CVAT, VOC, YOLO …). */
const sourceOf = (w: ItemWrite) => w.provenance?.annotator ?? '';

/**
 * Reads an upload with the chosen format and plans it against the project (nothing stored). Runs in
 * a planning thread (plan-threads.ts): parsing and planning a large file is seconds of CPU. A
 * malformed input is BAD_IMPORT with the reader's error (file, line or element) in `details.error`.
 */
export async function planUpload(job: PlanJob): Promise<PlanOutcome> {
  const format = DATASET_FORMAT_REGISTRY[job.format];
  if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `the ${job.format} format cannot be imported yet`, { format: job.format });
  if (!format.kinds.includes(job.project.kind))
    throw new AppError(
      'VALIDATION_FAILED',
      `${job.format} files hold ${format.kinds.join(' or ')} data; this is a ${job.project.kind} project`,
      { format: job.format },
    );
  const upload = await openUpload(job.upload, job.workDir, job.maxTextBytes);
  // Formats without image sizes (YOLO) take them from the project's items of the same file name.
  const imageSizes = new Map<string, { width: number; height: number }>();
  for (const r of job.refs)
    if (r.fileName && r.extent.kind === 'image') imageSizes.set(r.fileName, { width: r.extent.width, height: r.extent.height });
  const read = format.read(upload.inputs, { imageSizes, imageNames: [...upload.images.keys(), ...imageSizes.keys()] });
  if (!read.ok)
    throw new AppError(
      'BAD_IMPORT',
      `${read.error.file}${read.error.line ? `:${read.error.line}` : ''}: ${read.error.message}; nothing was imported`,
      { reason: 'FORMAT', error: read.error },
    );
  if (read.dataset.kind !== job.project.kind)
    throw new AppError('VALIDATION_FAILED', `the file holds ${read.dataset.kind} data; this is a ${job.project.kind} project`);
  // Images in the upload that no project item has yet: their sizes as the dataset gives them (checked again when stored).
  const uploadedImages = new Map<string, { width: number; height: number }>();
  for (const it of read.dataset.items)
    if (it.width && it.height && (upload.images.has(it.name) || upload.images.has(path.posix.basename(it.name))))
      uploadedImages.set(upload.images.has(it.name) ? it.name : path.posix.basename(it.name), { width: it.width, height: it.height });
  const plan = planDatasetImport({
    format: job.format,
    as: job.as,
    dataset: read.dataset,
    warnings: read.warnings,
    projectKind: job.project.kind,
    schema: job.project.labelSchema,
    items: job.refs,
    uploadedImages,
    ...(job.mapping ? { mapping: job.mapping } : {}),
  });
  const imagePaths = new Set(plan.writes.flatMap((w) => (w.itemId === null && w.image ? [w.image] : [])));
  const writes = plan.writes.filter((w) => w.itemId !== null && w.answered);
  let lines = 0;
  if (job.lines && plan.schema && imagePaths.size === 0) lines = await writeLines(job.lines, job.as, writes);
  return {
    preview: plan.preview,
    schema: plan.schema,
    newImages: [...imagePaths].map((p) => upload.images.get(p)!),
    newItems: plan.writes.filter((w) => w.itemId === null).length,
    sources: [...new Set(plan.writes.filter((w) => w.answered).map(sourceOf))].slice(0, 1000),
    writes: plan.writes.length,
    lines,
  };
}

/** The plan the dataset-import job stores, one line per write (core's `ImportPlanLine`), gzip-compressed to `file`. */
async function writeLines(spec: NonNullable<PlanJob['lines']>, as: ImportAs, writes: readonly ItemWrite[]): Promise<number> {
  const gold = new Set(spec.gold);
  const modelVersion = writes.find((w) => w.provenance?.modelVersion)?.provenance?.modelVersion;
  const line = (w: ItemWrite, l: number): ImportPlanLine => {
    const out: ImportPlanLine = { l, i: w.itemId!, r: w.regions, n: w.name };
    if (as === 'predictions') {
      out.s = w.provenance?.score ?? null;
      if (l === 0 && modelVersion) out.m = modelVersion;
    } else if (as === 'gold') out.w = gold.has(w.itemId!);
    else {
      const source = sourceOf(w);
      out.a = source;
      out.u = spec.annotators?.bySource[source] ?? spec.annotators?.default;
    }
    return out;
  };
  await pipeline(
    Readable.from(
      (function* () {
        for (let l = 0; l < writes.length; l++) yield `${JSON.stringify(line(writes[l]!, l))}\n`;
      })(),
    ),
    createGzip({ level: 1 }),
    createWriteStream(spec.file, { mode: 0o600 }),
  );
  return writes.length;
}
