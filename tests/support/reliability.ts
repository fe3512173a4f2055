import { Queue } from 'bullmq';
import { ObjectId, type Db } from 'mongodb';
import { projectKeys } from '@labelwork/core';
import type { RedisClient } from '@labelwork/engine';
import { expect } from 'vitest';
import type { ApiClient } from './api-client.ts';
import { answer, sid, waitFor, type TestUser } from './tasks.ts';

/**
 * Annotators for the kill tests (Redis, server, workers, database SIGKILLed under load): they keep
 * working through outages like the client does — a submit that fails with no answer or a 5xx is
 * sent again with the same submission id (the client's outbox), a failed "next" is tried again —
 * and record every submit the server acknowledged (201, or 200 for a replay).
 */

/** The admin password the spawned servers get (processes.ts; test-app.ts's, without loading the server in this process). */
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface Ack {
  userId: string;
  itemId: string;
  submissionId: string;
  annotationId: string;
  at: number;
}

export interface KillStats {
  acked: Ack[];
  /** Submit attempts (each send, retries included). */
  sends: number;
  /** Failures by kind: `network`, `503 SERVICE_UNAVAILABLE`, `410 LEASE_EXPIRED`, … */
  errors: Map<string, number>;
  /** Wall-clock times of successful calls (next or submit), to measure recovery. */
  okTimes: number[];
}

export const newKillStats = (): KillStats => ({ acked: [], sends: 0, errors: new Map(), okTimes: [] });

const count = (s: KillStats, kind: string) => s.errors.set(kind, (s.errors.get(kind) ?? 0) + 1);

/** A call that may fail at the transport (connection refused or reset while a process is down). */
async function attempt<T>(f: () => Promise<T>): Promise<T | 'network'> {
  try {
    return await f();
  } catch {
    return 'network';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * next → submit until the queue has had nothing for this user for `idleMs` in a row (and `until()`
 * allows stopping), or `deadline`. `pace()` is awaited before each next (lets a test time its kills).
 */
export async function annotateThroughOutages(
  u: TestUser,
  projectId: string,
  stats: KillStats,
  opts: {
    idleMs: number;
    deadline: number;
    until?: () => boolean;
    retryMs?: number;
    /** Time spent on a task before submitting it. */
    thinkMs?: () => number;
    /** Called when a submit is sent and when its answer (or failure) is in. */
    onSubmit?: (phase: 'sent' | 'answered') => void;
  },
): Promise<void> {
  const retryMs = opts.retryMs ?? 150;
  let idleSince: number | null = null;
  let done = 0;
  while (Date.now() < opts.deadline) {
    const n = await attempt(() => u.client.post(`/api/projects/${projectId}/tasks/next`));
    if (n === 'network' || n.status >= 500) {
      count(stats, n === 'network' ? 'next network' : `next ${n.status} ${n.body?.error?.code ?? ''}`.trim());
      idleSince = null;
      await sleep(retryMs);
      continue;
    }
    if (n.status === 404 && n.body.error?.code === 'NOTHING_TO_DO') {
      // Idle time counts from a "nothing to do" once stopping is allowed (after an outage), not from
      // one during it: a lease the outage left behind comes back to the queue only some time after.
      if (opts.until?.() ?? true) {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= opts.idleMs) return;
      } else idleSince = null;
      await sleep(200);
      continue;
    }
    if (n.status !== 200) {
      count(stats, `next ${n.status} ${n.body?.error?.code ?? ''}`.trim());
      await sleep(retryMs);
      continue;
    }
    idleSince = null;
    stats.okTimes.push(Date.now());
    const task = n.body.task;
    const submissionId = sid();
    const body = { submissionId, ...answer(done) };
    if (opts.thinkMs) await sleep(opts.thinkMs());
    // The outbox: the same submission again until the server answers it (up to the deadline).
    for (;;) {
      stats.sends++;
      opts.onSubmit?.('sent');
      const s = await attempt(() => u.client.post(`/api/tasks/${task.leaseId}/submit`, body));
      opts.onSubmit?.('answered');
      if (s !== 'network' && (s.status === 201 || s.status === 200)) {
        stats.acked.push({ userId: u.id, itemId: task.item.id, submissionId, annotationId: s.body.annotation.id, at: Date.now() });
        stats.okTimes.push(Date.now());
        done++;
        break;
      }
      if (s !== 'network' && s.status < 500) {
        count(stats, `submit ${s.status} ${s.body?.error?.code ?? ''}`.trim());
        break;
      }
      count(stats, s === 'network' ? 'submit network' : `submit ${s.status} ${s.body?.error?.code ?? ''}`.trim());
      if (Date.now() > opts.deadline) return;
      await sleep(retryMs);
    }
  }
}

/** Time from `since` to the first successful call after it (ms), or null if there was none. */
export function recoveryMs(stats: KillStats, since: number): number | null {
  const after = stats.okTimes.filter((t) => t >= since).sort((a, b) => a - b);
  return after.length ? after[0]! - since : null;
}

export const errorSummary = (s: KillStats) =>
  [...s.errors]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || 'none';

/**
 * Why an item is short of k annotations, from Redis: each of its replica jobs in the project's
 * queue (state, attempts), who holds a lease on it, its filled-slot marker, and the errors the
 * annotators met.
 */
async function replicaState(redis: { client: RedisClient; prefix: string }, projectId: string, itemId: string, stats: KillStats) {
  const keys = projectKeys(redis.prefix, projectId);
  const queue = new Queue(keys.queueName, { connection: redis.client, prefix: redis.prefix });
  try {
    const jobs = (await queue.getJobs(['active', 'wait', 'prioritized', 'delayed', 'waiting-children', 'completed', 'failed'])).filter(
      (j) => (j.data as { itemId?: string }).itemId === itemId,
    );
    return {
      jobs: await Promise.all(
        jobs.map(async (j) => ({
          id: j.id,
          state: await j.getState(),
          attempts: j.attemptsMade,
          failed: j.failedReason,
          holder: await redis.client.hget(keys.holders, j.id!),
          filled: await redis.client.get(keys.filled(j.id!)),
        })),
      ),
      errors: errorSummary(stats),
    };
  } finally {
    await queue.close();
  }
}

/**
 * The database is the record. Every acknowledged submit is stored exactly once (its id, its
 * submission id, its user and item); one annotation per (item, user); no item over k; and every item
 * ends done — k annotations, status `complete`, exactly one item-agreement result — since the
 * annotators worked until nothing was left. Returns the number of annotations stored.
 */
export async function checkDatabase(
  db: Db,
  projectId: string,
  itemIds: string[],
  k: number,
  stats: KillStats,
  redis?: { client: RedisClient; prefix: string },
): Promise<number> {
  const pid = new ObjectId(projectId);
  const anns = await db.collection('annotations').find({ projectId: pid }).toArray();
  const bySubmission = new Map<string, (typeof anns)[number][]>();
  for (const a of anns) bySubmission.set(a.submissionId as string, [...(bySubmission.get(a.submissionId as string) ?? []), a]);
  // Acknowledged: stored, once, as acknowledged.
  const ackedIds = new Set<string>();
  for (const ack of stats.acked) {
    const stored = bySubmission.get(ack.submissionId) ?? [];
    expect(stored, `acknowledged submission ${ack.submissionId}`).toHaveLength(1);
    expect(stored[0]!._id.toHexString()).toBe(ack.annotationId);
    expect(stored[0]!.userId.toHexString()).toBe(ack.userId);
    expect(stored[0]!.itemId.toHexString()).toBe(ack.itemId);
    ackedIds.add(ack.annotationId);
  }
  expect(ackedIds.size, 'an acknowledged annotation acknowledged twice').toBe(stats.acked.length);
  const byItem = new Map<string, string[]>();
  for (const a of anns) {
    const id = (a.itemId as ObjectId).toHexString();
    byItem.set(id, [...(byItem.get(id) ?? []), (a.userId as ObjectId).toHexString()]);
  }
  for (const id of itemIds) {
    const users = byItem.get(id) ?? [];
    const why = users.length !== k && redis ? ` — ${JSON.stringify(await replicaState(redis, projectId, id, stats))}` : '';
    expect(users, `item ${id}: k annotations${why}`).toHaveLength(k);
    expect(new Set(users).size, `item ${id}: k different people`).toBe(k);
  }
  expect(anns).toHaveLength(itemIds.length * k);
  // Quality runs in the workers, after the submits: wait for it, then check it ran once per item.
  await waitFor(
    'every item complete',
    async () => (await db.collection('items').countDocuments({ projectId: pid, status: 'complete' })) === itemIds.length,
    30_000,
    200,
  );
  const results = await db.collection('agreements').find({ projectId: pid, scope: 'item' }).toArray();
  expect(results).toHaveLength(itemIds.length);
  expect(new Set(results.map((r) => String(r._id))).size).toBe(itemIds.length);
  return anns.length;
}

/**
 * Redis agrees with the database once the dust settles: nothing waiting, no lease held (an
 * abandoned one has expired and its job completed or come back and been done), every item counted
 * complete once and every annotation counted done once.
 */
export async function waitUntilSettled(lead: ApiClient, projectId: string, n: number, k: number): Promise<void> {
  const want = { waiting: 0, leased: 0, itemsComplete: n, done: n * k };
  let last: unknown;
  try {
    await waitFor(
      'the queue to settle',
      async () => {
        const r = await lead.get(`/api/projects/${projectId}/queue`);
        last = r.body.counts;
        return r.status === 200 && Object.entries(want).every(([key, v]) => r.body.counts[key] === v);
      },
      30_000,
      250,
    );
  } catch (e) {
    throw new Error(`${String(e)}; counts ${JSON.stringify(last)}, want ${JSON.stringify(want)}`, { cause: e });
  }
}
