import type { LeaseEndedPayload, Task } from '@labelwork/core';

/** Why a lease ended without this page's submit. */
export type LeaseEndReason = LeaseEndedPayload['reason'];

export type BeatAnswer = { ok: true } | { ok: false; code: string };

/** live: kept alive · warning: less than half the lease left (away, or the server unreachable) · lapsed: should have ended by the local clock. */
export type LeaseHealth = 'live' | 'warning' | 'lapsed';

export interface LeaseSnapshot {
  health: LeaseHealth;
  /** Local clock (ms) when the lease ends unless renewed. */
  until: number;
  /** True while the person counts as away (no input for `idleMs`): heartbeats are paused. */
  away: boolean;
}

export interface LeaseKeeperOptions {
  /** Without key, pointer or wheel input for this long, heartbeats stop and the lease runs out. */
  idleMs?: number;
  now?: () => number;
}

/**
 * Keeps a task's lease alive while the person works: a heartbeat every `task.heartbeatMs` while
 * they have been active within `idleMs`, at once when they come back, and counting saved drafts
 * as heartbeats. Works on the local clock only (the server's times are never compared with it):
 * a confirmed heartbeat sent at t keeps the lease until at least t + leaseMs.
 */
export class LeaseKeeper {
  private snap: LeaseSnapshot;
  private lastInput: number;
  private beatTimer: ReturnType<typeof setInterval> | null = null;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private inFlight = false;
  private stopped = false;
  private readonly listeners = new Set<() => void>();
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(
    private readonly task: Task,
    private readonly beat: (leaseId: string) => Promise<BeatAnswer>,
    private readonly onEnded: (reason: LeaseEndReason) => void,
    options: LeaseKeeperOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    const t = this.now();
    // The server's leaseUntil is on the server's clock; only trust how much is left, at most a full lease.
    const left = Math.max(0, Math.min(task.leaseMs, Date.parse(task.leaseUntil) - Date.now()));
    this.lastInput = t;
    this.snap = { health: 'live', until: t + (Number.isFinite(left) ? left : task.leaseMs), away: false };
  }

  snapshot = (): LeaseSnapshot => this.snap;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    void this.heartbeat();
    this.beatTimer = setInterval(() => {
      if (this.now() - this.lastInput < this.idleMs) void this.heartbeat();
    }, this.task.heartbeatMs);
    this.tickTimer = setInterval(() => this.update(), 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.beatTimer) clearInterval(this.beatTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
  }

  /** The person did something: counts as presence; after a warning, renews at once. */
  activity = (): void => {
    const wasAway = this.snap.away || this.snap.health !== 'live';
    this.lastInput = this.now();
    if (wasAway) void this.heartbeat();
  };

  /** The server touched the lease (a saved draft): it lasts a full lease from about `at`. */
  extended(at: number): void {
    this.set({ until: Math.max(this.snap.until, at + this.task.leaseMs) });
  }

  /** The server says the lease is over. */
  ended(reason: LeaseEndReason): void {
    if (this.stopped) return;
    this.stop();
    this.onEnded(reason);
  }

  /** Sends a heartbeat now (the warning's "keep this task" button). */
  async heartbeat(): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    const sentAt = this.now();
    try {
      const a = await this.beat(this.task.leaseId);
      if (a.ok) this.extended(sentAt);
      else if (a.code === 'LEASE_EXPIRED' || a.code === 'NOT_FOUND') this.ended('expired');
      // Anything else (no answer, server trouble): keep the estimate; the warning shows as time runs out.
    } finally {
      this.inFlight = false;
      this.update();
    }
  }

  private update(): void {
    const t = this.now();
    const left = this.snap.until - t;
    const health: LeaseHealth = left <= 0 ? 'lapsed' : left < this.task.leaseMs / 2 ? 'warning' : 'live';
    const away = t - this.lastInput >= this.idleMs;
    // While a countdown shows, listeners hear every tick; otherwise only changes.
    if (health !== this.snap.health || away !== this.snap.away || health !== 'live') this.set({ health, away });
  }

  private set(patch: Partial<LeaseSnapshot>): void {
    const next = { ...this.snap, ...patch };
    const left = next.until - this.now();
    next.health = left <= 0 ? 'lapsed' : left < this.task.leaseMs / 2 ? 'warning' : 'live';
    this.snap = next;
    for (const l of this.listeners) l();
  }
}
