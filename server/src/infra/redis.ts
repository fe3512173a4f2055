import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Redis's eviction policy; BullMQ needs `noeviction`, anything else can silently drop queue keys. */
export async function evictionPolicy(redis: Redis): Promise<string> {
  const r = (await redis.config('GET', 'maxmemory-policy')) as string[];
  return r[1] ?? 'unknown';
}

export async function checkEvictionPolicy(redis: Redis, log: Logger, require: boolean): Promise<void> {
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
