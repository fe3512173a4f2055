import type { Region } from '@labelwork/core';
import type { Outbox } from './offline-queue.ts';

/** The lease whose work is being saved. */
export interface SaveTarget {
  projectId: string;
  leaseId: string;
  itemId: string;
}

export interface AutosaverOptions {
  /** Quiet time before a change is written to the device (a crash loses at most this much). */
  persistMs?: number;
  /** Quiet time before the newest draft is sent to the server. */
  sendMs?: number;
}

/**
 * Autosave of one lease's work: every change goes to the device's outbox shortly after it is made,
 * and to the server a couple of seconds after the last change (and at once when the page is
 * hidden or closed). Lives outside React; the page feeds it the editor's changes.
 */
export class Autosaver {
  private latest: Region[] | null = null;
  private unpersisted = 0;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private sendTimer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  private readonly persistMs: number;
  private readonly sendMs: number;

  constructor(
    private readonly outbox: Outbox,
    private readonly target: SaveTarget,
    /** Server time of the server's draft this work continues from. */
    private basedOn: string | null,
    options: AutosaverOptions = {},
  ) {
    this.persistMs = options.persistMs ?? 250;
    this.sendMs = options.sendMs ?? 2000;
  }

  /** Edits made but not yet written to the device. */
  pendingEdits(): number {
    return this.unpersisted;
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

  /** The editor's answer after a change. */
  change = (regions: Region[]): void => {
    if (this.disposed) return;
    this.latest = regions;
    this.unpersisted += 1;
    this.emit();
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => void this.persist(), this.persistMs);
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(() => void this.send(), this.sendMs);
  };

  /** Writes the newest change to the device now. */
  persist(): Promise<void> {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = null;
    const regions = this.latest;
    const edits = this.unpersisted;
    if (regions === null || this.disposed) return this.writing;
    this.latest = null;
    this.unpersisted = 0;
    // Writes are chained so an older change never lands after a newer one.
    this.writing = this.writing
      .then(() => this.outbox.putDraft({ ...this.target, regions, changedAt: Date.now(), edits, basedOn: this.basedOn }))
      .catch(() => undefined)
      .finally(() => this.emit());
    return this.writing;
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
    if (this.persistTimer) clearTimeout(this.persistTimer);
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.persistTimer = this.sendTimer = null;
    this.latest = null;
    this.unpersisted = 0;
    this.emit();
    await this.writing;
  }

  /** The page is being hidden or closed: write, and send what can go before the page is gone. */
  exit(): void {
    const latest = this.latest;
    void this.persist();
    this.outbox.flushOnExit(this.target.leaseId, latest && { ...this.target, regions: latest, changedAt: Date.now(), edits: 0, basedOn: this.basedOn });
  }

  /**
   * Stops saving. With `keep`, the newest change is written first (leaving the task for later);
   * without, it is dropped (a submit carries the final answer itself).
   */
  async dispose(keep: boolean): Promise<void> {
    if (keep) await this.persist();
    this.disposed = true;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.latest = null;
    this.unpersisted = 0;
    this.emit();
  }
}
