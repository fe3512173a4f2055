/**
 * A read-through cache that serves a value for `ttlMs`, then keeps serving it (up to `maxStaleMs`)
 * while one background load refreshes it: a slow database never stalls the task hot path once a
 * value is known. Holds at most `maxEntries` keys (the least recently loaded go first), so keys a
 * client makes up (ids of nothing) cannot grow it without bound. `forget` and `clear` take effect
 * at once: a load that started before them is not stored (it may have read the old value).
 */
export class SwrCache<T> {
  private readonly entries = new Map<string, { at: number; value: T; loading?: Promise<T> }>();
  /** Bumped by every forget/clear; a load stores its value only if none happened since it started. */
  private generation = 0;
  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly maxStaleMs: number,
    private readonly load: (key: string) => Promise<T>,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string): Promise<T> {
    const e = this.entries.get(key);
    const age = e ? this.now() - e.at : Infinity;
    if (e && age < this.ttlMs) return e.value;
    if (e && age < this.maxStaleMs) {
      e.loading ??= this.refresh(key).catch(() => e.value);
      return e.value;
    }
    if (e?.loading) return e.loading;
    const loading = this.refresh(key);
    if (e) e.loading = loading;
    return loading;
  }

  private async refresh(key: string): Promise<T> {
    const generation = this.generation;
    try {
      const value = await this.load(key);
      if (generation === this.generation) {
        this.entries.delete(key);
        this.entries.set(key, { at: this.now(), value });
        while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
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
  }

  /** Drops every entry (an invalidation whose extent is not known). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
