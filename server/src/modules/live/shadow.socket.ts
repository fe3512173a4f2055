import { ObjectId } from 'mongodb';
import {
  CLIENT_EVENTS,
  SERVER_EVENTS,
  SHADOW_FRAME_TTL_S,
  SHADOW_MAX_FPS,
  SHADOW_MAX_FRAME_CHARS,
  ShadowSourceInput,
  ShadowState,
  ShadowTarget,
  formatPath,
  shadowRooms,
  type Ack,
  type ShadowFrame,
  type ShadowUser,
  type ShadowWatchInfo,
} from '@labelwork/core';
import type { AppContext, LwSocket } from '../../context.ts';
import { AppError } from '../../http/errors.ts';
import type { UserDoc } from '@labelwork/engine';
import { audit } from '../audit/index.ts';
import { onAccessChange, type AccessChange } from '../../infra/access-changes.ts';
import { isMember, loadProject } from '../access/index.ts';
import { ackFail, freshUser, replyOf } from '../../infra/socket-acks.ts';

/** What other server processes learn of a socket (plain strings: `socket.data` crosses the Redis adapter). */
interface ShadowSocketData {
  shadowUser?: ShadowUser;
}

function summary(u: UserDoc): ShadowUser {
  return { userId: u._id.toHexString(), username: u.username, ...(u.displayName ? { displayName: u.displayName } : {}) };
}

const frameKey = (ctx: AppContext, projectId: string, userId: string) => `${ctx.config.REDIS_PREFIX}:shadow:${projectId}:${userId}`;

/** Frames a user may send a second, over all their sockets on all server processes (a generous guard above the client's throttle). */
export const SHADOW_USER_FRAMES_PER_S = SHADOW_MAX_FPS * 3;
/** Characters of frame JSON a user may send a second, over all their sockets and processes: two full-size frames. */
export const SHADOW_USER_CHARS_PER_S = 2 * SHADOW_MAX_FRAME_CHARS;

/**
 * Counts a frame of `chars` characters against the user's budget of the current second (in Redis,
 * so it holds across sockets and server processes); the reason it is over budget, or null.
 */
async function overBudget(ctx: AppContext, userId: string, chars: number): Promise<string | null> {
  const second = Math.floor(ctx.now() / 1000);
  const key = `${ctx.config.REDIS_PREFIX}:shadow-rate:${userId}:${second}`;
  const res = await ctx.redis.multi().hincrby(key, 'n', 1).hincrby(key, 'chars', chars).expire(key, 3).exec();
  const n = Number(res?.[0]?.[1] ?? 0);
  const total = Number(res?.[1]?.[1] ?? 0);
  if (n > SHADOW_USER_FRAMES_PER_S) return `at most ${SHADOW_MAX_FPS} frames a second`;
  if (total > SHADOW_USER_CHARS_PER_S) return `at most ${SHADOW_USER_CHARS_PER_S} characters of frames a second`;
  return null;
}

/** Users of the sockets in a room, over every server process (the Redis adapter asks them all). */
async function usersIn(ctx: AppContext, room: string): Promise<ShadowUser[]> {
  if (!ctx.io) return [];
  const sockets = await ctx.io.in(room).fetchSockets();
  const seen = new Map<string, ShadowUser>();
  for (const s of sockets) {
    const u = (s.data as ShadowSocketData).shadowUser;
    if (u) seen.set(u.userId, u);
  }
  return [...seen.values()].sort((a, b) => a.username.localeCompare(b.username));
}

/**
 * Tells the annotator's workspace (every source socket of the project) who watches it now. This and
 * announceStatus skip the broadcast once this process is shutting down: its sockets' disconnect
 * handlers run while the adapter's Redis connection closes, and a broadcast then fails inside the
 * adapter, out of reach of any catch (an unhandled rejection). Clients that reconnect elsewhere
 * announce themselves.
 */
async function announceWatchers(ctx: AppContext, projectId: string, userId: string): Promise<void> {
  const watchers = await usersIn(ctx, shadowRooms.watch(projectId, userId));
  if (ctx.tasks.closing) return;
  ctx.io?.to(shadowRooms.source(projectId, userId)).emit(SERVER_EVENTS.shadowWatchers, { projectId, watchers });
}

async function sourceOnline(ctx: AppContext, projectId: string, userId: string): Promise<boolean> {
  if (!ctx.io) return false;
  return (await ctx.io.in(shadowRooms.source(projectId, userId)).fetchSockets()).length > 0;
}

async function announceStatus(ctx: AppContext, projectId: string, userId: string): Promise<void> {
  const online = await sourceOnline(ctx, projectId, userId);
  if (ctx.tasks.closing) return;
  ctx.io?.to(shadowRooms.watch(projectId, userId)).emit(SERVER_EVENTS.shadowStatus, { projectId, userId, online });
}

async function lastFrame(ctx: AppContext, projectId: string, userId: string): Promise<ShadowFrame | null> {
  const raw = await ctx.redis.get(frameKey(ctx, projectId, userId));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as ShadowFrame;
  } catch {
    return null;
  }
}

/** Size of a payload as JSON, or null when it is not JSON at all. */
function jsonSize(v: unknown): number | null {
  try {
    const s = JSON.stringify(v);
    return typeof s === 'string' ? s.length : null;
  } catch {
    return null;
  }
}

/**
 * Read-only shadowing (see core/src/contracts/shadow.ts). Watchers: admins, and leads who manage
 * the project; the watched user must belong to it. Sources: the annotator's own workspace, for a
 * project they are a member of. Frames go to `shadow:<projectId>:<userId>` through the Redis
 * adapter, and the last one is kept in Redis for {@link SHADOW_FRAME_TTL_S} seconds. Frames are
 * limited per user (not per socket) across all server processes, and a source whose access to the
 * project ends (removed, disabled, …) stops being one on the access change.
 */
export function registerShadowSocket(ctx: AppContext, socket: LwSocket, user: UserDoc): void {
  const me = user._id.toHexString();
  const data = socket.data as ShadowSocketData;
  /** Watch rooms this socket is in: room → (project, annotator). */
  const watching = new Map<string, { projectId: string; userId: string }>();
  /** Projects this socket is the annotator's workspace of. */
  const publishing = new Set<string>();

  /** May `u` watch `userId` in `projectId` now? Fresh reads; throws the reason. */
  const checkWatch = async (projectId: string, userId: string): Promise<{ u: UserDoc; target: UserDoc }> => {
    const u = await freshUser(ctx, user);
    if (u.role !== 'admin' && u.role !== 'lead') throw new AppError('FORBIDDEN', 'only leads of the project and admins may watch');
    const project = await loadProject(ctx, u, new ObjectId(projectId), 'manage');
    const target = await ctx.db.users.findOne({ _id: new ObjectId(userId) });
    if (!target || !isMember(target, project)) throw new AppError('NOT_FOUND', 'no such annotator in this project');
    return { u, target };
  };

  socket.on(CLIENT_EVENTS.shadowWatch, async (payload, ack) => {
    const reply = replyOf<Ack<ShadowWatchInfo>>(ack);
    const p = ShadowTarget.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId and userId must be 24-character hex ids' });
    const { projectId, userId } = p.data;
    try {
      const { u, target } = await checkWatch(projectId, userId);
      data.shadowUser = summary(u);
      const room = shadowRooms.watch(projectId, userId);
      await socket.join(room);
      const first = !watching.has(room);
      watching.set(room, { projectId, userId });
      const [frame, online] = await Promise.all([lastFrame(ctx, projectId, userId), sourceOnline(ctx, projectId, userId)]);
      reply({ ok: true, annotator: summary(target), online, frame });
      await announceWatchers(ctx, projectId, userId);
      if (first) void audit(ctx, u._id, 'shadow.watch', { type: 'user', id: userId }, { projectId }).catch(() => undefined);
    } catch (e) {
      reply(ackFail(e));
    }
  });

  // Watching is checked again whenever access changes (a project's members or status, a user's role
  // or account), on every server process: a lead who lost access stops receiving frames at once.
  const recheck = (change: AccessChange) => {
    for (const projectId of publishing) {
      if (change.projectId !== projectId && change.userId !== me) continue;
      void (async () => {
        try {
          await loadProject(ctx, await freshUser(ctx, user), new ObjectId(projectId), 'view');
        } catch {
          if (!publishing.delete(projectId)) return;
          await socket.leave(shadowRooms.source(projectId, me));
          await announceStatus(ctx, projectId, me).catch(() => undefined);
        }
      })();
    }
    for (const [room, w] of watching) {
      if (change.projectId !== w.projectId && change.userId !== me && change.userId !== w.userId) continue;
      void checkWatch(w.projectId, w.userId).catch(async (e: unknown) => {
        if (!watching.has(room)) return;
        watching.delete(room);
        await socket.leave(room);
        const f = ackFail(e);
        socket.emit(SERVER_EVENTS.shadowRevoked, { projectId: w.projectId, userId: w.userId, code: f.code, message: f.message });
        await announceWatchers(ctx, w.projectId, w.userId).catch(() => undefined);
      });
    }
  };
  const unsubscribe = onAccessChange(ctx, recheck);

  socket.on(CLIENT_EVENTS.shadowUnwatch, async (payload, ack) => {
    const reply = replyOf<Ack>(ack);
    const p = ShadowTarget.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId and userId must be 24-character hex ids' });
    const room = shadowRooms.watch(p.data.projectId, p.data.userId);
    await socket.leave(room);
    watching.delete(room);
    reply({ ok: true });
    await announceWatchers(ctx, p.data.projectId, p.data.userId).catch(() => undefined);
  });

  socket.on(CLIENT_EVENTS.shadowPublish, async (payload, ack) => {
    const reply = replyOf<Ack<{ watchers: ShadowUser[] }>>(ack);
    const p = ShadowSourceInput.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
    const { projectId } = p.data;
    try {
      const u = await freshUser(ctx, user);
      await loadProject(ctx, u, new ObjectId(projectId), 'view');
      data.shadowUser = summary(u);
      await socket.join(shadowRooms.source(projectId, me));
      publishing.add(projectId);
      reply({ ok: true, watchers: await usersIn(ctx, shadowRooms.watch(projectId, me)) });
      ctx.io?.to(shadowRooms.watch(projectId, me)).emit(SERVER_EVENTS.shadowStatus, { projectId, userId: me, online: true });
    } catch (e) {
      reply(ackFail(e));
    }
  });

  socket.on(CLIENT_EVENTS.shadowUnpublish, async (payload, ack) => {
    const reply = replyOf<Ack>(ack);
    const p = ShadowSourceInput.safeParse(payload);
    if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
    await socket.leave(shadowRooms.source(p.data.projectId, me));
    publishing.delete(p.data.projectId);
    reply({ ok: true });
    await announceStatus(ctx, p.data.projectId, me).catch(() => undefined);
  });

  socket.on(CLIENT_EVENTS.shadowState, async (payload, ack) => {
    const reply = replyOf<Ack<{ seq: number }>>(ack);
    const now = ctx.now();
    const size = jsonSize(payload);
    try {
      const over = await overBudget(ctx, me, size ?? 0);
      if (over) return reply({ ok: false, code: 'RATE_LIMITED', message: over });
    } catch (e) {
      return reply(ackFail(e));
    }
    if (size === null) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'a frame must be JSON' });
    if (size > SHADOW_MAX_FRAME_CHARS)
      return reply({
        ok: false,
        code: 'PAYLOAD_TOO_LARGE',
        message: `a frame may be at most ${SHADOW_MAX_FRAME_CHARS} characters of JSON`,
      });
    const p = ShadowState.safeParse(payload);
    if (!p.success) {
      const issue = p.error.issues[0];
      return reply({
        ok: false,
        code: 'VALIDATION_FAILED',
        message: issue ? `${formatPath(issue.path) || 'frame'}: ${issue.message}` : 'not a valid frame',
      });
    }
    const { projectId } = p.data;
    // Membership was checked when this socket became the project's source, and again on every access change since.
    if (!socket.rooms.has(shadowRooms.source(projectId, me)))
      return reply({ ok: false, code: 'FORBIDDEN', message: 'publish for this project first (shadow:publish)' });
    const frame: ShadowFrame = { ...p.data, userId: me, at: new Date(now).toISOString() };
    ctx.io?.to(shadowRooms.watch(projectId, me)).emit(SERVER_EVENTS.shadowFrame, frame);
    try {
      await ctx.redis.set(frameKey(ctx, projectId, me), JSON.stringify(frame), 'EX', SHADOW_FRAME_TTL_S);
      reply({ ok: true, seq: frame.seq });
    } catch (e) {
      reply(ackFail(e));
    }
  });

  socket.on('disconnect', () => {
    unsubscribe();
    for (const { projectId, userId } of watching.values()) void announceWatchers(ctx, projectId, userId).catch(() => undefined);
    for (const projectId of publishing) void announceStatus(ctx, projectId, me).catch(() => undefined);
  });
}
