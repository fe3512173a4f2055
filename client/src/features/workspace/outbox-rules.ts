import type { Region } from '@labelwork/core';

/**
 * What the annotator's device still owes the server, oldest first. A draft is the newest work in
 * progress of a lease (older unsent drafts of the same lease are replaced, not queued); a submit
 * is a finished answer, sent with its client-made `submissionId` so a resend never counts twice.
 */
export type OutboxEntry = OutboxDraft | OutboxSubmit;

interface EntryBase {
  /** Order of the queue (IndexedDB key); absent until stored. */
  seq?: number;
  userId: string;
  projectId: string;
  leaseId: string;
  itemId: string;
  regions: Region[];
  /** Local clock (ms) of the change this entry carries. */
  changedAt: number;
}

export interface OutboxDraft extends EntryBase {
  kind: 'draft';
  /** Edits the server has not confirmed yet, for the "N unsaved" indicator. */
  edits: number;
  /** Server time (`savedAt`) of the server's draft this work continues from, if any. */
  basedOn?: string | null;
  /**
   * Confirmed by the server. The newest draft of a lease stays on the device after it is sent, so
   * a reload without the server still resumes it; only unsent ones are queued.
   */
  sent?: boolean;
}

export interface OutboxSubmit extends EntryBase {
  kind: 'submit';
  submissionId: string;
  durationMs: number;
}

/** How to treat a failed send: try again later (keep it, stop the queue there), or settle it. */
export type SendVerdict =
  | { kind: 'retry' }
  /** The lease is gone or no longer this user's; the server may have kept the work as a draft for the lead. */
  | { kind: 'ended'; code: string; draftSaved: boolean }
  /** The server refused the content (validation); resending would not help. */
  | { kind: 'invalid'; code: string };

const ENDED = new Set([
  'LEASE_EXPIRED',
  'NOT_FOUND',
  'SLOT_FILLED',
  'ALREADY_ANNOTATED',
  'CONFLICT',
  'FORBIDDEN',
  'LEVEL_TOO_LOW',
  'PROJECT_ARCHIVED',
]);
/** Codes that say nothing about the entry itself: the session or the server will get better. */
const TRANSIENT = new Set([
  'NETWORK',
  'TIMEOUT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'CSRF_FAILED',
]);

function draftSavedIn(details: unknown): boolean {
  return typeof details === 'object' && details !== null && 'draftSaved' in details && details.draftSaved === true;
}

/**
 * Sorts a failed send (`status` 0 = no answer) into retry, ended or invalid. Unknown answers of
 * 5xx count as transient; unknown 4xx as invalid, so one bad entry cannot block the queue forever.
 */
export function sendVerdict(status: number, code: string, details?: unknown): SendVerdict {
  if (status === 0 || status >= 500 || TRANSIENT.has(code)) return { kind: 'retry' };
  if (ENDED.has(code)) return { kind: 'ended', code, draftSaved: draftSavedIn(details) };
  return { kind: 'invalid', code };
}

/** Wait before retry number `attempt` (0-based): 1 s doubling to 30 s, with ±20 % jitter from `random`. */
export function backoffMs(attempt: number, random: () => number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The newest draft (sent or not) of a lease, or of the item under any lease (a reload may bring a new lease on the same item). */
export function latestDraft(entries: readonly OutboxEntry[], leaseId: string, itemId: string): OutboxDraft | undefined {
  let best: OutboxDraft | undefined;
  for (const e of entries) {
    if (e.kind !== 'draft' || (e.leaseId !== leaseId && e.itemId !== itemId)) continue;
    if (!best || e.changedAt >= best.changedAt) best = e;
  }
  return best;
}

/**
 * Which work to resume: the local copy when it is newer than the server's draft, else the
 * server's, else nothing. A local copy that continues the server's very draft (`basedOn`) is newer
 * whatever the clocks say; otherwise (work saved from another device) the clocks decide.
 */
export function resumeRegions(
  local: { regions: Region[]; changedAt: number; basedOn?: string | null } | undefined,
  server: { regions: Region[]; savedAt: string } | undefined,
): { regions: Region[]; from: 'local' | 'server' | 'none' } {
  const serverAt = server ? Date.parse(server.savedAt) : Number.NEGATIVE_INFINITY;
  const continues = !!local?.basedOn && !!server && Date.parse(local.basedOn) >= serverAt;
  if (local && (continues || local.changedAt > serverAt)) return { regions: local.regions, from: 'local' };
  if (server) return { regions: server.regions, from: 'server' };
  return { regions: [], from: 'none' };
}

/** Entries still to send, oldest first. */
export function unsent(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return entries.filter((e) => e.kind === 'submit' || !e.sent);
}

/** Edits not yet confirmed and submits not yet sent, for the indicator. */
export function unsentCounts(entries: readonly OutboxEntry[]): { edits: number; submits: number } {
  let edits = 0;
  let submits = 0;
  for (const e of unsent(entries)) {
    if (e.kind === 'draft') edits += e.edits;
    else submits += 1;
  }
  return { edits, submits };
}

/** A submission id: 32 random hex characters (crypto.getRandomValues also works over plain http). */
export function newSubmissionId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return Array.from(random(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
