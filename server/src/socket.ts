import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { duplicateRedisClient, isRedisCluster } from '@labelwork/engine';
import { CLIENT_EVENTS, JoinProjectPayload, rooms, type Ack } from '@labelwork/core';
import { ObjectId } from 'mongodb';
import type { AppContext, IO } from './context.ts';
import { cachedUser, originProblem, resolveSession } from './http/middleware.ts';
import { createRedis } from './infra/redis.ts';
import { projectForTask, registerTaskSocket } from './modules/tasks/index.ts';
import { registerReviewSocket } from './modules/review/index.ts';
import { registerLiveSocket, registerShadowSocket } from './modules/live/index.ts';
import { listenForAccessChanges } from './infra/access-changes.ts';
import { ackFail } from './infra/socket-acks.ts';
import { guardSocketSession, sweepEndedSessions } from './infra/socket-sessions.ts';

/**
 * Attaches Socket.IO with the Redis adapter (events reach clients on every server process; the sharded
 * adapter on a Redis Cluster) and the
 * HTTP session: a socket without a valid session cookie, or whose Origin names another host (the
 * HTTP rule; a socket has no CSRF token, so `null` is refused too), is refused at the handshake.
 * Afterwards the socket follows its session (infra/socket-sessions.ts). This file is part of the composition root: it wires each module's socket handlers..
 */
export function attachSocket(ctx: AppContext, http: HttpServer): { io: IO; close(): Promise<void> } {
  // On a Redis Cluster classic pub/sub reaches every node over the cluster bus; the sharded adapter
  // uses Redis 7's sharded pub/sub instead (a channel lives on its slot's master, SSUBSCRIBE/SPUBLISH).
  const pub = createRedis(ctx.config.REDIS_URL, 'socket-pub');
  const cluster = isRedisCluster(pub);
  const sub = cluster
    ? createRedis(ctx.config.REDIS_URL, 'socket-sub', { shardedSubscriber: true })
    : duplicateRedisClient(pub, 'socket-sub');
  const channel = `${ctx.config.REDIS_PREFIX}:socket.io`;
  const io: IO = new Server(http, {
    serveClient: false,
    adapter: cluster ? createShardedAdapter(pub, sub, { channelPrefix: channel }) : createAdapter(pub, sub, { key: channel }),
    // A room broadcast (queue:counts to thousands of dashboards) is encoded once into one WebSocket
    // frame that every socket writes as is; per-message deflate would compress it once per socket
    // instead (it is engine.io's default off, said here because the fan-out depends on it).
    perMessageDeflate: false,
    // No connectionStateRecovery: the Redis adapter keeps no sessions, so it would restore nothing.
    // Clients resync on every reconnect instead (see docs/review-and-dashboard.md, Reconnection).
  });
  listenForAccessChanges(ctx, io);
  const stopSweep = sweepEndedSessions(ctx, io);
  io.use((socket, next) => {
    if (originProblem(socket.handshake.headers.origin, socket.handshake.headers.host)) return next(new Error('CSRF_FAILED'));
    void authenticate(socket, next);
  });
  // Every path ends in next(): Socket.IO does not look at a middleware's promise.
  const authenticate = async (socket: Parameters<Parameters<typeof io.use>[0]>[0], next: (err?: Error) => void): Promise<void> => {
    try {
      const r = await resolveSession(ctx, socket.handshake.headers.cookie);
      if (!r.auth) return next(new Error(r.expired ? 'SESSION_EXPIRED' : 'UNAUTHENTICATED'));
      // socket.data goes to other server processes (fetchSockets): the session id (a hash), never the
      // token; the user stays only until the connection handler takes it (ServerSocketData).
      socket.data.auth = { user: r.auth.user };
      socket.data.sessionId = ctx.sessions.idOf(r.auth.token);
      next();
    } catch {
      next(new Error('INTERNAL'));
    }
  };
  io.on('connection', (socket) => {
    const { auth, sessionId } = socket.data;
    delete socket.data.auth; // the user stays in this closure; other processes need not receive it
    if (!auth) return void socket.disconnect(true);
    void socket.join(rooms.user(auth.user._id.toHexString()));
    guardSocketSession(ctx, socket, sessionId);
    registerTaskSocket(ctx, socket, auth.user);
    registerReviewSocket(ctx, socket, auth.user);
    registerLiveSocket(ctx, socket, auth.user);
    registerShadowSocket(ctx, socket, auth.user);
    socket.on(CLIENT_EVENTS.joinProject, async (payload, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const p = JoinProjectPayload.safeParse(payload);
      if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
      try {
        // The user and the project as now, from the caches every request decides on: a role or
        // membership change drops them at once on every process, and the access epoch read before
        // this event (guardSocketSession) drops them here if that message is still on its way. A
        // fresh read of the project per join would cost 5,000 reads of a 5,000-member document when
        // a project's dashboards reconnect after a restart.
        const user = await cachedUser(ctx, auth.user._id.toHexString());
        if (!user || user.disabled) return reply({ ok: false, code: 'UNAUTHENTICATED', message: 'sign in again' });
        await projectForTask(ctx, user, new ObjectId(p.data.projectId));
        await socket.join(rooms.project(p.data.projectId));
        reply({ ok: true });
      } catch (e) {
        reply(ackFail(e));
      }
    });
    socket.on(CLIENT_EVENTS.leaveProject, async (payload, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const p = JoinProjectPayload.safeParse(payload);
      if (!p.success) return reply({ ok: false, code: 'VALIDATION_FAILED', message: 'projectId must be a 24-character hex id' });
      await socket.leave(rooms.project(p.data.projectId));
      reply({ ok: true });
    });
  });
  return {
    io,
    close: async () => {
      stopSweep();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}
