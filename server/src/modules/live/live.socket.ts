import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { CLIENT_EVENTS, SERVER_EVENTS, AnnounceInput, rooms, type Ack } from '@labelwork/core';
import type { AppContext, LwSocket } from '../../context.ts';
import type { UserDoc } from '@labelwork/engine';
import { audit } from '../audit/index.ts';
import { cachedAccess } from '../access/index.ts';
import { ackFail } from '../../infra/socket-acks.ts';

/**
 * A lead's announcement to the project room. The sender must (still) manage the project: checked
 * on the cached access decision (see projects/access-cache.ts), not on two database reads per
 * announcement; losing access (removed from the project, demoted, disabled) is seen at once on
 * every server process, and in any case within ACCESS_MAX_STALE_MS (2 s).
 */
export function registerLiveSocket(ctx: AppContext, socket: LwSocket, user: UserDoc): void {
  socket.on(CLIENT_EVENTS.announce, async (payload, ack) => {
    const reply: (a: Ack<{ id: string; at: string }>) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = AnnounceInput.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: p.error.issues[0]?.message ?? 'not valid' });
    try {
      const { user: by } = await cachedAccess(ctx, user._id, new ObjectId(p.data.projectId), 'manage');
      const out = {
        id: randomUUID(),
        projectId: p.data.projectId,
        text: p.data.text,
        byId: by._id.toHexString(),
        byName: by.displayName || by.username,
        at: new Date(ctx.now()).toISOString(),
      };
      ctx.io?.to(rooms.project(p.data.projectId)).emit(SERVER_EVENTS.announcement, out);
      reply({ ok: true, id: out.id, at: out.at });
      void audit(ctx, by._id, 'project.announce', { type: 'project', id: p.data.projectId }, { id: out.id }).catch(() => undefined);
    } catch (e) {
      reply(ackFail(e));
    }
  });
}
