import { ObjectId } from 'mongodb';
import {
  CLIENT_EVENTS,
  SERVER_EVENTS,
  ItemPresencePayloadIn,
  JoinReviewPayload,
  reviewRooms,
  type Ack,
  type PresenceUser,
} from '@labelwork/core';
import type { AppContext, LwSocket } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { UserDoc } from '@labelwork/engine';
import { onAccessChange } from '../../infra/access-changes.ts';
import { canAccess, loadProject } from '../access/index.ts';
import { canReview } from './review.service.ts';
import { ackFail, freshUser } from '../../infra/socket-acks.ts';

/** What other server processes learn of a socket for presence (plain strings: `socket.data` crosses the Redis adapter). */
interface PresenceData {
  presenceUser?: PresenceUser;
}

/** Who is on an item now, over every server process (the Redis adapter asks them all). */
async function presence(ctx: AppContext, itemId: string): Promise<PresenceUser[]> {
  if (!ctx.io) return [];
  const sockets = await ctx.io.in(reviewRooms.item(itemId)).fetchSockets();
  const seen = new Map<string, PresenceUser>();
  for (const s of sockets) {
    const u = (s.data as PresenceData).presenceUser;
    if (u) seen.set(u.userId, u);
  }
  return [...seen.values()].sort((a, b) => a.username.localeCompare(b.username));
}

async function announce(ctx: AppContext, projectId: string, itemId: string): Promise<PresenceUser[]> {
  const users = await presence(ctx, itemId);
  ctx.io?.to(reviewRooms.item(itemId)).emit(SERVER_EVENTS.itemPresence, { projectId, itemId, users });
  return users;
}

/**
 * Review events on a signed-in socket: `review:join` (reviewers of the project, and its leads)
 * for the live queue; `item:join`/`item:leave` for presence and live comments on an item.
 */
export function registerReviewSocket(ctx: AppContext, socket: LwSocket, user: UserDoc): void {
  const items = new Map<string, string>();
  /** Projects whose review queue room this socket joined. */
  const reviewing = new Set<string>();
  socket.on(CLIENT_EVENTS.joinReview, async (payload, ack) => {
    const reply: (a: Ack) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = JoinReviewPayload.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
    try {
      const u = await freshUser(ctx, user);
      const project = await loadProject(ctx, u, new ObjectId(p.data.projectId), 'view');
      if (!canReview(u) && !canAccess(u, project, 'manage'))
        throw new AppError('FORBIDDEN', 'reviewing needs the reviewer flag and level L2');
      await socket.join(reviewRooms.review(p.data.projectId));
      reviewing.add(p.data.projectId);
      reply({ ok: true });
    } catch (e) {
      reply(ackFail(e));
    }
  });
  socket.on(CLIENT_EVENTS.joinItem, async (payload, ack) => {
    const reply: (a: Ack<{ users: PresenceUser[] }>) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = ItemPresencePayloadIn.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId and itemId must be 24-character hex ids' });
    try {
      const u = await freshUser(ctx, user);
      await loadProject(ctx, u, new ObjectId(p.data.projectId), 'view');
      const item = await ctx.db.items.findOne({ _id: new ObjectId(p.data.itemId) });
      if (!item || !item.projectId.equals(new ObjectId(p.data.projectId))) throw new AppError('NOT_FOUND', 'no such item');
      (socket.data as PresenceData).presenceUser = { userId: u._id.toHexString(), username: u.username };
      await socket.join(reviewRooms.item(p.data.itemId));
      items.set(p.data.itemId, p.data.projectId);
      reply({ ok: true, users: await announce(ctx, p.data.projectId, p.data.itemId) });
    } catch (e) {
      reply(ackFail(e));
    }
  });
  socket.on(CLIENT_EVENTS.leaveItem, async (payload, ack) => {
    const reply: (a: Ack) => void = typeof ack === 'function' ? ack : () => undefined;
    const p = ItemPresencePayloadIn.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId and itemId must be 24-character hex ids' });
    await socket.leave(reviewRooms.item(p.data.itemId));
    items.delete(p.data.itemId);
    reply({ ok: true });
    await announce(ctx, p.data.projectId, p.data.itemId).catch(() => undefined);
  });
  // Access is checked again whenever it changes (membership, status, the user's role, level or
  // reviewer flag), on every server process: a socket that lost it leaves the review queue's and
  // the items' rooms at once. (An epoch-wide `all` is a cache fallback; the targeted change follows.)
  const unsubscribe = onAccessChange(ctx, (change) => {
    const mine = change.userId === user._id.toHexString();
    const projects = new Set([...reviewing, ...items.values()].filter((p) => mine || p === change.projectId));
    for (const projectId of projects) {
      void (async () => {
        let u: UserDoc | null = null;
        let project = null;
        try {
          u = await freshUser(ctx, user);
          project = await loadProject(ctx, u, new ObjectId(projectId), 'view');
        } catch {
          // no access any more (or the check failed): leave below
        }
        if (!u || !project || (!canReview(u) && !canAccess(u, project, 'manage'))) {
          reviewing.delete(projectId);
          await socket.leave(reviewRooms.review(projectId));
        }
        if (!project) {
          for (const [itemId, p] of items) {
            if (p !== projectId) continue;
            items.delete(itemId);
            await socket.leave(reviewRooms.item(itemId));
            await announce(ctx, projectId, itemId).catch(() => undefined);
          }
        }
      })();
    }
  });
  socket.on('disconnect', () => {
    unsubscribe();
    for (const [itemId, projectId] of items) void announce(ctx, projectId, itemId).catch(() => undefined);
  });
}
