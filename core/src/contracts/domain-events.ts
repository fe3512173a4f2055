import { z } from 'zod';
import { SERVER_EVENTS, type ServerToClientEvents } from './socket.ts';
import { ItemCompletePayload, ProjectAgreementPayload } from './tasks.ts';
import { DatasetProgressPayload } from './datasets.ts';
import { TilesProgressPayload } from './tiles.ts';

/**
 * Domain events: facts the workers record for the servers to act on (and the servers for the
 * workers: `annotation.saved`). They are appended to one Redis
 * Stream (durable, bounded) and read two ways: through consumer groups, one per purpose, where each
 * event is handled by exactly one server process at least once (handlers are idempotent), and by a
 * per-process tail that relays them to that process's sockets (best-effort). See
 * docs/review-and-dashboard.md, "Domain events".
 */

/** Event type names (`<aggregate>.<fact>`). */
export const DOMAIN_EVENTS = {
  /** An item got its k annotations; its agreement is stored (the item-agreement job). */
  itemCompleted: 'item.completed',
  /** A project's agreement was recomputed (the project-agreement job). */
  projectAgreementUpdated: 'project.agreement-updated',
  /** An export or a snapshot build moved on (informative; the export/snapshot document holds the truth). */
  datasetProgress: 'dataset.progress',
  /** A tile pyramid's build moved on (informative; the pyramid document holds the truth). */
  tilesProgress: 'tiles.progress',
  /**
   * An annotation was submitted (`created`) or its regions changed later (`updated`: the author's
   * edit, a rework resubmit, a reviewer's fix). Recorded by the server (engine/src/annotations) for
   * the workers (model-backend webhooks); not relayed to sockets.
   */
  annotationSaved: 'annotation.saved',
  /** A dataset import stored a finished annotation of a project member (the dataset-import job): the review policy applies to it. */
  annotationImported: 'annotation.imported',
  /**
   * An imported annotation is being taken back (its import was cancelled or failed, all or nothing):
   * the review module withdraws the review tasks routed for it. Recorded before the annotation goes.
   */
  annotationWithdrawn: 'annotation.withdrawn',
} as const;

/**
 * Common fields. `eventId` names the fact, not the stream entry: a producer that runs again (a job
 * retried) appends the same `eventId` again, so consumers may deduplicate on it.
 */
const base = {
  eventId: z.string().min(1).max(200),
  /** When the producer recorded it (epoch ms). */
  at: z.number().int().min(0),
};

export const ItemCompletedEvent = z.object({ type: z.literal(DOMAIN_EVENTS.itemCompleted), ...base, data: ItemCompletePayload });
export type ItemCompletedEvent = z.infer<typeof ItemCompletedEvent>;

export const ProjectAgreementUpdatedEvent = z.object({
  type: z.literal(DOMAIN_EVENTS.projectAgreementUpdated),
  ...base,
  data: ProjectAgreementPayload,
});
export type ProjectAgreementUpdatedEvent = z.infer<typeof ProjectAgreementUpdatedEvent>;

export const DatasetProgressEvent = z.object({ type: z.literal(DOMAIN_EVENTS.datasetProgress), ...base, data: DatasetProgressPayload });
export type DatasetProgressEvent = z.infer<typeof DatasetProgressEvent>;

export const TilesProgressEvent = z.object({ type: z.literal(DOMAIN_EVENTS.tilesProgress), ...base, data: TilesProgressPayload });
export type TilesProgressEvent = z.infer<typeof TilesProgressEvent>;

const objectId = z.string().regex(/^[0-9a-f]{24}$/);
export const AnnotationSavedEvent = z.object({
  type: z.literal(DOMAIN_EVENTS.annotationSaved),
  ...base,
  data: z.object({
    projectId: objectId,
    itemId: objectId,
    annotationId: objectId,
    /** The annotation's version after the change. */
    version: z.number().int().positive(),
    action: z.enum(['created', 'updated']),
    /** Gold answers are scored, not learned from: consumers skip them. */
    gold: z.boolean(),
    /** A reviewer's fix: the regions are that verdict's `fixedRegions`, not the annotation's. */
    reviewId: objectId.optional(),
  }),
});
export type AnnotationSavedEvent = z.infer<typeof AnnotationSavedEvent>;

export const AnnotationImportedEvent = z.object({
  type: z.literal(DOMAIN_EVENTS.annotationImported),
  ...base,
  data: z.object({ projectId: objectId, itemId: objectId, annotationId: objectId, importId: objectId }),
});
export type AnnotationImportedEvent = z.infer<typeof AnnotationImportedEvent>;

export const AnnotationWithdrawnEvent = z.object({
  type: z.literal(DOMAIN_EVENTS.annotationWithdrawn),
  ...base,
  /** `importId`: the import (or snapshot restore) lineage the annotation came in with. */
  data: z.object({ projectId: objectId, itemId: objectId, annotationId: objectId, importId: z.string().min(1).max(100) }),
});
export type AnnotationWithdrawnEvent = z.infer<typeof AnnotationWithdrawnEvent>;

export const DomainEvent = z.discriminatedUnion('type', [
  ItemCompletedEvent,
  ProjectAgreementUpdatedEvent,
  DatasetProgressEvent,
  TilesProgressEvent,
  AnnotationSavedEvent,
  AnnotationImportedEvent,
  AnnotationWithdrawnEvent,
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type DomainEventType = DomainEvent['type'];
/** Domain events relayed to sockets (the others are work for consumer groups only). */
export type RelayedDomainEventType = Exclude<
  DomainEventType,
  typeof DOMAIN_EVENTS.annotationSaved | typeof DOMAIN_EVENTS.annotationImported | typeof DOMAIN_EVENTS.annotationWithdrawn
>;

/**
 * The socket event each domain event is relayed as (to the project room). The `satisfies` clause
 * fails the type check when a domain event's data is not exactly what its socket event carries.
 */
export const DOMAIN_EVENT_SOCKET = {
  [DOMAIN_EVENTS.itemCompleted]: SERVER_EVENTS.itemComplete,
  [DOMAIN_EVENTS.projectAgreementUpdated]: SERVER_EVENTS.projectAgreement,
  [DOMAIN_EVENTS.datasetProgress]: SERVER_EVENTS.datasetProgress,
  [DOMAIN_EVENTS.tilesProgress]: SERVER_EVENTS.tilesProgress,
} as const satisfies {
  [T in RelayedDomainEventType]: {
    [E in keyof ServerToClientEvents]: Parameters<ServerToClientEvents[E]>[0] extends Extract<DomainEvent, { type: T }>['data'] ? E : never;
  }[keyof ServerToClientEvents];
};

/**
 * The stream all domain events go to. One key with its own hash tag (like the lease log), so it is
 * one Redis Cluster slot whatever the project; `REDIS_PREFIX` keeps deployments apart.
 */
export const domainEventsStream = (prefix: string) => `${prefix}:{domain-events}`;

/**
 * Entries kept (XADD `MAXLEN ~`, so Redis trims whole nodes and may keep a little more). Consumer
 * groups read far behind only while every server is down; an event trimmed before a group read it
 * is lost for that group, so this bounds the outage the stream rides out (at ~300 bytes an entry,
 * about 30 MB).
 */
export const DOMAIN_EVENTS_MAX_LEN = 100_000;

/** Consumer groups, one per purpose: each handles every event once across all server processes. */
export const DOMAIN_EVENT_GROUPS = {
  /** Low-agreement review routing (server review module). */
  reviewRouting: 'review-routing',
  /** Annotation webhooks to model backends (workers' ml-webhook processor). */
  mlWebhooks: 'ml-webhooks',
} as const;

/** Stream entry fields: `type` (readable with XRANGE) and `e`, the event as JSON. */
export function domainEventFields(event: DomainEvent): string[] {
  return ['type', event.type, 'e', JSON.stringify(event)];
}

/** The event of a stream entry's fields, or null when the entry is malformed (bad JSON, unknown type, wrong shape). */
export function parseDomainEvent(fields: readonly string[] | null | undefined): DomainEvent | null {
  if (!fields) return null;
  const i = fields.indexOf('e');
  if (i < 0 || i % 2 !== 0 || fields[i + 1] === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(fields[i + 1]!);
  } catch {
    return null;
  }
  const r = DomainEvent.safeParse(json);
  return r.success ? r.data : null;
}
