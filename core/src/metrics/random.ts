/** A source of uniform numbers in [0, 1). Core never calls Math.random: callers pass one of these. */
export type RandomSource = () => number;

/**
 * Seeded pseudo-random source (mulberry32: 32-bit state, period 2^32). Deterministic for a given
 * seed, which makes bootstrap intervals and randomised initialisations reproducible.
 *
 * Input: any finite number; it is truncated to 32 bits. O(1) per draw, no allocation.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n) from a random source; n must be ≥ 1 (guards against a source returning 1). O(1). */
export function randomIndex(random: RandomSource, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? i : n - 1;
}
