import { randomIndex, type RandomSource } from '../metrics/random.ts';

/** Shuffles a copy of `items` (Fisher–Yates) with `random`. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/**
 * How many to take from each stratum: `n` shared in proportion to the weights by largest remainder,
 * never more than a stratum holds; what a small stratum cannot give goes to the others (by weight,
 * then to any stratum with items left). Strata of weight 0 give only when the rest run out.
 */
export function stratumQuotas(sizes: readonly number[], weights: readonly number[], n: number): number[] {
  const quotas = sizes.map(() => 0);
  let left = Math.min(
    n,
    sizes.reduce((a, b) => a + b, 0),
  );
  while (left > 0) {
    const open = sizes.map((s, i) => (quotas[i]! < s ? i : -1)).filter((i) => i >= 0);
    const weighted = open.filter((i) => (weights[i] ?? 0) > 0);
    const pool = weighted.length > 0 ? weighted : open;
    const total = pool.reduce((a, i) => a + (weighted.length > 0 ? weights[i]! : 1), 0);
    const exact = pool.map((i) => (left * (weighted.length > 0 ? weights[i]! : 1)) / total);
    const give = exact.map((e, k) => Math.min(Math.floor(e), sizes[pool[k]!]! - quotas[pool[k]!]!));
    let given = give.reduce((a, b) => a + b, 0);
    // Largest remainders first; ties by stratum order, so the result is deterministic.
    const order = pool.map((_, k) => k).sort((a, b) => exact[b]! - Math.floor(exact[b]!) - (exact[a]! - Math.floor(exact[a]!)) || a - b);
    for (const k of order) {
      if (given >= left) break;
      if (quotas[pool[k]!]! + give[k]! < sizes[pool[k]!]!) {
        give[k]!++;
        given++;
      }
    }
    if (given === 0) break;
    pool.forEach((i, k) => (quotas[i]! += give[k]!));
    left -= given;
  }
  return quotas;
}

/**
 * Draws `n` distinct items (all of them when there are fewer) stratified by `keyOf`: each stratum
 * gives its share (`weightOf(key, size)`, default its size, i.e. proportional), picked at random
 * inside the stratum; the drawn items come back in random order. Same `random` sequence, same draw.
 */
export function drawStratified<T>(
  items: readonly T[],
  n: number,
  keyOf: (item: T) => string,
  random: RandomSource,
  weightOf: (key: string, size: number) => number = (_k, size) => size,
): T[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number, got ${n}`);
  const strata = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let s = strata.get(key);
    if (s === undefined) strata.set(key, (s = []));
    s.push(item);
  }
  const keys = [...strata.keys()].sort();
  const groups = keys.map((k) => strata.get(k) as T[]);
  const quotas = stratumQuotas(
    groups.map((g) => g.length),
    keys.map((k, i) => weightOf(k, groups[i]!.length)),
    n,
  );
  const picked: T[] = [];
  groups.forEach((g, i) => picked.push(...shuffled(g, random).slice(0, quotas[i])));
  return shuffled(picked, random);
}
