import { ObjectId } from 'mongodb';
import { DOMAIN_EVENTS, DOMAIN_EVENT_SOCKET, rooms, type DomainEvent, type RelayedDomainEventType } from '@labelwork/core';
import type { AppContext, IO } from '../../context.ts';
import { startDomainEventTail } from '@labelwork/engine';
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

/** The domain events a screen shows (core's `DOMAIN_EVENT_SOCKET`): the only ones the sockets' tail parses. */
export const RELAYED_EVENT_TYPES: ReadonlySet<DomainEvent['type']> = new Set(Object.keys(DOMAIN_EVENT_SOCKET) as RelayedDomainEventType[]);

type RelayedEvent = Extract<DomainEvent, { type: RelayedDomainEventType }>;
const isRelayed = (event: DomainEvent): event is RelayedEvent => RELAYED_EVENT_TYPES.has(event.type);

/**
 * Relays a domain event to this process's sockets in its project room, as its typed socket event
 * (`DOMAIN_EVENT_SOCKET`). Every server process tails the stream and emits locally: each client
 * hears it once, from its own server.
 */
export function relayDomainEvent(io: IO, event: DomainEvent): void {
  if (!isRelayed(event)) return; // work for the workers' consumer groups, nothing a screen shows
  const room = io.local.to(rooms.project(event.data.projectId));
  switch (event.type) {
    case DOMAIN_EVENTS.itemCompleted:
      room.emit(DOMAIN_EVENT_SOCKET[event.type], event.data);
      return;
    case DOMAIN_EVENTS.projectAgreementUpdated:
      room.emit(DOMAIN_EVENT_SOCKET[event.type], event.data);
      return;
    case DOMAIN_EVENTS.datasetProgress:
      room.emit(DOMAIN_EVENT_SOCKET[event.type], event.data);
      return;
    case DOMAIN_EVENTS.tilesProgress:
      room.emit(DOMAIN_EVENT_SOCKET[event.type], event.data);
      return;
    default: {
      const unhandled: never = event;
      void unhandled;
    }
  }
}

/**
 * Starts the assignment engine's background parts in a server process: relays domain events (the
 * workers' stream, tailed best-effort) to this process's sockets, and sweeps for projects with live
 * leases whose queue is closed here (at start and then every stalled interval, at least every second).
 */
export async function startTaskRuntime(ctx: AppContext): Promise<{ close(): Promise<void> }> {
  const tail = await startDomainEventTail(
    { redis: ctx.redis, prefix: ctx.config.REDIS_PREFIX, log: ctx.log },
    'sockets',
    (event) => {
      if (ctx.io) relayDomainEvent(ctx.io, event);
    },
    RELAYED_EVENT_TYPES,
  );
  await reopenQueuesWithLeases(ctx);
  let sweeping = false;
  const sweep = setInterval(
    () => {
      if (sweeping || ctx.tasks.closing) return;
      sweeping = true;
      reopenQueuesWithLeases(ctx)
        .catch((e: unknown) => ctx.log.warn('sweep for leased projects failed', { err: e }))
        .finally(() => {
          sweeping = false;
        });
    },
    Math.max(1000, ctx.tasks.opts.stalledIntervalMs),
  );
  sweep.unref();
  return {
    close: async () => {
      clearInterval(sweep);
      stopRuntime(ctx);
      await tail.close();
    },
  };
}
