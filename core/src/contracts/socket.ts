import { z } from 'zod';
import { Id } from '../schema/common.ts';
import type { InboxReadPayload, ItemPresencePayload, ItemPresencePayloadIn, JoinReviewPayload, PresenceUser, ReviewCommentPayload, ReviewQueueCounts, ReviewQueuedPayload, ReviewVerdictPayload } from './review.ts';
import type { AnnounceInput, AnnouncementPayload } from './live.ts';
import type { ShadowFrame, ShadowRevokedPayload, ShadowSourceInput, ShadowState, ShadowStatusPayload, ShadowTarget, ShadowWatchersPayload, ShadowWatchInfo, ShadowUser } from './shadow.ts';
import type { AnnotatorCounts, ItemCompletePayload, LeaseAssignedPayload, LeaseEndedPayload, LeaseHeartbeatPayload, ProjectAgreementPayload, QueueCounts, Task, TaskNextPayload } from './tasks.ts';

/** Event names, shared by server and client. */
export const SERVER_EVENTS = {
  projectUpdated: 'project:updated',
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
} as const;

export const CLIENT_EVENTS = {
  joinProject: 'project:join',
  leaveProject: 'project:leave',
  /** Keeps a lease alive; ack `{ok:true, leaseUntil}` or `{ok:false, code:'LEASE_EXPIRED'}`. */
  leaseHeartbeat: 'lease:heartbeat',
  /** Asks for the next task of a project; ack `{ok:true, task}`. */
  taskNext: 'task:next',
} as const;

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

/** Every ack answers `{ok:true, ...}` or `{ok:false, code, message}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; code: string; message: string };

export interface ServerToClientEvents {
  [SERVER_EVENTS.projectUpdated]: (p: ProjectUpdatedPayload) => void;
  [SERVER_EVENTS.importProgress]: (p: ImportProgressPayload) => void;
  [SERVER_EVENTS.leaseEnded]: (p: LeaseEndedPayload) => void;
  [SERVER_EVENTS.leaseAssigned]: (p: LeaseAssignedPayload) => void;
  [SERVER_EVENTS.queueCounts]: (p: QueueCounts & { annotators?: AnnotatorCounts[] }) => void;
  [SERVER_EVENTS.itemComplete]: (p: ItemCompletePayload) => void;
  [SERVER_EVENTS.projectAgreement]: (p: ProjectAgreementPayload) => void;
  'review:queued': (p: ReviewQueuedPayload) => void;
  'review:counts': (p: ReviewQueueCounts) => void;
  'review:verdict': (p: ReviewVerdictPayload) => void;
  'review:comment': (p: ReviewCommentPayload) => void;
  'inbox:read': (p: InboxReadPayload) => void;
  'item:presence': (p: ItemPresencePayload) => void;
  'project:announcement': (p: AnnouncementPayload) => void;
  'shadow:frame': (p: ShadowFrame) => void;
  'shadow:status': (p: ShadowStatusPayload) => void;
  'shadow:revoked': (p: ShadowRevokedPayload) => void;
  'shadow:watchers': (p: ShadowWatchersPayload) => void;
}

export interface ClientToServerEvents {
  [CLIENT_EVENTS.joinProject]: (p: JoinProjectPayload, ack: (a: Ack) => void) => void;
  [CLIENT_EVENTS.leaveProject]: (p: JoinProjectPayload, ack: (a: Ack) => void) => void;
  [CLIENT_EVENTS.leaseHeartbeat]: (p: LeaseHeartbeatPayload, ack: (a: Ack<{ leaseUntil: string }>) => void) => void;
  [CLIENT_EVENTS.taskNext]: (p: TaskNextPayload, ack: (a: Ack<{ task: Task }>) => void) => void;
  'review:join': (p: JoinReviewPayload, ack: (a: Ack) => void) => void;
  'item:join': (p: ItemPresencePayloadIn, ack: (a: Ack<{ users: PresenceUser[] }>) => void) => void;
  'item:leave': (p: ItemPresencePayloadIn, ack: (a: Ack) => void) => void;
  'project:announce': (p: AnnounceInput, ack: (a: Ack<{ id: string; at: string }>) => void) => void;
  'shadow:watch': (p: ShadowTarget, ack: (a: Ack<ShadowWatchInfo>) => void) => void;
  'shadow:unwatch': (p: ShadowTarget, ack: (a: Ack) => void) => void;
  'shadow:publish': (p: ShadowSourceInput, ack: (a: Ack<{ watchers: ShadowUser[] }>) => void) => void;
  'shadow:unpublish': (p: ShadowSourceInput, ack: (a: Ack) => void) => void;
  'shadow:state': (p: ShadowState, ack?: (a: Ack<{ seq: number }>) => void) => void;
}

/** Room names. */
export const rooms = {
  project: (id: string) => `project:${id}`,
  user: (id: string) => `user:${id}`,
};
