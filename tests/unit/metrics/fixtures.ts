import type { ReliabilityData } from '@labelwork/core/metrics/index';

/** Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders × 12 units (= irrCAC cac.raw4raters, Gwet 2014 p. 120). */
export const KRIPPENDORFF_2011: ReliabilityData = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

/** Wikipedia "Krippendorff's alpha": 3 coders × 15 units. */
export const WIKIPEDIA_ALPHA: ReliabilityData = [
  [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
  [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
  [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
];

/** irrCAC cac.raw5observers (Gwet 2014): 5 observers × 15 units, scale 0–3. */
export const RAW_5_OBSERVERS: ReliabilityData = [
  [1, 1, 2, null, 0, 0, 1, 1, 2, 2, null, 0, 1, 3, 1],
  [1, 1, 3, 0, 0, 0, 0, null, 2, 1, 1, 0, 2, 3, 1],
  [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
  [null, 1, 3, null, null, null, null, 0, null, 1, 0, 0, 2, 2, null],
  [2, null, null, 0, 0, 0, 1, null, 2, null, null, null, null, 3, 1],
];

/** irrCAC cac.ben.gerry: 2 raters × 12 units, one missing rating. */
export const BEN_GERRY: ReliabilityData = [
  ['a', 'a', 'b', 'b', 'd', 'c', 'c', 'c', 'e', 'd', 'd', 'a'],
  ['b', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'e', null, 'd', 'd'],
];

/** irrCAC cac.raw.gender: 4 raters × 15 units. */
export const RAW_GENDER: ReliabilityData = [
  'a a a a a b b b c a a a a a b'.split(' '),
  'a a a a b a b c c a a a a b a'.split(' '),
  'a b b c a a b b c a b b c a a'.split(' '),
  'c c c c a a b b c c c c c a a'.split(' '),
];

/** irrCAC cac.raw.g1g2: 4 raters × 14 units. */
export const RAW_G1G2: ReliabilityData = [
  ['a', 'b', 'c', 'c', 'b', 'a', 'd', 'a', 'b', null, null, null, 'b', 'b'],
  ['a', 'b', 'c', 'c', 'b', 'b', 'd', 'a', 'b', 'e', null, null, 'b', 'a'],
  [null, 'c', 'c', 'c', 'b', 'c', 'd', 'b', 'b', 'e', 'a', 'c', 'c', 'c'],
  ['a', 'b', 'c', 'c', 'b', 'd', 'd', 'a', 'b', 'e', 'a', null, 'b', 'b'],
];

/** irrCAC cont3x3abstractors (Gwet 2014): 100 pregnancies classified by 2 abstractors. */
export const ABSTRACTORS_TABLE = [
  [13, 0, 0],
  [0, 20, 7],
  [0, 4, 56],
];

/** Random reliability data from a seeded source: `coders` rows, `units` columns, values 0..categories-1. */
export function randomRatings(random: () => number, coders: number, units: number, categories: number, missing = 0): (number | null)[][] {
  const truth = Array.from({ length: units }, () => Math.floor(random() * categories));
  return Array.from({ length: coders }, () =>
    truth.map((t) => (random() < missing ? null : random() < 0.7 ? t : Math.floor(random() * categories))),
  );
}
