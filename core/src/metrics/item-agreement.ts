import { namedKeypointsOks, type NamedOksOptions } from '../geometry/keypoints.ts';
import type { LabelSchema, Tool } from '../schema/label-schema.ts';
import type { BBoxRegion, KeypointsRegion, PolygonRegion, Region, SpanRegion } from '../schema/region.ts';
import { matchBoxes, matchByLabel, matchPolygons, meanPairwiseF1, type PairwiseMean } from './matching/regions.ts';
import { compareCodePoints, type Rating } from './reliability-data.ts';
import { meanPairwiseSpanF1 } from './spans.ts';

/** One annotator's regions on one item. */
export interface AnnotatorRegions {
  annotatorId: string;
  regions: readonly Region[];
}

export interface ItemAgreementOptions {
  /** IoU a box pair needs to match (default 0.5). */
  boxIouThreshold?: number;
  /** IoU a polygon pair needs to match (default 0.5). */
  polygonIouThreshold?: number;
  /** OKS a keypoint-set pair needs to match (default 0.5). */
  oksThreshold?: number;
  /** Per keypoints label, sigma per point name (COCO's σ); missing ones use `defaultSigma`. */
  keypointSigmas?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  defaultSigma?: number;
}

/** Agreement among an item's annotators for one tool (label type). */
export interface ToolAgreement {
  /** In [0, 1]; null (with `reason`) when it cannot be computed. */
  value: number | null;
  reason?: string;
  /** What `value` is, in words. */
  metric: string;
  /** Regions of this tool across all annotators. */
  regions: number;
  /** Annotator pairs that entered the mean. */
  definedPairs: number;
  /** Secondary figures (e.g. overlap F1 for spans). */
  details?: Record<string, number | null>;
}

export interface ItemAgreement {
  annotators: number;
  /** One entry per tool the label schema uses. */
  byTool: Partial<Record<Tool, ToolAgreement>>;
}

function regionsOfTool(ann: AnnotatorRegions, tools: Map<string, Tool>, tool: Tool): Region[] {
  return ann.regions.filter((r) => tools.get(r.label) === tool);
}

function fromPairwise(p: PairwiseMean, metric: string, regions: number, noneReason: string): ToolAgreement {
  if (regions === 0) return { value: null, reason: noneReason, metric, regions, definedPairs: 0 };
  const out: ToolAgreement = { value: p.value, metric, regions, definedPairs: p.definedPairs };
  if (p.reason !== undefined) out.reason = p.reason;
  return out;
}

function meanPairwise<T>(sets: readonly T[], score: (a: T, b: T) => number | null): { value: number | null; pairs: number } {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const s = score(sets[i] as T, sets[j] as T);
      if (s === null) continue;
      sum += s;
      n++;
    }
  }
  return { value: n > 0 ? sum / n : null, pairs: n };
}

/**
 * Per-item agreement among k annotators, one figure per tool (label type) the label schema uses,
 * for the assignment engine to decide whether an item needs more annotations. Regions are sorted
 * into tools by their label's tool in the schema; regions whose label is not in the schema are
 * ignored (`regionIssues` reports them).
 *
 * - bbox / polygon: mean pairwise F1 of one-to-one matching per label at IoU ≥ 0.5;
 * - keypoints: the same with symmetric OKS ≥ 0.5 (`namedKeypointsOks`, per-label sigmas);
 * - span: mean pairwise exact-boundary F1 (overlap F1 in `details.overlapF1`);
 * - class-single: share of agreeing annotator pairs among annotators who chose a class;
 * - class-multi: mean pairwise Jaccard similarity of the chosen label sets.
 *
 * For the region tools a pair of annotators who both drew nothing of that tool counts as F1 = 1
 * (they agree nothing is there), but when nobody drew anything the value is null with a reason.
 * Edge cases: fewer than two annotations → every value null with a reason.
 * Complexity: k (k − 1) / 2 matchings per tool.
 */
export function itemAgreement(
  annotations: readonly AnnotatorRegions[],
  labelSchema: LabelSchema,
  options: ItemAgreementOptions = {},
): ItemAgreement {
  const tools = new Map<string, Tool>(labelSchema.labels.map((l) => [l.name, l.tool]));
  const used = new Set<Tool>(labelSchema.labels.map((l) => l.tool));
  const k = annotations.length;
  const byTool: Partial<Record<Tool, ToolAgreement>> = {};
  const per = (tool: Tool) => annotations.map((a) => regionsOfTool(a, tools, tool));
  const count = (sets: Region[][]) => sets.reduce((s, r) => s + r.length, 0);
  for (const tool of used) {
    const sets = per(tool);
    const regions = count(sets);
    if (k < 2) {
      byTool[tool] = { value: null, reason: 'needs at least two annotations', metric: 'none', regions, definedPairs: 0 };
      continue;
    }
    switch (tool) {
      case 'bbox': {
        const t = options.boxIouThreshold ?? 0.5;
        const p = meanPairwiseF1(sets as BBoxRegion[][], (a, b) => matchBoxes(a, b, { iouThreshold: t }), { bothEmpty: 'agree' });
        byTool.bbox = fromPairwise(
          p,
          `mean pairwise F1, boxes matched one-to-one per label at IoU >= ${t}`,
          regions,
          'no annotator drew a box',
        );
        break;
      }
      case 'polygon': {
        const t = options.polygonIouThreshold ?? 0.5;
        const p = meanPairwiseF1(sets as PolygonRegion[][], (a, b) => matchPolygons(a, b, { iouThreshold: t }), { bothEmpty: 'agree' });
        byTool.polygon = fromPairwise(
          p,
          `mean pairwise F1, polygons matched one-to-one per label at IoU >= ${t}`,
          regions,
          'no annotator drew a polygon',
        );
        break;
      }
      case 'keypoints': {
        const t = options.oksThreshold ?? 0.5;
        const similarity = (x: KeypointsRegion, y: KeypointsRegion) => {
          const o: NamedOksOptions = {};
          const sigmas = options.keypointSigmas?.[x.label];
          if (sigmas !== undefined) o.sigmas = sigmas;
          if (options.defaultSigma !== undefined) o.defaultSigma = options.defaultSigma;
          return namedKeypointsOks(x.points, y.points, o).value ?? 0;
        };
        const p = meanPairwiseF1(sets as KeypointsRegion[][], (a, b) => matchByLabel(a, b, similarity, t), { bothEmpty: 'agree' });
        byTool.keypoints = fromPairwise(
          p,
          `mean pairwise F1, keypoint sets matched one-to-one per label at OKS >= ${t}`,
          regions,
          'no annotator placed keypoints',
        );
        break;
      }
      case 'span': {
        const spans = sets as SpanRegion[][];
        const exact = meanPairwiseSpanF1(spans, 'exact');
        const overlap = meanPairwiseSpanF1(spans, 'overlap');
        const out: ToolAgreement = {
          value: exact.value,
          metric: 'mean pairwise exact-boundary span F1',
          regions,
          definedPairs: exact.definedPairs,
          details: { overlapF1: overlap.value },
        };
        if (exact.reason !== undefined) out.reason = exact.reason;
        byTool.span = out;
        break;
      }
      case 'class-single': {
        const choices = sets.map((rs) => (rs.length === 1 ? (rs[0] as Region).label : null)).filter((c): c is string => c !== null);
        const p = meanPairwise(choices, (a, b) => (a === b ? 1 : 0));
        byTool['class-single'] =
          p.value === null
            ? {
                value: null,
                reason: 'fewer than two annotators chose exactly one class',
                metric: 'share of agreeing annotator pairs',
                regions,
                definedPairs: 0,
              }
            : { value: p.value, metric: 'share of agreeing annotator pairs', regions, definedPairs: p.pairs };
        break;
      }
      case 'class-multi': {
        const labelSets = sets.map((rs) => new Set(rs.map((r) => r.label)));
        const p = meanPairwise(labelSets, (a, b) => {
          let inter = 0;
          for (const x of a) if (b.has(x)) inter++;
          const union = a.size + b.size - inter;
          return union === 0 ? 1 : inter / union;
        });
        byTool['class-multi'] =
          regions === 0
            ? {
                value: null,
                reason: 'no annotator chose a class',
                metric: 'mean pairwise Jaccard of chosen classes',
                regions,
                definedPairs: 0,
              }
            : { value: p.value, metric: 'mean pairwise Jaccard of chosen classes', regions, definedPairs: p.pairs };
        break;
      }
    }
  }
  return { annotators: k, byTool };
}

/** Reliability data built from annotations across items, for the categorical coefficients. */
export interface ItemRatings {
  /** Coder ids, one per row, sorted by code point. */
  coders: string[];
  /** Row per coder, column per item; null where the coder did not annotate the item or chose nothing. */
  data: Rating[][];
}

/**
 * Turns many items' annotations into reliability data for single-choice classification: the value
 * is the one class-single label an annotator chose on the item (null when they did not annotate
 * it, or chose none or several). Feed `data` to `krippendorffAlpha`, `fleissKappa`, etc.
 * Complexity: O(items × annotations + coders × items).
 */
export function classRatings(items: readonly (readonly AnnotatorRegions[])[], labelSchema: LabelSchema): ItemRatings {
  return ratingsBy(
    items,
    labelSchema,
    (regions) => {
      const chosen = regions.filter((r) => r.type === 'class');
      return chosen.length === 1 ? (chosen[0] as Region).label : null;
    },
    'class-single',
  );
}

/**
 * Binary reliability data for one class-multi label: 1 when an annotator chose `label` on the item,
 * 0 when they annotated the item without choosing it, null when they did not annotate the item.
 * Edge cases: no items or no annotations → no coder rows (`data` is []). Complexity as {@link classRatings}.
 */
export function labelPresenceRatings(
  items: readonly (readonly AnnotatorRegions[])[],
  labelSchema: LabelSchema,
  label: string,
): ItemRatings {
  return ratingsBy(items, labelSchema, (regions) => (regions.some((r) => r.label === label) ? 1 : 0), null);
}

function ratingsBy(
  items: readonly (readonly AnnotatorRegions[])[],
  labelSchema: LabelSchema,
  value: (regions: Region[]) => Rating,
  tool: Tool | null,
): ItemRatings {
  const tools = new Map<string, Tool>(labelSchema.labels.map((l) => [l.name, l.tool]));
  const ids = new Set<string>();
  for (const item of items) for (const a of item) ids.add(a.annotatorId);
  const coders = [...ids].sort(compareCodePoints);
  const row = new Map(coders.map((id, i) => [id, i]));
  const data: Rating[][] = coders.map(() => new Array<Rating>(items.length).fill(null));
  items.forEach((item, u) => {
    for (const a of item) {
      const regions = tool === null ? [...a.regions] : a.regions.filter((r) => tools.get(r.label) === tool);
      (data[row.get(a.annotatorId) as number] as Rating[])[u] = value(regions);
    }
  });
  return { coders, data };
}
