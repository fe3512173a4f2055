import { io, type Socket } from 'socket.io-client';
import {
  AckEnvelope,
  CLIENT_EVENT_ACKS,
  CLIENT_EVENTS,
  ERROR_CODES,
  type ClientEventAck,
  type ClientEventName,
  type ClientEventPayload,
  type ClientToServerEvents,
  type PresenceUser,
  type ServerToClientEvents,
  type ShadowState,
  type ShadowTarget,
  type ShadowUser,
  type ShadowWatchInfo,
  type Task,
} from '@labelwork/core';
import { ApiError } from './http.ts';

export type LabelworkSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long every client → server event waits for its ack; then it fails with TIMEOUT (status 0). */
export const SOCKET_ACK_TIMEOUT_MS = 8000;

/** Opens the realtime connection (same origin; the session cookie goes along). */
export function connectSocket(): LabelworkSocket {
  return io({ withCredentials: true });
}

type AckedEvent = Exclude<ClientEventName, typeof CLIENT_EVENTS.shadowState>;

/**
 * Sends one client event and waits for its ack. Resolves with the ack's body (checked with the
 * event's schema); rejects with the HTTP client's ApiError: the ack's code with that code's status,
 * TIMEOUT (status 0) when no ack came in time, BAD_RESPONSE when the ack has the wrong shape.
 */
async function send<E extends AckedEvent>(socket: LabelworkSocket, event: E, payload: ClientEventPayload<E>): Promise<ClientEventAck<E>> {
  // Socket.IO's typed emitWithAck cannot be called with a generic event name; the ack is checked below instead.
  const timed = socket.timeout(SOCKET_ACK_TIMEOUT_MS) as unknown as {
    emitWithAck(event: E, payload: ClientEventPayload<E>): Promise<unknown>;
  };
  let raw: unknown;
  try {
    raw = await timed.emitWithAck(event, payload);
  } catch (e) {
    throw new ApiError(0, 'TIMEOUT', e instanceof Error ? e.message : String(e));
  }
  const ack = AckEnvelope.safeParse(raw);
  if (!ack.success) throw new ApiError(0, 'BAD_RESPONSE', `malformed ${event} ack`);
  if (!ack.data.ok) throw new ApiError(ERROR_CODES[ack.data.code], ack.data.code, ack.data.message);
  const body = CLIENT_EVENT_ACKS[event].safeParse(ack.data);
  if (!body.success) throw new ApiError(0, 'BAD_RESPONSE', `malformed ${event} ack`);
  return body.data as ClientEventAck<E>;
}

/** Joins a project's room to receive its updates and import progress. */
export async function joinProject(socket: LabelworkSocket, projectId: string): Promise<void> {
  await send(socket, CLIENT_EVENTS.joinProject, { projectId });
}

export async function leaveProject(socket: LabelworkSocket, projectId: string): Promise<void> {
  await send(socket, CLIENT_EVENTS.leaveProject, { projectId });
}

/** Keeps a task lease alive; rejects with LEASE_EXPIRED when it is gone, TIMEOUT when the server did not answer. */
export async function leaseHeartbeat(socket: LabelworkSocket, leaseId: string): Promise<{ leaseUntil: string }> {
  return send(socket, CLIENT_EVENTS.leaseHeartbeat, { leaseId });
}

/** The next task of a project over the socket (the workspace uses the HTTP route; API clients may use either). */
export async function nextTask(socket: LabelworkSocket, projectId: string): Promise<Task> {
  return (await send(socket, CLIENT_EVENTS.taskNext, { projectId })).task;
}

/** Joins the live review queue of a project (reviewers and leads). */
export async function joinReview(socket: LabelworkSocket, projectId: string): Promise<void> {
  await send(socket, CLIENT_EVENTS.joinReview, { projectId });
}

/** Becomes present on an item (presence, live comments); resolves with who is there. */
export async function joinItem(socket: LabelworkSocket, projectId: string, itemId: string): Promise<PresenceUser[]> {
  return (await send(socket, CLIENT_EVENTS.joinItem, { projectId, itemId })).users;
}

export async function leaveItem(socket: LabelworkSocket, projectId: string, itemId: string): Promise<void> {
  await send(socket, CLIENT_EVENTS.leaveItem, { projectId, itemId });
}

/** A lead's announcement to everyone in the project room. */
export async function announce(socket: LabelworkSocket, projectId: string, text: string): Promise<{ id: string; at: string }> {
  return send(socket, CLIENT_EVENTS.announce, { projectId, text });
}

/** Starts watching an annotator's canvas; resolves with who it is, whether they are there, and their last frame. */
export async function watchShadow(socket: LabelworkSocket, target: ShadowTarget): Promise<ShadowWatchInfo> {
  return send(socket, CLIENT_EVENTS.shadowWatch, target);
}

export async function unwatchShadow(socket: LabelworkSocket, target: ShadowTarget): Promise<void> {
  await send(socket, CLIENT_EVENTS.shadowUnwatch, target);
}

/** Registers the workspace as a shadowing source of the project; resolves with who watches. */
export async function publishShadow(socket: LabelworkSocket, projectId: string): Promise<ShadowUser[]> {
  return (await send(socket, CLIENT_EVENTS.shadowPublish, { projectId })).watchers;
}

export async function unpublishShadow(socket: LabelworkSocket, projectId: string): Promise<void> {
  await send(socket, CLIENT_EVENTS.shadowUnpublish, { projectId });
}

/** Sends one frame of editor state without waiting for an ack (frames are a live picture: up to SHADOW_MAX_FPS, the next one replaces it). */
export function sendShadowState(socket: LabelworkSocket, state: ShadowState): void {
  socket.emit(CLIENT_EVENTS.shadowState, state);
}

/** The wrapper of each client event (the type check fails when an event has none; tests/unit/contracts checks the file too). */
export const SOCKET_CALLS = {
  [CLIENT_EVENTS.joinProject]: joinProject,
  [CLIENT_EVENTS.leaveProject]: leaveProject,
  [CLIENT_EVENTS.leaseHeartbeat]: leaseHeartbeat,
  [CLIENT_EVENTS.taskNext]: nextTask,
  [CLIENT_EVENTS.joinReview]: joinReview,
  [CLIENT_EVENTS.joinItem]: joinItem,
  [CLIENT_EVENTS.leaveItem]: leaveItem,
  [CLIENT_EVENTS.announce]: announce,
  [CLIENT_EVENTS.shadowWatch]: watchShadow,
  [CLIENT_EVENTS.shadowUnwatch]: unwatchShadow,
  [CLIENT_EVENTS.shadowPublish]: publishShadow,
  [CLIENT_EVENTS.shadowUnpublish]: unpublishShadow,
  [CLIENT_EVENTS.shadowState]: sendShadowState,
} as const satisfies { [E in ClientEventName]: (socket: LabelworkSocket, ...args: never[]) => unknown };
