import { ObjectId } from 'mongodb';
import { regionIssues, regionsPerLabel, type Annotation, type AnnotationPatch, type LabelMerge } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { AnnotationDoc, UserDoc } from '@labelwork/engine';
import { AppError, fieldIssue, validationError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { canAccess, loadProject } from '../access/index.ts';
import {
  annotationRegionsChanged,
  annotationsRepo,
  cachedItem,
  recordAnnotationSaved,
  relabelStored,
  toAnnotation,
} from '@labelwork/engine';
import { taskItemOf } from '@labelwork/core';

const notFound = () => new AppError('NOT_FOUND', 'no such annotation');
const reviewed = (status: string) =>
  new AppError(
    'ANNOTATION_REVIEWED',
    status === 'rejected'
      ? 'this annotation was rejected: send your changes through its rework task'
      : 'this annotation has been reviewed and can no longer be edited',
    { status },
  );

async function visible(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<AnnotationDoc> {
  const doc = await annotationsRepo.byId(ctx.db, id);
  if (!doc) throw notFound();
  if (doc.userId.equals(user._id)) return doc;
  const project = await ctx.db.projects.findOne({ _id: doc.projectId });
  if (!project || !canAccess(user, project, 'manage')) throw notFound();
  return doc;
}

export async function getAnnotation(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<Annotation> {
  return toAnnotation(await visible(ctx, user, id));
}

/**
 * Edits a submitted annotation (its author, before a verdict) with optimistic versioning: a stale
 * `version` gets VERSION_CONFLICT with the current annotation, never a silent overwrite. After a
 * verdict it is refused (ANNOTATION_REVIEWED), except the rework of a rejected annotation
 * (`rework`, from the review module), which puts it back to `submitted`. When the item already has
 * its k annotations, its quality is recomputed.
 */
export async function editAnnotation(
  ctx: AppContext,
  user: UserDoc,
  id: ObjectId,
  patch: AnnotationPatch,
  opts: { rework?: boolean } = {},
): Promise<Annotation> {
  const current = await annotationsRepo.byId(ctx.db, id);
  if (!current || !current.userId.equals(user._id)) throw notFound();
  const editable = opts.rework ? 'rejected' : 'submitted';
  if (current.status !== editable) throw reviewed(current.status);
  const project = await loadProject(ctx, user, current.projectId, 'view');
  let extent = (await cachedItem(ctx.redis, ctx.tasks.keys(project._id.toHexString()), current.itemId.toHexString()))?.extent ?? null;
  if (!extent) {
    const item = await ctx.db.items.findOne({ _id: current.itemId });
    if (!item) throw new AppError('NOT_FOUND', 'the item no longer exists');
    extent = taskItemOf(item).extent;
  }
  const issues = regionIssues(project.labelSchema, extent, patch.regions);
  if (issues.length)
    throw validationError(
      issues.map((i) => fieldIssue(i)),
      'the regions do not fit the label schema',
    );
  const updated = await annotationsRepo.updateIfVersion(
    ctx.db,
    id,
    patch.version,
    { regions: patch.regions, status: 'submitted', updatedAt: new Date(ctx.now()) },
    editable,
  );
  if (!updated) {
    const now = await annotationsRepo.byId(ctx.db, id);
    if (!now) throw notFound();
    // A verdict landed meanwhile.
    if (now.status !== editable) throw reviewed(now.status);
    throw new AppError('VERSION_CONFLICT', 'this annotation changed since you loaded it; reload and try again', {
      current: toAnnotation(now),
    });
  }
  await regionsChanged(ctx, project._id, updated);
  await recordAnnotationSaved(ctx.redis, ctx.config.REDIS_PREFIX, updated, 'updated', ctx.now());
  await audit(ctx, user._id, 'annotation.edit', { type: 'annotation', id }, { version: updated.version });
  return toAnnotation(updated);
}

/**
 * After an annotation's regions changed: keep the quality job's hand-off current and, once the
 * item has its k annotations, recompute its quality from MongoDB.
 */
async function regionsChanged(ctx: AppContext, projectId: ObjectId, updated: AnnotationDoc): Promise<void> {
  if (updated.gold) return;
  await annotationRegionsChanged(ctx.redis, ctx.tasks.keys(projectId.toHexString()), ctx.tasks.quality, projectId.toHexString(), {
    annotationId: updated._id.toHexString(),
    itemId: updated.itemId.toHexString(),
    userId: updated.userId.toHexString(),
    regions: updated.regions,
    version: updated.version,
  });
}

/** Regions per label over a project's annotations (gold answers written as annotations included). */
export async function annotationLabelCounts(ctx: AppContext, projectId: ObjectId): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const a of annotationsRepo.allOfProject(ctx.db, projectId)) regionsPerLabel(a.regions, counts);
  return counts;
}

/**
 * Rewrites merged labels on a project's stored annotations (`from` → `into`, after the label
 * schema dropped `from`), each with its version bumped and its item's quality recomputed.
 * An annotation edited meanwhile is re-read and rewritten. Returns how many changed.
 */
export async function relabelAnnotations(ctx: AppContext, projectId: ObjectId, merges: readonly LabelMerge[]): Promise<number> {
  if (merges.length === 0) return 0;
  return relabelStored(
    annotationsRepo.withLabels(
      ctx.db,
      projectId,
      merges.map((m) => m.from),
    ),
    merges,
    async (doc, regions) => {
      const updated = await annotationsRepo.replaceRegions(ctx.db, doc._id, doc.version, regions, new Date(ctx.now()));
      if (updated) await regionsChanged(ctx, projectId, updated);
      return updated !== null;
    },
    (doc) => annotationsRepo.byId(ctx.db, doc._id),
  );
}

export async function listAnnotations(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  filter: { itemId?: string; userId?: string },
): Promise<Annotation[]> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const f: { itemId?: ObjectId; userId?: ObjectId } = {};
  if (filter.itemId) f.itemId = new ObjectId(filter.itemId);
  if (filter.userId) f.userId = new ObjectId(filter.userId);
  return (await annotationsRepo.list(ctx.db, project._id, f, 5000)).map(toAnnotation);
}
