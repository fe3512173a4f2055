import type { Redis } from 'ioredis';
import { reviewKeys, type ReviewKeys, type ReviewQueueCounts, type ReviewReason } from '@labelwork/core';

/**
 * A project's review queue in Redis, with the annotators' lease pattern: a reviewer draws a task
 * with an unguessable token and a lease-until; heartbeats extend it; a verdict needs the token of a
 * live lease; an abandoned lease goes back to the queue on the next draw. Every step is one Lua
 * script, so two reviewers (on any server process) never hold the same task, and nobody draws their
 * own work. All keys carry the project's `{hash tag}` (one Redis Cluster slot per project).
 */

const ENQUEUE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local rs = redis.call('HGET', KEYS[1], 'reasons') or ''
  if not string.find(','..rs..',', ','..ARGV[7]..',', 1, true) then
    redis.call('HSET', KEYS[1], 'reasons', rs..','..ARGV[7])
  end
  return 0
end
redis.call('HSET', KEYS[1], 'projectId', ARGV[2], 'itemId', ARGV[3], 'annotationId', ARGV[4], 'annotatorId', ARGV[5],
  'round', ARGV[6], 'reasons', ARGV[7], 'score', ARGV[8], 'status', 'pending', 'createdAt', ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[8], ARGV[1])
return 1
`;

// KEYS: pending, leased, held(uid). ARGV: now, uid, token, until, taskPrefix, maxScan, heldPrefix.
const DRAW = `
local now = tonumber(ARGV[1])
local h = redis.call('GET', KEYS[3])
if h then
  local tk = ARGV[5]..h
  local s = redis.call('ZSCORE', KEYS[2], h)
  if s and tonumber(s) > now and redis.call('HGET', tk, 'reviewerId') == ARGV[2] then
    redis.call('ZADD', KEYS[2], ARGV[4], h)
    redis.call('HSET', tk, 'leaseUntil', ARGV[4])
    return {h, redis.call('HGET', tk, 'token'), 1}
  end
  redis.call('DEL', KEYS[3])
end
local exp = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(exp) do
  local tk = ARGV[5]..id
  redis.call('ZREM', KEYS[2], id)
  local rv = redis.call('HGET', tk, 'reviewerId')
  if rv and redis.call('GET', ARGV[7]..rv) == id then redis.call('DEL', ARGV[7]..rv) end
  redis.call('HSET', tk, 'status', 'pending')
  redis.call('HDEL', tk, 'token', 'reviewerId', 'leaseUntil')
  redis.call('ZADD', KEYS[1], redis.call('HGET', tk, 'score'), id)
end
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[6]) - 1)
for _, id in ipairs(ids) do
  local tk = ARGV[5]..id
  if redis.call('HGET', tk, 'annotatorId') ~= ARGV[2] then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], ARGV[4], id)
    redis.call('HSET', tk, 'status', 'leased', 'token', ARGV[3], 'reviewerId', ARGV[2], 'leaseUntil', ARGV[4])
    redis.call('SET', KEYS[3], id)
    return {id, ARGV[3], 0}
  end
end
return false
`;

// KEYS: task, leased. ARGV: token, now, until, taskId. 1 live (extended), 0 not yours, -1 expired.
const TOUCH = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'leased' then return 0 end
local s = redis.call('ZSCORE', KEYS[2], ARGV[4])
if not s or tonumber(s) <= tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[1], 'leaseUntil', ARGV[3])
return 1
`;

// KEYS: task, leased, held(reviewer), rework, reworkOf(annotator). ARGV: token, now, taskId, outcome, ttlS.
const FINISH = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'leased' then return 0 end
local s = redis.call('ZSCORE', KEYS[2], ARGV[3])
if not s or tonumber(s) <= tonumber(ARGV[2]) then return -1 end
redis.call('ZREM', KEYS[2], ARGV[3])
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'finishedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'token')
if ARGV[4] == 'rework' then
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('SADD', KEYS[5], ARGV[3])
else
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
end
return 1
`;

// KEYS: task, leased, held(reviewer), pending. ARGV: token, taskId. Gives a lease back.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'leased' then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
redis.call('HSET', KEYS[1], 'status', 'pending')
redis.call('HDEL', KEYS[1], 'token', 'reviewerId', 'leaseUntil')
redis.call('ZADD', KEYS[4], redis.call('HGET', KEYS[1], 'score'), ARGV[2])
return 1
`;

// KEYS: oldTask, rework, reworkOf(uid), newTask, pending. ARGV: uid, oldId, newId, round, score, now, ttlS.
const RESUBMIT = `
if redis.call('HGET', KEYS[1], 'annotatorId') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'rework' then return 0 end
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'done')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
local f = redis.call('HMGET', KEYS[1], 'projectId', 'itemId', 'annotationId', 'annotatorId')
redis.call('HSET', KEYS[4], 'projectId', f[1], 'itemId', f[2], 'annotationId', f[3], 'annotatorId', f[4],
  'round', ARGV[4], 'reasons', 'rework', 'score', ARGV[5], 'status', 'pending', 'createdAt', ARGV[6])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
return 1
`;

// KEYS: task, pending, leased, rework. ARGV: taskId, heldPrefix, reworkPrefix, ttlS. Takes a task out of every list, whoever holds it.
const WITHDRAW = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st or st == 'withdrawn' then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
local rv = redis.call('HGET', KEYS[1], 'reviewerId')
if rv and redis.call('GET', ARGV[2]..rv) == ARGV[1] then redis.call('DEL', ARGV[2]..rv) end
local an = redis.call('HGET', KEYS[1], 'annotatorId')
if an then redis.call('SREM', ARGV[3]..an, ARGV[1]) end
redis.call('HSET', KEYS[1], 'status', 'withdrawn')
redis.call('HDEL', KEYS[1], 'token', 'reviewerId', 'leaseUntil')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`;

/** A finished task's record stays this long (guards against routing the same round twice). */
const DONE_TTL_S = 30 * 24 * 3600;
/** How far down the queue one draw looks for a task that is not the reviewer's own. */
const MAX_SCAN = 500;
/** Re-reviews are served before new work: their score is shifted this far back. */
const REREVIEW_SHIFT = 1e13;

export interface ReviewTaskState {
  taskId: string;
  projectId: string;
  itemId: string;
  annotationId: string;
  annotatorId: string;
  round: number;
  reasons: ReviewReason[];
  status: 'pending' | 'leased' | 'rework' | 'done' | 'withdrawn';
  token?: string;
  reviewerId?: string;
  leaseUntil?: number;
  finishedAt?: number;
}

export type TouchResult = 'live' | 'not-yours' | 'expired';
const touchOf = (n: number): TouchResult => (n === 1 ? 'live' : n === -1 ? 'expired' : 'not-yours');

export class ReviewQueue {
  readonly keys: ReviewKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly projectId: string,
  ) {
    this.keys = reviewKeys(prefix, projectId);
  }

  /** Adds a task (or a reason to an existing one); true when it is new. */
  async enqueue(
    t: { taskId: string; itemId: string; annotationId: string; annotatorId: string; round: number; reason: ReviewReason },
    now: number,
  ): Promise<boolean> {
    const r = await this.redis.eval(
      ENQUEUE,
      2,
      this.keys.task(t.taskId),
      this.keys.pending,
      t.taskId,
      this.projectId,
      t.itemId,
      t.annotationId,
      t.annotatorId,
      String(t.round),
      t.reason,
      String(now),
      String(now),
    );
    return r === 1;
  }

  /** Leases the first task that is not the reviewer's own work (or the one they already hold). */
  async draw(
    userId: string,
    token: string,
    now: number,
    leaseMs: number,
  ): Promise<{ taskId: string; token: string; resumed: boolean; leaseUntil: number } | null> {
    const until = now + leaseMs;
    const r = (await this.redis.eval(
      DRAW,
      3,
      this.keys.pending,
      this.keys.leased,
      this.keys.held(userId),
      String(now),
      userId,
      token,
      String(until),
      this.keys.taskPrefix,
      String(MAX_SCAN),
      this.keys.heldPrefix,
    )) as [string, string, number] | null;
    if (!r) return null;
    return { taskId: r[0], token: r[1], resumed: r[2] === 1, leaseUntil: until };
  }

  async touch(taskId: string, token: string, now: number, leaseMs: number): Promise<TouchResult> {
    return touchOf(
      Number(await this.redis.eval(TOUCH, 2, this.keys.task(taskId), this.keys.leased, token, String(now), String(now + leaseMs), taskId)),
    );
  }

  /** Ends a live lease with a verdict: `done` (accept, fix) or `rework` (reject). */
  async finish(t: ReviewTaskState, token: string, now: number, outcome: 'done' | 'rework'): Promise<TouchResult> {
    return touchOf(
      Number(
        await this.redis.eval(
          FINISH,
          5,
          this.keys.task(t.taskId),
          this.keys.leased,
          this.keys.held(t.reviewerId ?? ''),
          this.keys.rework,
          this.keys.reworkOf(t.annotatorId),
          token,
          String(now),
          t.taskId,
          outcome,
          String(DONE_TTL_S),
        ),
      ),
    );
  }

  async release(t: ReviewTaskState, token: string): Promise<boolean> {
    return (
      (await this.redis.eval(
        RELEASE,
        4,
        this.keys.task(t.taskId),
        this.keys.leased,
        this.keys.held(t.reviewerId ?? ''),
        this.keys.pending,
        token,
        t.taskId,
      )) === 1
    );
  }

  /** The annotator's rework is in: the rejected task is closed and a re-review round queued first in line. */
  async resubmit(t: ReviewTaskState, userId: string, newTaskId: string, now: number): Promise<boolean> {
    return (
      (await this.redis.eval(
        RESUBMIT,
        5,
        this.keys.task(t.taskId),
        this.keys.rework,
        this.keys.reworkOf(userId),
        this.keys.task(newTaskId),
        this.keys.pending,
        userId,
        t.taskId,
        newTaskId,
        String(t.round + 1),
        String(now - REREVIEW_SHIFT),
        String(now),
        String(DONE_TTL_S),
      )) === 1
    );
  }

  /**
   * Withdraws a task whose annotation was taken back (a cancelled import): out of the pending,
   * leased and rework lists and the holder's hand, never served again. The record stays (status
   * `withdrawn`) as long as a finished one, so a late routing of the same round cannot queue it again.
   */
  async withdraw(taskId: string): Promise<boolean> {
    const k = this.keys;
    return (
      (await this.redis.eval(
        WITHDRAW,
        4,
        k.task(taskId),
        k.pending,
        k.leased,
        k.rework,
        taskId,
        k.heldPrefix,
        k.reworkOf(''),
        String(DONE_TTL_S),
      )) === 1
    );
  }

  async get(taskId: string): Promise<ReviewTaskState | null> {
    const h = await this.redis.hgetall(this.keys.task(taskId));
    if (!h.annotationId) return null;
    return {
      taskId,
      projectId: h.projectId ?? this.projectId,
      itemId: h.itemId ?? '',
      annotationId: h.annotationId,
      annotatorId: h.annotatorId ?? '',
      round: Number(h.round ?? 0),
      reasons: (h.reasons ?? '').split(',').filter(Boolean) as ReviewReason[],
      status: (h.status ?? 'pending') as ReviewTaskState['status'],
      ...(h.token ? { token: h.token } : {}),
      ...(h.reviewerId ? { reviewerId: h.reviewerId } : {}),
      ...(h.leaseUntil ? { leaseUntil: Number(h.leaseUntil) } : {}),
      ...(h.finishedAt ? { finishedAt: Number(h.finishedAt) } : {}),
    };
  }

  async reworkOf(userId: string): Promise<string[]> {
    return (await this.redis.smembers(this.keys.reworkOf(userId))).sort();
  }

  /** Pending, live leases and rework; leases past their time count as pending. */
  async counts(now: number): Promise<ReviewQueueCounts> {
    const [pending, expired, leased, rework] = await Promise.all([
      this.redis.zcard(this.keys.pending),
      this.redis.zcount(this.keys.leased, '-inf', now),
      this.redis.zcount(this.keys.leased, `(${now}`, '+inf'),
      this.redis.scard(this.keys.rework),
    ]);
    return { projectId: this.projectId, pending: pending + expired, leased, rework };
  }
}
