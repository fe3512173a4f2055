import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DOMAIN_EVENTS_MAX_LEN, DomainEvent, domainEventFields, domainEventsStream } from '@labelwork/core';

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * Appends a domain event to the stream the servers read (consumer groups for work that must
 * happen, a per-process tail for sockets). Durable whether or not a server is up; the stream is
 * trimmed to about DOMAIN_EVENTS_MAX_LEN entries (`MAXLEN ~`). Validated here so a bad event fails
 * the job instead of reaching the stream.
 */
export async function appendDomainEvent(redis: Redis, prefix: string, event: DomainEvent): Promise<string> {
  const e = DomainEvent.parse(event);
  return (await redis.xadd(domainEventsStream(prefix), 'MAXLEN', '~', DOMAIN_EVENTS_MAX_LEN, '*', ...domainEventFields(e))) as string;
}

/**
 * The event id of what a job records: its queue, id and creation time, which stay the same when the
 * job is retried (a retry records the same fact) and differ when the same job id is added again later.
 */
export function domainEventIdOf(job: Pick<Job, 'queueName' | 'id' | 'timestamp'>): string {
  return job.id ? `${job.queueName}:${job.id}:${job.timestamp}` : randomUUID();
}
