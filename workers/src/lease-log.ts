import { ObjectId } from 'mongodb';
import { LeaseEvent, leaseLogStream } from '@labelwork/core';
import type { WorkerContext } from './context.ts';
import { isDuplicateKey } from '@labelwork/engine';
import { field, startStreamDrain, type StreamEntry } from './infra/stream-drain.ts';

function docOf(fields: string[]) {
  let parsed;
  try {
    parsed = LeaseEvent.safeParse(JSON.parse(field(fields, 'e') ?? 'null'));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const e = parsed.data;
  return {
    _id: e.leaseId,
    schemaVersion: 1 as const,
    projectId: new ObjectId(e.projectId),
    itemId: new ObjectId(e.itemId),
    userId: new ObjectId(e.userId),
    leaseId: e.leaseId,
    jobId: e.jobId,
    gold: e.gold,
    event: e.event,
    leasedAt: new Date(e.leasedAt),
    at: new Date(e.at),
    ...(e.byId ? { byId: new ObjectId(e.byId) } : {}),
  };
}

/** Inserts documents, treating "already there" (a replayed entry) as success. */
export async function insertIgnoringDuplicates(w: WorkerContext, collection: string, docs: object[]): Promise<void> {
  if (!docs.length) return;
  try {
    await w.db.db.collection(collection).insertMany(docs as never[], { ordered: false });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
}

/**
 * Moves ended leases from the stream the servers append to (one Redis op per lease) into MongoDB
 * `assignments`, in batches, one document per lease; `_id` = the lease id makes replays no-ops.
 */
export function startLeaseLogDrain(w: WorkerContext) {
  return startStreamDrain(w.redis, w.log, {
    stream: leaseLogStream(w.config.REDIS_PREFIX),
    group: 'assignments',
    batch: 2000,
    minIntervalMs: 500,
    handle: async (entries: StreamEntry[]) =>
      insertIgnoringDuplicates(
        w,
        'assignments',
        entries.map(([, f]) => docOf(f)).filter((d) => d !== null),
      ),
  });
}
