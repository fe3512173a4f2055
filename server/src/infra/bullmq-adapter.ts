import { createRequire } from 'node:module';
import { ErrorCode } from 'bullmq';
import { projectKeys, type ProjectKeys } from '@labelwork/core';

/**
 * The one place that knows BullMQ's private Redis layout. The assignment engine keeps its lease
 * bookkeeping atomic with BullMQ's job lock in Lua (see docs/assignment.md, "BullMQ adapter"), so
 * its scripts read and write BullMQ keys: the job lock (`<queue>:<jobId>:lock`, value = the
 * worker's token), the stalled set, and for a lead's "give this task to that user" the prioritized
 * zset / wait list / active list / events stream of BullMQ's move-to-active. Everything that depends
 * on that layout is here, pinned to one BullMQ version and checked by
 * tests/integration/bullmq-conformance.test.ts, one named test per internal relied on.
 */

/** The BullMQ version whose internals this file was verified against. */
export const BULLMQ_PINNED_VERSION = '6.7.0';

export function installedBullmqVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('bullmq/package.json') as { version: string }).version;
}

/**
 * Refuses to run on a BullMQ other than the pinned one: a changed key layout or error code would
 * break leases silently (a lock that is never found, a stalled job never taken back).
 */
export function assertPinnedBullmq(installed = installedBullmqVersion()): void {
  if (installed === BULLMQ_PINNED_VERSION) return;
  throw new Error(
    `BullMQ ${installed} is installed but the assignment engine's adapter (server/src/infra/bullmq-adapter.ts) is pinned to ${BULLMQ_PINNED_VERSION}. ` +
      'Re-verify the BullMQ internals it relies on — job hash key, lock key "<queue>:<jobId>:lock" holding the worker token, the stalled set, ' +
      'the prioritized zset / wait / active / events keys of move-to-active, and the error codes of moveToCompleted/extendLock for a lost lock — ' +
      'by running tests/integration/bullmq-conformance.test.ts, then update BULLMQ_PINNED_VERSION.',
  );
}

/** BullMQ's keys of one queue (prefix `bull` unless set): `<prefix>:<queueName>:<suffix>`. */
export function bullKeys(prefix: string, queueName: string) {
  const base = `${prefix}:${queueName}:`;
  return {
    /** Key prefix of the queue: job `<id>` is `${base}<id>`. */
    base,
    job: (jobId: string) => `${base}${jobId}`,
    /** Holds the token of the worker (our lease) that has the job active, with a TTL of the lock duration. */
    lock: (jobId: string) => `${base}${jobId}:lock`,
    stalled: `${base}stalled`,
    prioritized: `${base}prioritized`,
    wait: `${base}wait`,
    active: `${base}active`,
    events: `${base}events`,
  };
}
export type BullKeys = ReturnType<typeof bullKeys>;

/** A project's keys: ours (core's `projectKeys`) and BullMQ's for its queue (`bull`). */
export type EngineKeys = ProjectKeys & { bull: BullKeys };
export function engineKeys(prefix: string, projectId: string): EngineKeys {
  const keys = projectKeys(prefix, projectId);
  return { ...keys, bull: bullKeys(prefix, keys.queueName) };
}

/**
 * Lua helpers prepended to the engine's lease scripts: the lock key of a job from the queue's key
 * prefix (derived inside scripts, as BullMQ's own scripts do), and extending a lock as BullMQ's
 * `extendLock` does (reset the TTL, drop the job from the stalled set).
 */
export const BULL_LUA = `
local function bullLockKey(queueBase, jobId) return queueBase .. jobId .. ':lock' end
local function bullExtendLock(queueBase, stalledKey, jobId, token, ms)
  redis.call('SET', bullLockKey(queueBase, jobId), token, 'PX', ms)
  redis.call('SREM', stalledKey, jobId)
end
`;

/**
 * Takes one specific waiting job and locks it with a token, as BullMQ's moveToActive does for the
 * job it pops (used to give a chosen task to a chosen user, and to complete a filled slot).
 * KEYS: prioritized, wait, active, events, job, lock. ARGV: jobId, token, lockMs, now.
 * Returns 1 taken, 0 not waiting, -1 no such job.
 */
export const TAKE_LUA = `
if redis.call('EXISTS', KEYS[5]) == 0 then return -1 end
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 0 then removed = redis.call('LREM', KEYS[2], 1, ARGV[1]) end
if removed == 0 then return 0 end
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('SET', KEYS[6], ARGV[2], 'PX', ARGV[3])
redis.call('XADD', KEYS[4], '*', 'event', 'active', 'jobId', ARGV[1], 'prev', 'waiting')
redis.call('HSET', KEYS[5], 'processedOn', ARGV[4])
redis.call('HINCRBY', KEYS[5], 'ats', 1)
return 1
`;
export const takeKeys = (b: BullKeys, jobId: string) => [b.prioritized, b.wait, b.active, b.events, b.job(jobId), b.lock(jobId)];

/** Error codes BullMQ's job commands answer when the caller's lock is gone (job gone, lock gone or someone else's, job no longer active). */
const LOST_LOCK_CODES: readonly number[] = [
  ErrorCode.JobNotExist,
  ErrorCode.JobLockNotExist,
  ErrorCode.JobNotInState,
  ErrorCode.JobLockMismatch,
];

/** True when a BullMQ job command (moveToCompleted, extendLock, …) failed because the caller no longer holds the job. */
export function isLostLockError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' && LOST_LOCK_CODES.includes(code);
}

/** True when a BullMQ job command failed because the job no longer exists (completed and removed, say). */
export function isJobGoneError(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === ErrorCode.JobNotExist;
}
