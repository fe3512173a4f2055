import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS,
  REVIEWER_MIN_LEVEL,
  meetsLevel,
  regionIssues,
  reviewRooms,
  reviewTaskIdOf,
  type ItemDetail,
  type ReviewAnnotation,
  type ReviewComment,
  type ReviewRecord,
  type ReviewTask,
  type ReworkInput,
  type ReworkTask,
  type VerdictInput,
  type CommentInput,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc, ReviewDoc, UserDoc } from '@labelwork/engine';
import { AppError, fieldIssue, validationError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { editAnnotation } from '../annotations/index.ts';
import { annotationsRepo, recordAnnotationSaved } from '@labelwork/engine';
import { loadProject } from '../access/index.ts';
import { heartbeatMsOf, taskItemOf } from '@labelwork/core';
import type { ReviewQueue, ReviewTaskState } from './review.queue.ts';
import { emitCounts, reviewQueue } from './review.counts.ts';
import { reviewsRepo } from './review.repository.ts';
import { deliverComment, deliverVerdict } from './review.inbox.ts';

type CommentDoc = Extract<ReviewDoc, { type: 'comment' }>;
type VerdictDoc = Extract<ReviewDoc, { type: 'verdict' }>;

const leaseMsOf = (ctx: AppContext) => ctx.tasks.leaseMs;
/** What a verdict makes of the annotation (its author's edit guard reads it). */
const VERDICT_STATUS = { accept: 'accepted', reject: 'rejected', fix: 'fixed' } as const;

/** Reviewing needs the reviewer flag and level L2 or above (admins included: the flag is the choice). */
export { reviewQueue };

export function canReview(user: UserDoc): boolean {
  return user.reviewer && meetsLevel(user.level, REVIEWER_MIN_LEVEL);
}

function assertReviewer(user: UserDoc): void {
  if (!user.reviewer) throw new AppError('FORBIDDEN', 'reviewing needs the reviewer flag');
  if (!meetsLevel(user.level, REVIEWER_MIN_LEVEL))
    throw new AppError('LEVEL_TOO_LOW', `reviewing needs level ${REVIEWER_MIN_LEVEL} or above`);
}

/** The project, for a reviewer who may see it (cross-project requests answer like a missing project). */
export async function reviewProject(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<ProjectDoc> {
  assertReviewer(user);
  return loadProject(ctx, user, projectId, 'view');
}

export function toComment(d: CommentDoc): ReviewComment {
  return {
    id: d._id.toHexString(),
    taskId: d.taskId,
    projectId: d.projectId.toHexString(),
    itemId: d.itemId.toHexString(),
    annotationId: d.annotationId.toHexString(),
    authorId: d.authorId.toHexString(),
    anchor: d.anchor,
    text: d.text,
    at: d.at.toISOString(),
  };
}

export function toRecord(d: VerdictDoc, comments: ReviewComment[]): ReviewRecord {
  return {
    id: d._id.toHexString(),
    taskId: d.taskId,
    projectId: d.projectId.toHexString(),
    itemId: d.itemId.toHexString(),
    annotationId: d.annotationId.toHexString(),
    annotatorId: d.annotatorId.toHexString(),
    reviewerId: d.reviewerId.toHexString(),
    round: d.round,
    verdict: d.verdict,
    comments,
    ...(d.originalRegions ? { originalRegions: d.originalRegions } : {}),
    ...(d.fixedRegions ? { fixedRegions: d.fixedRegions } : {}),
    at: d.at.toISOString(),
  };
}

/** An item with all its annotations (usernames attached), its agreement and consensus: what review and the lead's item view show. */
async function itemWithAnnotations(
  ctx: AppContext,
  itemId: ObjectId,
  underReview: string | null,
): Promise<Pick<ReviewTask, 'item' | 'annotations' | 'quality'>> {
  const [item, quality] = await Promise.all([ctx.db.items.findOne({ _id: itemId }), reviewsRepo.itemQuality(ctx.db, itemId)]);
  if (!item) throw new AppError('NOT_FOUND', 'no such item');
  const anns =
    quality && underReview
      ? await ctx.db.annotations.find({ _id: { $in: [...quality.annotationIds, new ObjectId(underReview)] } }).toArray()
      : await ctx.db.annotations.find({ itemId }).toArray();
  const users = await ctx.db.users
    .find({ _id: { $in: anns.map((a) => a.userId) } })
    .project<{ _id: ObjectId; username: string }>({ username: 1 })
    .toArray();
  const names = new Map(users.map((u) => [u._id.toHexString(), u.username]));
  const annotations: ReviewAnnotation[] = anns
    .map((a) => ({
      id: a._id.toHexString(),
      userId: a.userId.toHexString(),
      username: names.get(a.userId.toHexString()) ?? '?',
      regions: a.regions,
      version: a.version,
      ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
      underReview: a._id.toHexString() === underReview,
    }))
    .sort((a, b) => Number(b.underReview) - Number(a.underReview) || a.username.localeCompare(b.username));
  const { item: ti } = taskItemOf(item);
  return {
    item: { id: ti.id, kind: ti.kind, ...(ti.text !== undefined ? { text: ti.text } : {}), ...(ti.image ? { image: ti.image } : {}) },
    annotations,
    quality: quality ? { agreement: quality.summary as Record<string, number | null>, consensus: quality.consensus.regions } : null,
  };
}

async function buildTask(ctx: AppContext, t: ReviewTaskState, token: string, leaseUntil: number, resumed: boolean): Promise<ReviewTask> {
  const [view, comments] = await Promise.all([
    itemWithAnnotations(ctx, new ObjectId(t.itemId), t.annotationId).catch((e: unknown) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND' ? new AppError('NOT_FOUND', 'the item of this review no longer exists') : e;
    }),
    reviewsRepo.commentsOf(ctx.db, new ObjectId(t.annotationId)),
  ]);
  return {
    taskId: t.taskId,
    token,
    projectId: t.projectId,
    itemId: t.itemId,
    annotationId: t.annotationId,
    annotatorId: t.annotatorId,
    round: t.round,
    reasons: t.reasons,
    leaseUntil: new Date(leaseUntil).toISOString(),
    leaseMs: leaseMsOf(ctx),
    heartbeatMs: heartbeatMsOf(leaseMsOf(ctx)),
    ...view,
    comments: comments.map(toComment),
    resumed,
  };
}

/**
 * The lead's view of one item: every annotation (side by side / overlaid), agreement and
 * consensus, every verdict with its comments. Where the dashboard's numbers link to.
 */
export async function itemDetail(ctx: AppContext, user: UserDoc, projectId: ObjectId, itemId: ObjectId): Promise<ItemDetail> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const inProject = await ctx.db.items.findOne(
    { _id: itemId, projectId: project._id },
    { projection: { _id: 1, gold: 1, seq: 1, externalId: 1, 'image.name': 1 } },
  );
  if (!inProject) throw new AppError('NOT_FOUND', 'no such item in this project');
  const [view, docs, golds] = await Promise.all([
    itemWithAnnotations(ctx, itemId, null),
    ctx.db.reviews.find({ itemId }).sort({ at: 1 }).limit(1000).toArray(),
    ctx.db.agreements.find({ scope: 'gold', itemId }).toArray(),
  ]);
  const goldScores: Record<string, number | null> = {};
  for (const g of golds) if (g.scope === 'gold') goldScores[g.annotationId.toHexString()] = g.value;
  const comments = docs.filter((d): d is CommentDoc => d.type === 'comment').map(toComment);
  const byTask = new Map<string, ReviewComment[]>();
  for (const c of comments) byTask.set(c.taskId, [...(byTask.get(c.taskId) ?? []), c]);
  const reviews = docs.filter((d): d is VerdictDoc => d.type === 'verdict').map((d) => toRecord(d, byTask.get(d.taskId) ?? []));
  return {
    ...view,
    seq: inProject.seq,
    name: inProject.image?.name ?? inProject.externalId ?? null,
    gold: inProject.gold ? inProject.gold.regions : null,
    goldScores,
    reviews,
    comments,
  };
}

/** The next review task of a project for this reviewer (never their own work), or the one they hold. */
export async function nextReview(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<ReviewTask> {
  await reviewProject(ctx, user, projectId);
  const q = reviewQueue(ctx, projectId.toHexString());
  const got = await q.draw(user._id.toHexString(), randomBytes(16).toString('hex'), ctx.now(), leaseMsOf(ctx));
  if (!got) throw new AppError('NOTHING_TO_DO', 'nothing to review for you now');
  const t = await q.get(got.taskId);
  if (!t) throw new AppError('NOTHING_TO_DO', 'nothing to review for you now');
  if (!got.resumed) void emitCounts(ctx, q).catch(() => undefined);
  return buildTask(ctx, t, got.token, got.leaseUntil, got.resumed);
}

/** A live lease of this reviewer on this task (extended), or the reason why not. */
async function heldTask(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  taskId: string,
  token: string,
): Promise<{ q: ReviewQueue; t: ReviewTaskState; project: ProjectDoc }> {
  const project = await reviewProject(ctx, user, projectId);
  const q = reviewQueue(ctx, projectId.toHexString());
  const t = await q.get(taskId);
  if (!t) throw new AppError('NOT_FOUND', 'no such review task');
  if (t.annotatorId === user._id.toHexString()) throw new AppError('FORBIDDEN', 'you may not review your own work');
  if (t.reviewerId !== user._id.toHexString()) throw new AppError('CONFLICT', 'someone else holds this review task');
  const r = await q.touch(taskId, token, ctx.now(), leaseMsOf(ctx));
  if (r === 'expired') throw new AppError('LEASE_EXPIRED', 'your lease on this review ended; draw it again');
  if (r !== 'live') throw new AppError('CONFLICT', 'someone else holds this review task');
  return { q, t, project };
}

export async function reviewHeartbeat(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  taskId: string,
  token: string,
): Promise<{ leaseUntil: string }> {
  await heldTask(ctx, user, projectId, taskId, token);
  return { leaseUntil: new Date(ctx.now() + leaseMsOf(ctx)).toISOString() };
}

export async function releaseReview(ctx: AppContext, user: UserDoc, projectId: ObjectId, taskId: string, token: string): Promise<void> {
  const { q, t } = await heldTask(ctx, user, projectId, taskId, token);
  await q.release(t, token);
  void emitCounts(ctx, q).catch(() => undefined);
}

function commentDoc(ctx: AppContext, t: ReviewTaskState, author: ObjectId, c: CommentInput): CommentDoc {
  return {
    _id: new ObjectId(),
    schemaVersion: 1,
    type: 'comment',
    taskId: t.taskId,
    projectId: new ObjectId(t.projectId),
    itemId: new ObjectId(t.itemId),
    annotationId: new ObjectId(t.annotationId),
    annotatorId: new ObjectId(t.annotatorId),
    authorId: author,
    anchor: c.anchor,
    text: c.text,
    at: new Date(ctx.now()),
  };
}

/** A comment on the work under review while holding its lease: stored, audited, sent live to the annotator. */
export async function addComment(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  taskId: string,
  token: string,
  c: CommentInput,
): Promise<ReviewComment> {
  const { t } = await heldTask(ctx, user, projectId, taskId, token);
  const doc = commentDoc(ctx, t, user._id, c);
  await reviewsRepo.insert(ctx.db, [doc]);
  await audit(
    ctx,
    user._id,
    'review.comment',
    { type: 'annotation', id: t.annotationId },
    { taskId, commentId: doc._id.toHexString(), anchor: c.anchor },
  );
  const out = toComment(doc);
  await deliverComment(ctx, out, t.annotatorId);
  return out;
}

/**
 * A verdict on the annotation under review: `accept`, `reject` (back to its author as rework, then
 * re-reviewed) or `fix` (the reviewer's regions are stored next to the annotator's; both kept).
 */
export async function giveVerdict(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  taskId: string,
  input: VerdictInput,
): Promise<ReviewRecord> {
  const { q, t, project } = await heldTask(ctx, user, projectId, taskId, input.token);
  const annotation = await ctx.db.annotations.findOne({ _id: new ObjectId(t.annotationId) });
  if (!annotation) throw new AppError('NOT_FOUND', 'the annotation under review no longer exists');
  if (input.verdict === 'fix') {
    const item = await ctx.db.items.findOne({ _id: annotation.itemId });
    if (!item) throw new AppError('NOT_FOUND', 'the item of this review no longer exists');
    const issues = regionIssues(project.labelSchema, taskItemOf(item).extent, input.regions ?? []);
    if (issues.length)
      throw validationError(
        issues.map((i) => fieldIssue(i)),
        'the regions do not fit the label schema',
      );
  }
  const comments = input.comments.map((c) => commentDoc(ctx, t, user._id, c));
  const verdict: VerdictDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    type: 'verdict',
    taskId,
    projectId: annotation.projectId,
    itemId: annotation.itemId,
    annotationId: annotation._id,
    annotatorId: annotation.userId,
    reviewerId: user._id,
    round: t.round,
    verdict: input.verdict,
    reasons: t.reasons,
    commentIds: comments.map((c) => c._id),
    ...(input.verdict === 'fix' ? { originalRegions: annotation.regions, fixedRegions: input.regions ?? [] } : {}),
    at: new Date(ctx.now()),
  };
  await reviewsRepo.insert(ctx.db, [...comments, verdict]);
  const r = await q.finish(t, input.token, ctx.now(), input.verdict === 'reject' ? 'rework' : 'done');
  if (r !== 'live')
    throw new AppError(r === 'expired' ? 'LEASE_EXPIRED' : 'CONFLICT', 'the review lease ended before the verdict was recorded');
  await annotationsRepo.setStatus(ctx.db, annotation._id, VERDICT_STATUS[input.verdict], new Date(ctx.now()));
  // A reviewer's fix is the corrected answer: backends that learn online get it as an update.
  if (input.verdict === 'fix')
    await recordAnnotationSaved(ctx.redis, ctx.config.REDIS_PREFIX, annotation, 'updated', ctx.now(), verdict._id.toHexString());
  await audit(
    ctx,
    user._id,
    `review.${input.verdict}`,
    { type: 'annotation', id: t.annotationId },
    { taskId, round: t.round, reviewId: verdict._id.toHexString(), comments: comments.length },
  );
  const out = toRecord(verdict, comments.map(toComment));
  await deliverVerdict(ctx, out);
  void emitCounts(ctx, q).catch(() => undefined);
  return out;
}

/** The annotator's rejected work in a project, with the reviewer's comments. */
export async function listRework(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<ReworkTask[]> {
  await loadProject(ctx, user, projectId, 'view');
  const q = reviewQueue(ctx, projectId.toHexString());
  const out: ReworkTask[] = [];
  for (const id of await q.reworkOf(user._id.toHexString())) {
    const t = await q.get(id);
    if (!t || t.status !== 'rework') continue;
    const a = await ctx.db.annotations.findOne({ _id: new ObjectId(t.annotationId) });
    if (!a) continue;
    const comments = (await reviewsRepo.commentsOf(ctx.db, a._id)).filter((c) => c.taskId === id).map(toComment);
    const doc = await ctx.db.items.findOne({ _id: a.itemId });
    const ti = doc ? taskItemOf(doc).item : null;
    out.push({
      taskId: id,
      projectId: t.projectId,
      itemId: t.itemId,
      annotationId: t.annotationId,
      round: t.round,
      version: a.version,
      regions: a.regions,
      comments,
      rejectedAt: new Date(t.finishedAt ?? 0).toISOString(),
      ...(ti
        ? {
            item: {
              id: ti.id,
              kind: ti.kind,
              ...(ti.text !== undefined ? { text: ti.text } : {}),
              ...(ti.image ? { image: ti.image } : {}),
            },
          }
        : {}),
    });
  }
  return out;
}

/** The author's corrected work for a rejected task: the annotation is updated (versioned) and re-reviewed first in line. */
export async function submitRework(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  taskId: string,
  input: ReworkInput,
): Promise<{ taskId: string; version: number }> {
  await loadProject(ctx, user, projectId, 'view');
  const q = reviewQueue(ctx, projectId.toHexString());
  const t = await q.get(taskId);
  if (!t || t.annotatorId !== user._id.toHexString()) throw new AppError('NOT_FOUND', 'no such rework task');
  if (t.status !== 'rework') throw new AppError('CONFLICT', 'this task is not waiting for rework');
  const updated = await editAnnotation(
    ctx,
    user,
    new ObjectId(t.annotationId),
    { regions: input.regions, version: input.version },
    { rework: true },
  );
  const next = reviewTaskIdOf(t.annotationId, t.round + 1);
  if (!(await q.resubmit(t, user._id.toHexString(), next, ctx.now())))
    throw new AppError('CONFLICT', 'this task is not waiting for rework');
  await audit(ctx, user._id, 'review.rework', { type: 'annotation', id: t.annotationId }, { taskId, next, version: updated.version });
  ctx.io?.to(reviewRooms.review(t.projectId)).emit(SERVER_EVENTS.reviewQueued, {
    projectId: t.projectId,
    taskId: next,
    itemId: t.itemId,
    annotationId: t.annotationId,
    annotatorId: t.annotatorId,
    reasons: ['rework'],
    round: t.round + 1,
  });
  void emitCounts(ctx, q).catch(() => undefined);
  return { taskId: next, version: updated.version };
}

/** Verdicts and comments on the user's work since a time: what a reconnecting client missed. */
export async function reviewInbox(
  ctx: AppContext,
  user: UserDoc,
  since: Date,
): Promise<{ verdicts: ReviewRecord[]; comments: ReviewComment[] }> {
  const docs = await reviewsRepo.inbox(ctx.db, user._id, since, 500);
  const comments = docs.filter((d): d is CommentDoc => d.type === 'comment').map(toComment);
  const byId = new Map(comments.map((c) => [c.id, c]));
  const verdicts = docs
    .filter((d): d is VerdictDoc => d.type === 'verdict')
    .map((v) =>
      toRecord(
        v,
        v.commentIds.map((id) => byId.get(id.toHexString())).filter((c): c is ReviewComment => !!c),
      ),
    );
  return { verdicts, comments };
}

/** The review history of a project (leads), newest first. */
export async function reviewHistory(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  filter: { annotationId?: string; annotatorId?: string },
  limit: number,
): Promise<ReviewRecord[]> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const docs = await reviewsRepo.verdictsOf(
    ctx.db,
    project._id,
    {
      ...(filter.annotationId ? { annotationId: new ObjectId(filter.annotationId) } : {}),
      ...(filter.annotatorId ? { annotatorId: new ObjectId(filter.annotatorId) } : {}),
    },
    limit,
  );
  return docs.map((d) => toRecord(d, []));
}
