import { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { formatPath, meetsLevel, parseLeaseId, regionIssues, type ItemExtent, type Region } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc, UserDoc } from '@labelwork/engine';
import type { ProjectQueue } from '../../infra/queues.ts';
import { AppError, validationError } from '../../http/errors.ts';
import { loadProject } from '../access/index.ts';
import type { LeaseFields } from './lease-scripts.ts';
import { projectForTask, runtime } from './task-runtime.ts';
import { taskItemOf, type CachedItem } from '@labelwork/core';
import { draftsRepo } from './tasks.repository.ts';

export function assertMayDraw(user: UserDoc, project: ProjectDoc): void {
  if (project.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'the project is archived');
  if (!meetsLevel(user.level, project.minLevel)) {
    throw new AppError('LEVEL_TOO_LOW', `this project needs certification level ${project.minLevel} or above; you are ${user.level}`, {
      required: project.minLevel,
      yours: user.level,
    });
  }
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

/** Where an item's regions must lie (from the cached task item, else the database). */
export async function extentOf(ctx: AppContext, pq: ProjectQueue, itemId: string, itemJson?: string): Promise<ItemExtent> {
  const json = itemJson || (await ctx.redis.get(pq.keys.item(itemId)));
  if (json) return (JSON.parse(json) as CachedItem).extent;
  const doc = await ctx.db.items.findOne({ _id: new ObjectId(itemId) });
  if (!doc) throw new AppError('NOT_FOUND', 'the item of this task no longer exists');
  return taskItemOf(doc).extent;
}

/**
 * The check of submitted regions, for drafts too: label schema and item extent (VALIDATION_FAILED
 * naming each region), and for drafts a size cap (DRAFT_TOO_LARGE): a draft is stored, shown to
 * leads and restored in the editor like an annotation.
 */
export async function assertRegionsFit(
  ctx: AppContext,
  project: ProjectDoc,
  pq: ProjectQueue,
  itemId: string,
  regions: Region[],
  itemJson?: string,
): Promise<void> {
  const issues = regionIssues(project.labelSchema, await extentOf(ctx, pq, itemId, itemJson), regions);
  if (issues.length)
    throw validationError(
      issues.map((i) => ({ ...i, path: formatPath(i.path) })),
      'the regions do not fit the label schema',
    );
}

function assertDraftSize(ctx: AppContext, regions: Region[]): void {
  const bytes = Buffer.byteLength(JSON.stringify(regions));
  if (bytes > ctx.config.DRAFT_MAX_BYTES)
    throw new AppError(
      'DRAFT_TOO_LARGE',
      `a draft may hold at most ${ctx.config.DRAFT_MAX_BYTES} bytes of regions; this one has ${bytes}`,
      { maxBytes: ctx.config.DRAFT_MAX_BYTES, bytes },
    );
}

/** Stores a draft of a lease after checking it like a submission (and its size). */
export async function storeDraft(
  ctx: AppContext,
  user: UserDoc,
  project: ProjectDoc,
  pq: ProjectQueue,
  lease: LeaseFields,
  leaseId: string,
  regions: Region[],
  orphaned: boolean,
): Promise<Date> {
  assertDraftSize(ctx, regions);
  await assertRegionsFit(ctx, project, pq, lease.itemId, regions);
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

/**
 * The project and item of a live lease held by `user` (it counts as a heartbeat), for work done
 * on the item while it is held (model assistance); NOT_FOUND unless it is theirs, LEASE_EXPIRED
 * once it ended.
 */
export async function heldLeaseItem(ctx: AppContext, user: UserDoc, leaseId: string): Promise<{ project: ProjectDoc; itemId: string }> {
  const { pq, token, project } = await leaseRef(ctx, user, leaseId);
  const t = await runtime(ctx).scripts.touch(pq.keys, user._id.toHexString(), token, ctx.tasks.leaseMs);
  if (t.status === 'ended') throw new AppError('LEASE_EXPIRED', 'this lease has ended; ask for the next task');
  if (t.status !== 'live') throw new AppError('NOT_FOUND', 'no such lease');
  return { project, itemId: t.lease.itemId };
}
