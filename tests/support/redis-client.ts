import { Cluster, type Redis } from 'ioredis';
import { createRedisClient, type RedisClient } from '@labelwork/engine';

/**
 * Redis connections for tests, from the app's own factory: the tests run unchanged on one Redis and
 * on a Redis Cluster (LW_TEST_REDIS_CLUSTER=1, see global-services.ts).
 */
export function testRedis(url: string, name = 'test'): RedisClient {
  return createRedisClient(url, { name });
}

/** KEYS over every master (on a cluster a plain KEYS answers for one node's slots only). */
export async function keysEverywhere(redis: RedisClient, pattern: string): Promise<string[]> {
  const c: unknown = redis;
  const servers: Redis[] = c instanceof Cluster ? c.nodes('master') : [redis];
  return (await Promise.all(servers.map((s) => s.keys(pattern)))).flat();
}
