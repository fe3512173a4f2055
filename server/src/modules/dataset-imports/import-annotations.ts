import { ObjectId } from 'mongodb';
import { REFUSALS_SHOWN, type ImportAnnotators, type ImportResult, type ItemWrite } from '@labelwork/core';
import {
  fillSlotWithImport,
  withdrawImportedAnnotations,
  type DatasetImportDoc,
  type ProjectDoc,
  type SlotFillDeps,
} from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';

/** A file's annotator as the mapping names it: '' for annotations that name none (CVAT, VOC, YOLO …). */
const sourceOf = (w: ItemWrite) => w.provenance?.annotator ?? '';

/** Every user an import as annotations names must be a member of the project (its owner or a member). */
export function assertMembers(project: ProjectDoc, annotators: ImportAnnotators | undefined): void {
  const ids = [...(annotators?.default ? [annotators.default] : []), ...Object.values(annotators?.bySource ?? {})];
  for (const id of ids)
    if (!project.ownerId.equals(id) && !project.memberIds.some((m) => m.equals(id)))
      throw new AppError('VALIDATION_FAILED', 'annotations can only be imported for members of the project', {
        reason: 'NOT_A_MEMBER',
        userId: id,
      });
}

/** Each annotation of the file needs a member: its source annotator mapped, or the default. */
export function assertAnnotatorsMapped(writes: readonly ItemWrite[], annotators: ImportAnnotators | undefined): void {
  if (annotators?.default) return;
  const unmapped = [...new Set(writes.filter((w) => w.answered && !annotators?.bySource[sourceOf(w)]).map(sourceOf))];
  if (unmapped.length)
    throw new AppError('VALIDATION_FAILED', 'choose the project member whose annotations these become', {
      reason: 'ANNOTATOR_REQUIRED',
      unmapped: unmapped.slice(0, 100),
    });
}

function deps(ctx: AppContext, projectId: ObjectId): SlotFillDeps {
  const pq = ctx.tasks.project(projectId.toHexString());
  return { db: ctx.db, redis: ctx.redis, keys: pq.keys, queue: pq.queue, quality: ctx.tasks.quality };
}

/**
 * Stores an import as finished annotations of project members, one write at a time through the
 * assignment engine's slot fill (`fillSlotWithImport`): each fills a free replica of its item, or is
 * skipped with its reason (never a second annotation, never beyond k). Idempotent per write: its
 * index in the plan is its line.
 */
export async function storeAnnotations(
  ctx: AppContext,
  project: ProjectDoc,
  session: DatasetImportDoc,
  writes: readonly ItemWrite[],
  progress: (done: number) => Promise<void>,
): Promise<ImportResult> {
  const d = deps(ctx, project._id);
  const result: ImportResult = { stored: 0, skipped: 0, skippedByReason: {}, skips: [] };
  const importId = session._id.toHexString();
  const now = new Date(ctx.now());
  for (let line = 0; line < writes.length; line++) {
    const w = writes[line]!;
    const source = sourceOf(w);
    const userId = session.annotators?.bySource[source] ?? session.annotators?.default;
    if (!userId)
      throw new AppError('VALIDATION_FAILED', 'choose the project member whose annotations these become', { reason: 'ANNOTATOR_REQUIRED' });
    const fill = await fillSlotWithImport(
      d,
      project,
      importId,
      { line, itemId: new ObjectId(w.itemId!), userId: new ObjectId(userId), regions: w.regions },
      now,
    );
    if (fill.stored) result.stored++;
    else {
      result.skipped++;
      result.skippedByReason[fill.reason] = (result.skippedByReason[fill.reason] ?? 0) + 1;
      if (result.skips.length < REFUSALS_SHOWN) result.skips.push({ item: w.name, annotator: source, reason: fill.reason });
    }
    if ((line + 1) % 200 === 0) await progress(line + 1);
  }
  await progress(writes.length);
  return result;
}

/** Takes back what a failed or interrupted import as annotations stored (all or nothing). */
export async function withdrawImport(ctx: AppContext, project: Pick<ProjectDoc, '_id'>, session: DatasetImportDoc): Promise<number> {
  return withdrawImportedAnnotations(deps(ctx, project._id), project._id, session._id.toHexString());
}
