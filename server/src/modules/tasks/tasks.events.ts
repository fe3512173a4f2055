import { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';
import { subscribeWorkerEvents } from '../../infra/worker-events.ts';
import { stopRuntime } from './task-runtime.ts';
import { queuesRepo } from './tasks.repository.ts';

/**
 * Starts the assignment engine's background parts in a server process: relays worker events
 * (published on Redis) to this process's sockets, and opens the queues of projects with queued
 * work so that their abandoned leases come back even if nobody asks for a task here.
 */
export async function startTaskRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const sub = await subscribeWorkerEvents(ctx, 'task-events', (msg) => {
    // Every server gets the message and emits to its own sockets only: each client hears it once.
    (ctx.io?.local.to(msg.room) as unknown as { emit(e: string, p: unknown): void } | undefined)?.emit(msg.event, msg.payload);
  });
  for (const q of await queuesRepo.all(ctx.db)) ctx.tasks.project((q._id as ObjectId).toHexString());
  return {
    close: async () => {
      stopRuntime(ctx);
      sub.close();
    },
  };
}
