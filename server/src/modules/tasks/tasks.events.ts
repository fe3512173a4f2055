import { ObjectId } from 'mongodb';
import { RelayMessage, eventsChannel } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { stopRuntime } from './task-runtime.ts';
import { queuesRepo } from './tasks.repository.ts';

/**
 * Starts the assignment engine's background parts in a server process: relays worker events
 * (published on Redis) to this process's sockets, and opens the queues of projects with queued
 * work so that their abandoned leases come back even if nobody asks for a task here.
 */
export async function startTaskRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const sub = ctx.redis.duplicate({ connectionName: 'task-events' });
  sub.on('message', (_channel: string, raw: string) => {
    let msg: RelayMessage;
    try {
      msg = RelayMessage.parse(JSON.parse(raw));
    } catch {
      return;
    }
    // Every server gets the message and emits to its own sockets only: each client hears it once.
    (ctx.io?.local.to(msg.room) as unknown as { emit(e: string, p: unknown): void } | undefined)?.emit(msg.event, msg.payload);
  });
  await sub.subscribe(eventsChannel(ctx.config.REDIS_PREFIX));
  for (const q of await queuesRepo.all(ctx.db)) ctx.tasks.project((q._id as ObjectId).toHexString());
  return {
    close: async () => {
      stopRuntime(ctx);
      sub.disconnect();
    },
  };
}
