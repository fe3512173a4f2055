import { z } from 'zod';
import { Id } from '../schema/common.ts';
import { AnnotationContent, Region } from '../schema/region.ts';

/**
 * Contracts of live review: why a submission goes to review, review tasks, verdicts, comments
 * anchored to a region, a span or the item, and the Socket.IO events around them.
 * See docs/review-and-dashboard.md.
 */

/** Why a submission is in the review queue (a task may have several reasons). */
export const REVIEW_REASONS = ['trainee', 'low-agreement', 'gold-wrong', 'sample', 'rework'] as const;
export const ReviewReason = z.enum(REVIEW_REASONS);
export type ReviewReason = z.infer<typeof ReviewReason>;

export const VERDICTS = ['accept', 'reject', 'fix'] as const;
export const Verdict = z.enum(VERDICTS);
export type Verdict = z.infer<typeof Verdict>;

/** Minimum certification level to review (the reviewer flag is needed as well). */
export const REVIEWER_MIN_LEVEL = 'L2' as const;
/** A gold answer scoring under this (unless the project's policy sets `goldBelow`) goes to review. */
export const DEFAULT_GOLD_BELOW = 0.5;

/** Where a comment points: a region (by id), a text span (code points, end exclusive) or the whole item. */
export const CommentAnchor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item') }),
  z.object({ kind: z.literal('region'), regionId: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('span'), start: z.number().int().nonnegative(), end: z.number().int().positive() }),
]);
export type CommentAnchor = z.infer<typeof CommentAnchor>;

export const CommentInput = z.object({ anchor: CommentAnchor, text: z.string().trim().min(1, 'write something').max(2000) });
export type CommentInput = z.infer<typeof CommentInput>;

/** A review task id: `<annotationId>-<round>` (round 0 is the first review, +1 per rework). */
export const ReviewTaskId = z.string().regex(/^[0-9a-f]{24}-\d{1,3}$/, 'not a review task id');
export const reviewTaskIdOf = (annotationId: string, round: number) => `${annotationId}-${round}`;
/** A reviewer's lease token (unguessable; given back with every verdict). */
export const ReviewToken = z.string().regex(/^[0-9a-f]{32}$/, 'not a review lease token');

export const VerdictInput = z
  .object({
    token: ReviewToken,
    verdict: Verdict,
    comments: z.array(CommentInput).max(200).default([]),
    /** The reviewer's corrected regions (only with `fix`). */
    regions: z.array(Region).max(20000).optional(),
  })
  .refine((v) => (v.verdict === 'fix') === (v.regions !== undefined), {
    message: 'regions go with a fix and only with a fix',
    path: ['regions'],
  })
  .refine((v) => v.verdict !== 'reject' || v.comments.length > 0, { message: 'say why the work is rejected', path: ['comments'] });
export type VerdictInput = z.infer<typeof VerdictInput>;

export const ReviewLeaseInput = z.object({ token: ReviewToken });
export type ReviewLeaseInput = z.infer<typeof ReviewLeaseInput>;

export const ReviewCommentInput = CommentInput.extend({ token: ReviewToken });
export type ReviewCommentInput = z.infer<typeof ReviewCommentInput>;

/** The annotator's corrected work for a rejected task; `version` is the annotation version they saw. */
export const ReworkInput = AnnotationContent.extend({ version: z.number().int().min(1) });
export type ReworkInput = z.infer<typeof ReworkInput>;

export interface ReviewComment {
  id: Id;
  taskId: string;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  authorId: Id;
  anchor: CommentAnchor;
  text: string;
  at: string;
}

/** One annotation of the item under review, as the reviewer sees it. */
export interface ReviewAnnotation {
  id: Id;
  userId: Id;
  username: string;
  regions: Region[];
  version: number;
  durationMs?: number;
  /** True for the annotation this task is about. */
  underReview: boolean;
}

export interface ReviewTask {
  taskId: string;
  token: string;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  annotatorId: Id;
  round: number;
  reasons: ReviewReason[];
  leaseUntil: string;
  leaseMs: number;
  /** Heartbeat the lease this often (the annotators' rule, `heartbeatMsOf`). */
  heartbeatMs: number;
  item: {
    id: Id;
    kind: 'image' | 'text';
    text?: string;
    image?: { fileId: Id; width: number; height: number; mime: string; name: string };
  };
  /** All annotations of the item (side by side / overlaid in the view). */
  annotations: ReviewAnnotation[];
  /** Item agreement per tool and consensus, once the item has its k annotations. */
  quality: { agreement: Record<string, number | null>; consensus: Region[] } | null;
  comments: ReviewComment[];
  resumed: boolean;
}

export interface ReviewRecord {
  id: Id;
  taskId: string;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  annotatorId: Id;
  reviewerId: Id;
  round: number;
  verdict: Verdict;
  comments: ReviewComment[];
  /** With `fix`: the annotator's regions and the reviewer's (both kept). */
  originalRegions?: Region[];
  fixedRegions?: Region[];
  at: string;
}

/** A rejected annotation waiting for its author's rework. */
export interface ReworkTask {
  taskId: string;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  round: number;
  version: number;
  regions: Region[];
  comments: ReviewComment[];
  rejectedAt: string;
  /** The item itself (text or image), so the author can open it from the rework list. */
  item?: ReviewTask['item'];
}

/** `GET /projects/:id/items/:itemId/detail` (leads): one item with everything said about it. */
export interface ItemDetail {
  item: ReviewTask['item'];
  /** The item's number in the project (import order) and its name (image file name or the text's external id). */
  seq: number;
  name: string | null;
  /** Every annotation of the item (`underReview` is false for all). */
  annotations: ReviewAnnotation[];
  quality: ReviewTask['quality'];
  /** The gold answer, for gold items. */
  gold: Region[] | null;
  /** Gold score per annotation id (gold items, once scored). */
  goldScores: Record<string, number | null>;
  /** Verdicts on the item's annotations, oldest first, each with the comments given with it. */
  reviews: ReviewRecord[];
  /** Every comment on the item's annotations, oldest first. */
  comments: ReviewComment[];
}

export interface ReviewQueueCounts {
  projectId: Id;
  pending: number;
  leased: number;
  rework: number;
}

// ── Socket.IO (event names: contracts/socket.ts) ─────────────────────────────────────────────────
export const JoinReviewPayload = z.object({ projectId: Id });
export type JoinReviewPayload = z.infer<typeof JoinReviewPayload>;
export const ItemPresencePayloadIn = z.object({ projectId: Id, itemId: Id });
export type ItemPresencePayloadIn = z.infer<typeof ItemPresencePayloadIn>;

export interface ReviewQueuedPayload {
  projectId: Id;
  taskId: string;
  itemId: Id;
  annotationId: Id;
  annotatorId: Id;
  reasons: ReviewReason[];
  round: number;
}

export interface ReviewVerdictPayload {
  reviewId: Id;
  taskId: string;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  verdict: Verdict;
  comments: ReviewComment[];
  at: string;
  /** The item's name (`itemTitleOf`: file name, external id or first words of its text). */
  itemName?: string | null;
}

/** A stand-alone comment as the annotator's user room gets it: with the item's name. */
export interface ReviewCommentPayload extends ReviewComment {
  itemName?: string | null;
}

/**
 * How people see an item named (review screens, toasts, inbox): its file name or external id,
 * else the first words of its text (at most `maxChars` code points, cut at a space when there
 * is one, "…" when cut); null when there is neither.
 */
export function itemTitleOf(item: { name?: string | null; text?: string | null }, maxChars = 30): string | null {
  const name = item.name?.trim();
  if (name) return name;
  const text = (item.text ?? '').replace(/\s+/g, ' ').trim();
  if (!text) return null;
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const head = chars.slice(0, maxChars).join('');
  // A head that ends where a word ends keeps its last word.
  const space = chars[maxChars] === ' ' ? head.length : head.lastIndexOf(' ');
  return `${space >= maxChars / 3 ? head.slice(0, space) : head}…`;
}

// ── The annotator's inbox (verdicts and comments on their work, with read state) ───────────────
/** One thing a reviewer told an annotator: a verdict (its comments joined in `text`) or a stand-alone comment. */
export interface InboxEntry {
  /** The verdict's or comment's id (the same as in `review:verdict` / `review:comment`). */
  id: Id;
  kind: 'verdict' | 'comment';
  verdict?: Verdict;
  projectId: Id;
  itemId: Id;
  annotationId: Id;
  taskId: string;
  itemName: string | null;
  text: string;
  at: string;
  read: boolean;
}

/** `GET /api/inbox`: unread first, then newest first. */
export interface InboxPage {
  entries: InboxEntry[];
  total: number;
  unread: number;
  page: number;
  pageSize: number;
}

export const InboxListQuery = z.object({
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type InboxListQuery = z.infer<typeof InboxListQuery>;

/** To `user:<userId>`: entries were marked read (in another tab or device); `all` = every entry. */
export interface InboxReadPayload {
  ids: Id[];
  all: boolean;
  unread: number;
}

export interface PresenceUser {
  userId: Id;
  username: string;
}

export interface ItemPresencePayload {
  projectId: Id;
  itemId: Id;
  users: PresenceUser[];
}

export const reviewRooms = {
  review: (projectId: string) => `review:${projectId}`,
  item: (itemId: string) => `item:${itemId}`,
};

/** Redis keys of a project's review queue (same `{projectId}` hash tag as its task queue). */
export function reviewKeys(prefix: string, projectId: string) {
  const k = `${prefix}:review-{${projectId}}:`;
  return {
    /** taskId → order score (earlier first; re-reviews ahead of new work). */
    pending: `${k}pending`,
    /** taskId → lease-until (ms). */
    leased: `${k}leased`,
    /** Per task: projectId, itemId, annotationId, annotatorId, round, reasons, score, token, reviewerId. */
    task: (taskId: string) => `${k}t:${taskId}`,
    taskPrefix: `${k}t:`,
    /** Per reviewer: the task they hold. */
    held: (userId: string) => `${k}h:${userId}`,
    heldPrefix: `${k}h:`,
    /** All tasks waiting for rework; per annotator too. */
    rework: `${k}rework`,
    reworkOf: (userId: string) => `${k}rw:${userId}`,
  };
}
export type ReviewKeys = ReturnType<typeof reviewKeys>;
