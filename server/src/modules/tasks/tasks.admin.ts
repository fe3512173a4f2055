import { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  JOB_NAMES,
  leaseIdOf,
  replicaJobId,
  type AnnotatorCounts,
  type MaintenanceJobData,
  type QueueCounts,
  type QueueSettings,
  type QueueSettingsPatch,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { loadProject } from '../access/index.ts';
import { forgetSettings, runtime, settingsOf, touchCounts } from './task-runtime.ts';
import { agreementsRepo, draftsRepo, queuesRepo } from './tasks.repository.ts';
import { annotatorCounts, queueCounts } from './tasks.counts.ts';

export async function queueOverview(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
): Promise<{ settings: QueueSettings; counts: QueueCounts; annotators: AnnotatorCounts[] }> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const [settings, counts, annotators] = await Promise.all([
    settingsOf(ctx, project._id),
    queueCounts(ctx, project._id),
    annotatorCounts(ctx, project._id),
  ]);
  return { settings, counts, annotators };
}

export async function updateSettings(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  patch: QueueSettingsPatch,
): Promise<QueueSettings> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  await queuesRepo.ensure(ctx.db, project._id, new Date(ctx.now()));
  const set: Record<string, unknown> = { updatedAt: new Date(ctx.now()) };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
  await queuesRepo.update(ctx.db, project._id, set);
  forgetSettings(ctx, project._id);
  await audit(ctx, user._id, 'queue.settings', { type: 'project', id: project._id }, patch);
  return settingsOf(ctx, project._id);
}

/** Pause stops new leases (BullMQ's queue pause); leases in hand go on. Resume undoes it. */
export async function setPaused(ctx: AppContext, user: UserDoc, projectId: ObjectId, paused: boolean): Promise<QueueCounts> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  await queuesRepo.ensure(ctx.db, project._id, new Date(ctx.now()));
  await queuesRepo.update(ctx.db, project._id, { paused, updatedAt: new Date(ctx.now()) });
  const pq = ctx.tasks.project(project._id.toHexString());
  if (paused) await pq.queue.pause();
  else await pq.queue.resume();
  forgetSettings(ctx, project._id);
  await audit(ctx, user._id, paused ? 'queue.pause' : 'queue.resume', { type: 'project', id: project._id });
  touchCounts(ctx, pq.projectId, () => queueCounts(ctx, project._id));
  return queueCounts(ctx, project._id);
}

export interface ItemProgress {
  itemId: string;
  queued: boolean;
  k: number;
  done: number;
  annotators: string[];
  replicas: { r: number; state: string; holder?: string; leaseId?: string }[];
  complete: boolean;
  quality?: unknown;
}

/** Live state of one item: each replica's state and holder, annotations in, stored quality. */
export async function itemProgress(ctx: AppContext, user: UserDoc, projectId: ObjectId, itemId: string): Promise<ItemProgress> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const pq = ctx.tasks.project(project._id.toHexString());
  const [kRaw, annotators, complete] = await Promise.all([
    ctx.redis.hget(pq.keys.queued, itemId),
    ctx.redis.hkeys(pq.keys.itemAnnotations(itemId)),
    ctx.redis.sismember(pq.keys.complete, itemId),
  ]);
  const k = Number(kRaw ?? 0);
  const replicas: ItemProgress['replicas'] = [];
  const scripts = runtime(ctx).scripts;
  for (let r = 0; r < k; r++) {
    const jobId = replicaJobId(itemId, r);
    const job = await Job.fromId(pq.queue, jobId);
    const state = job ? await job.getState() : 'completed';
    const entry: ItemProgress['replicas'][number] = {
      r,
      state: state === 'prioritized' ? 'waiting' : state === 'active' ? 'leased' : state,
    };
    if (state === 'active') {
      const token = await ctx.redis.hget(pq.keys.holders, jobId);
      const lease = token ? await scripts.lease(pq.keys, token) : null;
      if (token && lease) {
        entry.holder = lease.userId;
        entry.leaseId = leaseIdOf(pq.projectId, token);
      }
    }
    replicas.push(entry);
  }
  const quality = complete ? await agreementsRepo.item(ctx.db, new ObjectId(itemId)) : null;
  return {
    itemId,
    queued: k > 0,
    k,
    done: annotators.length,
    annotators,
    replicas,
    complete: complete === 1,
    ...(quality ? { quality } : {}),
  };
}

/** Live leases of a project (holder, item, lease id), for the lead's requeue / reassign. */
export async function liveLeases(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
): Promise<{ leaseId: string; jobId: string; itemId: string; userId: string; since: string; gold: boolean }[]> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const pq = ctx.tasks.project(project._id.toHexString());
  const holders = await ctx.redis.hgetall(pq.keys.holders);
  const scripts = runtime(ctx).scripts;
  const out = [];
  for (const [jobId, token] of Object.entries(holders)) {
    const [lease, lock] = await Promise.all([scripts.lease(pq.keys, token), ctx.redis.get(pq.keys.bull.lock(jobId))]);
    if (!lease || lock !== token) continue;
    out.push({
      leaseId: leaseIdOf(pq.projectId, token),
      jobId,
      itemId: lease.itemId,
      userId: lease.userId,
      since: new Date(lease.at).toISOString(),
      gold: lease.gold,
    });
  }
  return out.sort((a, b) => a.since.localeCompare(b.since));
}

/** Drafts of a project, with whether their lease is still live (orphaned ones are kept for the lead). */
export async function projectDrafts(ctx: AppContext, user: UserDoc, projectId: ObjectId) {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const pq = ctx.tasks.project(project._id.toHexString());
  const docs = await draftsRepo.byProject(ctx.db, project._id);
  const scripts = runtime(ctx).scripts;
  return Promise.all(
    docs.map(async (d) => {
      const token = d.leaseId.split('.')[1] ?? '';
      const lease = await scripts.lease(pq.keys, token);
      const live = lease ? (await ctx.redis.get(pq.keys.bull.lock(lease.jobId))) === token : false;
      return {
        itemId: d.itemId.toHexString(),
        userId: d.userId.toHexString(),
        leaseId: d.leaseId,
        leaseLive: live,
        regions: d.regions,
        savedAt: d.savedAt.toISOString(),
        ...(d.orphanedAt ? { orphanedAt: d.orphanedAt.toISOString() } : {}),
      };
    }),
  );
}

export async function projectAgreementHistory(ctx: AppContext, user: UserDoc, projectId: ObjectId, limit: number) {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const history = await agreementsRepo.projectHistory(ctx.db, project._id, limit);
  const { _id: _a, schemaVersion: _b, ...latest } = history[0] ?? ({} as Record<string, unknown>);
  return {
    latest: history.length ? { ...latest, projectId: project._id.toHexString() } : null,
    history: history.map((h) => ({
      at: h.at.toISOString(),
      items: h.items,
      byTool: Object.fromEntries(Object.entries(h.byTool).map(([t, v]) => [t, v?.value ?? null])),
    })),
  };
}

/** Long jobs for the workers: rebuild the queue from MongoDB, or recompute the project's quality. */
export async function startMaintenance(
  ctx: AppContext,
  user: UserDoc,
  projectId: ObjectId,
  kind: 'requeue-all' | 'recompute-project',
): Promise<{ jobId: string }> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const data: MaintenanceJobData = { projectId: project._id.toHexString(), requestedBy: user._id.toHexString() };
  // requeue-all interleaves replicas like normal queueing, with the project's spread.
  if (kind === 'requeue-all') data.spread = (await settingsOf(ctx, project._id)).spread;
  const name = kind === 'requeue-all' ? JOB_NAMES.requeueAll : JOB_NAMES.recomputeProject;
  // One pending run per project and kind: asking again while one waits is a no-op.
  const job = await ctx.tasks.maintenance.add(name, data, {
    jobId: `${kind}-${data.projectId}-${Math.floor(ctx.now() / 1000)}`,
    removeOnComplete: 100,
    removeOnFail: 100,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
  });
  await audit(ctx, user._id, `queue.${kind}`, { type: 'project', id: project._id }, { jobId: job.id });
  return { jobId: job.id ?? '' };
}

export async function maintenanceStatus(ctx: AppContext, user: UserDoc, projectId: ObjectId, jobId: string) {
  await loadProject(ctx, user, projectId, 'manage');
  if (!jobId.endsWith(projectId.toHexString()) && !jobId.includes(`-${projectId.toHexString()}-`))
    throw new AppError('NOT_FOUND', 'no such job');
  const job = await Job.fromId(ctx.tasks.maintenance, jobId);
  if (!job) throw new AppError('NOT_FOUND', 'no such job');
  return {
    jobId,
    state: await job.getState(),
    progress: job.progress,
    result: job.returnvalue ?? null,
    failedReason: job.failedReason ?? null,
  };
}
