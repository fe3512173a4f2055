import type { Annotation } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { clearJournal, readJournals } from './draft-journal.ts';
import type { OfflineStorage } from './offline-store.ts';
import { backoffMs, sendVerdict, unsent, unsentCounts, type OutboxDraft, type OutboxEntry, type OutboxSubmit } from './outbox-rules.ts';

/** How the outbox talks to the server (the task API; tests pass fakes). */
export interface OutboxSender {
  draft(entry: OutboxDraft, keepalive: boolean): Promise<{ savedAt: string; leaseUntil: string }>;
  submit(entry: OutboxSubmit): Promise<{ annotation: Annotation; duplicate: boolean }>;
}

/** What became of an entry once the server answered. */
export type Outcome =
  | { kind: 'draft-saved'; entry: OutboxDraft; savedAt: string; leaseUntil: string }
  | { kind: 'submitted'; entry: OutboxSubmit; annotation: Annotation; duplicate: boolean }
  | { kind: 'ended'; entry: OutboxEntry; code: string; draftSaved: boolean }
  | { kind: 'invalid'; entry: OutboxEntry; code: string; error: unknown };

export interface OutboxStatus {
  /** Edits not yet confirmed by the server, and submits not yet sent. */
  edits: number;
  submits: number;
  sending: boolean;
  /** False after a send failed for want of the server (until one succeeds). */
  reachable: boolean;
  /** Local time of the last confirmed send. */
  lastSavedAt: number | null;
  /** When the next automatic retry is due (local ms), if one is scheduled. */
  retryAt: number | null;
}

/**
 * The device's outbox: drafts and submits stored in IndexedDB first, then sent one at a time in
 * the order they were made. A send that finds no server stays queued and is retried with backoff,
 * at once when the browser says it is online again, or when the page calls `flush()` (e.g. on a
 * socket reconnect). Entries of other users signed in on this device are left alone.
 */
export class Outbox {
  private entries: OutboxEntry[] = [];
  private state: OutboxStatus = { edits: 0, submits: 0, sending: false, reachable: true, lastSavedAt: null, retryAt: null };
  private readonly listeners = new Set<(s: OutboxStatus) => void>();
  private readonly outcomeListeners = new Set<(o: Outcome) => void>();
  private running: Promise<void> | null = null;
  private again = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly storage: OfflineStorage,
    private readonly sender: OutboxSender,
    readonly userId: string,
    private readonly clock: { now: () => number; random: () => number } = { now: Date.now, random: Math.random },
  ) {}

  private readonly onOnline = () => void this.flush();

  /** Loads what earlier pages left (see `pending()`), without sending. */
  async load(): Promise<void> {
    await this.restoreJournals();
    await this.reload();
  }

  /** Loads what earlier pages left and starts sending it. */
  async start(): Promise<void> {
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    await this.restoreJournals();
    await this.reload();
    await this.flush();
  }

  /**
   * Moves the work a closing page copied to localStorage (its IndexedDB write had not committed)
   * into the outbox, where it is newer than the outbox's copy of that lease; then forgets the copy.
   */
  private async restoreJournals(): Promise<void> {
    const journals = readJournals(this.userId);
    if (journals.length === 0) return;
    const stored = await this.storage.entries();
    for (const j of journals) {
      const ofLease = stored.filter((e) => e.leaseId === j.leaseId);
      const submitted = ofLease.some((e) => e.kind === 'submit');
      const newest = Math.max(Number.NEGATIVE_INFINITY, ...ofLease.map((e) => e.changedAt));
      if (!submitted && j.changedAt > newest) await this.storage.putDraft({ ...j, kind: 'draft' });
      clearJournal(j.leaseId);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
  }

  status = (): OutboxStatus => this.state;

  subscribe = (listener: (s: OutboxStatus) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onOutcome(listener: (o: Outcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  /** This user's entries still to send, oldest first. */
  pending(): readonly OutboxEntry[] {
    return unsent(this.entries);
  }

  /** This user's entries, including the sent copy of each lease's newest draft. */
  all(): readonly OutboxEntry[] {
    return this.entries;
  }

  private set(patch: Partial<OutboxStatus>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  private async reload(): Promise<void> {
    this.entries = (await this.storage.entries()).filter((e) => e.userId === this.userId);
    this.set(unsentCounts(this.entries));
  }

  /** Stores the newest work of a lease (replacing its unsent draft). Does not send: call `flush()`. */
  async putDraft(draft: Omit<OutboxDraft, 'kind' | 'userId'>): Promise<void> {
    await this.storage.putDraft({ ...draft, kind: 'draft', userId: this.userId });
    await this.reload();
  }

  /** Queues a submit and sends the queue. */
  async putSubmit(submit: Omit<OutboxSubmit, 'kind' | 'userId'>): Promise<void> {
    await this.storage.putSubmit({ ...submit, kind: 'submit', userId: this.userId });
    await this.reload();
  }

  async dropLease(leaseId: string): Promise<void> {
    await this.storage.dropLease(leaseId);
    await this.reload();
  }

  /** Forgets the sent copies of a project's other leases (once a new task is in hand). */
  async prune(projectId: string, keepLeaseId: string): Promise<void> {
    await this.storage.prune(this.userId, projectId, keepLeaseId);
    await this.reload();
  }

  /**
   * Last chance while the page goes away (the ordered queue may not get to run): sends a lease's
   * newest draft with `keepalive`, unless a submit is queued (that must reach the server first).
   */
  flushOnExit(leaseId: string, latest: Omit<OutboxDraft, 'kind' | 'userId'> | null): void {
    if (this.entries.some((e) => e.kind === 'submit')) return;
    const draft = latest
      ? { ...latest, kind: 'draft' as const, userId: this.userId }
      : this.pending().find((e): e is OutboxDraft => e.kind === 'draft' && e.leaseId === leaseId);
    if (draft) this.sender.draft(draft, true).catch(() => undefined);
  }

  /** Sends everything queued, in order; resolves when the queue is empty or stopped at a failure. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      this.set({ sending: false });
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      await this.reload();
      const next = this.pending()[0];
      if (!next || this.stopped) {
        this.set({ retryAt: null });
        return;
      }
      this.set({ sending: true });
      let outcome: Outcome;
      try {
        if (next.kind === 'draft') {
          const r = await this.sender.draft(next, false);
          outcome = { kind: 'draft-saved', entry: next, savedAt: r.savedAt, leaseUntil: r.leaseUntil };
        } else {
          const r = await this.sender.submit(next);
          outcome = { kind: 'submitted', entry: next, annotation: r.annotation, duplicate: r.duplicate };
        }
        this.attempt = 0;
        this.set({ reachable: true, lastSavedAt: this.clock.now() });
      } catch (error) {
        const verdict = isApiError(error) ? sendVerdict(error.status, error.code, error.details) : { kind: 'retry' as const };
        if (verdict.kind === 'retry') {
          this.scheduleRetry();
          return;
        }
        this.set({ reachable: true });
        outcome =
          verdict.kind === 'ended'
            ? { kind: 'ended', entry: next, code: verdict.code, draftSaved: verdict.draftSaved }
            : { kind: 'invalid', entry: next, code: verdict.code, error };
      }
      // A draft's copy stays on the device (marked sent), so a reload without the server still resumes it.
      await this.storage.settle(next, next.kind === 'draft');
      await this.reload();
      for (const l of this.outcomeListeners) l(outcome);
    }
  }

  private scheduleRetry(): void {
    const wait = backoffMs(this.attempt++, this.clock.random);
    this.set({ sending: false, reachable: false, retryAt: this.clock.now() + wait });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }
}
