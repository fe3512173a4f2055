import { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';
import { subscribeWorkerEvents } from '../../infra/worker-events.ts';
import { stopRuntime } from './task-runtime.ts';
import { queuesRepo } from './tasks.repository.ts';

/**
 * Opens the queue of every project with live leases whose queue is not open in this process, so
 * that its stalled checker brings abandoned leases back even if nobody uses the project here (the
 * map of open queues is bounded and closes the least recently used ones).
 */
export async function reopenQueuesWithLeases(ctx: AppContext): Promise<number> {
  const closed = (await queuesRepo.all(ctx.db)).map((q) => (q._id as ObjectId).toHexString()).filter((id) => !ctx.tasks.hasOpen(id));
  if (!closed.length) return 0;
  const p = ctx.redis.pipeline();
  for (const id of closed) p.hlen(ctx.tasks.keys(id).holders);
  const res = (await p.exec()) ?? [];
  let opened = 0;
  closed.forEach((id, i) => {
    if (Number(res[i]?.[1] ?? 0) > 0) {
      ctx.tasks.project(id);
      opened++;
    }
  });
  return opened;
}

/**
 * Starts the assignment engine's background parts in a server process: relays worker events
 * (published on Redis) to this process's sockets, and sweeps for projects with live leases whose
 * queue is closed here (at start and then every stalled interval, at least every second).
 */
export async function startTaskRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const sub = await subscribeWorkerEvents(ctx, 'task-events', (msg) => {
    // Every server gets the message and emits to its own sockets only: each client hears it once.
    (ctx.io?.local.to(msg.room) as unknown as { emit(e: string, p: unknown): void } | undefined)?.emit(msg.event, msg.payload);
  });
  await reopenQueuesWithLeases(ctx);
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping || ctx.tasks.closing) return;
    sweeping = true;
    reopenQueuesWithLeases(ctx)
      .catch((e: unknown) => ctx.log.warn('sweep for leased projects failed', { err: e }))
      .finally(() => {
        sweeping = false;
      });
  }, Math.max(1000, ctx.tasks.opts.stalledIntervalMs));
  sweep.unref();
  return {
    close: async () => {
      clearInterval(sweep);
      stopRuntime(ctx);
      sub.close();
    },
  };
}
