import { rectIou } from '../geometry/box.ts';
import { namedKeypointsOks, type NamedOksOptions } from '../geometry/keypoints.ts';
import { polygonIou } from '../geometry/polygon.ts';
import type { AnnotatorRegions, ItemAgreementOptions } from '../metrics/item-agreement.ts';
import { matchOneToOne } from '../metrics/matching/one-to-one.ts';
import { addPairCount } from '../schema/label-keys.ts';
import type { LabelSchema, Tool } from '../schema/label-schema.ts';
import type { BBoxRegion, KeypointsRegion, PolygonRegion, Region, SpanRegion } from '../schema/region.ts';
import type { Confusion } from './dashboard.ts';

/** The row and column of a region the other annotator has nothing for ("missed" one way, "extra" the other). */
export const NOTHING = '(nothing)';

type Similarity = (x: Region, y: Region) => number;

/** The similarity and threshold the agreement metrics use for each region tool (see `itemAgreement`). */
function matcherOf(tool: Tool, options: ItemAgreementOptions): { similarity: Similarity; threshold: number } | null {
  switch (tool) {
    case 'bbox':
      return { similarity: (x, y) => rectIou(x as BBoxRegion, y as BBoxRegion), threshold: options.boxIouThreshold ?? 0.5 };
    case 'polygon':
      return {
        similarity: (x, y) => polygonIou((x as PolygonRegion).points, (y as PolygonRegion).points),
        threshold: options.polygonIouThreshold ?? 0.5,
      };
    case 'keypoints':
      return {
        similarity: (x, y) => {
          const o: NamedOksOptions = {};
          const sigmas = options.keypointSigmas?.[x.label] ?? options.keypointSigmas?.[y.label];
          if (sigmas !== undefined) o.sigmas = sigmas;
          if (options.defaultSigma !== undefined) o.defaultSigma = options.defaultSigma;
          return namedKeypointsOks((x as KeypointsRegion).points, (y as KeypointsRegion).points, o).value ?? 0;
        },
        threshold: options.oksThreshold ?? 0.5,
      };
    case 'span':
      // Span agreement counts exact boundaries: the same boundaries with another label is a confusion.
      return {
        similarity: (x, y) =>
          (x as SpanRegion).start === (y as SpanRegion).start && (x as SpanRegion).end === (y as SpanRegion).end ? 1 : 0,
        threshold: 1,
      };
    default:
      return null;
  }
}

function bumpBoth(m: Confusion, a: string, b: string): void {
  addPairCount(m, a, b);
  addPairCount(m, b, a);
}

/**
 * Label confusion of regions (boxes, polygons, keypoint sets, spans) between annotators of one
 * item. For every unordered pair of annotators and every region tool, regions are matched in two
 * steps with the similarity and threshold of the agreement metrics: first one-to-one within the
 * same label (exactly the matching behind the agreement figure: these count on the diagonal), then
 * what is left one-to-one across labels (a matched car and truck count in car↔truck). Regions left
 * unmatched count against {@link NOTHING} (one annotator's region the other missed). Every pair is
 * counted both ways, so the matrix is symmetric like `labelConfusion`'s `between`.
 * Complexity: per pair and tool, the matchings of `matchOneToOne`.
 */
export function regionConfusion(
  annotations: readonly AnnotatorRegions[],
  labelSchema: LabelSchema,
  options: ItemAgreementOptions = {},
): Confusion {
  const tools = new Map<string, Tool>(labelSchema.labels.map((l) => [l.name, l.tool]));
  const m: Confusion = {};
  const used = [...new Set(labelSchema.labels.map((l) => l.tool))];
  for (const tool of used) {
    const matcher = matcherOf(tool, options);
    if (!matcher) continue;
    const sets = annotations.map((a) => a.regions.filter((r) => tools.get(r.label) === tool));
    for (let i = 0; i < sets.length; i++) {
      for (let j = i + 1; j < sets.length; j++) pairConfusion(m, sets[i]!, sets[j]!, matcher.similarity, matcher.threshold);
    }
  }
  return m;
}

function pairConfusion(m: Confusion, a: readonly Region[], b: readonly Region[], similarity: Similarity, threshold: number): void {
  const leftA = new Set(a.map((_, i) => i));
  const leftB = new Set(b.map((_, j) => j));
  // 1. Same label (the agreement metrics' matching).
  for (const label of new Set(a.map((r) => r.label))) {
    const as = a.flatMap((r, i) => (r.label === label ? [i] : []));
    const bs = b.flatMap((r, j) => (r.label === label ? [j] : []));
    if (!bs.length) continue;
    for (const x of matchOneToOne(as.length, bs.length, (p, q) => similarity(a[as[p]!]!, b[bs[q]!]!), threshold)) {
      bumpBoth(m, label, label);
      leftA.delete(as[x.a]!);
      leftB.delete(bs[x.b]!);
    }
  }
  // 2. What is left, across labels: the mix-ups.
  const as = [...leftA];
  const bs = [...leftB];
  if (as.length && bs.length) {
    for (const x of matchOneToOne(as.length, bs.length, (p, q) => similarity(a[as[p]!]!, b[bs[q]!]!), threshold)) {
      bumpBoth(m, a[as[x.a]!]!.label, b[bs[x.b]!]!.label);
      leftA.delete(as[x.a]!);
      leftB.delete(bs[x.b]!);
    }
  }
  // 3. Unmatched: one annotator has a region, the other nothing there.
  for (const i of leftA) bumpBoth(m, a[i]!.label, NOTHING);
  for (const j of leftB) bumpBoth(m, b[j]!.label, NOTHING);
}

/**
 * A confusion matrix as a list of non-zero cells: how item documents store it (label names may
 * hold "." or "$", which must not become database field names).
 */
export interface ConfusionCell {
  a: string;
  b: string;
  n: number;
}

export function confusionCells(m: Confusion): ConfusionCell[] {
  return Object.entries(m).flatMap(([a, row]) => Object.entries(row).map(([b, n]) => ({ a, b, n })));
}

/** Adds stored cells into a matrix (items' confusion into the project's). */
export function addConfusion(into: Confusion, cells: readonly ConfusionCell[] | undefined): Confusion {
  for (const { a, b, n } of cells ?? []) addPairCount(into, a, b, n);
  return into;
}
