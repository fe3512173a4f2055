import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS, goldScore, lowAgreement, projectKeys, reviewReasonsOnSubmit, reviewRooms, reviewTaskIdOf,
  type AnnotationContent, type ItemCompletePayload, type ReviewReason,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { AnnotationDoc, ProjectDoc, UserDoc } from '../../infra/mongo.ts';
import { subscribeWorkerEvents } from '../../infra/worker-events.ts';
import { emitCounts, reviewQueue } from './review.counts.ts';

/** Puts one annotation into its project's review queue (round 0) and tells the reviewers, once. */
async function route(ctx: AppContext, ann: Pick<AnnotationDoc, '_id' | 'projectId' | 'itemId' | 'userId'>, reasons: ReviewReason[]): Promise<void> {
  const projectId = ann.projectId.toHexString();
  const q = reviewQueue(ctx, projectId);
  const taskId = reviewTaskIdOf(ann._id.toHexString(), 0);
  let added = false;
  for (const reason of reasons) {
    const isNew = await q.enqueue({ taskId, itemId: ann.itemId.toHexString(), annotationId: ann._id.toHexString(), annotatorId: ann.userId.toHexString(), round: 0, reason }, ctx.now());
    added ||= isNew;
  }
  if (!added) return;
  ctx.io?.to(reviewRooms.review(projectId)).emit('review:queued', {
    projectId, taskId, itemId: ann.itemId.toHexString(), annotationId: ann._id.toHexString(), annotatorId: ann.userId.toHexString(), reasons, round: 0,
  });
  await emitCounts(ctx, q);
}

async function goldScoreOf(ctx: AppContext, project: ProjectDoc, ann: AnnotationDoc): Promise<number | null> {
  const cached = await ctx.redis.get(projectKeys(ctx.config.REDIS_PREFIX, project._id.toHexString()).goldAnswer(ann.itemId.toHexString()));
  const gold = cached ? (JSON.parse(cached) as AnnotationContent) : (await ctx.db.items.findOne({ _id: ann.itemId }))?.gold;
  if (!gold) return null;
  return goldScore(gold.regions, ann.regions, project.labelSchema).value;
}

/**
 * The submit flow's review hook: routes a fresh submission by the project's review policy
 * (trainee, wrong gold answer, random sample). Never fails the submit: errors are logged.
 */
export async function reviewOnSubmit(ctx: AppContext, project: ProjectDoc, user: UserDoc, ann: AnnotationDoc): Promise<void> {
  try {
    const policy = project.reviewPolicy;
    if (!policy.belowLevel && !policy.sampleRate && !ann.gold) return;
    const reasons = reviewReasonsOnSubmit(policy, {
      level: user.level, annotationId: ann._id.toHexString(), gold: ann.gold, ...(ann.gold ? { goldScore: await goldScoreOf(ctx, project, ann) } : {}),
    });
    if (reasons.length) await route(ctx, ann, reasons);
  } catch (e) {
    ctx.log.warn('review routing failed', { annotationId: ann._id.toHexString(), err: e });
  }
}

/** An item got its k annotations: if its agreement is under the policy's threshold, all k go to review. */
async function onItemComplete(ctx: AppContext, p: ItemCompletePayload): Promise<void> {
  const project = await ctx.db.projects.findOne({ _id: new ObjectId(p.projectId) });
  if (!project || !lowAgreement(project.reviewPolicy, p.agreement)) return;
  const anns = await ctx.db.annotations.find({ itemId: new ObjectId(p.itemId), gold: false }).toArray();
  for (const a of anns) await route(ctx, a, ['low-agreement']);
}

/**
 * Listens to the workers' events (every server process does; routing is idempotent and only the
 * process that adds a task announces it) for items whose agreement is under the policy threshold.
 */
export async function startReviewRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const sub = await subscribeWorkerEvents(ctx, 'review-events', (msg) => {
    if (msg.event !== SERVER_EVENTS.itemComplete) return;
    void onItemComplete(ctx, msg.payload as ItemCompletePayload).catch((e: unknown) => ctx.log.warn('low-agreement routing failed', { err: e }));
  });
  return { close: async () => sub.close() };
}
