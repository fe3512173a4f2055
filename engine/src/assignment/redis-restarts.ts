import type { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import { handoffJson, redisRunKey, type AnnotationHandoff, type ProjectKeys, type RedisOp } from '@labelwork/core';

/**
 * Redis holds the engine's live state with `appendfsync everysec`: a crash of the machine (or a
 * Redis restored from an older file) can lose the last second of writes — a lease just handed out,
 * the record of a submit whose annotation MongoDB already has, the completion of its replica job.
 * MongoDB is the record; after a Redis restart the engine reconciles its state from it
 * (`requeue-all`, which is safe any time).
 */

/**
 * The `run_id` of the Redis server (it changes at every start of redis-server); for a Redis Cluster,
 * a digest of its masters' run ids, so a restarted master or a failover (a replica promoted, which
 * may also have lost the last writes) counts as a restart.
 */
async function runIdOf(redis: Redis): Promise<string> {
  const c: unknown = redis;
  const servers: Redis[] = c instanceof Cluster ? c.nodes('master') : [redis];
  if (!servers.length) throw new Error('no Redis master known yet');
  const ids = await Promise.all(
    servers.map(async (s) => {
      const m = /^run_id:(\w+)/m.exec(await s.info('server'));
      if (!m?.[1]) throw new Error('INFO server without run_id');
      return m[1];
    }),
  );
  return ids.length === 1 ? ids[0]! : createHash('sha1').update(ids.sort().join(',')).digest('hex');
}

/**
 * Calls `onRestart(runId)` when the Redis server behind `redis` is not the one the engine last saw:
 * now (a process starting after Redis restarted while nobody watched, or after Redis lost
 * everything) and on every reconnect. The last seen run id is kept in Redis itself, so several
 * processes agree and a restart of this process alone triggers nothing. `onRestart` must be
 * idempotent (several processes may call it for the same restart); a failure is reported to
 * `onError` and retried at the next reconnect.
 */
export async function watchRedisRestarts(
  redis: Redis,
  prefix: string,
  onRestart: (runId: string) => Promise<void>,
  onError: (e: unknown) => void,
): Promise<{ stop(): void }> {
  const key = redisRunKey(prefix);
  let running: Promise<void> | null = null;
  const check = async () => {
    const runId = await runIdOf(redis);
    const seen = await redis.get(key);
    if (seen === runId) return;
    await onRestart(runId);
    // Only once the reconcile is queued: if it failed, the next reconnect tries again.
    await redis.set(key, runId);
  };
  const onReady = () => {
    running ??= check()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  await check().catch(onError);
  redis.on('ready', onReady);
  return { stop: () => redis.off('ready', onReady) };
}

/**
 * Sets the filled marker on replica jobs whose slot has an annotation in MongoDB but whose job is
 * still in the queue (its submit's completion was lost, or the submit crashed before it): whoever
 * fetches such a job finishes the stored submission instead of being handed a task that is already
 * done (which would end in `409 SLOT_FILLED` after the work). Returns how many were marked.
 */
export async function markFilledSlots(
  redis: Redis,
  keys: ProjectKeys,
  queue: Queue,
  slots: readonly string[],
  ttlS: number,
): Promise<number> {
  let marked = 0;
  for (let i = 0; i < slots.length; i += 500) {
    const chunk = slots.slice(i, i + 500);
    const jobs = await Promise.all(chunk.map((id) => queue.getJob(id)));
    const ops = chunk.filter((_, j) => jobs[j]).map((id) => ['set', keys.filled(id), 'rebuild', 'EX', String(ttlS)]);
    if (!ops.length) continue;
    const res = (await redis.pipeline(ops.map((o) => [...o])).exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    marked += ops.length;
  }
  return marked;
}

const RESTORE_HANDOFF = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'done', 1); redis.call('HINCRBY', KEYS[3], 'done', 1)
end
redis.call('SADD', KEYS[4], ARGV[1])
return 0
`;

/**
 * A stored annotation's hand-off, put back by a rebuild when Redis lost it. Its submit's record
 * counted it done (the user's and the project's counters) in the same step that wrote the hand-off,
 * so a lost hand-off is a lost count: restoring one counts it, once (a hand-off still there counts
 * nothing, and the submit's own record never counts it again).
 */
export function restoreHandoffOp(keys: ProjectKeys, itemId: string, userId: string, h: AnnotationHandoff): RedisOp {
  return ['eval', RESTORE_HANDOFF, 4, keys.itemAnnotations(itemId), keys.user(userId), keys.stats, keys.users, userId, handoffJson(h)];
}
