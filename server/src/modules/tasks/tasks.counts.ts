import type { ObjectId } from 'mongodb';
import type { AnnotatorCounts, QueueCounts } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { settingsOf } from './task-runtime.ts';

const num = (v: string | null | undefined) => Number(v ?? 0) || 0;

/** Live counts of a project's queue, from Redis only (BullMQ's counts and our counters). */
export async function queueCounts(ctx: AppContext, projectId: ObjectId): Promise<QueueCounts> {
  const pid = projectId.toHexString();
  const pq = ctx.tasks.project(pid);
  const [jobs, stats, pool, settings] = await Promise.all([
    pq.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    ctx.redis.hgetall(pq.keys.stats),
    ctx.redis.scard(pq.keys.goldPool),
    settingsOf(ctx, projectId),
  ]);
  return {
    projectId: pid,
    paused: settings.paused,
    itemsQueued: num(stats.itemsQueued),
    itemsComplete: num(stats.itemsComplete),
    waiting: (jobs.waiting ?? 0) + (jobs.prioritized ?? 0) + (jobs.delayed ?? 0),
    leased: jobs.active ?? 0,
    done: num(stats.done),
    skips: num(stats.skips),
    gold: { pool, served: num(stats.goldServed), done: num(stats.goldDone) },
  };
}

/** Per annotator: live leases, submitted, skipped, gold done and gold accuracy. */
export async function annotatorCounts(ctx: AppContext, projectId: ObjectId): Promise<AnnotatorCounts[]> {
  const pq = ctx.tasks.project(projectId.toHexString());
  const users = (await ctx.redis.smembers(pq.keys.users)).sort();
  if (!users.length) return [];
  const p = ctx.redis.pipeline();
  for (const u of users) {
    p.hgetall(pq.keys.user(u));
    p.hlen(pq.keys.held(u));
  }
  const res = (await p.exec()) ?? [];
  return users.map((userId, i) => {
    const c = (res[2 * i]?.[1] ?? {}) as Record<string, string>;
    const accN = num(c.accN);
    return {
      userId,
      leased: Number(res[2 * i + 1]?.[1] ?? 0),
      done: num(c.done),
      skipped: num(c.skipped),
      gold: num(c.gold),
      accuracy: accN > 0 ? num(c.accSum) / accN : null,
    };
  });
}
