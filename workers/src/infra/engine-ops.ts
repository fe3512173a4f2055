import type { Redis } from 'ioredis';
import type { RedisOp } from '@labelwork/core';

/**
 * Runs writes to the assignment engine's Redis state as core's `engine-state.ts` shapes them (the
 * workers never spell out an engine key or payload themselves), in one pipeline; the first failed
 * command fails the job.
 */
export async function execEngineOps(redis: Redis, ops: readonly RedisOp[]): Promise<void> {
  if (!ops.length) return;
  const res = (await redis.pipeline(ops.map((o) => [...o])).exec()) ?? [];
  for (const [err] of res) if (err) throw err;
}
