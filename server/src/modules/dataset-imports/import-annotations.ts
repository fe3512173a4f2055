import type { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, type ImportAnnotators } from '@labelwork/core';
import {
  appendDomainEvent,
  withdrawImportedAnnotations,
  type DatasetImportDoc,
  type ProjectDoc,
  type SlotFillDeps,
  type UserDoc,
} from '@labelwork/engine';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import { placeholderAnnotator } from '../users/index.ts';

/**
 * Every user an import as annotations names must be a member of the project (its owner or a member),
 * or a placeholder annotator this import made or found (`placeholderIds`): those are never members,
 * so they are never given work.
 */
export function assertMembers(project: ProjectDoc, annotators: ImportAnnotators | undefined, placeholderIds: readonly string[] = []): void {
  const ids = [...(annotators?.default ? [annotators.default] : []), ...Object.values(annotators?.bySource ?? {})];
  for (const id of ids)
    if (!placeholderIds.includes(id) && !project.ownerId.equals(id) && !project.memberIds.some((m) => m.equals(id)))
      throw new AppError('VALIDATION_FAILED', 'annotations can only be imported for members of the project', {
        reason: 'NOT_A_MEMBER',
        userId: id,
      });
}

/**
 * The file annotators to keep as placeholder annotators get their placeholder user (made through the
 * users module, or found again): mapped in `bySource` (taking precedence over a member mapping).
 * '' (annotations that name none) is named after the file.
 */
export async function withPlaceholders(
  ctx: AppContext,
  user: UserDoc,
  fileName: string,
  annotators: ImportAnnotators,
): Promise<{ annotators: ImportAnnotators; placeholderIds: string[] }> {
  const bySource = { ...annotators.bySource };
  const placeholderIds: string[] = [];
  for (const source of new Set(annotators.placeholders ?? [])) {
    const doc = await placeholderAnnotator(ctx, user._id, source === '' ? fileName : source);
    bySource[source] = doc._id.toHexString();
    placeholderIds.push(doc._id.toHexString());
  }
  return { annotators: { ...annotators, bySource }, placeholderIds };
}

/** Each annotation of the file needs a member: its source annotator (`sources`: '' for none named) mapped, or the default. */
export function assertAnnotatorsMapped(sources: readonly string[], annotators: ImportAnnotators | undefined): void {
  if (annotators?.default) return;
  const unmapped = sources.filter((s) => !annotators?.bySource[s]);
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

/** Takes back what a failed or interrupted import as annotations stored (all or nothing). */
export async function withdrawImport(ctx: AppContext, project: Pick<ProjectDoc, '_id'>, session: DatasetImportDoc): Promise<number> {
  const importId = session._id.toHexString();
  // Recorded before each annotation goes: the review routing then withdraws the review tasks made for it.
  return withdrawImportedAnnotations(deps(ctx, project._id), project._id, importId, (a) =>
    appendDomainEvent(ctx.redis, ctx.config.REDIS_PREFIX, {
      type: DOMAIN_EVENTS.annotationWithdrawn,
      eventId: `annotation-withdrawn:${a._id.toHexString()}`,
      at: ctx.now(),
      data: { projectId: project._id.toHexString(), itemId: a.itemId.toHexString(), annotationId: a._id.toHexString(), importId },
    }).then(() => undefined),
  );
}
