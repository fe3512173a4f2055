import { CLIENT_EVENTS, LeaseHeartbeatPayload, TaskNextPayload, type Ack } from '@labelwork/core';
import { ObjectId } from 'mongodb';
import type { AppContext, LwSocket } from '../../context.ts';
import { cachedUser } from '../../http/middleware.ts';
import type { UserDoc } from '@labelwork/engine';
import { heartbeat, nextTask } from './tasks.service.ts';
import { ackFail } from '../../infra/socket-acks.ts';

/**
 * Task events on a signed-in socket: `lease:heartbeat` keeps a lease alive, `task:next` hands out
 * the next task. The user is re-read per `task:next` (level and membership may have changed).
 */
export function registerTaskSocket(ctx: AppContext, socket: LwSocket, user: UserDoc): void {
  socket.on(CLIENT_EVENTS.leaseHeartbeat, async (payload, ack) => {
    const reply: (a: Ack<{ leaseUntil: string }>) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = LeaseHeartbeatPayload.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'leaseId is not a lease id' });
    try {
      reply({ ok: true, ...(await heartbeat(ctx, user, p.data.leaseId)) });
    } catch (e) {
      reply(ackFail(e));
    }
  });
  socket.on(CLIENT_EVENTS.taskNext, async (payload, ack) => {
    const reply: (a: Ack<{ task: Awaited<ReturnType<typeof nextTask>> }>) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = TaskNextPayload.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
    try {
      // The session's user, re-read (through the one-second user cache): level or membership may have changed.
      const fresh = await cachedUser(ctx, user._id.toHexString());
      if (!fresh || fresh.disabled) return reply({ ok: false, code: 'UNAUTHENTICATED', message: 'sign in again' });
      reply({ ok: true, task: await nextTask(ctx, fresh, new ObjectId(p.data.projectId)) });
    } catch (e) {
      reply(ackFail(e));
    }
  });
}
