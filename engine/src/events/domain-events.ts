import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { duplicateRedisClient, type RedisClient } from '../redis/connection.ts';
import { DOMAIN_EVENTS_MAX_LEN, DomainEvent, domainEventFields, domainEventsStream, parseDomainEvent, type Logger } from '@labelwork/core';

/**
 * The domain-event stream (`domainEventsStream`): where an event goes. Workers append with
 * {@link appendDomainEvent}; servers read it two ways:
 * - {@link startDomainEventConsumer}: a consumer group per purpose. Each event goes to one consumer
 *   (one per server process), is acknowledged after its handler resolved, and is claimed by a
 *   consumer (XAUTOCLAIM) once it has been pending longer than `claimIdleMs` (its consumer died, or
 *   its handler failed). At least once: handlers must be idempotent.
 * - {@link startDomainEventTail}: every process reads every new event (XREAD from the end, no
 *   group) for best-effort fan-out to its own sockets.
 * Malformed entries are logged and skipped (acknowledged in a group).
 */

export interface StreamDeps {
  redis: RedisClient;
  prefix: string;
  log: Logger;
}

type Entry = [id: string, fields: string[] | null];

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A consumer this idle and holding nothing belongs to a process that died: it is removed from the group. */
export const DEAD_CONSUMER_IDLE_MS = 3600_000;

export interface DomainEventConsumerOptions {
  group: string;
  /** Resolves when the event is handled (then it is acknowledged); a throw leaves it pending. */
  handle(event: DomainEvent, entryId: string): Promise<void>;
  /** Pending entries idle this long are claimed (default 30 s). */
  claimIdleMs?: number;
  /** Longest wait of one blocking read (default 2 s). */
  blockMs?: number;
  /** Entries read at once (default 100). */
  batch?: number;
  /** Other consumers this idle and holding nothing are removed (default DEAD_CONSUMER_IDLE_MS). */
  deadConsumerIdleMs?: number;
}

export interface DomainEventConsumer {
  /** This consumer's name in the group (host, pid and a random part). */
  consumer: string;
  close(): Promise<void>;
}

/** Creates the group at the stream's start (so events appended before any server ran are read). */
async function ensureGroup(redis: RedisClient, stream: string, group: string): Promise<void> {
  await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch((e: unknown) => {
    if (!String(e).includes('BUSYGROUP')) throw e;
  });
}

/**
 * Joins consumer group `group` of the domain-event stream as a new consumer and handles entries
 * one at a time until closed. Blocking reads use a connection of their own; acknowledgements and
 * claims use `deps.redis`, so a handler that is running when `close` is called still gets its event
 * acknowledged.
 */
export async function startDomainEventConsumer(deps: StreamDeps, opts: DomainEventConsumerOptions): Promise<DomainEventConsumer> {
  const stream = domainEventsStream(deps.prefix);
  const { group } = opts;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const blockMs = opts.blockMs ?? 2000;
  const batch = opts.batch ?? 100;
  const deadIdleMs = opts.deadConsumerIdleMs ?? DEAD_CONSUMER_IDLE_MS;
  const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  await ensureGroup(deps.redis, stream, group);
  const conn = duplicateRedisClient(deps.redis, `events-${group}`);
  let closing = false;

  const handleEntry = async ([id, fields]: Entry): Promise<void> => {
    const event = parseDomainEvent(fields);
    if (!event) {
      deps.log.warn('malformed domain event skipped', { stream, group, id });
      await deps.redis.xack(stream, group, id);
      return;
    }
    try {
      await opts.handle(event, id);
    } catch (e) {
      deps.log.warn('domain event handler failed; the event stays pending and is retried', {
        group,
        id,
        type: event.type,
        eventId: event.eventId,
        err: e,
      });
      return;
    }
    await deps.redis.xack(stream, group, id);
  };

  /** Takes over entries pending longer than claimIdleMs (any consumer's, this one's failures too). */
  const claim = async (): Promise<void> => {
    let cursor = '0-0';
    do {
      const [next, entries, deleted] = (await deps.redis.xautoclaim(stream, group, consumer, claimIdleMs, cursor, 'COUNT', batch)) as [
        string,
        Entry[],
        string[]?,
      ];
      if (deleted?.length)
        deps.log.error('pending domain events were trimmed from the stream before being handled', { group, ids: deleted });
      for (const entry of entries) {
        if (closing) return;
        await handleEntry(entry);
      }
      cursor = next;
    } while (cursor !== '0-0' && !closing);
    await forgetDeadConsumers();
  };

  /**
   * Removes consumers of processes that died (they never left the group): idle for an hour and
   * holding nothing (their pending entries were claimed above). A live consumer reads every few
   * seconds, so it is never that idle; were it removed anyway, its next read would re-create it.
   */
  const forgetDeadConsumers = async (): Promise<void> => {
    const list = (await deps.redis.xinfo('CONSUMERS', stream, group)) as unknown[][];
    for (const c of list) {
      const get = (k: string) => c[c.indexOf(k) + 1];
      const name = String(get('name'));
      if (name !== consumer && Number(get('pending')) === 0 && Number(get('idle')) > deadIdleMs) {
        await deps.redis.xgroup('DELCONSUMER', stream, group, name);
      }
    }
  };

  let lastClaim = 0;
  const loop = (async () => {
    while (!closing) {
      try {
        if (Date.now() - lastClaim >= Math.min(claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          await claim();
        }
        const block = Math.max(1, Math.min(blockMs, claimIdleMs));
        const r = (await conn.xreadgroup('GROUP', group, consumer, 'COUNT', batch, 'BLOCK', block, 'STREAMS', stream, '>')) as
          [string, Entry[]][] | null;
        for (const entry of r?.[0]?.[1] ?? []) await handleEntry(entry);
      } catch (e) {
        if (closing) break;
        // The group is gone (stream deleted, e.g. FLUSHDB): make it again and go on.
        if (String(e).includes('NOGROUP')) await ensureGroup(deps.redis, stream, group).catch(() => undefined);
        deps.log.warn('reading domain events failed; retrying', { group, err: e });
        await wait(1000);
      }
    }
  })();

  return {
    consumer,
    async close() {
      closing = true;
      conn.disconnect();
      await loop;
      // Leave the group if nothing is pending here; otherwise the entries wait for another consumer's claim.
      try {
        const pending = (await deps.redis.xpending(stream, group, '-', '+', 1, consumer)) as unknown[];
        if (!pending.length) await deps.redis.xgroup('DELCONSUMER', stream, group, consumer);
      } catch {
        // Redis already gone: the consumer stays listed, harmlessly.
      }
    },
  };
}

/**
 * Calls `onEvent` for every event appended from now on, in this process only (no group, nothing
 * acknowledged): for live fan-out. Missed events (while Redis is unreachable) are read on reconnect
 * from the last one seen; malformed entries are skipped. With `types`, entries of other types are
 * passed over by their `type` field, unparsed (most of the stream is work for the workers' groups).
 */
export async function startDomainEventTail(
  deps: StreamDeps,
  name: string,
  onEvent: (event: DomainEvent) => void,
  types?: ReadonlySet<DomainEvent['type']>,
): Promise<{ close(): Promise<void> }> {
  const stream = domainEventsStream(deps.prefix);
  const conn = duplicateRedisClient(deps.redis, `events-tail-${name}`);
  // The end as it is now: XREAD with `$` on each call would miss what is appended between calls.
  const info = (await deps.redis.xinfo('STREAM', stream).catch(() => null)) as unknown[] | null;
  const at = info ? info.indexOf('last-generated-id') : -1;
  let last = at >= 0 ? String(info![at + 1]) : '0-0';
  let closing = false;
  const loop = (async () => {
    while (!closing) {
      try {
        const r = (await conn.xread('COUNT', 500, 'BLOCK', 2000, 'STREAMS', stream, last)) as [string, Entry[]][] | null;
        for (const [id, fields] of r?.[0]?.[1] ?? []) {
          last = id;
          if (types && fields?.[0] === 'type' && !types.has(fields[1] as DomainEvent['type'])) continue;
          const event = parseDomainEvent(fields);
          if (!event) {
            deps.log.warn('malformed domain event skipped', { stream, id });
            continue;
          }
          try {
            onEvent(event);
          } catch (e) {
            deps.log.warn('domain event relay failed', { id, err: e });
          }
        }
      } catch (e) {
        if (closing) break;
        deps.log.warn('tailing domain events failed; retrying', { err: e });
        await wait(1000);
      }
    }
  })();
  return {
    async close() {
      closing = true;
      conn.disconnect();
      await loop;
    },
  };
}

/**
 * Appends a domain event to the stream the servers read (consumer groups for work that must
 * happen, a per-process tail for sockets). Durable whether or not a server is up; the stream is
 * trimmed to about DOMAIN_EVENTS_MAX_LEN entries (`MAXLEN ~`). Validated here so a bad event fails
 * the job instead of reaching the stream.
 */
export async function appendDomainEvent(redis: RedisClient, prefix: string, event: DomainEvent): Promise<string> {
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
