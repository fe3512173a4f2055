import { Redis } from 'ioredis';
import { eventsChannel, type RelayMessage } from '@labelwork/core';

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Publishes an event for the servers to relay to a Socket.IO room. */
export async function publish(redis: Redis, prefix: string, msg: RelayMessage): Promise<void> {
  await redis.publish(eventsChannel(prefix), JSON.stringify(msg));
}
