import { configOnEveryNode, createRedisClient, type RedisClient } from '@labelwork/engine';
import type { Logger } from './logger.ts';

/** The server's connections come from the one factory: REDIS_URL names one Redis or a Redis Cluster. */
export function createRedis(url: string, name: string, opts: { shardedSubscriber?: boolean } = {}): RedisClient {
  return createRedisClient(url, { name, ...opts });
}

/** Redis's eviction policy (on a cluster, the first node not at noeviction); BullMQ needs `noeviction`, anything else can silently drop queue keys. */
export async function evictionPolicy(redis: RedisClient): Promise<string> {
  const policies = await configOnEveryNode(redis, 'maxmemory-policy');
  return policies.find((p) => p !== 'noeviction') ?? policies[0] ?? 'unknown';
}

export async function checkEvictionPolicy(redis: RedisClient, log: Logger, require: boolean): Promise<void> {
  let policy: string;
  try {
    policy = await evictionPolicy(redis);
  } catch {
    log.warn('could not read Redis maxmemory-policy (CONFIG disabled?); make sure it is noeviction');
    return;
  }
  if (policy !== 'noeviction') {
    const msg = `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued tasks can be lost`;
    if (require) throw new Error(msg);
    log.warn(msg);
  }
}
