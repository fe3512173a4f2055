import { io, type Socket } from 'socket.io-client';
import { CLIENT_EVENTS, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@labelwork/core';

export type LabelworkSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 8000;

/** Opens the realtime connection (same origin; the session cookie goes along). */
export function connectSocket(): LabelworkSocket {
  return io({ withCredentials: true });
}

async function ackOf(call: () => Promise<Ack>): Promise<Ack> {
  try {
    return await call();
  } catch (e) {
    return { ok: false, code: 'TIMEOUT', message: e instanceof Error ? e.message : String(e) };
  }
}

/** Joins a project's room to receive its updates and import progress. */
export function joinProject(socket: LabelworkSocket, projectId: string): Promise<Ack> {
  return ackOf(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(CLIENT_EVENTS.joinProject, { projectId }));
}

export function leaveProject(socket: LabelworkSocket, projectId: string): Promise<Ack> {
  return ackOf(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(CLIENT_EVENTS.leaveProject, { projectId }));
}

/** Keeps a task lease alive; answers `{ok:true, leaseUntil}`, `{ok:false, code:'LEASE_EXPIRED'}`, or TIMEOUT. */
export function leaseHeartbeat(socket: LabelworkSocket, leaseId: string): Promise<Ack<{ leaseUntil: string }>> {
  return socket
    .timeout(ACK_TIMEOUT_MS)
    .emitWithAck(CLIENT_EVENTS.leaseHeartbeat, { leaseId })
    .catch((e: unknown) => ({ ok: false as const, code: 'TIMEOUT', message: e instanceof Error ? e.message : String(e) }));
}
