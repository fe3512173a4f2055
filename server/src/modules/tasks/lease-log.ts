import { leaseLogStream, type LeaseEvent } from '@labelwork/core';
import type { AppContext } from '../../context.ts';

/** Keeps the stream bounded; workers drain it to MongoDB long before this many pile up. */
const MAX_LEN = 1_000_000;

/**
 * Appends a lease event to the lease-log stream (Redis, AOF-persisted). Workers move it into the
 * `assignments` collection in batches: one Redis op here instead of one Mongo insert per event.
 */
export async function logLease(ctx: AppContext, ev: LeaseEvent): Promise<void> {
  await ctx.redis.xadd(leaseLogStream(ctx.config.REDIS_PREFIX), 'MAXLEN', '~', MAX_LEN, '*', 'e', JSON.stringify(ev));
}
