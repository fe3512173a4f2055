import { rooms, type AckFailure, type SocketData } from '@labelwork/core';
import type { AppContext, IO, LwSocket } from '../context.ts';
import { syncAccessEpoch } from './access-changes.ts';

/**
 * Live sockets follow their session. Every socket is in its user's room and its session's room, so
 * what ends a session (logout) or a user's sessions (password change, disable, role change) also
 * disconnects the matching sockets on every server process (Redis adapter). As defence in depth a
 * socket's session is read again before its events (at most every SESSION_RECHECK_MS; an event on
 * a session that is gone is answered SESSION_EXPIRED and the socket dropped), and every
 * SESSION_SWEEP_MS each process drops its idle sockets whose session expired.
 */
export const SESSION_RECHECK_MS = 1000;
export const SESSION_SWEEP_MS = 5000;

export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** The socket's session id (core's SocketData: the token's hash, never the token); unset before the handshake finished. */
const sessionOf = (socket: LwSocket): string | undefined => (socket.data as Partial<SocketData>).sessionId;

/** Disconnects the sockets of one session, on every server process. */
export function disconnectSession(ctx: AppContext, sessionId: string): void {
  ctx.io?.in(sessionRoom(sessionId)).disconnectSockets(true);
}

/** Disconnects every socket of a user (but those of session `exceptSessionId`), on every server process. */
export function disconnectUser(ctx: AppContext, userId: string, exceptSessionId?: string): void {
  const target = ctx.io?.in(rooms.user(userId));
  (exceptSessionId ? target?.except(sessionRoom(exceptSessionId)) : target)?.disconnectSockets(true);
}

const ENDED: AckFailure = { ok: false, code: 'SESSION_EXPIRED', message: 'your session has ended; sign in again' };

/**
 * Runs before each event of the socket, in arrival order: reads the access epoch (so the event is
 * decided on fresh caches, see access-cache.ts) and, when due, the session. An event on a session
 * that is gone gets SESSION_EXPIRED in its ack and the socket is disconnected.
 */
export function guardSocketSession(ctx: AppContext, socket: LwSocket, sessionId: string): void {
  void socket.join(sessionRoom(sessionId));
  let checkedAt = ctx.now();
  let chain: Promise<void> = Promise.resolve();
  socket.use((packet, next) => {
    chain = chain.then(async () => {
      const ack = packet[packet.length - 1];
      const reply = typeof ack === 'function' ? (ack as (a: unknown) => void) : () => undefined;
      if (!socket.connected) return;
      try {
        const due = ctx.now() - checkedAt >= SESSION_RECHECK_MS;
        const [session] = await Promise.all([due ? ctx.sessions.getById(sessionId) : true, syncAccessEpoch(ctx)]);
        if (!session) {
          reply(ENDED);
          socket.disconnect(true);
          return;
        }
        if (due) checkedAt = ctx.now();
      } catch {
        reply({ ok: false, code: 'UNAVAILABLE', message: 'the server cannot check your session now; try again' });
        return;
      }
      next();
    });
  });
}

/**
 * Checks the sockets' sessions SWEEP_SLICE at a time: with thousands of sockets one batch of that
 * many Redis commands and their replies holds the event loop for tens of ms, and every broadcast
 * due meanwhile waits behind it.
 */
async function sweepInSlices(ctx: AppContext, sockets: LwSocket[]): Promise<void> {
  for (let i = 0; i < sockets.length; i += SWEEP_SLICE) {
    const slice = sockets.slice(i, i + SWEEP_SLICE);
    const alive = await ctx.sessions.existing(slice.map((s) => sessionOf(s)!));
    slice.forEach((s, k) => alive[k] || s.disconnect(true));
  }
}
const SWEEP_SLICE = 250;

/** Every SESSION_SWEEP_MS, disconnects this process's sockets whose session is gone; returns the stop function. */
export function sweepEndedSessions(ctx: AppContext, io: IO): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const sockets = [...io.of('/').sockets.values()].filter((s) => sessionOf(s));
    sweepInSlices(ctx, sockets)
      .catch((e: unknown) => ctx.log.warn('session sweep failed', { err: e }))
      .finally(() => {
        running = false;
      });
  }, SESSION_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
