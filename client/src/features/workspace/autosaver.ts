import type { Region } from '@labelwork/core';
import { clearJournal, writeJournal } from './draft-journal.ts';
import type { Outbox } from './offline-queue.ts';

/** The lease whose work is being saved. */
export interface SaveTarget {
  projectId: string;
  leaseId: string;
  itemId: string;
}

export interface AutosaverOptions {
  /** Quiet time before the newest draft is sent to the server. */
  sendMs?: number;
  /** Wait before writing again after the device refused a write. */
  retryWriteMs?: number;
  /**
   * When a change's write may start (default: at once). The workspace passes {@link afterNextFrame}:
   * writing a draft copies every region on the main thread (IndexedDB's structured clone), which with
   * tens of thousands of regions takes longer than a frame and would hold up the frame showing the change.
   */
  afterPaint?: (run: () => void) => void;
}

/** Runs `run` once the next frame has been drawn (an animation frame, then a task). */
export const afterNextFrame = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(run, 0));
  else setTimeout(run, 0);
};

/** A change of the editor's answer, numbered in the order it was made on this page. */
interface Change {
  n: number;
  regions: Region[];
  changedAt: number;
}

/**
 * Autosave of one lease's work. Every change is written to the device's outbox (IndexedDB) at
 * once (or right after the frame showing it, see `afterPaint`) — no debounce; while one write is in flight the newest change waits for it and goes next,
 * so writes never overtake each other and a burst of changes costs one write after the current
 * one. The server gets the newest draft a couple of seconds after the last change, and at once
 * when the page is hidden or closed. `unwritten()` counts the changes whose write has not
 * committed yet: the page says "saved on this device" only once it is 0.
 *
 * An IndexedDB transaction still open when the page unloads is aborted, so `exit()` (pagehide,
 * hidden) also copies a change whose write has not committed to localStorage, synchronously
 * (`draft-journal.ts`); the next page moves it into the outbox. Lives outside React.
 */
export class Autosaver {
  /** The newest change of this page. */
  private latest: Change | null = null;
  /** The newest change not yet handed to a write. */
  private queued: Change | null = null;
  /** Number of the newest change whose write committed. */
  private committed = 0;
  /** Changes made since the last committed write (what `unwritten()` reports). */
  private edits = 0;
  private writing = false;
  private waiters: (() => void)[] = [];
  private sendTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private journaled = false;
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  private readonly sendMs: number;
  private readonly retryWriteMs: number;
  private readonly afterPaint: (run: () => void) => void;
  private writeScheduled = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly target: SaveTarget,
    /** Server time of the server's draft this work continues from. */
    private basedOn: string | null,
    options: AutosaverOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.sendMs = options.sendMs ?? 2000;
    this.retryWriteMs = options.retryWriteMs ?? 1000;
    this.afterPaint = options.afterPaint ?? ((run) => run());
  }

  /** Changes made whose write to the device has not committed yet. */
  unwritten(): number {
    return this.edits;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** The server confirmed a draft of this lease (saved at `savedAt`, server time). */
  confirmed(savedAt: string): void {
    this.basedOn = savedAt;
  }

  /** The editor's answer after a change: written to the device now, sent after a pause. */
  change = (regions: Region[]): void => {
    if (this.disposed) return;
    const c: Change = { n: (this.latest?.n ?? 0) + 1, regions, changedAt: this.now() };
    this.latest = this.queued = c;
    this.edits += 1;
    this.emit();
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      this.afterPaint(() => {
        this.writeScheduled = false;
        void this.persist();
      });
    }
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(() => void this.send(), this.sendMs);
  };

  private draftOf(c: Change, edits: number) {
    return { ...this.target, regions: c.regions, changedAt: c.changedAt, edits, basedOn: this.basedOn };
  }

  /** Resolves once every change made so far is committed on the device (or could not be). */
  persist(): Promise<void> {
    if (!this.queued && !this.writing) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    while (this.queued && !this.disposed) {
      const c = this.queued;
      this.queued = null;
      // The edits this write carries: all made up to change `c` and not yet committed.
      const carried = c.n - this.committed;
      try {
        await this.outbox.putDraft(this.draftOf(c, carried));
      } catch {
        // The device refused (quota, a closing database): keep the change and try again shortly.
        this.queued ??= c;
        this.retryTimer = setTimeout(() => void this.persist(), this.retryWriteMs);
        break;
      }
      this.committed = c.n;
      this.edits = this.latest ? this.latest.n - this.committed : 0;
      if (this.journaled && this.latest?.n === c.n) {
        clearJournal(this.target.leaseId);
        this.journaled = false;
      }
      this.emit();
    }
    this.writing = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Saves now: to the device, then the outbox is sent. */
  async send(): Promise<void> {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    await this.persist();
    if (!this.disposed) await this.outbox.flush();
  }

  /**
   * Forgets changes not yet written (a submit carries the final answer itself) and waits for
   * writes in flight, so nothing of this lease lands in the outbox after what comes next.
   */
  async discardPending(): Promise<void> {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.sendTimer = this.retryTimer = null;
    this.queued = null;
    await this.persist();
    this.committed = this.latest?.n ?? 0;
    this.edits = 0;
    clearJournal(this.target.leaseId);
    this.journaled = false;
    this.emit();
  }

  /**
   * The page is being hidden or closed. A change whose write has not committed is copied to
   * localStorage now (synchronously: the write in flight may be aborted with the page), and the
   * newest work goes to the server with `keepalive` unless the server already has it.
   */
  exit(): void {
    if (this.disposed) return;
    const c = this.latest;
    const unwritten = c !== null && c.n > this.committed;
    if (unwritten) this.journaled = writeJournal({ ...this.draftOf(c, c.n - this.committed), kind: 'draft', userId: this.outbox.userId });
    const unsent = unwritten || this.outbox.pending().some((e) => e.kind === 'draft' && e.leaseId === this.target.leaseId);
    if (unsent) this.outbox.flushOnExit(this.target.leaseId, c && this.draftOf(c, 0));
  }

  /**
   * Stops saving. With `keep`, every change is written first (leaving the task for later);
   * without, unwritten ones are dropped (a submit carries the final answer itself).
   */
  async dispose(keep: boolean): Promise<void> {
    if (keep) await this.persist();
    else {
      this.queued = null;
      clearJournal(this.target.leaseId);
    }
    this.disposed = true;
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.edits = 0;
    this.emit();
  }
}
