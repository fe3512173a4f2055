import type { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, type DatasetProgressPayload } from '@labelwork/core';
import type { WorkerContext } from '../context.ts';
import { appendDomainEvent } from '@labelwork/engine';

/** Progress events are informative: at most one per this interval, the final one always. */
const PROGRESS_EVERY_MS = 500;

/**
 * Reports an export's or snapshot build's progress as a domain event, relayed by the servers to
 * the project room as `dataset:progress` (best-effort; the document holds the truth).
 */
export function datasetProgress(w: WorkerContext, projectId: ObjectId, kind: DatasetProgressPayload['kind'], id: ObjectId) {
  let last = 0;
  return async (status: DatasetProgressPayload['status'], done: number, total: number, force = false): Promise<void> => {
    const now = w.now();
    if (!force && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    if (!force && kind === 'export') await w.db.exports.updateOne({ _id: id }, { $set: { done, total } }).catch(() => undefined);
    await appendDomainEvent(w.redis, w.config.REDIS_PREFIX, {
      type: DOMAIN_EVENTS.datasetProgress,
      eventId: `${kind}:${id.toHexString()}:${status}:${done}:${now}`,
      at: now,
      data: { projectId: projectId.toHexString(), kind, id: id.toHexString(), status, done, total },
    }).catch((err: unknown) => w.log.warn('dataset progress event not sent', { err }));
  };
}
