/**
 * Document types of the core collections: the one definition of what is stored (server and workers
 * both use these). A feature's own collections live beside this file (engine/src/db/<feature>.ts)
 * and are wired into database.ts.
 */
import type { ObjectId } from 'mongodb';
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
  /**
   * A placeholder annotator a dataset import made (`imported:<source annotator>`): a disabled account
   * with no usable password that only carries imported annotations. Never assigned work.
   */
  imported?: { source: string; at: Date };
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
  /** The dataset snapshot the project was created from (`POST …/snapshots/:id/restore`). */
  fromSnapshot?: { projectId: ObjectId; snapshotId: ObjectId; number: number; version: string; sha256: string };
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
  /** While a gold import runs: the item's gold answer before it (null: none), put back if the import is cancelled or fails. */
  goldBefore?: { importId: string; gold: AnnotationContent | null };
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
 * Set on an item result whose polygon IoUs were not all exact: `raster` (costly pairs measured on a
 * grid), `boxes` (too many pairs, or polygon IoU failed: polygons compared as their bounding boxes).
 */
export interface QualityApproximation {
  method: 'raster' | 'boxes';
  polygonPairs: number;
  reason: string;
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
      approximate?: QualityApproximation;
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
