import { z } from 'zod';
import { Id } from '../schema/common.ts';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
import {
  ItemPresencePayloadIn,
  JoinReviewPayload,
  type InboxReadPayload,
  type ItemPresencePayload,
  type PresenceUser,
  type ReviewCommentPayload,
  type ReviewQueueCounts,
  type ReviewQueuedPayload,
  type ReviewVerdictPayload,
} from './review.ts';
import { AnnounceInput, type AnnouncementPayload } from './live.ts';
import {
  ShadowSourceInput,
  ShadowState,
  ShadowTarget,
  type ShadowFrame,
  type ShadowRevokedPayload,
  type ShadowStatusPayload,
  type ShadowUser,
  type ShadowWatchersPayload,
  type ShadowWatchInfo,
} from './shadow.ts';
import {
  LeaseHeartbeatPayload,
  TaskNextPayload,
  type AnnotatorCounts,
  type ItemCompletePayload,
  type LeaseAssignedPayload,
  type LeaseEndedPayload,
  type ProjectAgreementPayload,
  type QueueCounts,
  type Task,
} from './tasks.ts';
import type { DatasetProgressPayload } from './datasets.ts';
import type { TilesProgressPayload } from './tiles.ts';

/*
 * The realtime contract: every Socket.IO event name, its payload and its ack, in one place.
 * Server (`Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`) and
 * client (`Socket<ServerToClientEvents, ClientToServerEvents>`) import these; no other file names an
 * event with a string literal (tests/unit/contracts/socket-contracts.test.ts checks). To add an
 * event: add its name to SERVER_EVENTS or CLIENT_EVENTS, its payload to ServerEventPayloads or
 * CLIENT_EVENT_PAYLOADS (zod) and, for a client event, its ack body to CLIENT_EVENT_ACKS and a
 * wrapper in client/src/api/socket.ts. See docs/review-and-dashboard.md, "Realtime contract".
 */

/** Server → client event names. */
export const SERVER_EVENTS = {
  /** To `project:<id>`: the project's settings changed (version bumped). */
  projectUpdated: 'project:updated',
  /** To `project:<id>`: an import's progress. */
  importProgress: 'import:progress',
  /** To the user: a lease ended without their submit (expired, requeued or reassigned by a lead). */
  leaseEnded: 'lease:ended',
  /** To the user: a lead assigned them a task; `task:next` returns it. */
  leaseAssigned: 'lease:assigned',
  /** To the project room: live queue counts (throttled). */
  queueCounts: 'queue:counts',
  /** To the project room: an item got its k-th annotation and its agreement is stored. */
  itemComplete: 'item:complete',
  /** To the project room: project-level agreement was recomputed. */
  projectAgreement: 'project:agreement',
  /** To `review:<projectId>`: a submission entered the queue (live queue of reviewers). */
  reviewQueued: 'review:queued',
  /** To `review:<projectId>` and `project:<projectId>`: queue counts after any change. */
  reviewCounts: 'review:counts',
  /** To `user:<annotatorId>`: a verdict on their work, with its comments. */
  reviewVerdict: 'review:verdict',
  /** To `user:<annotatorId>` and `item:<itemId>`: a comment on their work. */
  reviewComment: 'review:comment',
  /** To `user:<userId>`: inbox entries were marked read. */
  inboxRead: 'inbox:read',
  /** To `item:<itemId>`: who is on the item now. */
  itemPresence: 'item:presence',
  /** To `project:<id>`: a lead's live announcement. */
  announcement: 'project:announcement',
  /** To a shadow watch room: one frame of the annotator's editor. */
  shadowFrame: 'shadow:frame',
  /** To a shadow watch room: the annotator's workspace came or went. */
  shadowStatus: 'shadow:status',
  /** To a watcher: their access changed and watching has stopped. */
  shadowRevoked: 'shadow:revoked',
  /** To the annotator's source sockets: who watches now. */
  shadowWatchers: 'shadow:watchers',
  /** To `project:<id>`: an export's or a snapshot build's progress. */
  datasetProgress: 'dataset:progress',
  /** To `project:<id>`: a tile pyramid's build progress (docs/tile-pyramids.md). */
  tilesProgress: 'tiles:progress',
} as const;
export type ServerEventName = (typeof SERVER_EVENTS)[keyof typeof SERVER_EVENTS];

/** Client → server event names. Each answers an {@link Ack} (but `shadow:state`, whose ack is optional). */
export const CLIENT_EVENTS = {
  joinProject: 'project:join',
  leaveProject: 'project:leave',
  /** Keeps a lease alive; ack `{ok:true, leaseUntil}` or `{ok:false, code:'LEASE_EXPIRED'}`. */
  leaseHeartbeat: 'lease:heartbeat',
  /** Asks for the next task of a project; ack `{ok:true, task}`. */
  taskNext: 'task:next',
  /** Join the live review queue of a project (reviewers and leads). */
  joinReview: 'review:join',
  /** Be present on an item (presence, comments live); ack lists who is there. */
  joinItem: 'item:join',
  leaveItem: 'item:leave',
  /** A lead's announcement to the project room; ack `{ok:true, id, at}`. */
  announce: 'project:announce',
  /** Watch an annotator (admins, leads managing the project); ack {@link ShadowWatchInfo}. */
  shadowWatch: 'shadow:watch',
  shadowUnwatch: 'shadow:unwatch',
  /** The annotator's workspace registers as a source; ack `{ok, watchers}`. */
  shadowPublish: 'shadow:publish',
  shadowUnpublish: 'shadow:unpublish',
  /** A source's frame of editor state (sent without waiting for the ack). */
  shadowState: 'shadow:state',
} as const;
export type ClientEventName = (typeof CLIENT_EVENTS)[keyof typeof CLIENT_EVENTS];

export const ProjectUpdatedPayload = z.object({ projectId: Id, version: z.number().int(), by: Id });
export type ProjectUpdatedPayload = z.infer<typeof ProjectUpdatedPayload>;

export const ImportProgressPayload = z.object({
  projectId: Id,
  importId: Id,
  done: z.number().int(),
  total: z.number().int(),
  status: z.enum(['running', 'complete', 'failed']),
});
export type ImportProgressPayload = z.infer<typeof ImportProgressPayload>;

export const JoinProjectPayload = z.object({ projectId: Id });
export type JoinProjectPayload = z.infer<typeof JoinProjectPayload>;

/** Payload of each server → client event. */
export interface ServerEventPayloads {
  [SERVER_EVENTS.projectUpdated]: ProjectUpdatedPayload;
  [SERVER_EVENTS.importProgress]: ImportProgressPayload;
  [SERVER_EVENTS.leaseEnded]: LeaseEndedPayload;
  [SERVER_EVENTS.leaseAssigned]: LeaseAssignedPayload;
  [SERVER_EVENTS.queueCounts]: QueueCounts & { annotators?: AnnotatorCounts[] };
  [SERVER_EVENTS.itemComplete]: ItemCompletePayload;
  [SERVER_EVENTS.projectAgreement]: ProjectAgreementPayload;
  [SERVER_EVENTS.reviewQueued]: ReviewQueuedPayload;
  [SERVER_EVENTS.reviewCounts]: ReviewQueueCounts;
  [SERVER_EVENTS.reviewVerdict]: ReviewVerdictPayload;
  [SERVER_EVENTS.reviewComment]: ReviewCommentPayload;
  [SERVER_EVENTS.inboxRead]: InboxReadPayload;
  [SERVER_EVENTS.itemPresence]: ItemPresencePayload;
  [SERVER_EVENTS.announcement]: AnnouncementPayload;
  [SERVER_EVENTS.shadowFrame]: ShadowFrame;
  [SERVER_EVENTS.shadowStatus]: ShadowStatusPayload;
  [SERVER_EVENTS.shadowRevoked]: ShadowRevokedPayload;
  [SERVER_EVENTS.shadowWatchers]: ShadowWatchersPayload;
  [SERVER_EVENTS.datasetProgress]: DatasetProgressPayload;
  [SERVER_EVENTS.tilesProgress]: TilesProgressPayload;
}

/** The payload schema of each client → server event; the server parses every payload with it. */
export const CLIENT_EVENT_PAYLOADS = {
  [CLIENT_EVENTS.joinProject]: JoinProjectPayload,
  [CLIENT_EVENTS.leaveProject]: JoinProjectPayload,
  [CLIENT_EVENTS.leaseHeartbeat]: LeaseHeartbeatPayload,
  [CLIENT_EVENTS.taskNext]: TaskNextPayload,
  [CLIENT_EVENTS.joinReview]: JoinReviewPayload,
  [CLIENT_EVENTS.joinItem]: ItemPresencePayloadIn,
  [CLIENT_EVENTS.leaveItem]: ItemPresencePayloadIn,
  [CLIENT_EVENTS.announce]: AnnounceInput,
  [CLIENT_EVENTS.shadowWatch]: ShadowTarget,
  [CLIENT_EVENTS.shadowUnwatch]: ShadowTarget,
  [CLIENT_EVENTS.shadowPublish]: ShadowSourceInput,
  [CLIENT_EVENTS.shadowUnpublish]: ShadowSourceInput,
  [CLIENT_EVENTS.shadowState]: ShadowState,
} as const satisfies { [E in ClientEventName]: z.ZodType };

/** An ack with nothing but `ok: true`. */
const Empty: z.ZodType<object> = z.object({});
const Users = z.array(z.object({ userId: Id, username: z.string(), displayName: z.string().optional() }));
/** Whole records the server builds from its own data: checked for being an object, typed by the contract. */
const record = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null);

/** The body of each client event's successful ack (what comes with `ok: true`). */
export const CLIENT_EVENT_ACKS = {
  [CLIENT_EVENTS.joinProject]: Empty,
  [CLIENT_EVENTS.leaveProject]: Empty,
  [CLIENT_EVENTS.leaseHeartbeat]: z.object({ leaseUntil: z.string() }),
  [CLIENT_EVENTS.taskNext]: z.object({ task: record<Task>() }),
  [CLIENT_EVENTS.joinReview]: Empty,
  [CLIENT_EVENTS.joinItem]: z.object({ users: Users as z.ZodType<PresenceUser[]> }),
  [CLIENT_EVENTS.leaveItem]: Empty,
  [CLIENT_EVENTS.announce]: z.object({ id: z.string(), at: z.string() }),
  [CLIENT_EVENTS.shadowWatch]: record<ShadowWatchInfo>(),
  [CLIENT_EVENTS.shadowUnwatch]: Empty,
  [CLIENT_EVENTS.shadowPublish]: z.object({ watchers: Users as z.ZodType<ShadowUser[]> }),
  [CLIENT_EVENTS.shadowUnpublish]: Empty,
  [CLIENT_EVENTS.shadowState]: z.object({ seq: z.number().int() }),
} as const satisfies { [E in ClientEventName]: z.ZodType<object> };

export type ClientEventPayload<E extends ClientEventName> = z.input<(typeof CLIENT_EVENT_PAYLOADS)[E]>;
export type ClientEventAck<E extends ClientEventName> = z.infer<(typeof CLIENT_EVENT_ACKS)[E]>;

/** A failed ack: a code from the shared error table (contracts/errors.ts) and an English message. */
export interface AckFailure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** Every ack answers `{ok:true, ...}` or `{ok:false, code, message}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | AckFailure;

const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
/** The envelope of every ack (its body is checked with the event's CLIENT_EVENT_ACKS schema). */
export const AckEnvelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }).passthrough(),
  z.object({ ok: z.literal(false), code: z.enum(errorCodes), message: z.string() }),
]);

export type ServerToClientEvents = { [E in ServerEventName]: (p: ServerEventPayloads[E]) => void };

type AckedClientEvent = Exclude<ClientEventName, typeof CLIENT_EVENTS.shadowState>;
export type ClientToServerEvents = {
  [E in AckedClientEvent]: (p: ClientEventPayload<E>, ack: (a: Ack<ClientEventAck<E>>) => void) => void;
} & {
  [CLIENT_EVENTS.shadowState]: (
    p: ClientEventPayload<typeof CLIENT_EVENTS.shadowState>,
    ack?: (a: Ack<ClientEventAck<typeof CLIENT_EVENTS.shadowState>>) => void,
  ) => void;
};

/** Between server processes (Socket.IO `serverSideEmit` through the Redis adapter). */
export const INTER_SERVER_EVENTS = {
  /** Drop cached access decisions for a user and/or a project (or all). */
  accessChanged: 'access:changed',
} as const;

/** What changed, for cached access decisions: one user, one project, both, or everything. */
export interface AccessChangeMessage {
  userId?: string;
  projectId?: string;
  /** Everything may have changed (a missed invalidation): drop every entry. */
  all?: boolean;
}

export interface InterServerEvents {
  [INTER_SERVER_EVENTS.accessChanged]: (change: AccessChangeMessage) => void;
}

/**
 * `socket.data`, serialised to other server processes (Redis adapter `fetchSockets`): the session
 * id (a hash), never the session token. The server keeps the session's user there only until its
 * connection handler takes it (`auth`, typed by the server).
 */
export interface SocketData {
  sessionId: string;
}

/** Room names. */
export const rooms = {
  project: (id: string) => `project:${id}`,
  user: (id: string) => `user:${id}`,
};
