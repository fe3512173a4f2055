import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { duplicateRedisClient, type RedisClient } from '@labelwork/engine';
import type { Logger } from './logger.ts';

export type StreamEntry = [id: string, fields: string[]];

/**
 * Entries pending this long are taken over by another consumer: their consumer died (SIGKILL,
 * crash) after reading them. A live consumer keeps the entries it is storing fresh (see
 * `heartbeat` below), however long `handle` takes, so only a dead one's entries get this idle.
 */
export const DRAIN_CLAIM_IDLE_MS = 5000;

/**
 * Drains a Redis stream through a consumer group in batches: several worker processes share the
 * entries, an entry is acknowledged only after `handle` stored it, and entries a dead process left
 * pending are claimed again within about `claimIdleMs` (checked every half of it). `handle` must be
 * idempotent (an entry may be handled twice: a consumer stalled longer than `claimIdleMs` loses its
 * entries to another).
 */
export async function startStreamDrain(
  redis: RedisClient,
  log: Logger,
  opts: {
    stream: string;
    group: string;
    batch?: number;
    minIntervalMs?: number;
    claimIdleMs?: number;
    handle(entries: StreamEntry[]): Promise<void>;
  },
): Promise<{ consumer: string; stop(): Promise<void> }> {
  const conn = duplicateRedisClient(redis, `drain-${opts.group}`);
  // Unique per drain: two drains sharing a name would take each other's pending entries for their own.
  const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batch = opts.batch ?? 500;
  const claimIdleMs = opts.claimIdleMs ?? DRAIN_CLAIM_IDLE_MS;
  await conn.xgroup('CREATE', opts.stream, opts.group, '0', 'MKSTREAM').catch((e: unknown) => {
    if (!String(e).includes('BUSYGROUP')) throw e;
  });
  let stopping = false;
  const store = async (entries: StreamEntry[]) => {
    if (!entries.length) return;
    const ids = entries.map(([id]) => id);
    // While `handle` runs (throttled, it may take longer than claimIdleMs), re-claim the entries to
    // this consumer now and then: that resets their idle time, so others do not take them over.
    const heartbeat = setInterval(
      () => {
        void conn.xclaim(opts.stream, opts.group, consumer, 0, ...ids, 'JUSTID').catch(() => undefined);
      },
      Math.max(50, Math.round(claimIdleMs / 3)),
    );
    try {
      // An entry trimmed from the stream while pending comes without fields: nothing left to store.
      const present = entries.filter(([, f]) => Array.isArray(f));
      if (present.length) await opts.handle(present);
    } finally {
      clearInterval(heartbeat);
    }
    await conn.xack(opts.stream, opts.group, ...ids);
  };
  let lastClaim = 0;
  const loop = (async () => {
    while (!stopping) {
      try {
        if (Date.now() - lastClaim >= claimIdleMs / 2) {
          lastClaim = Date.now();
          let cursor = '0-0';
          do {
            const [next, claimed] = (await conn.xautoclaim(opts.stream, opts.group, consumer, claimIdleMs, cursor, 'COUNT', batch)) as [
              string,
              StreamEntry[],
            ];
            await store(claimed ?? []);
            cursor = next;
          } while (cursor !== '0-0' && !stopping);
        }
        const block = Math.max(1, Math.min(1000, Math.round(claimIdleMs / 2)));
        const r = (await conn.xreadgroup('GROUP', opts.group, consumer, 'COUNT', batch, 'BLOCK', block, 'STREAMS', opts.stream, '>')) as
          [string, StreamEntry[]][] | null;
        if (r) await store(r[0]?.[1] ?? []);
        // Fewer, larger batches: each write transaction holds the database's write lock (FerretDB).
        if (r && opts.minIntervalMs && !stopping) await new Promise((res) => setTimeout(res, opts.minIntervalMs));
      } catch (e) {
        if (stopping) break;
        log.warn('stream drain failed; retrying', { stream: opts.stream, err: e });
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  })();
  return {
    consumer,
    async stop() {
      stopping = true;
      conn.disconnect();
      await loop;
      // Leave the group unless entries are pending here (another drain claims those).
      try {
        const pending = (await redis.xpending(opts.stream, opts.group, '-', '+', 1, consumer)) as unknown[];
        if (!pending.length) await redis.xgroup('DELCONSUMER', opts.stream, opts.group, consumer);
      } catch {
        // Redis already gone: the consumer stays listed, harmlessly.
      }
    },
  };
}

/** The value of field `name` of a stream entry. */
export function field(fields: string[], name: string): string | undefined {
  const i = fields.indexOf(name);
  return i >= 0 ? fields[i + 1] : undefined;
}
