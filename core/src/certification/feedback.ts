import { rectIou } from '../geometry/box.ts';
import { namedKeypointsOks } from '../geometry/keypoints.ts';
import { polygonIou } from '../geometry/polygon.ts';
import { matchOneToOne } from '../metrics/matching/one-to-one.ts';
import { ownEntry } from '../schema/label-keys.ts';
import type { LabelSchema, Tool } from '../schema/label-schema.ts';
import type { BBoxRegion, KeypointsRegion, PolygonRegion, Region, SpanRegion } from '../schema/region.ts';

/** What became of one region when a candidate's work is laid beside the gold answer. */
export type RegionVerdict = 'matched' | 'wrong-label' | 'missed' | 'extra';

/** `iou` for boxes and polygons, `oks` for keypoints, `overlap` (shared / covered code points) for spans, `class` for classes. */
export type SimilarityMetric = 'iou' | 'oks' | 'overlap' | 'class';

export interface RegionFeedback {
  verdict: RegionVerdict;
  tool: Tool;
  metric: SimilarityMetric;
  /** The gold region (matched, wrong-label, missed). */
  goldId?: string;
  goldLabel?: string;
  /** The candidate's region (matched, wrong-label, extra). */
  candidateId?: string;
  candidateLabel?: string;
  /** IoU / OKS / span overlap of the pair; absent for missed and extra regions. */
  similarity?: number;
}

export interface LabelScore {
  tp: number;
  fp: number;
  fn: number;
  /** 2 tp / (gold + candidate regions of the label); null when neither has one. */
  f1: number | null;
}

export interface ItemFeedback {
  regions: RegionFeedback[];
  perLabel: Record<string, LabelScore>;
  /** Per tool: F1 of same-label matches (classes: share of right choices), null when neither side has one. */
  byTool: Partial<Record<Tool, number | null>>;
  /** The item's score in [0, 1]: mean of the defined tool values; 1 when gold and candidate are both empty. */
  score: number;
}

export interface FeedbackOptions {
  /** IoU a box or polygon pair needs (default 0.5). */
  iouThreshold?: number;
  /** OKS a keypoint pair needs (default 0.5). */
  oksThreshold?: number;
  /** `exact` (default, as span F1 on real work) needs the same boundaries; `overlap` any shared code point. */
  spanMatch?: 'exact' | 'overlap';
}

function spanOverlap(x: SpanRegion, y: SpanRegion): number {
  const inter = Math.min(x.end, y.end) - Math.max(x.start, y.start);
  return inter <= 0 ? 0 : inter / (Math.max(x.end, y.end) - Math.min(x.start, y.start));
}

function similarityOf(
  tool: Tool,
  o: FeedbackOptions,
): { metric: SimilarityMetric; sim: (x: Region, y: Region) => number; threshold: number } {
  switch (tool) {
    case 'bbox':
      return { metric: 'iou', sim: (x, y) => rectIou(x as BBoxRegion, y as BBoxRegion), threshold: o.iouThreshold ?? 0.5 };
    case 'polygon':
      return {
        metric: 'iou',
        sim: (x, y) => polygonIou((x as PolygonRegion).points, (y as PolygonRegion).points),
        threshold: o.iouThreshold ?? 0.5,
      };
    case 'keypoints':
      return {
        metric: 'oks',
        sim: (x, y) => namedKeypointsOks((x as KeypointsRegion).points, (y as KeypointsRegion).points).value ?? 0,
        threshold: o.oksThreshold ?? 0.5,
      };
    case 'span':
      return {
        metric: 'overlap',
        sim: (x, y) => spanOverlap(x as SpanRegion, y as SpanRegion),
        threshold: o.spanMatch === 'overlap' ? Number.MIN_VALUE : 1,
      };
    default:
      // Classes: a choice matches a choice; the label decides right or wrong.
      return { metric: 'class', sim: () => 1, threshold: 1 };
  }
}

/** The score of `label` (an own entry: a candidate may name a label "__proto__", see `ownEntry`). */
function labelScore(perLabel: Record<string, LabelScore>, label: string): LabelScore {
  return ownEntry(perLabel, label, () => ({ tp: 0, fp: 0, fn: 0, f1: null }));
}

function bump(perLabel: Record<string, LabelScore>, label: string, key: 'tp' | 'fp' | 'fn'): void {
  labelScore(perLabel, label)[key]++;
}

/**
 * Lays a candidate's regions beside the gold answer, per tool: first one-to-one within the same
 * label at the threshold (matched: these are the true positives behind F1), then what is left
 * one-to-one across labels at the same threshold (wrong label: the right place, the wrong class),
 * then gold left over is missed and candidate regions left over are extra. A wrong-label pair counts
 * as a miss of the gold label and an extra of the candidate's label in the per-label scores.
 * Regions whose label is not in the schema are extra.
 */
export function itemFeedback(
  gold: readonly Region[],
  candidate: readonly Region[],
  schema: LabelSchema,
  options: FeedbackOptions = {},
): ItemFeedback {
  const tools = new Map(schema.labels.map((l) => [l.name, l.tool]));
  const regions: RegionFeedback[] = [];
  const perLabel: Record<string, LabelScore> = {};
  const byTool: ItemFeedback['byTool'] = {};
  const usedTools = [...new Set(schema.labels.map((l) => l.tool))];
  for (const tool of usedTools) {
    const { metric, sim, threshold } = similarityOf(tool, options);
    const g = gold.filter((r) => tools.get(r.label) === tool);
    const c = candidate.filter((r) => tools.get(r.label) === tool);
    const gUsed = new Set<number>();
    const cUsed = new Set<number>();
    let tp = 0;
    for (const sameLabel of [true, false]) {
      const gi = g.map((_, i) => i).filter((i) => !gUsed.has(i));
      const ci = c.map((_, j) => j).filter((j) => !cUsed.has(j));
      if (gi.length === 0 || ci.length === 0) continue;
      const pairs = matchOneToOne(
        gi.length,
        ci.length,
        (a, b) => {
          const x = g[gi[a]!]!;
          const y = c[ci[b]!]!;
          if (sameLabel !== (x.label === y.label)) return 0;
          return sim(x, y);
        },
        threshold,
      );
      for (const p of pairs) {
        const x = g[gi[p.a]!]!;
        const y = c[ci[p.b]!]!;
        gUsed.add(gi[p.a]!);
        cUsed.add(ci[p.b]!);
        const base = {
          tool,
          metric,
          goldId: x.id,
          goldLabel: x.label,
          candidateId: y.id,
          candidateLabel: y.label,
          similarity: p.similarity,
        };
        if (sameLabel) {
          tp++;
          bump(perLabel, x.label, 'tp');
          regions.push({ verdict: 'matched', ...base });
        } else {
          bump(perLabel, x.label, 'fn');
          bump(perLabel, y.label, 'fp');
          regions.push({ verdict: 'wrong-label', ...base });
        }
      }
    }
    g.forEach((x, i) => {
      if (gUsed.has(i)) return;
      bump(perLabel, x.label, 'fn');
      regions.push({ verdict: 'missed', tool, metric, goldId: x.id, goldLabel: x.label });
    });
    c.forEach((y, j) => {
      if (cUsed.has(j)) return;
      bump(perLabel, y.label, 'fp');
      regions.push({ verdict: 'extra', tool, metric, candidateId: y.id, candidateLabel: y.label });
    });
    byTool[tool] = g.length + c.length === 0 ? null : (2 * tp) / (g.length + c.length);
  }
  for (const y of candidate) {
    if (tools.has(y.label)) continue;
    bump(perLabel, y.label, 'fp');
    regions.push({
      verdict: 'extra',
      tool: y.type === 'class' ? 'class-single' : y.type,
      metric: 'class',
      candidateId: y.id,
      candidateLabel: y.label,
    });
  }
  for (const s of Object.values(perLabel)) s.f1 = s.tp + s.fp + s.fn === 0 ? null : (2 * s.tp) / (2 * s.tp + s.fp + s.fn);
  const defined = Object.values(byTool).filter((v): v is number => v !== null);
  const unknownExtra = candidate.some((y) => !tools.has(y.label));
  const score = defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : unknownExtra ? 0 : 1;
  return { regions, perLabel, byTool, score };
}

/** Per-label scores summed over several items' feedback (practice progress, exam reports). */
export function sumLabelScores(items: readonly Pick<ItemFeedback, 'perLabel'>[]): Record<string, LabelScore> {
  const out: Record<string, LabelScore> = {};
  for (const it of items) {
    for (const [label, s] of Object.entries(it.perLabel)) {
      const o = labelScore(out, label);
      o.tp += s.tp;
      o.fp += s.fp;
      o.fn += s.fn;
    }
  }
  for (const s of Object.values(out)) s.f1 = s.tp + s.fp + s.fn === 0 ? null : (2 * s.tp) / (2 * s.tp + s.fp + s.fn);
  return out;
}
