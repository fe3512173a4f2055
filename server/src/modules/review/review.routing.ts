import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS,
  DOMAIN_EVENTS,
  DOMAIN_EVENT_GROUPS,
  goldScore,
  lowAgreement,
  projectKeys,
  reviewReasonsOnSubmit,
  reviewRooms,
  reviewTaskIdOf,
  type AnnotationContent,
  type AnnotationImportedEvent,
  type AnnotationWithdrawnEvent,
  type DomainEvent,
  type ItemCompletedEvent,
  type ReviewReason,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { startDomainEventConsumer } from '@labelwork/engine';
import type { AnnotationDoc, ProjectDoc, UserDoc } from '@labelwork/engine';
import { cachedProject } from '../access/index.ts';
import { emitCounts, reviewQueue } from './review.counts.ts';

/** Puts one annotation into its project's review queue (round 0) and tells the reviewers, once. */
async function route(
  ctx: AppContext,
  ann: Pick<AnnotationDoc, '_id' | 'projectId' | 'itemId' | 'userId'>,
  reasons: ReviewReason[],
): Promise<void> {
  const projectId = ann.projectId.toHexString();
  const q = reviewQueue(ctx, projectId);
  const taskId = reviewTaskIdOf(ann._id.toHexString(), 0);
  let added = false;
  for (const reason of reasons) {
    const isNew = await q.enqueue(
      {
        taskId,
        itemId: ann.itemId.toHexString(),
        annotationId: ann._id.toHexString(),
        annotatorId: ann.userId.toHexString(),
        round: 0,
        reason,
      },
      ctx.now(),
    );
    added ||= isNew;
  }
  if (!added) return;
  ctx.io?.to(reviewRooms.review(projectId)).emit(SERVER_EVENTS.reviewQueued, {
    projectId,
    taskId,
    itemId: ann.itemId.toHexString(),
    annotationId: ann._id.toHexString(),
    annotatorId: ann.userId.toHexString(),
    reasons,
    round: 0,
  });
  // Not awaited: the counts go to the project's dashboards too, and writing them to thousands of
  // sockets takes tens of ms that the annotator's submit need not wait for (as the verdict path).
  void emitCounts(ctx, q).catch((e: unknown) => ctx.log.warn('review counts failed', { projectId, err: e }));
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
      level: user.level,
      annotationId: ann._id.toHexString(),
      gold: ann.gold,
      ...(ann.gold ? { goldScore: await goldScoreOf(ctx, project, ann) } : {}),
    });
    if (reasons.length) await route(ctx, ann, reasons);
  } catch (e) {
    ctx.log.warn('review routing failed', { annotationId: ann._id.toHexString(), err: e });
  }
}

/**
 * Marker that an item's annotations went to review for low agreement (round 0). In the review
 * queue's key space (its `{hash tag}`), owned by this module; kept as long as finished review tasks.
 */
export const lowAgreementRoutedKey = (prefix: string, projectId: string, itemId: string) => `${prefix}:review-{${projectId}}:la:${itemId}`;
const ROUTED_TTL_S = 30 * 24 * 3600;

/**
 * An item got its k annotations: if its agreement is under the policy's threshold, all k go to
 * review. Idempotent, since the event may come more than once (at-least-once delivery, a retried
 * job): a second time for the same item is a no-op (the marker, set after routing), and routing
 * itself adds each annotation's round-0 task at most once (an atomic enqueue), so two processes
 * handling it at the same time cannot double it either.
 */
export async function routeLowAgreement(ctx: AppContext, event: ItemCompletedEvent): Promise<void> {
  const p = event.data;
  const marker = lowAgreementRoutedKey(ctx.config.REDIS_PREFIX, p.projectId, p.itemId);
  if (await ctx.redis.exists(marker)) return;
  // The review policy from the process's project cache: this runs once per completed item, and on
  // FerretDB each read of a project with a thousand members decodes the whole document.
  const project = await cachedProject(ctx, p.projectId);
  if (!project || !lowAgreement(project.reviewPolicy, p.agreement)) return;
  const anns = await ctx.db.annotations.find({ itemId: new ObjectId(p.itemId), gold: false }).toArray();
  for (const a of anns) await route(ctx, a, ['low-agreement']);
  await ctx.redis.set(marker, event.eventId, 'EX', ROUTED_TTL_S, 'NX');
}

/**
 * An imported annotation of a project member (a dataset import as annotations) meets the same
 * review policy as a submit: the member's level (trainee) and the random sample. Gold answers are
 * not imported this way. Idempotent: routing adds each annotation's round-0 task at most once.
 */
export async function routeImported(ctx: AppContext, event: AnnotationImportedEvent): Promise<void> {
  const project = await ctx.db.projects.findOne({ _id: new ObjectId(event.data.projectId) });
  if (!project || (!project.reviewPolicy.belowLevel && !project.reviewPolicy.sampleRate)) return;
  const ann = await ctx.db.annotations.findOne({ _id: new ObjectId(event.data.annotationId), projectId: project._id });
  if (!ann || ann.gold) return;
  const member = await ctx.db.users.findOne({ _id: ann.userId }, { projection: { level: 1 } });
  if (!member) return;
  const reasons = reviewReasonsOnSubmit(project.reviewPolicy, { level: member.level, annotationId: ann._id.toHexString(), gold: false });
  if (reasons.length) await route(ctx, ann, reasons);
}

/**
 * An imported annotation was taken back (its import cancelled or failed): every review task routed
 * for it — round 0 and any re-review rounds — is withdrawn. Idempotent (a withdrawn task stays withdrawn).
 */
export async function withdrawImported(ctx: AppContext, event: AnnotationWithdrawnEvent): Promise<void> {
  const q = reviewQueue(ctx, event.data.projectId);
  let any = false;
  for (let round = 0; ; round++) {
    const taskId = reviewTaskIdOf(event.data.annotationId, round);
    if (!(await q.get(taskId))) break;
    any = (await q.withdraw(taskId)) || any;
  }
  if (any) await emitCounts(ctx, q);
}

/** The review module's domain-event handler (group `review-routing`). */
export async function handleReviewEvent(ctx: AppContext, event: DomainEvent): Promise<void> {
  if (event.type === DOMAIN_EVENTS.itemCompleted) await routeLowAgreement(ctx, event);
  else if (event.type === DOMAIN_EVENTS.annotationImported) await routeImported(ctx, event);
  else if (event.type === DOMAIN_EVENTS.annotationWithdrawn) await withdrawImported(ctx, event);
}

/**
 * Joins the `review-routing` consumer group of the domain-event stream: every item-completed event
 * is handled by one server process, at least once, including events appended while no server ran.
 */
export async function startReviewRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const consumer = await startDomainEventConsumer(
    { redis: ctx.redis, prefix: ctx.config.REDIS_PREFIX, log: ctx.log },
    {
      group: DOMAIN_EVENT_GROUPS.reviewRouting,
      handle: (event) => handleReviewEvent(ctx, event),
    },
  );
  return { close: () => consumer.close() };
}
