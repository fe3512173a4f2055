import { MongoClient, MongoServerError, type Collection, type Db, type ObjectId, GridFSBucket } from 'mongodb';
import type {
  AnnotationContent,
  ImageInfo,
  ItemQuality,
  ProjectAgreement,
  Region,
  Tool,
  ItemStatus,
  LabelSchema,
  Lang,
  Level,
  ProjectKind,
  ProjectStatus,
  ReviewPolicy,
  Role,
  GuidelineRef,
  CommentAnchor,
  ReviewReason,
  Verdict,
  AnnotationStatus,
} from '@labelwork/core';

export interface UserDoc {
  _id: ObjectId;
  schemaVersion: 1;
  username: string;
  usernameLower: string;
  displayName: string;
  role: Role;
  reviewer: boolean;
  level: Level;
  lang: Lang;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProjectDoc {
  _id: ObjectId;
  schemaVersion: 1;
  name: string;
  description: string;
  kind: ProjectKind;
  labelSchema: LabelSchema;
  overlap: number;
  goldRate: number;
  minLevel: Level;
  guideline?: GuidelineRef;
  reviewPolicy: ReviewPolicy;
  status: ProjectStatus;
  ownerId: ObjectId;
  memberIds: ObjectId[];
  counts: { items: number; gold: number; done: number };
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  seq: number;
  kind: ProjectKind;
  externalId?: string;
  text?: string;
  textLength?: number;
  image?: Omit<ImageInfo, 'fileId' | 'thumbId'> & { fileId: ObjectId; thumbId: ObjectId };
  meta?: Record<string, unknown>;
  gold?: AnnotationContent;
  isGold: boolean;
  status: ItemStatus;
  annotationCount: number;
  /** sha256 (hex) of the uploaded image bytes or of the item text, to spot duplicate imports; absent on items imported before it. */
  sha256?: string;
  /** Items are visible only once their import is complete (see itemsRepo.visible). */
  importId: ObjectId;
  createdAt: Date;
}

export interface ImportDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  kind: 'images' | 'text';
  fileName: string;
  status: 'running' | 'complete' | 'failed';
  total: number;
  done: number;
  error?: string;
  byId: ObjectId;
  createdAt: Date;
  finishedAt?: Date;
}

export interface AuditDoc {
  _id?: ObjectId;
  schemaVersion: 1;
  at: Date;
  actorId: ObjectId | null;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

/** Lease history: one document per ended lease (`_id` = the lease id, so re-logging is a no-op). */
export interface AssignmentEventDoc {
  _id: string;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  leaseId: string;
  jobId: string;
  gold: boolean;
  /** How the lease ended. */
  event: 'submitted' | 'released' | 'skipped' | 'expired' | 'requeued' | 'reassigned' | 'filled';
  leasedAt: Date;
  /** When it ended. */
  at: Date;
  byId?: ObjectId;
}

export interface AnnotationDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  /** The replica job it fills (`<itemId>-<r>`, or the gold lease id): unique, so a slot is filled once. */
  slot: string;
  submissionId: string;
  leaseId: string;
  gold: boolean;
  regions: Region[];
  version: number;
  status: AnnotationStatus;
  durationMs?: number;
  guidelineVersion?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Work in progress, one per user and item (`_id` = `<userId>:<itemId>`). */
export interface DraftDoc {
  _id: string;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  leaseId: string;
  regions: Region[];
  savedAt: Date;
  /** Set when a submit came after the lease ended: kept for the lead. */
  orphanedAt?: Date;
}

export interface SkipDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  leaseId: string;
  reason: string;
  at: Date;
}

/**
 * Quality results. `_id`: `item:<itemId>` (item agreement + consensus), `gold:<annotationId>`
 * (an annotator's gold score) or `project:<projectId>:<at ms>` (the project time series).
 */
export type AgreementDoc =
  | ({
      _id: string;
      schemaVersion: 1;
      scope: 'item';
      projectId: ObjectId;
      itemId: ObjectId;
      at: Date;
      k: number;
      annotationIds: ObjectId[];
    } & Omit<ItemQuality, 'agreement'> & { agreement: ItemQuality['agreement'] })
  | {
      _id: string;
      schemaVersion: 1;
      scope: 'gold';
      projectId: ObjectId;
      itemId: ObjectId;
      userId: ObjectId;
      annotationId: ObjectId;
      at: Date;
      value: number | null;
      byTool: Partial<Record<Tool, number | null>>;
    }
  | ({ _id: string; schemaVersion: 1; scope: 'project'; projectId: ObjectId; at: Date } & ProjectAgreement);

/** Assignment settings of a project (`_id` = the project id). */
export interface QueueDoc {
  _id: ObjectId;
  schemaVersion: 1;
  paused: boolean;
  autoQueue: boolean;
  goldWarmup: number;
  spread: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A record of items put up for annotation (insert-only; `requeue-all` rebuilds Redis from these). */
export interface QueueBatchDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  itemIds: ObjectId[];
  k: number;
  priority: number;
  byId: ObjectId;
  at: Date;
}

/**
 * Review history (insert-only): a verdict on one annotation in one review round, or a comment
 * anchored to a region, a span or the item. The live queue itself is in Redis (see review.queue.ts).
 */
export type ReviewDoc =
  | {
      _id: ObjectId;
      schemaVersion: 1;
      type: 'verdict';
      taskId: string;
      projectId: ObjectId;
      itemId: ObjectId;
      annotationId: ObjectId;
      annotatorId: ObjectId;
      reviewerId: ObjectId;
      round: number;
      verdict: Verdict;
      reasons: ReviewReason[];
      commentIds: ObjectId[];
      originalRegions?: Region[];
      fixedRegions?: Region[];
      at: Date;
    }
  | {
      _id: ObjectId;
      schemaVersion: 1;
      type: 'comment';
      taskId: string;
      projectId: ObjectId;
      itemId: ObjectId;
      annotationId: ObjectId;
      annotatorId: ObjectId;
      authorId: ObjectId;
      anchor: CommentAnchor;
      text: string;
      at: Date;
    };

/**
 * The annotator's inbox: one entry per verdict (its comments joined) or stand-alone comment on their
 * work, `_id` = the verdict's or comment's id (so writing it twice is harmless), with read state.
 * Written only by server/src/modules/review/review.inbox.ts.
 */
export interface InboxDoc {
  _id: ObjectId;
  schemaVersion: 1;
  userId: ObjectId;
  kind: 'verdict' | 'comment';
  verdict?: Verdict;
  projectId: ObjectId;
  itemId: ObjectId;
  annotationId: ObjectId;
  taskId: string;
  itemName: string | null;
  text: string;
  at: Date;
  read: boolean;
  readAt: Date | null;
}

export interface CounterDoc {
  _id: string;
  seq: number;
}

export interface Database {
  client: MongoClient;
  db: Db;
  users: Collection<UserDoc>;
  projects: Collection<ProjectDoc>;
  items: Collection<ItemDoc>;
  imports: Collection<ImportDoc>;
  audit: Collection<AuditDoc>;
  counters: Collection<CounterDoc>;
  assignments: Collection<AssignmentEventDoc>;
  annotations: Collection<AnnotationDoc>;
  drafts: Collection<DraftDoc>;
  skips: Collection<SkipDoc>;
  agreements: Collection<AgreementDoc>;
  queues: Collection<QueueDoc>;
  queueBatches: Collection<QueueBatchDoc>;
  reviews: Collection<ReviewDoc>;
  inbox: Collection<InboxDoc>;
  files: GridFSBucket;
  close(): Promise<void>;
}

/** Connects and makes sure the indexes exist (idempotent; safe with several servers starting at once). */
export async function connectDatabase(url: string, dbName: string): Promise<Database> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50 });
  await client.connect();
  const db = client.db(dbName);
  const database: Database = {
    client,
    db,
    users: db.collection<UserDoc>('users'),
    projects: db.collection<ProjectDoc>('projects'),
    items: db.collection<ItemDoc>('items'),
    imports: db.collection<ImportDoc>('imports'),
    audit: db.collection<AuditDoc>('audit'),
    counters: db.collection<CounterDoc>('counters'),
    assignments: db.collection<AssignmentEventDoc>('assignments'),
    annotations: db.collection<AnnotationDoc>('annotations'),
    drafts: db.collection<DraftDoc>('drafts'),
    skips: db.collection<SkipDoc>('skips'),
    agreements: db.collection<AgreementDoc>('agreements'),
    queues: db.collection<QueueDoc>('queues'),
    queueBatches: db.collection<QueueBatchDoc>('queueBatches'),
    reviews: db.collection<ReviewDoc>('reviews'),
    inbox: db.collection<InboxDoc>('inbox'),
    files: new GridFSBucket(db, { bucketName: 'files' }),
    close: () => client.close(),
  };
  await ensureIndexes(database);
  return database;
}

async function ensureIndexes(d: Database): Promise<void> {
  await d.users.createIndex({ usernameLower: 1 }, { unique: true, name: 'username_unique' });
  await d.projects.createIndex({ ownerId: 1, status: 1 }, { name: 'owner_status' });
  await d.projects.createIndex({ memberIds: 1 }, { name: 'members' });
  await d.items.createIndex({ projectId: 1, seq: 1 }, { name: 'project_seq' });
  await d.imports.createIndex({ projectId: 1, status: 1 }, { name: 'project_status' });
  await d.items.createIndex({ importId: 1 }, { name: 'import' });
  await d.items.createIndex({ projectId: 1, sha256: 1 }, { name: 'project_sha256' });
  await d.imports.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
  await d.audit.createIndex({ at: -1 }, { name: 'at' });
  await d.audit.createIndex({ targetType: 1, targetId: 1, at: -1 }, { name: 'target' });
  // Assignment engine: uniqueness is what makes submits idempotent and exact (see docs/assignment.md).
  await d.annotations.createIndex({ submissionId: 1 }, { unique: true, name: 'submission_unique' });
  await d.annotations.createIndex({ slot: 1 }, { unique: true, name: 'slot_unique' });
  await d.annotations.createIndex({ itemId: 1, userId: 1 }, { unique: true, name: 'item_user_unique' });
  await d.annotations.createIndex({ projectId: 1, userId: 1 }, { name: 'project_user' });
  await d.skips.createIndex({ userId: 1, itemId: 1 }, { unique: true, name: 'user_item_unique' });
  await d.skips.createIndex({ projectId: 1 }, { name: 'project' });
  await d.drafts.createIndex({ projectId: 1 }, { name: 'project' });
  await d.assignments.createIndex({ projectId: 1, at: -1 }, { name: 'project_at' });
  await d.assignments.createIndex({ leaseId: 1 }, { name: 'lease' });
  await d.agreements.createIndex({ projectId: 1, scope: 1, at: -1 }, { name: 'project_scope_at' });
  await d.queueBatches.createIndex({ projectId: 1 }, { name: 'project' });
  await d.reviews.createIndex({ projectId: 1, at: -1 }, { name: 'project_at' });
  await d.reviews.createIndex({ annotatorId: 1, at: -1 }, { name: 'annotator_at' });
  // The inbox lists a user's entries unread first, then newest first, and counts the unread ones.
  await d.inbox.createIndex({ userId: 1, read: 1, at: -1 }, { name: 'user_read_at' });
}

/** Reserves `n` consecutive numbers of a named sequence; returns the first. */
export async function reserveSeq(d: Database, name: string, n: number): Promise<number> {
  const r = await d.counters.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' });
  if (!r) throw new Error(`counter ${name} not returned`);
  return r.seq - n + 1;
}

/** A unique-index violation: E11000 on MongoDB; FerretDB also answers 11000, sometimes with a generic message. */
export function isDuplicateKey(e: unknown): boolean {
  return e instanceof MongoServerError && (e.code === 11000 || /duplicate key/i.test(e.message));
}
