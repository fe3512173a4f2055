import { ObjectId } from 'mongodb';
import { SERVER_EVENTS, leaseIdOf, replicaJobId, rooms } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { AppError, validationError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { canAccess, loadProject } from '../access/index.ts';
import { newToken, runtime, touchCounts } from './task-runtime.ts';
import { assertMayDraw, leaseRef, putBackJob } from './task-leases.ts';
import { logLease } from './lease-log.ts';
import { queueCounts } from './tasks.counts.ts';

/**
 * Called in the process whose stalled check returned an abandoned lease to the queue: cleans the
 * holder's bookkeeping, logs the expiry and tells the holder's clients.
 */
export async function onLeaseStalled(ctx: AppContext, projectId: string, jobId: string): Promise<void> {
  const pq = ctx.tasks.project(projectId);
  const scripts = runtime(ctx).scripts;
  const token = await ctx.redis.hget(pq.keys.holders, jobId);
  if (!token) return;
  const lease = await scripts.lease(pq.keys, token);
  if (!lease) return;
  const r = await scripts.release(pq.keys, lease.userId, token, false);
  if (!r || r.live) return;
  const leaseId = leaseIdOf(projectId, token);
  ctx.io?.to(rooms.user(lease.userId)).emit(SERVER_EVENTS.leaseEnded, { leaseId, projectId, itemId: lease.itemId, reason: 'expired' });
  await logLease(ctx, {
    projectId: projectId,
    itemId: lease.itemId,
    userId: lease.userId,
    leaseId,
    jobId,
    gold: lease.gold,
    event: 'expired',
    leasedAt: lease.at,
    at: ctx.now(),
  });
  touchCounts(ctx, projectId, () => queueCounts(ctx, new ObjectId(projectId)));
}

async function loadLease(ctx: AppContext, lead: UserDoc, leaseId: string) {
  const ref = await leaseRef(ctx, lead, leaseId, 'manage');
  const lease = await runtime(ctx).scripts.lease(ref.pq.keys, ref.token);
  if (!lease) throw new AppError('NOT_FOUND', 'no such lease');
  return { ...ref, lease };
}

/** A lead returns a leased task to the queue (front of its priority); the holder is told. */
export async function requeueLease(ctx: AppContext, lead: UserDoc, leaseId: string): Promise<void> {
  const { pq, token, lease, project } = await loadLease(ctx, lead, leaseId);
  const r = await runtime(ctx).scripts.release(pq.keys, lease.userId, token, false);
  if (!r?.live) throw new AppError('LEASE_EXPIRED', 'this lease has already ended');
  if (!r.gold) await putBackJob(pq, r.jobId, token);
  ctx.io
    ?.to(rooms.user(lease.userId))
    .emit(SERVER_EVENTS.leaseEnded, { leaseId, projectId: pq.projectId, itemId: lease.itemId, reason: 'requeued' });
  await logLease(ctx, {
    projectId: project._id.toHexString(),
    itemId: lease.itemId,
    userId: lease.userId,
    leaseId,
    jobId: lease.jobId,
    gold: lease.gold,
    event: 'requeued',
    leasedAt: lease.at,
    at: ctx.now(),
    byId: lead._id.toHexString(),
  });
  await audit(ctx, lead._id, 'task.requeue', { type: 'project', id: project._id }, { leaseId, itemId: lease.itemId, userId: lease.userId });
  touchCounts(ctx, pq.projectId, () => queueCounts(ctx, project._id));
}

async function targetUser(ctx: AppContext, userId: string, project: Parameters<typeof assertMayDraw>[1]): Promise<UserDoc> {
  const u = await ctx.db.users.findOne({ _id: new ObjectId(userId) });
  if (!u || u.disabled) throw validationError([{ path: 'userId', reason: 'unknown_user', message: 'no such user' }], 'no such user');
  if (!canAccess(u, project, 'view'))
    throw validationError(
      [{ path: 'userId', reason: 'not_a_member', message: 'not a member' }],
      'that user is not a member of the project',
    );
  assertMayDraw(u, project);
  return u;
}

/** A lead moves a live lease to another member: same task, new lease; both users are told. */
export async function reassignLease(ctx: AppContext, lead: UserDoc, leaseId: string, userId: string): Promise<{ leaseId: string }> {
  const { pq, token, lease, project } = await loadLease(ctx, lead, leaseId);
  if (lease.gold) throw new AppError('CONFLICT', 'gold tasks are per annotator and cannot be reassigned');
  const to = await targetUser(ctx, userId, project);
  const newTok = newToken();
  const r = await runtime(ctx).scripts.transfer(pq.keys, {
    oldToken: token,
    oldUserId: lease.userId,
    newToken: newTok,
    newUserId: userId,
    now: ctx.now(),
    lockMs: ctx.tasks.leaseMs,
  });
  if (r === 0) throw new AppError('LEASE_EXPIRED', 'this lease has already ended');
  if (r === -1) throw new AppError('ALREADY_ANNOTATED', 'that user has done, skipped or holds this item');
  const newLeaseId = leaseIdOf(pq.projectId, newTok);
  ctx.io
    ?.to(rooms.user(lease.userId))
    .emit(SERVER_EVENTS.leaseEnded, { leaseId, projectId: pq.projectId, itemId: lease.itemId, reason: 'reassigned' });
  ctx.io?.to(rooms.user(userId)).emit(SERVER_EVENTS.leaseAssigned, { leaseId: newLeaseId, projectId: pq.projectId, itemId: lease.itemId });
  await logLease(ctx, {
    projectId: project._id.toHexString(),
    itemId: lease.itemId,
    userId: lease.userId,
    leaseId,
    jobId: lease.jobId,
    gold: false,
    event: 'reassigned',
    leasedAt: lease.at,
    at: ctx.now(),
    byId: lead._id.toHexString(),
  });
  await audit(
    ctx,
    lead._id,
    'task.reassign',
    { type: 'project', id: project._id },
    { from: lease.userId, to: userId, itemId: lease.itemId },
  );
  return { leaseId: newLeaseId };
}

/** A lead gives a waiting replica of an item to a chosen member (it becomes their lease). */
export async function assignItem(
  ctx: AppContext,
  lead: UserDoc,
  projectId: ObjectId,
  itemId: string,
  userId: string,
): Promise<{ leaseId: string }> {
  const project = await loadProject(ctx, lead, projectId, 'manage');
  const to = await targetUser(ctx, userId, project);
  const pq = ctx.tasks.project(project._id.toHexString());
  const k = Number(await ctx.redis.hget(pq.keys.queued, itemId));
  if (!k) throw new AppError('NOT_FOUND', 'this item is not up for annotation');
  const scripts = runtime(ctx).scripts;
  const token = newToken();
  for (let r = 0; r < k; r++) {
    const jobId = replicaJobId(itemId, r);
    if ((await scripts.take(pq.keys, jobId, token, ctx.tasks.leaseMs, ctx.now())) !== 1) continue;
    const c = await scripts.claim(pq.keys, {
      userId,
      itemId,
      jobId,
      token,
      r,
      k,
      gold: false,
      now: ctx.now(),
      maxHeld: 1000,
      leaseMs: ctx.tasks.leaseMs,
    });
    if (c.status !== 'ok') {
      await putBackJob(pq, jobId, token);
      throw new AppError('ALREADY_ANNOTATED', 'that user has done, skipped or holds this item');
    }
    const leaseId = leaseIdOf(pq.projectId, token);
    ctx.io?.to(rooms.user(userId)).emit(SERVER_EVENTS.leaseAssigned, { leaseId, projectId: pq.projectId, itemId });
    await audit(ctx, lead._id, 'task.assign', { type: 'project', id: project._id }, { itemId, userId });
    touchCounts(ctx, pq.projectId, () => queueCounts(ctx, project._id));
    return { leaseId };
  }
  throw new AppError('CONFLICT', 'no replica of this item is waiting (all leased or done)');
}
