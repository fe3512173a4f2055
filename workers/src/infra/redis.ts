import { createRedisClient, type RedisClient } from '@labelwork/engine';

/** The workers' connections come from the one factory: REDIS_URL names one Redis or a Redis Cluster. */
export function createRedis(url: string, name: string): RedisClient {
  return createRedisClient(url, { name });
}
