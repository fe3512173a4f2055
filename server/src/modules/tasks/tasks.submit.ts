import { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  GoldScoreJobData,
  ItemAgreementJobData,
  JOB_NAMES,
  SERVER_EVENTS,
  goldScoreJobId,
  itemAgreementJobId,
  parseLeaseId,
  QUALITY_JOB_OPTS,
  REPLICA_JOB_OPTS,
  handoffJson,
  regionIssues,
  rooms,
  type Annotation,
  type SubmitInput,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { AnnotationDoc, ProjectDoc, UserDoc } from '@labelwork/engine';
import type { ProjectQueue } from '../../infra/queues.ts';
import { isJobGoneError, isLostLockError } from '../../infra/bullmq-adapter.ts';
import { AppError, fieldIssue, validationError } from '../../http/errors.ts';
import { newToken, runtime, touchCounts } from './task-runtime.ts';
import { extentOf, leaseRef, putBackJob, storeDraft } from './task-leases.ts';
import { annotationsRepo, recordAnnotationSaved, toAnnotation } from '@labelwork/engine';
import { draftsRepo } from './tasks.repository.ts';
import { isDuplicateKey } from '@labelwork/engine';
import { logLease } from './lease-log.ts';
import { queueCounts } from './tasks.counts.ts';
import { reviewOnSubmit } from '../review/index.ts';

/** The filled-slot marker and the submission replay cache live this long. */
const MARKER_TTL_S = 7 * 24 * 3600;

/**
 * Completes a replica job with its annotation. Normally with the submitter's token; if the lease
 * moved on meanwhile (the submit outlived the lease), on behalf of whoever holds the job now, or
 * by taking it from the queue: the slot is filled, so nobody else may work on it. Returns false
 * when the job is out of reach right now (someone's scan holds it): the filled marker then makes
 * the next fetch finish it.
 */
async function completeReplica(ctx: AppContext, pq: ProjectQueue, jobId: string, annotationId: string, token: string): Promise<boolean> {
  // The job as it was added, not read back (Job.fromId would cost every submit a round trip): all
  // that completing it reads of the job is its id and options, and every replica job is added with
  // REPLICA_JOB_OPTS (core/contracts/engine-state.ts). A job that is gone answers JobNotExist.
  const job = new Job(pq.queue, JOB_NAMES.replica, {}, REPLICA_JOB_OPTS, jobId);
  let gone = false;
  const done = async (t: string) => {
    try {
      await job.moveToCompleted({ annotationId }, t, false);
      return true;
    } catch (e) {
      if (!isLostLockError(e)) throw e;
      gone = isJobGoneError(e);
      return false;
    }
  };
  if ((await done(token)) || gone) return true;
  const scripts = runtime(ctx).scripts;
  const holderToken = await ctx.redis.hget(pq.keys.holders, jobId);
  if (holderToken) {
    const lease = await scripts.lease(pq.keys, holderToken);
    if (await done(holderToken)) {
      if (lease) {
        await scripts.release(pq.keys, lease.userId, holderToken, false);
        const leaseId = `${pq.projectId}.${holderToken}`;
        ctx.io
          ?.to(rooms.user(lease.userId))
          .emit(SERVER_EVENTS.leaseEnded, { leaseId, projectId: pq.projectId, itemId: lease.itemId, reason: 'filled' });
        await logLease(ctx, {
          projectId: pq.projectId,
          itemId: lease.itemId,
          userId: lease.userId,
          leaseId,
          jobId,
          gold: false,
          event: 'filled',
          leasedAt: lease.at,
          at: ctx.now(),
        });
      }
      return true;
    }
    if (gone) return true;
  }
  const t = newToken();
  if ((await scripts.take(pq.keys, jobId, t, 30_000, ctx.now())) === 1) return done(t);
  return false;
}

/**
 * Everything after an annotation is stored, in an order that a crash at any point can resume:
 * Redis bookkeeping (idempotent), the quality job when the item has k annotations (idempotent by
 * job id), then the replica job's completion. Until the job completes, its lease comes back after
 * a crash and the filled marker makes whoever fetches it run this again.
 */
export async function finishSubmission(
  ctx: AppContext,
  pq: ProjectQueue,
  ann: AnnotationDoc,
  k: number,
  completerToken: string,
  leasedAt?: number,
): Promise<void> {
  const scripts = runtime(ctx).scripts;
  const itemId = ann.itemId.toHexString();
  const annotationId = ann._id.toHexString();
  const authorToken = parseLeaseId(ann.leaseId)?.token ?? '';
  const rec = await scripts.record(pq.keys, {
    userId: ann.userId.toHexString(),
    itemId,
    jobId: ann.slot,
    token: authorToken,
    gold: ann.gold,
    annotationJson: handoffJson({ annotationId, regions: ann.regions, version: ann.version }),
  });
  // Side by side with the job's completion, each in its own round trip: the event (the workers'
  // consumers) and the lease log only need the annotation to be stored, and the draft goes with it.
  const side = Promise.all([
    recordAnnotationSaved(ctx.redis, ctx.config.REDIS_PREFIX, ann, 'created', ctx.now()),
    rec.hadDraft ? draftsRepo.remove(ctx.db, ann.userId, ann.itemId) : Promise.resolve(),
    logLease(ctx, {
      projectId: ann.projectId.toHexString(),
      itemId: ann.itemId.toHexString(),
      userId: ann.userId.toHexString(),
      leaseId: ann.leaseId,
      jobId: ann.slot,
      gold: ann.gold,
      event: 'submitted',
      leasedAt: leasedAt ?? ann.createdAt.getTime(),
      at: ctx.now(),
    }),
  ]);
  const complete = async (): Promise<boolean> => {
    if (ann.gold) {
      const data: GoldScoreJobData = {
        projectId: pq.projectId,
        itemId,
        userId: ann.userId.toHexString(),
        annotationId,
        regions: ann.regions,
      };
      await ctx.tasks.quality.add(JOB_NAMES.goldScore, data, { jobId: goldScoreJobId(annotationId), ...QUALITY_JOB_OPTS });
      return true;
    }
    if (rec.count >= k) {
      const data: ItemAgreementJobData = { projectId: pq.projectId, itemId, k };
      await ctx.tasks.quality.add(JOB_NAMES.itemAgreement, data, { jobId: itemAgreementJobId(itemId), ...QUALITY_JOB_OPTS });
    }
    return completeReplica(ctx, pq, ann.slot, annotationId, completerToken);
  };
  // Both settle before anything fails: a failed side must not leave the completion running unawaited.
  const [completed, sideDone] = await Promise.allSettled([complete(), side]);
  if (completed.status === 'rejected') throw completed.reason;
  if (sideDone.status === 'rejected') throw sideDone.reason;
  // Last, after the event: a submit retried after a failure above records it again (same event id).
  await Promise.all([
    completed.value ? ctx.redis.del(pq.keys.filled(ann.slot)) : Promise.resolve(0),
    ctx.redis.set(pq.keys.submission(ann.submissionId), JSON.stringify(toAnnotation(ann)), 'EX', MARKER_TTL_S),
  ]);
  touchCounts(ctx, pq.projectId, () => queueCounts(ctx, ann.projectId));
}

/**
 * A fetched job whose slot may already have an annotation (its submit crashed before completing
 * it). Returns true when it was settled (completed), false when the slot turned out empty and the
 * job can be leased normally.
 */
export async function reconcileFilledSlot(ctx: AppContext, project: ProjectDoc, job: Job, token: string, k: number): Promise<boolean> {
  const pq = ctx.tasks.project(project._id.toHexString());
  const ann = await annotationsRepo.bySlot(ctx.db, job.id as string);
  if (!ann) {
    await ctx.redis.del(pq.keys.filled(job.id as string));
    return false;
  }
  await finishSubmission(ctx, pq, ann, k, token);
  return true;
}

function replay(ctx: AppContext, user: UserDoc, a: Annotation): { annotation: Annotation; duplicate: true } {
  if (a.userId !== user._id.toHexString()) throw new AppError('CONFLICT', 'this submission id was used by someone else');
  return { annotation: a, duplicate: true };
}

/**
 * Submits the work of a lease. Idempotent by the client's submission id: a retry returns the same
 * annotation. The lease must be live (it is extended first, so the submit has a full lease to
 * finish in); a late submit is refused with LEASE_EXPIRED and its regions are kept as a draft.
 */
export async function submitTask(
  ctx: AppContext,
  user: UserDoc,
  leaseId: string,
  input: SubmitInput,
): Promise<{ annotation: Annotation; duplicate: boolean }> {
  const { pq, token, project } = await leaseRef(ctx, user, leaseId);
  const scripts = runtime(ctx).scripts;
  const uid = user._id.toHexString();
  // Validates and extends the lease, and sets the filled-slot marker, in one step.
  const t = await scripts.touch(pq.keys, uid, token, ctx.tasks.leaseMs, { submissionId: input.submissionId, ttlS: MARKER_TTL_S });
  if (t.status === 'replay') return replay(ctx, user, JSON.parse(t.json) as Annotation);
  if (t.status !== 'live') {
    // A retry whose first attempt got through (its lease is gone now): answer the same annotation.
    const prior = await annotationsRepo.bySubmission(ctx.db, input.submissionId);
    if (prior) return replay(ctx, user, toAnnotation(prior));
    if (t.status === 'ended') {
      await storeDraft(ctx, user, project, pq, t.lease, leaseId, input.regions, true);
      throw new AppError('LEASE_EXPIRED', 'your lease on this task ended before the submit; the work is kept as a draft for the lead', {
        draftSaved: true,
        itemId: t.lease.itemId,
      });
    }
    throw new AppError('NOT_FOUND', 'no such lease');
  }
  const lease = t.lease;
  const extent = await extentOf(ctx, pq, lease.itemId, t.itemJson);
  const issues = regionIssues(project.labelSchema, extent, input.regions);
  if (issues.length) {
    await ctx.redis.del(pq.keys.filled(lease.jobId));
    throw validationError(
      issues.map((i) => fieldIssue(i)),
      'the regions do not fit the label schema',
    );
  }
  const now = new Date(ctx.now());
  const doc: AnnotationDoc = {
    _id: new ObjectId(),
    schemaVersion: 1,
    projectId: project._id,
    itemId: new ObjectId(lease.itemId),
    userId: user._id,
    slot: lease.jobId,
    submissionId: input.submissionId,
    leaseId,
    gold: lease.gold,
    regions: input.regions,
    version: 1,
    status: 'submitted',
    ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
    ...(project.guideline ? { guidelineVersion: `${project.guideline.slug}@${project.guideline.version}` } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    // Group commit: concurrent submits of this process share one insertMany; this one fails alone if refused.
    await runtime(ctx).annotationInserts.insert(doc);
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    const same = await annotationsRepo.bySubmission(ctx.db, input.submissionId);
    if (same) {
      // A concurrent retry stored it first: make sure it is finished, answer the same annotation.
      if (!same.userId.equals(user._id)) throw new AppError('CONFLICT', 'this submission id was used by someone else');
      await finishSubmission(ctx, pq, same, lease.k, token);
      return { annotation: toAnnotation(same), duplicate: true };
    }
    const filled = await annotationsRepo.bySlot(ctx.db, lease.jobId);
    if (filled) {
      await storeDraft(ctx, user, project, pq, lease, leaseId, input.regions, true);
      await finishSubmission(ctx, pq, filled, lease.k, token);
      await scripts.release(pq.keys, uid, token, false);
      throw new AppError('SLOT_FILLED', 'this task was completed by its previous holder; your work is kept as a draft', {
        draftSaved: true,
      });
    }
    // The user annotated this item before (exclusion should have prevented it): give the task back.
    await ctx.redis.sadd(pq.keys.excluded(uid), lease.itemId);
    const r = await scripts.release(pq.keys, uid, token, false);
    if (r?.live && !lease.gold) await putBackJob(pq, lease.jobId, token);
    await ctx.redis.del(pq.keys.filled(lease.jobId));
    throw new AppError('ALREADY_ANNOTATED', 'you have already annotated this item');
  }
  await finishSubmission(ctx, pq, doc, lease.k, token, lease.at);
  await reviewOnSubmit(ctx, project, user, doc);
  return { annotation: toAnnotation(doc), duplicate: false };
}
