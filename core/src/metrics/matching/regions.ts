import { rectIou, type RectLike } from '../../geometry/box.ts';
import { namedKeypointsOks, type NamedKeypoint, type NamedOksOptions } from '../../geometry/keypoints.ts';
import { polygonIou, type XY } from '../../geometry/polygon.ts';
import { ownEntry } from '../../schema/label-keys.ts';
import { matchOneToOne, type Match } from './one-to-one.ts';

/** True positives, false positives and false negatives of one label, with its F1 (null if both sides are empty). */
export interface LabelCounts {
  tp: number;
  fp: number;
  fn: number;
  f1: number | null;
}

/**
 * Agreement of annotator B with annotator A after one-to-one matching. A plays the reference:
 * fn = A's unmatched regions, fp = B's unmatched regions. F1 = 2 tp / (|A| + |B|) is symmetric.
 */
export interface MatchSummary {
  tp: number;
  fp: number;
  fn: number;
  /** tp / |B|; null when B is empty. */
  precision: number | null;
  /** tp / |A|; null when A is empty. */
  recall: number | null;
  /** null when both sides are empty. */
  f1: number | null;
  /** Mean IoU (boxes, polygons) or OKS (keypoints) over matched pairs; null without matches. */
  meanSimilarity: number | null;
  reason?: string;
  matches: Match[];
  perLabel: Record<string, LabelCounts>;
}

export interface Labeled {
  label: string;
}

function f1Of(tp: number, nA: number, nB: number): number | null {
  return nA + nB === 0 ? null : (2 * tp) / (nA + nB);
}

/**
 * Builds a {@link MatchSummary} from the matched pairs and the side sizes: precision null when B is
 * empty, recall null when A is empty, F1 and a reason-bearing null when both are. O(matches).
 */
export function summarizeMatches(matches: Match[], nA: number, nB: number, perLabel: Record<string, LabelCounts>): MatchSummary {
  const tp = matches.length;
  let simSum = 0;
  for (const m of matches) simSum += m.similarity;
  const summary: MatchSummary = {
    tp,
    fp: nB - tp,
    fn: nA - tp,
    precision: nB > 0 ? tp / nB : null,
    recall: nA > 0 ? tp / nA : null,
    f1: f1Of(tp, nA, nB),
    meanSimilarity: tp > 0 ? simSum / tp : null,
    matches,
    perLabel,
  };
  if (nA + nB === 0) summary.reason = 'neither annotator has a region to match';
  return summary;
}

function checkThreshold(t: number, name: string): void {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`${name} must lie in [0, 1], got ${t}`);
}

/**
 * One-to-one matching restricted to equal labels: regions of different labels never match.
 * `similarity` scores a same-label pair; pairs with similarity > 0 and ≥ `threshold` are eligible
 * (see {@link matchOneToOne}). Indices in the returned matches refer to the original lists.
 * Complexity: O(Σ_label n_A,label × n_B,label) similarity calls plus the assignment cost.
 */
export function matchByLabel<T extends Labeled>(
  a: readonly T[],
  b: readonly T[],
  similarity: (x: T, y: T) => number,
  threshold: number,
): MatchSummary {
  const groups = new Map<string, { as: number[]; bs: number[] }>();
  const group = (label: string) => {
    let g = groups.get(label);
    if (g === undefined) {
      g = { as: [], bs: [] };
      groups.set(label, g);
    }
    return g;
  };
  a.forEach((r, i) => group(r.label).as.push(i));
  b.forEach((r, j) => group(r.label).bs.push(j));
  const matches: Match[] = [];
  const perLabel: Record<string, LabelCounts> = {};
  for (const [label, { as, bs }] of groups) {
    const local =
      as.length > 0 && bs.length > 0
        ? matchOneToOne(as.length, bs.length, (i, j) => similarity(a[as[i] as number] as T, b[bs[j] as number] as T), threshold)
        : [];
    for (const m of local) matches.push({ a: as[m.a] as number, b: bs[m.b] as number, similarity: m.similarity });
    ownEntry(perLabel, label, () => ({
      tp: local.length,
      fp: bs.length - local.length,
      fn: as.length - local.length,
      f1: f1Of(local.length, as.length, bs.length),
    }));
  }
  matches.sort((x, y) => x.a - y.a);
  return summarizeMatches(matches, a.length, b.length, perLabel);
}

/**
 * Matches two annotators' boxes (`{x, y, w, h, label}`, e.g. `BBoxRegion`s) one-to-one per label at
 * an IoU threshold (default 0.5) → precision, recall, F1 and mean IoU of matched pairs.
 * Edge cases: both empty → f1 null with a reason; one side empty → f1 0. Throws RangeError for a
 * threshold outside [0, 1]. Complexity: see {@link matchByLabel}.
 */
export function matchBoxes(
  a: readonly (RectLike & Labeled)[],
  b: readonly (RectLike & Labeled)[],
  options: { iouThreshold?: number } = {},
): MatchSummary {
  const t = options.iouThreshold ?? 0.5;
  checkThreshold(t, 'iouThreshold');
  return matchByLabel(a, b, rectIou, t);
}

/**
 * Matches two annotators' polygons (`{points, label}`, e.g. `PolygonRegion`s) one-to-one per label
 * at a polygon-IoU threshold (default 0.5); IoU by clipping ({@link polygonIou}). Same summary and
 * edge cases as {@link matchBoxes}. Complexity: pairs × clipping cost.
 */
export function matchPolygons(
  a: readonly ({ points: readonly XY[] } & Labeled)[],
  b: readonly ({ points: readonly XY[] } & Labeled)[],
  options: { iouThreshold?: number } = {},
): MatchSummary {
  const t = options.iouThreshold ?? 0.5;
  checkThreshold(t, 'iouThreshold');
  return matchByLabel(a, b, (x, y) => polygonIou(x.points, y.points), t);
}

/**
 * Matches two annotators' keypoint sets (`{points: {name, x, y, v}[], label}`, e.g.
 * `KeypointsRegion`s) one-to-one per label at an OKS threshold (default 0.5), OKS being the
 * symmetric named-point version {@link namedKeypointsOks}. `meanSimilarity` is the mean OKS.
 * Edge cases as {@link matchBoxes}; a pair where no point is labeled scores 0.
 */
export function matchKeypoints(
  a: readonly ({ points: readonly NamedKeypoint[] } & Labeled)[],
  b: readonly ({ points: readonly NamedKeypoint[] } & Labeled)[],
  options: { oksThreshold?: number } & Omit<NamedOksOptions, 'area'> = {},
): MatchSummary {
  const t = options.oksThreshold ?? 0.5;
  checkThreshold(t, 'oksThreshold');
  return matchByLabel(a, b, (x, y) => namedKeypointsOks(x.points, y.points, options).value ?? 0, t);
}

/** Mean of a pairwise value over annotator pairs. */
export interface PairwiseMean {
  value: number | null;
  reason?: string;
  /** Annotator pairs looked at: k (k − 1) / 2. */
  pairs: number;
  /** Pairs that had a defined value. */
  definedPairs: number;
}

/**
 * Mean pairwise F1 among k annotators: `match` is run on every pair (i < j) and the defined F1
 * values are averaged. With `bothEmpty: 'agree'` a pair where neither annotator has a region
 * counts as F1 = 1 (they agree nothing is there); with `'skip'` (default) such pairs are left out.
 * Edge cases: fewer than two annotators, or no pair with a defined F1 → `value: null` with a reason.
 * Complexity: k (k − 1) / 2 matchings.
 */
export function meanPairwiseF1<T>(
  sets: readonly (readonly T[])[],
  match: (a: readonly T[], b: readonly T[]) => MatchSummary,
  options: { bothEmpty?: 'skip' | 'agree' } = {},
): PairwiseMean {
  const k = sets.length;
  const pairs = (k * (k - 1)) / 2;
  if (k < 2) return { value: null, reason: 'needs at least two annotators', pairs, definedPairs: 0 };
  let sum = 0;
  let defined = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const f1 = match(sets[i] as readonly T[], sets[j] as readonly T[]).f1;
      if (f1 !== null) {
        sum += f1;
        defined++;
      } else if (options.bothEmpty === 'agree') {
        sum += 1;
        defined++;
      }
    }
  }
  if (defined === 0) return { value: null, reason: 'no annotator pair has a region to compare', pairs, definedPairs: 0 };
  return { value: sum / defined, pairs, definedPairs: defined };
}
