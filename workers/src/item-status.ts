import { ObjectId } from 'mongodb';
import type { WorkerContext } from './context.ts';
import { field, startStreamDrain, type StreamEntry } from './infra/stream-drain.ts';

/** Completed items waiting for their MongoDB status update (worker-internal stream). */
export const itemStatusStream = (prefix: string) => `${prefix}:{item-status}`;

/** Share of wall time the status updates may keep the database's write lock (FerretDB). */
const DUTY_CYCLE = 0.1;

export async function queueItemComplete(w: WorkerContext, itemId: string, annotations: number): Promise<void> {
  await w.redis.xadd(
    itemStatusStream(w.config.REDIS_PREFIX),
    'MAXLEN',
    '~',
    1_000_000,
    '*',
    'item',
    itemId,
    'n',
    String(annotations),
    'at',
    String(w.now()),
  );
}

/**
 * Marks items complete in MongoDB, in the background and throttled. On FerretDB 1.24 (SQLite) an
 * update by `_id` scans the whole items table inside a write transaction (≈6 µs per stored item),
 * blocking every other write, annotation inserts included; so updates run one at a time and pause
 * nine times as long as each took. On MongoDB they take a millisecond and the pause is as short.
 * The item's `complete` state is already authoritative in Redis and in `agreements` when this runs;
 * the item document follows. Idempotent.
 */
export function startItemStatusDrain(w: WorkerContext) {
  return startStreamDrain(w.redis, w.log, {
    stream: itemStatusStream(w.config.REDIS_PREFIX),
    group: 'item-status',
    batch: 10,
    handle: async (entries: StreamEntry[]) => {
      for (const [, f] of entries) {
        const id = field(f, 'item');
        const n = Number(field(f, 'n'));
        const at = Number(field(f, 'at')) || w.now();
        if (!id || !ObjectId.isValid(id) || !Number.isInteger(n)) continue;
        const t = performance.now();
        await w.db.items.updateOne(
          { _id: new ObjectId(id) },
          { $set: { status: 'complete', annotationCount: n, completedAt: new Date(at) } },
        );
        const took = performance.now() - t;
        await new Promise((r) => setTimeout(r, (took * (1 - DUTY_CYCLE)) / DUTY_CYCLE));
      }
    },
  });
}
