/**
 * A read-through cache that serves a value for `ttlMs`, then keeps serving it (up to `maxStaleMs`)
 * while one background load refreshes it: a slow database never stalls the task hot path once a
 * value is known. Holds at most `maxEntries` keys (the least recently loaded go first), so keys a
 * client makes up (ids of nothing) cannot grow it without bound. With `spread`, each entry stays
 * fresh a random `ttlMs × (1 … 1 + spread)`: entries loaded together (a thousand annotators' users
 * after a restart) are then refreshed over a window instead of in one burst of reads. `forget` and `clear` take effect
 * at once: a load that started before them is not stored (it may have read the old value).
 * Pure (no I/O; the clock is passed in): the one cache class of the server and the workers, each
 * instance built by its process's composition root.
 */
export class SwrCache<T> {
  private readonly entries = new Map<string, { at: number; freshMs: number; value: T; loading?: Promise<T> }>();
  /** First loads of keys without an entry, so concurrent callers share one read. */
  private readonly pending = new Map<string, Promise<T>>();
  /** Bumped by every forget/clear; a load stores its value only if none happened since it started. */
  private generation = 0;
  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly maxStaleMs: number,
    private readonly load: (key: string) => Promise<T>,
    private readonly options: { maxEntries?: number; spread?: number; random?: () => number } = {},
  ) {}

  private freshMs(): number {
    const spread = this.options.spread ?? 0;
    if (!spread) return this.ttlMs;
    return Math.min(this.maxStaleMs, this.ttlMs * (1 + spread * (this.options.random ?? Math.random)()));
  }

  async get(key: string): Promise<T> {
    const e = this.entries.get(key);
    const age = e ? this.now() - e.at : Infinity;
    if (e && age < e.freshMs) return e.value;
    if (e && age < this.maxStaleMs) {
      e.loading ??= this.refresh(key).catch(() => e.value);
      return e.value;
    }
    if (e?.loading) return e.loading;
    const first = e ? undefined : this.pending.get(key);
    if (first) return first;
    const loading = this.refresh(key);
    if (e) e.loading = loading;
    else {
      this.pending.set(key, loading);
      const done = () => {
        if (this.pending.get(key) === loading) this.pending.delete(key);
      };
      void loading.then(done, done);
    }
    return loading;
  }

  private async refresh(key: string): Promise<T> {
    const generation = this.generation;
    // An entry's age counts from when its read started (it may predate a change made during the read).
    const at = this.now();
    try {
      const value = await this.load(key);
      if (generation === this.generation) {
        this.entries.delete(key);
        this.entries.set(key, { at, freshMs: this.freshMs(), value });
        while (this.entries.size > (this.options.maxEntries ?? 10_000)) this.entries.delete(this.entries.keys().next().value as string);
      }
      return value;
    } finally {
      const e = this.entries.get(key);
      if (e) delete e.loading;
    }
  }

  forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.pending.delete(key);
  }

  /** Drops every entry whose key `affected` names (an invalidation of one user or project). */
  forgetWhere(affected: (key: string) => boolean): void {
    this.generation++;
    for (const key of [...this.entries.keys()]) if (affected(key)) this.entries.delete(key);
    for (const key of [...this.pending.keys()]) if (affected(key)) this.pending.delete(key);
  }

  /** Drops every entry (an invalidation whose extent is not known). */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.pending.clear();
  }
}
