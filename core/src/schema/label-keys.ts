/**
 * Records keyed by label name (per-label scores, counts, confusion matrices). A label may be named
 * "__proto__" or "constructor": a plain `r[label] ??= init` then finds Object.prototype (or Object)
 * and counts into it, which loses the label and writes into every object of the process. These read
 * and write own properties only.
 */

/** The entry of `key` in `r`, added (as an own property) from `init` when absent. */
export function ownEntry<T>(r: Record<string, T>, key: string, init: () => T): T {
  if (!Object.hasOwn(r, key)) Object.defineProperty(r, key, { value: init(), enumerable: true, writable: true, configurable: true });
  return r[key]!;
}

/** Adds `n` to the count of `key` in `r` (an own property; absent counts as 0). */
export function addCount(r: Record<string, number>, key: string, n = 1): void {
  const value = (Object.hasOwn(r, key) ? r[key]! : 0) + n;
  Object.defineProperty(r, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Adds `n` to cell (`a`, `b`) of a matrix keyed by label name (own entries, see `ownEntry`). */
export function addPairCount(m: Record<string, Record<string, number>>, a: string, b: string, n = 1): void {
  addCount(
    ownEntry(m, a, () => ({})),
    b,
    n,
  );
}
