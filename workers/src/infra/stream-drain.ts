import { hostname } from 'node:os';
import { duplicateRedisClient, type RedisClient } from '@labelwork/engine';
import type { Logger } from './logger.ts';

export type StreamEntry = [id: string, fields: string[]];

/** Entries a dead consumer left unacknowledged are taken over after this long. */
const CLAIM_IDLE_MS = 30_000;

/**
 * Drains a Redis stream through a consumer group in batches: several worker processes share the
 * entries, an entry is acknowledged only after `handle` stored it, and entries a dead process left
 * pending are claimed again. `handle` must be idempotent (an entry may be handled twice).
 */
export async function startStreamDrain(
  redis: RedisClient,
  log: Logger,
  opts: { stream: string; group: string; batch?: number; minIntervalMs?: number; handle(entries: StreamEntry[]): Promise<void> },
): Promise<{ stop(): Promise<void> }> {
  const conn = duplicateRedisClient(redis, `drain-${opts.group}`);
  const consumer = `${hostname()}-${process.pid}`;
  const batch = opts.batch ?? 500;
  await conn.xgroup('CREATE', opts.stream, opts.group, '0', 'MKSTREAM').catch((e: unknown) => {
    if (!String(e).includes('BUSYGROUP')) throw e;
  });
  let stopping = false;
  const store = async (entries: StreamEntry[]) => {
    if (!entries.length) return;
    await opts.handle(entries);
    await conn.xack(opts.stream, opts.group, ...entries.map(([id]) => id));
  };
  let lastClaim = 0;
  const loop = (async () => {
    while (!stopping) {
      try {
        if (Date.now() - lastClaim > CLAIM_IDLE_MS) {
          lastClaim = Date.now();
          const claimed = (await conn.xautoclaim(opts.stream, opts.group, consumer, CLAIM_IDLE_MS, '0-0', 'COUNT', batch)) as [
            string,
            StreamEntry[],
          ];
          await store(claimed[1] ?? []);
        }
        const r = (await conn.xreadgroup('GROUP', opts.group, consumer, 'COUNT', batch, 'BLOCK', 1000, 'STREAMS', opts.stream, '>')) as
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
    async stop() {
      stopping = true;
      conn.disconnect();
      await loop;
    },
  };
}

/** The value of field `name` of a stream entry. */
export function field(fields: string[], name: string): string | undefined {
  const i = fields.indexOf(name);
  return i >= 0 ? fields[i + 1] : undefined;
}
