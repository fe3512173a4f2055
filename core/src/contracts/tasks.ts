import { z } from 'zod';
import { Id } from '../schema/common.ts';
import { AnnotationContent, Region, type ItemExtent } from '../schema/region.ts';
import { codePointLength } from '../schema/item.ts';

/**
 * Contracts of the assignment engine shared by server and workers: queue and job names, Redis key
 * layout, job payloads, lease ids and the task API shapes. See docs/assignment.md.
 */

/**
 * Queue names. Every key of a project's queue (BullMQ's and ours) carries the hash tag
 * `{<projectId>}`, so a project lives in one Redis Cluster slot and our Lua scripts may touch
 * BullMQ's lock keys next to our own (BullMQ's key layout is known only to the server's
 * `infra/bullmq-adapter.ts`). Quality and maintenance queues have their own tags.
 */
export const QUEUES = {
  annotate: (projectId: string) => `annotate-{${projectId}}`,
  quality: '{quality}',
  maintenance: '{maintenance}',
} as const;

export const JOB_NAMES = {
  replica: 'replica',
  itemAgreement: 'item-agreement',
  goldScore: 'gold-score',
  projectAgreement: 'project-agreement',
  requeueAll: 'requeue-all',
  recomputeProject: 'recompute-project',
} as const;

/** Job id of replica `r` of an item (BullMQ ids must not contain `:`). */
export const replicaJobId = (itemId: string, r: number) => `${itemId}-${r}`;
/** Gold leases are not BullMQ jobs; this id names their lock key in the same key space. */
export const goldJobId = (itemId: string, userId: string) => `g-${itemId}-${userId}`;
export const itemAgreementJobId = (itemId: string) => `agree-${itemId}`;
export const goldScoreJobId = (annotationId: string) => `gold-${annotationId}`;
/** One project-agreement run per project and debounce window. */
export const projectAgreementJobId = (projectId: string, bucket: number) => `pa-${projectId}-${bucket}`;

/**
 * Redis keys of one project's assignment state (all in the project's slot: they are named under the
 * queue's name, which carries the hash tag). Only our own keys: BullMQ's are the adapter's.
 */
export function projectKeys(prefix: string, projectId: string) {
  const k = `${prefix}:${QUEUES.annotate(projectId)}:lw:`;
  return {
    queueName: QUEUES.annotate(projectId),
    /** Lease metadata by token: jobId, itemId, userId, r, k, gold, at. */
    lease: (token: string) => `${k}l:${token}`,
    /** Per user: itemId → token of the leases they hold. */
    held: (userId: string) => `${k}h:${userId}`,
    /** Per user: items they may not get (annotated, skipped). */
    excluded: (userId: string) => `${k}x:${userId}`,
    /** Per user: items with a saved draft. */
    drafts: (userId: string) => `${k}dr:${userId}`,
    /** Per user counters: served, goldServed, done, skipped, gold, accSum, accN. */
    user: (userId: string) => `${k}u:${userId}`,
    /** Users with counters. */
    users: `${k}users`,
    /** jobId → token of its current lease. */
    holders: `${k}holders`,
    /** Annotator-facing item payload (no gold answer), cached when queued. */
    item: (itemId: string) => `${k}it:${itemId}`,
    goldAnswer: (itemId: string) => `${k}ga:${itemId}`,
    goldPool: `${k}gold`,
    /** itemId → k for every item ever put up (guards against queueing twice). */
    queued: `${k}queued`,
    /** Per item: userId → submitted annotation (JSON), input of the quality job. */
    itemAnnotations: (itemId: string) => `${k}ia:${itemId}`,
    /** Per gold item: userId → their gold annotation id (counts each user once). */
    goldAnnotations: (itemId: string) => `${k}gd:${itemId}`,
    /** Marker set just before an annotation is stored for a replica slot. */
    filled: (jobId: string) => `${k}f:${jobId}`,
    /** submissionId → stored annotation summary (fast idempotent retries). */
    submission: (submissionId: string) => `${k}sub:${submissionId}`,
    /** Held by the one "next" that looks again at a queue it found empty (see the server's nextTask). */
    rescan: `${k}rescan`,
    stats: `${k}stats`,
    complete: `${k}complete`,
    goldScored: `${k}gs`,
  };
}
export type ProjectKeys = ReturnType<typeof projectKeys>;

/**
 * Stream of ended leases. Servers append one entry when a lease ends (one Redis op); workers persist
 * them in batches to MongoDB's `assignments`, one document per lease (`_id` = the lease id, so a
 * replay is a no-op). Live leases are in Redis.
 */
export const leaseLogStream = (prefix: string) => `${prefix}:{lease-log}`;
/**
 * The `run_id` of the Redis server the engine last saw. A different one means Redis restarted (and
 * after a crash may have lost its last second of writes), so the engine's state is reconciled.
 */
export const redisRunKey = (prefix: string) => `${prefix}:{engine}:redis-run`;
/** How a lease ended. */
export const LEASE_EVENTS = ['submitted', 'released', 'skipped', 'expired', 'requeued', 'reassigned', 'filled'] as const;
export const LeaseEvent = z.object({
  projectId: Id,
  itemId: Id,
  userId: Id,
  leaseId: z.string(),
  jobId: z.string(),
  gold: z.boolean(),
  event: z.enum(LEASE_EVENTS),
  /** When the lease began and ended (epoch ms). */
  leasedAt: z.number(),
  at: z.number(),
  byId: Id.optional(),
});
export type LeaseEvent = z.infer<typeof LeaseEvent>;

/** A lease id handed to clients: the project and an unguessable token (gold and ordinary leases look alike). */
export const LeaseId = z.string().regex(/^[0-9a-f]{24}\.[0-9a-f]{32}$/, 'not a lease id');
export const leaseIdOf = (projectId: string, token: string) => `${projectId}.${token}`;
export function parseLeaseId(leaseId: string): { projectId: string; token: string } | null {
  if (!LeaseId.safeParse(leaseId).success) return null;
  const [projectId, token] = leaseId.split('.') as [string, string];
  return { projectId, token };
}

/** Queue priority given by a lead: 1..100, higher is served first. */
export const TaskPriority = z.number().int().min(1).max(100);
/** BullMQ priority (lower first, 1..2^21) for a lead's priority. */
export const bullPriority = (priority: number) => 101 - priority;

// ── Job payloads (validated by the processors) ────────────────────────────────────────────────
export const ReplicaJobData = z.object({ projectId: Id, itemId: Id, r: z.number().int().min(0), k: z.number().int().min(1) });
export type ReplicaJobData = z.infer<typeof ReplicaJobData>;

export const ItemAgreementJobData = z.object({
  projectId: Id,
  itemId: Id,
  k: z.number().int().min(1),
  /** Read the annotations from MongoDB (after an edit or a rebuild) instead of the Redis hand-off. */
  fromDb: z.boolean().optional(),
});
export type ItemAgreementJobData = z.infer<typeof ItemAgreementJobData>;

export const GoldScoreJobData = z.object({ projectId: Id, itemId: Id, userId: Id, annotationId: Id, regions: z.array(Region) });
export type GoldScoreJobData = z.infer<typeof GoldScoreJobData>;

export const ProjectAgreementJobData = z.object({ projectId: Id });
export type ProjectAgreementJobData = z.infer<typeof ProjectAgreementJobData>;

export const MaintenanceJobData = z.object({
  projectId: Id,
  /** The lead who asked; absent when the engine asked itself (the reconcile after a Redis restart). */
  requestedBy: Id.optional(),
  /** requeue-all: the project's spread when it was asked for (replicas interleaved as in normal queueing). */
  spread: z.number().int().min(1).max(10_000).optional(),
});
export type MaintenanceJobData = z.infer<typeof MaintenanceJobData>;

/** What the item-agreement processor returns (also the `item.completed` domain event's data and the `item:complete` socket payload). */
export const ItemCompletePayload = z.object({
  projectId: Id,
  itemId: Id,
  annotators: z.number().int(),
  /** Agreement per tool: null where it cannot be computed. */
  agreement: z.record(z.string(), z.number().nullable()),
});
export type ItemCompletePayload = z.infer<typeof ItemCompletePayload>;

// ── Task API ─────────────────────────────────────────────────────────────────────────────────────
export const QueueItemsInput = z
  .object({
    itemIds: z.array(Id).min(1).max(10_000).optional(),
    all: z.literal(true).optional(),
    priority: TaskPriority.default(50),
    /** `uncertainty`: each item's priority comes from its newest scored prediction, least confident first (core/ml/uncertainty.ts); items without one keep `priority`. */
    order: z.enum(['given', 'uncertainty']).default('given'),
  })
  .refine((v) => (v.itemIds === undefined) !== (v.all === undefined), { message: 'give either itemIds or all: true', path: ['itemIds'] });
export type QueueItemsInput = z.infer<typeof QueueItemsInput>;

export const QueueSettingsPatch = z.object({
  /** Put items up for annotation as soon as their import completes. */
  autoQueue: z.boolean().optional(),
  /** The first n tasks of an annotator new to the project are gold when gold items are available. */
  goldWarmup: z.number().int().min(0).max(100).optional(),
  /** Replicas of an item are this many tasks apart in the queue. */
  spread: z.number().int().min(1).max(10_000).optional(),
});
export type QueueSettingsPatch = z.infer<typeof QueueSettingsPatch>;

export interface QueueSettings {
  paused: boolean;
  autoQueue: boolean;
  goldWarmup: number;
  spread: number;
}

/** A client-generated id that makes a submit idempotent. */
export const SubmissionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, "_" or "-"');

export const SubmitInput = AnnotationContent.extend({
  submissionId: SubmissionId,
  /** Time the annotator spent, as the client measured it. */
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600_000)
    .optional(),
});
export type SubmitInput = z.infer<typeof SubmitInput>;

export const DraftInput = AnnotationContent;
export type DraftInput = z.infer<typeof DraftInput>;

export const SkipInput = z.object({ reason: z.string().trim().min(1, 'say why').max(500) });
export type SkipInput = z.infer<typeof SkipInput>;

export const AnnotationPatch = AnnotationContent.extend({ version: z.number().int().min(1) });
export type AnnotationPatch = z.infer<typeof AnnotationPatch>;

export const ReassignInput = z.object({ userId: Id });
export type ReassignInput = z.infer<typeof ReassignInput>;

/** The item as an annotator sees it (never the gold answer). */
export interface TaskItem {
  id: Id;
  kind: 'image' | 'text';
  text?: string;
  textLength?: number;
  image?: { fileId: Id; name: string; mime: string; width: number; height: number };
  meta?: Record<string, unknown>;
}

/** An id as the MongoDB driver hands it out (core does not import the driver). */
interface HexId {
  toHexString(): string;
}

/** The stored item fields the annotator's view is made from. */
export interface StoredItemLike {
  _id: HexId;
  kind: 'image' | 'text';
  text?: string;
  textLength?: number;
  image?: { fileId: HexId; name: string; mime: string; width: number; height: number };
  meta?: Record<string, unknown>;
}

/** What is cached in Redis per queued item: the annotator's view plus the extent regions must fit. */
export interface CachedItem {
  item: TaskItem;
  extent: ItemExtent;
}

/** The item as an annotator may see it (never the gold answer), with its extent. O(1) but for the text length. */
export function taskItemOf(d: StoredItemLike): CachedItem {
  const item: TaskItem = { id: d._id.toHexString(), kind: d.kind };
  let extent: ItemExtent;
  if (d.text !== undefined) {
    item.text = d.text;
    item.textLength = d.textLength ?? codePointLength(d.text);
    extent = { kind: 'text', length: item.textLength };
  } else if (d.image) {
    item.image = {
      fileId: d.image.fileId.toHexString(),
      name: d.image.name,
      mime: d.image.mime,
      width: d.image.width,
      height: d.image.height,
    };
    extent = { kind: 'image', width: d.image.width, height: d.image.height };
  } else extent = { kind: 'text', length: 0 };
  if (d.meta) item.meta = d.meta;
  return { item, extent };
}

/**
 * How often a client heartbeats a lease of `leaseMs` (annotator and reviewer leases alike): four
 * beats per lease, so three can be lost before it runs out.
 */
export function heartbeatMsOf(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 4));
}

export interface Task {
  leaseId: string;
  projectId: Id;
  item: TaskItem;
  leaseUntil: string;
  leaseMs: number;
  /** Send `lease:heartbeat` this often. */
  heartbeatMs: number;
  /** Work in progress saved earlier for this item, if any. */
  draft?: { regions: Region[]; savedAt: string };
  /** True when this is a lease the user already held (after a reload). */
  resumed: boolean;
  /**
   * Regions a model run or an imported dataset proposes for this item (the newest), shown as
   * pre-filled regions to accept, edit or dismiss; never on gold items.
   */
  prediction?: TaskPrediction;
}

export interface TaskPrediction {
  regions: Region[];
  source: { kind: 'model' | 'import'; name: string; modelVersion?: string };
  score: number | null;
}

/**
 * Where an annotation stands in review: `submitted` (editable by its author, maybe under review),
 * then the last verdict: `accepted`, `fixed` (the reviewer's version kept beside it) or `rejected`
 * (back to `submitted` when the author's rework is sent).
 */
export const ANNOTATION_STATUSES = ['submitted', 'accepted', 'rejected', 'fixed'] as const;
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number];

export interface Annotation {
  id: Id;
  projectId: Id;
  itemId: Id;
  userId: Id;
  submissionId: string;
  regions: Region[];
  version: number;
  status: AnnotationStatus;
  durationMs?: number;
  createdAt: string;
  updatedAt: string;
}

export interface QueueCounts {
  projectId: Id;
  paused: boolean;
  itemsQueued: number;
  itemsComplete: number;
  /** Replica tasks not leased yet. */
  waiting: number;
  leased: number;
  /** Replica tasks submitted. */
  done: number;
  skips: number;
  gold: { pool: number; served: number; done: number };
}

export interface AnnotatorCounts {
  userId: Id;
  leased: number;
  done: number;
  skipped: number;
  gold: number;
  /** Mean gold score in [0, 1]; null before the first scored gold task. */
  accuracy: number | null;
}

// ── Socket payloads ──────────────────────────────────────────────────────────────────────────────
export const LeaseHeartbeatPayload = z.object({ leaseId: LeaseId });
export type LeaseHeartbeatPayload = z.infer<typeof LeaseHeartbeatPayload>;

export const TaskNextPayload = z.object({ projectId: Id });
export type TaskNextPayload = z.infer<typeof TaskNextPayload>;

export const LeaseEndedPayload = z.object({
  leaseId: z.string(),
  projectId: Id,
  itemId: Id,
  reason: z.enum(['expired', 'requeued', 'reassigned', 'filled']),
});
export type LeaseEndedPayload = z.infer<typeof LeaseEndedPayload>;

export const LeaseAssignedPayload = z.object({ leaseId: z.string(), projectId: Id, itemId: Id });
export type LeaseAssignedPayload = z.infer<typeof LeaseAssignedPayload>;

export const ProjectAgreementPayload = z.object({
  projectId: Id,
  at: z.string(),
  items: z.number().int(),
  byTool: z.record(z.string(), z.number().nullable()),
});
export type ProjectAgreementPayload = z.infer<typeof ProjectAgreementPayload>;
