import type { IssueParams, IssueReason } from './issues.ts';

/**
 * The shared table of error codes. The server's error handler answers
 * `{ error: { code, message, details } }` with the status given here; clients branch on `code`.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  /** A draft larger than DRAFT_MAX_BYTES (its regions as JSON). */
  DRAFT_TOO_LARGE: 400,
  BAD_JSON: 400,
  /** The dataset format has no exporter yet, or does not hold the project's kind of items. */
  FORMAT_NOT_AVAILABLE: 400,
  /** A snapshot that breaks compatibility (major version) needs a release note. */
  RELEASE_NOTE_REQUIRED: 400,
  BAD_IMPORT: 400,
  CORRUPT_IMAGE: 400,
  UNSAFE_SVG: 400,
  /** The text import file has no items at all. */
  EMPTY_IMPORT: 400,
  /** An image would cost too much to check or render (SVG size, filters, <use> fan-out, time or memory). */
  IMAGE_TOO_COSTLY: 400,
  /** A zip entry's path is absolute, climbs out (`..`), uses backslashes, repeats, or is not a plain file. */
  ZIP_UNSAFE_PATH: 400,
  /** A zip entry is a symbolic link. */
  ZIP_SYMLINK: 400,
  ZIP_ENCRYPTED: 400,
  ZIP_TOO_MANY_ENTRIES: 400,
  /** A zip (or one of its files) unpacks to more than the limit. */
  ZIP_TOO_LARGE: 413,
  /** A zip entry compresses suspiciously well, or inflates to more than it declares. */
  ZIP_BOMB: 400,
  /** Not a readable zip archive (structure, compression method, sizes). */
  ZIP_CORRUPT: 400,
  /** A model backend's URL resolves to a private, loopback or link-local address and the backend is not allow-listed. */
  ML_ADDRESS_REFUSED: 400,
  /** A model backend did not answer as the protocol says (unreachable, timeout, error status, redirect, too large, not JSON, not UP). */
  ML_BACKEND_UNAVAILABLE: 502,
  /** The backend's circuit breaker is open after repeated failures: no call is made until details.retryAt (then one probe may try). */
  ML_BACKEND_CIRCUIT_OPEN: 503,
  /** Assistance was asked for but no interactive backend is attached to the project. */
  ML_NO_INTERACTIVE_BACKEND: 409,
  /** The interactive backend did not answer within ML_ASSIST_TIMEOUT_MS. */
  ML_ASSIST_TIMEOUT: 424,
  /** The interactive backend's reply was refused by the reply validation (details.reason). */
  ML_ASSIST_BAD_REPLY: 424,
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  LEVEL_TOO_LOW: 403,
  /** Paused on this project: the rolling accuracy on gold items fell below the threshold (details: accuracy, answers, threshold); a lead lifts it. */
  GOLD_PAUSED: 403,
  NOT_FOUND: 404,
  /** No task for this user now (queue empty, or everything left is excluded for them); retry later. */
  NOTHING_TO_DO: 404,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  USERNAME_TAKEN: 409,
  PROJECT_ARCHIVED: 409,
  PROJECT_PAUSED: 409,
  /** An exam part cannot be started now: one runs, it is passed, the attempts are used up, or the level has no such part (details.reason). */
  EXAM_NOT_AVAILABLE: 409,
  /** The cooldown after a failed attempt has not passed (details.earliest: when the next attempt may start). */
  RETAKE_TOO_EARLY: 409,
  /** The exam attempt is over (submitted or past its deadline): it takes no more answers and cannot be submitted again. */
  ATTEMPT_CLOSED: 409,
  /** Retiring (or retyping) this bank question would leave a level's theory paper short of its type (details: level, type, needed, left). */
  QUESTION_NEEDED: 409,
  /** A mentor must be a lead, or a user at a higher level than the trainee, and not the trainee. */
  MENTOR_NOT_ELIGIBLE: 400,
  /** Another lead already holds this specification exercise (details.claimedBy), or the panel is already convened. */
  ALREADY_CLAIMED: 409,
  /** A specification exercise cannot be handed in yet (details.problems: core's SpecificationProblem list). */
  SPECIFICATION_INCOMPLETE: 400,
  /** The caller (or a chosen panel member) may not examine this candidate: details.reason (or details.refused) = role, own-attempt, level or conflict. */
  NOT_AN_EXAMINER: 403,
  EXPORT_NOT_READY: 409,
  SNAPSHOT_NOT_READY: 409,
  /** Items to delete have annotations; say `withAnnotations: true` to delete those too. */
  ITEMS_HAVE_ANNOTATIONS: 409,
  /** The user already annotated this item. */
  ALREADY_ANNOTATED: 409,
  /** The replica was completed by its previous holder; this work is kept as a draft. */
  SLOT_FILLED: 409,
  /** The annotation has a review verdict: its author may change it only through rework after a reject. */
  ANNOTATION_REVIEWED: 409,
  /** The lease is gone (expired, released, requeued or reassigned); the work is kept as a draft. */
  LEASE_EXPIRED: 410,
  /** A finished export's file was deleted after its keep time (EXPORT_TTL_HOURS). */
  EXPORT_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LOCKED_OUT: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/**
 * One problem with one field of a request, as `details` lists them for VALIDATION_FAILED:
 * the field's path (`labelSchema.labels[2].hotkey`, 0-based), the reason code and its params
 * (contracts/issues.ts; clients translate these) and an English message.
 */
export interface FieldIssue {
  path: string;
  reason: IssueReason;
  params?: IssueParams;
  message: string;
}

/** Joins a zod-style path into `labels[2].hotkey` form. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
