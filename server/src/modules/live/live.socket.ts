import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import { ObjectId } from 'mongodb';
import { AnnounceInput, rooms, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { UserDoc } from '../../infra/mongo.ts';
import { audit } from '../audit/audit.service.ts';
import { loadProject } from '../projects/projects.access.ts';

/** A lead's announcement to the project room (checked against a fresh read of the user). */
export function registerLiveSocket(ctx: AppContext, socket: Socket<ClientToServerEvents, ServerToClientEvents>, user: UserDoc): void {
  socket.on('project:announce', async (payload, ack) => {
    const reply: (a: Ack<{ id: string; at: string }>) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = AnnounceInput.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: p.error.issues[0]?.message ?? 'not valid' });
    try {
      const fresh = await ctx.db.users.findOne({ _id: user._id });
      if (!fresh || fresh.disabled) throw new AppError('UNAUTHENTICATED', 'sign in again');
      await loadProject(ctx, fresh, new ObjectId(p.data.projectId), 'manage');
      const out = { id: randomUUID(), projectId: p.data.projectId, text: p.data.text, byId: fresh._id.toHexString(), byName: fresh.displayName || fresh.username, at: new Date(ctx.now()).toISOString() };
      ctx.io?.to(rooms.project(p.data.projectId)).emit('project:announcement', out);
      reply({ ok: true, id: out.id, at: out.at });
      void audit(ctx, fresh._id, 'project.announce', { type: 'project', id: p.data.projectId }, { id: out.id }).catch(() => undefined);
    } catch (e) {
      reply(e instanceof AppError ? { ok: false, code: e.code, message: e.message } : { ok: false, code: 'INTERNAL', message: 'internal error' });
    }
  });
}
