import { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { meetsLevel, parseLeaseId, type Region } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc, UserDoc } from '../../infra/mongo.ts';
import type { ProjectQueue } from '../../infra/queues.ts';
import { AppError } from '../../http/errors.ts';
import { loadProject } from '../projects/projects.access.ts';
import type { LeaseFields } from './lease-scripts.ts';
import { projectForTask } from './task-runtime.ts';
import { draftsRepo } from './tasks.repository.ts';

export function assertMayDraw(user: UserDoc, project: ProjectDoc): void {
  if (project.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'the project is archived');
  if (!meetsLevel(user.level, project.minLevel)) {
    throw new AppError('LEVEL_TOO_LOW', `this project needs certification level ${project.minLevel} or above; you are ${user.level}`, { required: project.minLevel, yours: user.level });
  }
}

export function heartbeatMsOf(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 4));
}

export interface LeaseRef {
  project: ProjectDoc;
  pq: ProjectQueue;
  token: string;
  leaseId: string;
}

/**
 * The project and queue of a lease id, for a user with `need` access to that project. The project
 * is resolved and the access checked before any queue is touched: a made-up id (the project id is
 * part of it) must never open a queue (each costs a Redis connection).
 */
export async function leaseRef(ctx: AppContext, user: UserDoc, leaseId: string, need: 'view' | 'manage' = 'view'): Promise<LeaseRef> {
  const parsed = parseLeaseId(leaseId);
  if (!parsed) throw new AppError('NOT_FOUND', 'no such lease');
  const id = new ObjectId(parsed.projectId);
  const project = need === 'view' ? await projectForTask(ctx, user, id) : await loadProject(ctx, user, id, need);
  return { project, pq: ctx.tasks.project(project._id.toHexString()), token: parsed.token, leaseId };
}

export async function storeDraft(ctx: AppContext, user: UserDoc, pq: ProjectQueue, lease: LeaseFields, leaseId: string, regions: Region[], orphaned: boolean): Promise<Date> {
  const savedAt = new Date(ctx.now());
  await draftsRepo.save(ctx.db, {
    _id: draftsRepo.key(user._id, lease.itemId),
    schemaVersion: 1,
    projectId: new ObjectId(pq.projectId),
    itemId: new ObjectId(lease.itemId),
    userId: user._id,
    leaseId,
    regions,
    savedAt,
    ...(orphaned ? { orphanedAt: savedAt } : {}),
  });
  await ctx.redis.sadd(pq.keys.drafts(user._id.toHexString()), lease.itemId);
  return savedAt;
}

/** Returns a leased job to the front of its priority (no-op if the lock moved on). */
export async function putBackJob(pq: ProjectQueue, jobId: string, token: string): Promise<void> {
  const job = await Job.fromId(pq.queue, jobId);
  await job?.moveToWait(token).catch(() => undefined);
}
