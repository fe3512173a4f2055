import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCode, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  BULLMQ_PINNED_VERSION,
  BULL_LUA,
  TAKE_LUA,
  assertPinnedBullmq,
  bullKeys,
  installedBullmqVersion,
  isLostLockError,
  takeKeys,
  type BullKeys,
} from '../../server/src/infra/bullmq-adapter.ts';
import { waitFor } from '../support/tasks.ts';

/**
 * Conformance of BullMQ's internals that server/src/infra/bullmq-adapter.ts relies on, against the
 * real library and a real Redis. Each test is named after the internal it pins: after a BullMQ
 * upgrade, a failing test here names what changed (see docs/assignment.md, "BullMQ adapter").
 */

const prefix = `test-${randomUUID()}`;
const LOCK_MS = 30_000;
let redis: Redis;
let conn: Redis;
const opened: { close(): Promise<unknown> }[] = [];

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  conn = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.close().catch(() => undefined);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  conn.disconnect();
});

/** A fresh queue with a manual worker (no processor), as the engine opens per project. */
function setup(opts: { stalledInterval?: number } = {}): { queue: Queue; worker: Worker; keys: BullKeys; name: string } {
  const name = `conf-{${randomBytes(6).toString('hex')}}`;
  const queue = new Queue(name, { connection: conn, prefix });
  const worker = new Worker(name, null, {
    connection: conn,
    prefix,
    autorun: false,
    lockDuration: LOCK_MS,
    stalledInterval: opts.stalledInterval ?? 30_000,
    maxStalledCount: 1_000_000_000,
  });
  opened.push(queue, worker);
  return { queue, worker, keys: bullKeys(prefix, name), name };
}
const token = () => randomBytes(16).toString('hex');
/** Runs Lua with the adapter's helpers defined, as the lease scripts do. */
const lua = (body: string, keys: string[], args: (string | number)[]) => redis.eval(`${BULL_LUA}\n${body}`, keys.length, ...keys, ...args);

describe('BullMQ version pin', () => {
  it(`installed bullmq is the pinned ${BULLMQ_PINNED_VERSION}`, () => {
    expect(installedBullmqVersion()).toBe(BULLMQ_PINNED_VERSION);
    expect(() => assertPinnedBullmq()).not.toThrow();
  });

  it('refuses another version at start, naming what to re-verify', () => {
    expect(() => assertPinnedBullmq('99.0.0')).toThrow(/BullMQ 99\.0\.0 is installed .* pinned to .*bullmq-conformance\.test\.ts/s);
  });
});

describe('BullMQ key layout', () => {
  it('job hash: queue.add stores job <id> as a hash at "<prefix>:<queue>:<id>" with name and data', async () => {
    const { queue, keys } = setup();
    await queue.add('replica', { x: 1 }, { jobId: 'item-0', priority: 5 });
    expect(await redis.type(keys.job('item-0'))).toBe('hash');
    const h = await redis.hgetall(keys.job('item-0'));
    expect(h.name).toBe('replica');
    expect(JSON.parse(h.data ?? 'null')).toEqual({ x: 1 });
    expect(keys.base).toBe(`${prefix}:${queue.name}:`);
  });

  it('prioritized zset: a job with a priority is a member of "<queue>:prioritized", lower priority first, then in insertion order', async () => {
    const { queue, keys } = setup();
    await queue.add('r', {}, { jobId: 'b-0', priority: 51 });
    await queue.add('r', {}, { jobId: 'a-0', priority: 50 });
    await queue.add('r', {}, { jobId: 'c-0', priority: 51 });
    expect(await redis.type(keys.prioritized)).toBe('zset');
    expect(await redis.zrange(keys.prioritized, 0, -1)).toEqual(['a-0', 'b-0', 'c-0']);
  });

  it('wait list: a job without a priority is in the "<queue>:wait" list', async () => {
    const { queue, keys } = setup();
    await queue.add('r', {}, { jobId: 'plain' });
    expect(await redis.type(keys.wait)).toBe('list');
    expect(await redis.lrange(keys.wait, 0, -1)).toEqual(['plain']);
  });

  it('lock key: after worker.getNextJob(token) "<queue>:<id>:lock" holds the token with a TTL of lockDuration, and the job is in "<queue>:active"', async () => {
    const { queue, worker, keys } = setup();
    await queue.add('r', {}, { jobId: 'j-0', priority: 1 });
    const t = token();
    const job = await worker.getNextJob(t, { block: false });
    expect(job?.id).toBe('j-0');
    expect(await redis.get(keys.lock('j-0'))).toBe(t);
    const pttl = await redis.pttl(keys.lock('j-0'));
    expect(pttl).toBeGreaterThan(LOCK_MS - 5_000);
    expect(pttl).toBeLessThanOrEqual(LOCK_MS);
    expect(await redis.lrange(keys.active, 0, -1)).toEqual(['j-0']);
    expect(await redis.zcard(keys.prioritized)).toBe(0);
  });

  it('events stream: "<queue>:events" is a stream that gets an "active" entry when a job is taken', async () => {
    const { queue, worker, keys } = setup();
    await queue.add('r', {}, { jobId: 'e-0', priority: 1 });
    await worker.getNextJob(token(), { block: false });
    expect(await redis.type(keys.events)).toBe('stream');
    const entries = await redis.xrange(keys.events, '-', '+');
    expect(entries.some(([, f]) => f[1] === 'active' && f[3] === 'e-0')).toBe(true);
  });
});

describe('BullMQ lock semantics', () => {
  it('extendLock: resets the lock TTL for the holder\'s token and removes the job from "<queue>:stalled"; the adapter\'s bullExtendLock does the same', async () => {
    const { queue, worker, keys } = setup();
    await queue.add('r', {}, { jobId: 'x-0', priority: 1 });
    const t = token();
    const job = (await worker.getNextJob(t, { block: false })) as Job;
    await redis.sadd(keys.stalled, 'x-0');
    await redis.pexpire(keys.lock('x-0'), 1000);
    expect(await job.extendLock(t, 20_000)).toBe(1);
    expect(await redis.sismember(keys.stalled, 'x-0')).toBe(0);
    expect(await redis.pttl(keys.lock('x-0'))).toBeGreaterThan(15_000);
    // The adapter's Lua helper against the same keys.
    await redis.sadd(keys.stalled, 'x-0');
    await lua(`bullExtendLock(ARGV[1], KEYS[1], ARGV[2], ARGV[3], ARGV[4]) return 1`, [keys.stalled], [keys.base, 'x-0', t, 25_000]);
    expect(await redis.sismember(keys.stalled, 'x-0')).toBe(0);
    expect(await redis.get(keys.lock('x-0'))).toBe(t);
    expect(await redis.pttl(keys.lock('x-0'))).toBeGreaterThan(20_000);
    expect(await lua(`return bullLockKey(ARGV[1], ARGV[2])`, [], [keys.base, 'x-0'])).toBe(keys.lock('x-0'));
  });

  it('extendLock for a lost lock: answers 0 (no error) and does not recreate the lock', async () => {
    const { queue, worker, keys } = setup();
    await queue.add('r', {}, { jobId: 'l-0', priority: 1 });
    const job = (await worker.getNextJob(token(), { block: false })) as Job;
    expect(await job.extendLock(token(), 20_000)).toBe(0);
    await redis.del(keys.lock('l-0'));
    expect(await job.extendLock(token(), 20_000)).toBe(0);
    expect(await redis.exists(keys.lock('l-0'))).toBe(0);
  });

  it('stalled set: the stalled check marks active jobs in "<queue>:stalled"; a marked job whose lock is gone goes to the front of "<queue>:wait" (served before prioritized jobs), emitting "stalled"', async () => {
    const { queue, worker, keys } = setup({ stalledInterval: 200 });
    await queue.add('r', {}, { jobId: 's-0', priority: 3 });
    await queue.add('r', {}, { jobId: 'kept-0', priority: 3 });
    await queue.add('r', {}, { jobId: 'later-0', priority: 3 });
    const kept = token();
    await worker.getNextJob(token(), { block: false });
    await worker.getNextJob(kept, { block: false });
    const stalled: string[] = [];
    worker.on('stalled', (id) => stalled.push(id));
    await redis.del(keys.lock('s-0'));
    await worker.startStalledCheckTimer();
    // The event follows the move in this process (the check's reply may be read after a poll's):
    // wait for both.
    await waitFor(
      'the lock-less job back in the queue, reported stalled',
      async () => (await redis.lrange(keys.wait, 0, -1)).includes('s-0') && stalled.includes('s-0'),
      10_000,
      50,
    );
    expect(stalled).toContain('s-0');
    expect(await redis.lrange(keys.active, 0, -1)).toEqual(['kept-0']);
    // A job whose lock is held stays active and is marked in the stalled set (until extendLock drops it).
    await waitFor('the active job marked stalled', async () => (await redis.sismember(keys.stalled, 'kept-0')) === 1, 10_000, 20);
    expect(await redis.get(keys.lock('kept-0'))).toBe(kept);
    await worker.close();
    const reader = new Worker(queue.name, null, { connection: conn, prefix, autorun: false, lockDuration: LOCK_MS });
    opened.push(reader);
    expect((await reader.getNextJob(token(), { block: false }))?.id).toBe('s-0');
  });

  it('moveToFinished for a lost lock: a wrong token fails with JobLockMismatch (-6), a missing lock with JobLockNotExist (-2), a finished job with JobNotExist (-1); isLostLockError accepts them', async () => {
    const { queue, worker, keys } = setup();
    await queue.add('r', {}, { jobId: 'f-0', priority: 1, removeOnComplete: true });
    const t = token();
    const job = (await worker.getNextJob(t, { block: false })) as Job;
    const codeOf = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => {
          expect(isLostLockError(e)).toBe(true);
          return (e as { code: number }).code;
        },
      );
    expect(await codeOf(job.moveToCompleted({}, token(), false))).toBe(ErrorCode.JobLockMismatch);
    expect(ErrorCode.JobLockMismatch).toBe(-6);
    await redis.del(keys.lock('f-0'));
    expect(await codeOf(job.moveToCompleted({}, t, false))).toBe(ErrorCode.JobLockNotExist);
    expect(ErrorCode.JobLockNotExist).toBe(-2);
    await redis.set(keys.lock('f-0'), t, 'PX', 10_000);
    await job.moveToCompleted({}, t, false);
    expect(await redis.exists(keys.job('f-0'))).toBe(0);
    expect(await codeOf(job.moveToCompleted({}, t, false))).toBe(ErrorCode.JobNotExist);
    expect(ErrorCode.JobNotExist).toBe(-1);
    expect(isLostLockError(new Error('other'))).toBe(false);
  });

  it('moveToFinished on a job that is not active: fails with JobNotInState (-3) or JobLockNotExist (-2), both lost-lock errors', async () => {
    const { queue } = setup();
    await queue.add('r', {}, { jobId: 'w-0', priority: 1 });
    const job = (await Job.fromId(queue, 'w-0')) as Job;
    const err = await job.moveToCompleted({}, token(), false).then(
      () => null,
      (e: unknown) => e,
    );
    expect([ErrorCode.JobNotInState, ErrorCode.JobLockNotExist]).toContain((err as { code?: number }).code);
    expect(isLostLockError(err)).toBe(true);
    expect(ErrorCode.JobNotInState).toBe(-3);
  });
});

describe("BullMQ move-to-active (the adapter's TAKE_LUA)", () => {
  it('move-to-active: a job taken out of "<queue>:prioritized" by TAKE_LUA is active for BullMQ, locked with our token, and BullMQ completes it with that token', async () => {
    const { queue, keys } = setup();
    await queue.add('r', {}, { jobId: 'p-0', priority: 2 });
    await queue.add('r', {}, { jobId: 'p-1', priority: 2 });
    const t = token();
    expect(await redis.eval(TAKE_LUA, 6, ...takeKeys(keys, 'p-1'), 'p-1', t, 20_000, Date.now())).toBe(1);
    expect(await redis.get(keys.lock('p-1'))).toBe(t);
    expect(await redis.lrange(keys.active, 0, -1)).toEqual(['p-1']);
    expect(await redis.zrange(keys.prioritized, 0, -1)).toEqual(['p-0']);
    const job = (await Job.fromId(queue, 'p-1')) as Job;
    expect(await job.getState()).toBe('active');
    expect(job.attemptsStarted).toBe(1);
    await job.moveToCompleted({ ok: true }, t, false);
    expect(await job.getState()).toBe('completed');
    // Not waiting any more / no such job.
    expect(await redis.eval(TAKE_LUA, 6, ...takeKeys(keys, 'p-1'), 'p-1', t, 20_000, Date.now())).toBe(0);
    expect(await redis.eval(TAKE_LUA, 6, ...takeKeys(keys, 'nope'), 'nope', t, 20_000, Date.now())).toBe(-1);
  });

  it('move-to-active from "<queue>:wait": TAKE_LUA takes a job without a priority from the wait list', async () => {
    const { queue, keys } = setup();
    await queue.add('r', {}, { jobId: 'q-0' });
    expect(await redis.eval(TAKE_LUA, 6, ...takeKeys(keys, 'q-0'), 'q-0', token(), 20_000, Date.now())).toBe(1);
    expect(await (await Job.fromId(queue, 'q-0'))?.getState()).toBe('active');
    expect(await redis.llen(keys.wait)).toBe(0);
  });

  it('moveToWait: a prioritized job given back goes to the front of its priority (excluded jobs keep their place)', async () => {
    const { queue, worker, keys } = setup();
    for (const id of ['m-0', 'm-1', 'm-2']) await queue.add('r', {}, { jobId: id, priority: 7 });
    const t = token();
    const first = (await worker.getNextJob(t, { block: false })) as Job;
    expect(first.id).toBe('m-0');
    await first.moveToWait(t);
    expect(await redis.exists(keys.lock('m-0'))).toBe(0);
    expect(await redis.zrange(keys.prioritized, 0, -1)).toEqual(['m-0', 'm-1', 'm-2']);
    expect((await worker.getNextJob(token(), { block: false }))?.id).toBe('m-0');
  });
});
