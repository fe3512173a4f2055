import type { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import { ReplicaJobData, goldJobId, heartbeatMsOf, leaseIdOf, type Region, type Task, type TaskItem } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { latestPrediction, type ProjectDoc, type UserDoc } from '@labelwork/engine';
import type { ProjectQueue } from '../../infra/queues.ts';
import { AppError } from '../../http/errors.ts';
import { newToken, projectForTask, runtime, settingsOf, touchCounts } from './task-runtime.ts';
import { taskItemOf, type CachedItem } from '@labelwork/core';
import { assertMayDraw, leaseRef, putBackJob, storeDraft } from './task-leases.ts';
import { draftsRepo, skipsRepo } from './tasks.repository.ts';
import { logLease } from './lease-log.ts';
import { reconcileFilledSlot } from './tasks.submit.ts';
import { queueCounts } from './tasks.counts.ts';
import { assertNotGoldPaused, goldPauseQuick } from '../certification/index.ts';

/** A user holds at most this many leases per project: "next" resumes the one they have. */
const MAX_HELD = 1;

async function itemOf(ctx: AppContext, pq: ProjectQueue, itemId: string, cachedJson?: string): Promise<TaskItem> {
  const json = cachedJson || (await ctx.redis.get(pq.keys.item(itemId)));
  if (json) return (JSON.parse(json) as CachedItem).item;
  // Only after a Redis loss: the slow path reads the item and caches it again.
  const doc = await ctx.db.items.findOne({ _id: new ObjectId(itemId) });
  if (!doc) throw new AppError('NOT_FOUND', 'the item of this task no longer exists');
  const cached = taskItemOf(doc);
  await ctx.redis.set(pq.keys.item(itemId), JSON.stringify(cached));
  return cached.item;
}

async function draftOf(ctx: AppContext, userId: ObjectId, itemId: string): Promise<Task['draft']> {
  const d = await draftsRepo.get(ctx.db, userId, new ObjectId(itemId));
  return d ? { regions: d.regions, savedAt: d.savedAt.toISOString() } : undefined;
}

/** The newest prediction for a (non-gold) item, as the annotator's workspace pre-fills it. */
async function predictionOf(ctx: AppContext, pq: ProjectQueue, itemId: string): Promise<Task['prediction']> {
  if (!(await runtime(ctx).hasPredictions.get(pq.projectId))) return undefined;
  const id = new ObjectId(itemId);
  const p = await latestPrediction(ctx.db, id);
  if (!p || !p.regions.length) return undefined;
  const item = await ctx.db.items.findOne({ _id: id }, { projection: { isGold: 1 } });
  if (!item || item.isGold) return undefined;
  const { kind, name, modelVersion } = p.source;
  return { regions: p.regions, source: { kind, name, ...(modelVersion ? { modelVersion } : {}) }, score: p.score };
}

async function taskOf(
  ctx: AppContext,
  pq: ProjectQueue,
  user: UserDoc,
  lease: { token: string; itemId: string; pttl: number; resumed: boolean; hasDraft: boolean; itemJson?: string },
): Promise<Task> {
  const leaseMs = ctx.tasks.leaseMs;
  const [item, draft, prediction] = await Promise.all([
    itemOf(ctx, pq, lease.itemId, lease.itemJson),
    lease.hasDraft ? draftOf(ctx, user._id, lease.itemId) : Promise.resolve(undefined),
    predictionOf(ctx, pq, lease.itemId),
  ]);
  return {
    leaseId: leaseIdOf(pq.projectId, lease.token),
    projectId: pq.projectId,
    item,
    leaseUntil: new Date(ctx.now() + lease.pttl).toISOString(),
    leaseMs,
    heartbeatMs: heartbeatMsOf(leaseMs),
    ...(draft ? { draft } : {}),
    resumed: lease.resumed,
    ...(prediction ? { prediction } : {}),
  };
}

async function resume(ctx: AppContext, pq: ProjectQueue, user: UserDoc): Promise<Task | null> {
  const held = await runtime(ctx).scripts.held(pq.keys, user._id.toHexString());
  const h = held[0];
  if (!h) return null;
  const hasDraft = (await ctx.redis.sismember(pq.keys.drafts(user._id.toHexString()), h.itemId)) === 1;
  return taskOf(ctx, pq, user, { token: h.token, itemId: h.itemId, pttl: h.pttl, resumed: true, hasDraft });
}

/**
 * Whether this request should serve a gold item: always during the warm-up of a user new to the
 * project, then at random with a probability that tracks the gold rate (the further the user's
 * gold share falls behind the rate, the likelier), so the share converges on the rate.
 */
function wantsGold(served: number, goldServed: number, rate: number, warmup: number, random: () => number): boolean {
  if (served < warmup) return true;
  if (rate <= 0) return false;
  const deficit = rate * (served + 1) - goldServed;
  return random() < Math.min(1, Math.max(0, deficit));
}

async function tryGold(
  ctx: AppContext,
  project: ProjectDoc,
  pq: ProjectQueue,
  user: UserDoc,
  warmup: number,
  goldChecked: () => Promise<void>,
): Promise<Task | null> {
  const uid = user._id.toHexString();
  const [counts] = await Promise.all([ctx.redis.hmget(pq.keys.user(uid), 'served', 'goldServed'), goldChecked()]);
  const [served, goldServed] = counts.map((v) => Number(v ?? 0)) as [number, number];
  if (!wantsGold(served, goldServed, project.goldRate, warmup, Math.random)) return null;
  const scripts = runtime(ctx).scripts;
  const itemId = await scripts.pickGold(pq.keys, uid);
  if (!itemId) return null;
  const token = newToken();
  const leaseMs = ctx.tasks.leaseMs;
  const c = await scripts.claim(pq.keys, {
    userId: uid,
    itemId,
    jobId: goldJobId(itemId, uid),
    token,
    r: -1,
    k: 0,
    gold: true,
    now: ctx.now(),
    maxHeld: MAX_HELD,
    leaseMs,
  });
  if (c.status !== 'ok') return null;
  return taskOf(ctx, pq, user, { token, itemId, pttl: leaseMs, resumed: false, hasDraft: c.hasDraft, itemJson: c.itemJson });
}

/** Second looks at a queue found empty, under the project's rescan lock (see nextTask). */
const RESCANS = 2;
/** How long a "next" waits for the rescan lock before looking again without it. */
const RESCAN_LOCK_WAIT_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rescan(ctx: AppContext, pq: ProjectQueue, token: string, scan: () => Promise<boolean>): Promise<void> {
  await sleep(10 + Math.random() * 20);
  const key = pq.keys.rescan;
  const until = ctx.now() + RESCAN_LOCK_WAIT_MS;
  let locked = false;
  while (!(locked = (await ctx.redis.set(key, token, 'PX', 2000, 'NX')) === 'OK') && ctx.now() < until) await sleep(5 + Math.random() * 10);
  try {
    for (let pass = 0; pass < RESCANS; pass++) {
      if (pass) await sleep(20);
      if (!(await scan())) return;
    }
  } finally {
    if (locked && (await ctx.redis.get(key)) === token) await ctx.redis.del(key);
  }
}

/**
 * "Next task" for an annotator. Resumes the lease they hold, else maybe a gold item, else takes
 * replica tasks from the project queue (BullMQ's lock is the lease) until one passes the exclusion
 * rules (not annotated, skipped or held by this user); excluded ones are held while looking and
 * then put back at the front of their priority, so order is kept and nobody else waits on them.
 */
export async function nextTask(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<Task> {
  if (ctx.tasks.closing) throw new AppError('UNAVAILABLE', 'the server is restarting; try again in a moment');
  const project = await projectForTask(ctx, user, projectId);
  assertMayDraw(user, project);
  // The gold-pause check must pass before anything is handed out, but its Redis read need not come
  // first: it goes out beside the first queue read, and is awaited before that read's task is taken.
  // Each round trip a "next" waits for costs it a wake-up, and under load a wake-up is the cost.
  const quick = goldPauseQuick(ctx, user, project);
  quick.catch(() => undefined); // awaited through goldChecked on every path below
  let checked: Promise<void> | null = null;
  const goldChecked = () => (checked ??= quick.then((q) => assertNotGoldPaused(ctx, user, project, q)));
  const pq = ctx.tasks.project(project._id.toHexString());
  const settings = await settingsOf(ctx, project._id);
  if (settings.paused) {
    await goldChecked();
    // A lease in hand is still resumed (a reload during a pause).
    const held = await resume(ctx, pq, user);
    if (held) return held;
    throw new AppError('PROJECT_PAUSED', 'the lead has paused this project');
  }
  if (project.goldRate > 0 || settings.goldWarmup > 0) {
    const gold = await tryGold(ctx, project, pq, user, settings.goldWarmup, goldChecked);
    if (gold) return gold;
  }
  const scripts = runtime(ctx).scripts;
  const uid = user._id.toHexString();
  const token = newToken();
  const leaseMs = ctx.tasks.leaseMs;
  // (Assigned inside `scan`: typed by assertion so that TypeScript does not narrow it to null here.)
  let accepted = null as { data: ReplicaJobData; itemJson: string; hasDraft: boolean } | null;
  let busy = false;
  let scanned = 0;
  /** One pass over the queue; true when it ended on an empty queue (not at the scan limit). */
  const scan = async (): Promise<boolean> => {
    const putBack: Job[] = [];
    try {
      for (let i = 0; i < ctx.config.TASK_SCAN_LIMIT && !accepted; i++) {
        const job = await pq.worker.getNextJob(token, { block: false });
        if (!job) return true;
        scanned++;
        try {
          await goldChecked();
        } catch (e) {
          putBack.push(job);
          throw e;
        }
        const parsed = ReplicaJobData.safeParse(job.data);
        if (!parsed.success || !job.id) {
          await job.moveToFailed(new Error('not a replica task'), token, false).catch(() => undefined);
          continue;
        }
        const data = parsed.data;
        const jobId = job.id;
        const claim = () =>
          scripts.claim(pq.keys, {
            userId: uid,
            itemId: data.itemId,
            jobId,
            token,
            r: data.r,
            k: data.k,
            gold: false,
            now: ctx.now(),
            maxHeld: MAX_HELD,
            leaseMs,
          });
        let c = await claim();
        if (c.status === 'filled') {
          // A submit stored an annotation for this slot but did not finish (crash): finish it now.
          let settled: boolean;
          try {
            settled = await reconcileFilledSlot(ctx, project, job, token, data.k);
          } catch (e) {
            // Not leased (the claim found the slot filled) and not settled — the database is down, say:
            // back to the queue now. Left active under this request's lock it would come back only when
            // the stalled check found it, a lease time later, and nobody could take the slot till then.
            putBack.push(job);
            throw e;
          }
          if (settled) continue;
          c = await claim();
        }
        if (c.status === 'ok') accepted = { data, itemJson: c.itemJson, hasDraft: c.hasDraft };
        else {
          putBack.push(job);
          if (c.status === 'busy') {
            busy = true;
            return false;
          }
        }
      }
      return false;
    } finally {
      await Promise.all(putBack.map((j) => j.moveToWait(token).catch(() => undefined)));
    }
  };
  // A pass that found the queue empty may have missed tasks that other "next" requests were holding
  // while they looked (near the end of a project, two people asking at once can each hold the task the
  // other may take). Only on this path, which would otherwise answer NOTHING_TO_DO: wait a moment for
  // them to put those back, then look again — one such second look at a time per project (a short
  // Redis lock), so that two of them cannot hold each other's tasks again.
  if ((await scan()) && !accepted) await rescan(ctx, pq, token, scan);
  await goldChecked(); // done above unless no task was fetched
  // The user's own lease (a reload, or two tabs) is found by the claim ("busy"), or here when the
  // queue is empty: checking first would cost every request a round trip.
  if (busy || !accepted) {
    const held = await resume(ctx, pq, user);
    if (held) return held;
  }
  if (!accepted) {
    if (await pq.queue.isPaused()) throw new AppError('PROJECT_PAUSED', 'the lead has paused this project');
    throw new AppError(
      'NOTHING_TO_DO',
      scanned ? 'no task for you right now: the tasks left are ones you have done, skipped or hold' : 'no task is waiting in this project',
      { retryAfterMs: scanned ? 5000 : 10_000 },
    );
  }
  const task = await taskOf(ctx, pq, user, {
    token,
    itemId: accepted.data.itemId,
    pttl: leaseMs,
    resumed: false,
    hasDraft: accepted.hasDraft,
    itemJson: accepted.itemJson,
  });
  touchCounts(ctx, pq.projectId, () => queueCounts(ctx, project._id));
  return task;
}

/** Keeps a lease alive (client heartbeat over Socket.IO or HTTP). */
export async function heartbeat(ctx: AppContext, user: UserDoc, leaseId: string): Promise<{ leaseUntil: string }> {
  const { pq, token } = await leaseRef(ctx, user, leaseId);
  const t = await runtime(ctx).scripts.touch(pq.keys, user._id.toHexString(), token, ctx.tasks.leaseMs);
  if (t.status === 'live') return { leaseUntil: new Date(ctx.now() + t.pttl).toISOString() };
  if (t.status !== 'ended') throw new AppError('NOT_FOUND', 'no such lease');
  throw new AppError('LEASE_EXPIRED', 'this lease has ended; ask for the next task');
}

/** Saves a draft (the lease must be yours). Also counts as a heartbeat. */
export async function saveDraft(
  ctx: AppContext,
  user: UserDoc,
  leaseId: string,
  regions: Region[],
): Promise<{ savedAt: string; leaseUntil: string }> {
  const { pq, token, project } = await leaseRef(ctx, user, leaseId);
  const t = await runtime(ctx).scripts.touch(pq.keys, user._id.toHexString(), token, ctx.tasks.leaseMs);
  if (t.status === 'replay' || !('lease' in t)) throw new AppError('NOT_FOUND', 'no such lease');
  const savedAt = await storeDraft(ctx, user, project, pq, t.lease, leaseId, regions, t.status !== 'live');
  if (t.status !== 'live')
    throw new AppError('LEASE_EXPIRED', 'this lease has ended; your draft is kept for the lead', { draftSaved: true });
  return { savedAt: savedAt.toISOString(), leaseUntil: new Date(ctx.now() + t.pttl).toISOString() };
}

/** Ends a lease by its holder: `release` (may be offered again later) or `skip` (never again). */
export async function giveBack(ctx: AppContext, user: UserDoc, leaseId: string, skip: { reason: string } | null): Promise<void> {
  const { pq, token } = await leaseRef(ctx, user, leaseId);
  const scripts = runtime(ctx).scripts;
  const lease = await scripts.lease(pq.keys, token);
  if (!lease || lease.userId !== user._id.toHexString()) throw new AppError('NOT_FOUND', 'no such lease');
  const projectId = new ObjectId(pq.projectId);
  if (skip) {
    // Durable first: the skip survives a Redis loss (requeue-all rebuilds exclusions from it).
    await skipsRepo.insert(ctx.db, {
      _id: new ObjectId(),
      schemaVersion: 1,
      projectId,
      itemId: new ObjectId(lease.itemId),
      userId: user._id,
      leaseId,
      reason: skip.reason,
      at: new Date(ctx.now()),
    });
  }
  const r = await scripts.release(pq.keys, lease.userId, token, skip !== null);
  if (!r?.live && !skip) throw new AppError('LEASE_EXPIRED', 'this lease has already ended');
  if (r?.live && !r.gold) await putBackJob(pq, r.jobId, token);
  await logLease(ctx, {
    projectId: pq.projectId,
    itemId: lease.itemId,
    userId: user._id.toHexString(),
    leaseId,
    jobId: lease.jobId,
    gold: lease.gold,
    event: skip ? 'skipped' : 'released',
    leasedAt: lease.at,
    at: ctx.now(),
  });
  touchCounts(ctx, pq.projectId, () => queueCounts(ctx, projectId));
}
