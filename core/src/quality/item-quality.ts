import { fuseBoxes } from '../consensus/box-fusion.ts';
import { majorityVote } from '../consensus/majority-vote.ts';
import { spanConsensus } from '../consensus/span-consensus.ts';
import { keypointConsensus, polygonConsensus } from '../consensus/shape-consensus.ts';
import { itemAgreement, type AnnotatorRegions, type ItemAgreement, type ItemAgreementOptions } from '../metrics/item-agreement.ts';
import type { LabelSchema, Tool } from '../schema/label-schema.ts';
import type { BBoxRegion, ClassRegion, KeypointsRegion, PolygonRegion, Region, SpanRegion } from '../schema/region.ts';
import { confusionCells, regionConfusion, type ConfusionCell } from './region-confusion.ts';

/** Agreement of one annotator pair on one item, per tool (null where undefined). */
export interface PairAgreement {
  a: string;
  b: string;
  byTool: Partial<Record<Tool, number | null>>;
}

export interface ItemConsensus {
  /** Consensus regions for the tools that have a consensus method. */
  regions: Region[];
  /** Per tool: the method used, or why there is none. */
  byTool: Partial<Record<Tool, { method: string; regions: number; note?: string }>>;
}

/** Everything the quality job stores for an item once its k annotations are in. */
export interface ItemQuality {
  annotators: string[];
  agreement: ItemAgreement;
  /** Agreement value per tool (the `value` of `agreement.byTool`), for dashboards and events. */
  summary: Partial<Record<Tool, number | null>>;
  pairs: PairAgreement[];
  /** Each annotator's single class choice (class-single tools), null when none or several. */
  classChoice: Record<string, string | null>;
  consensus: ItemConsensus;
  /** Label confusion of matched regions between the annotators (`regionConfusion`, as cells); absent on items computed before it existed. */
  regionConfusion?: ConfusionCell[];
}

function toolsOf(schema: LabelSchema): Map<string, Tool> {
  return new Map(schema.labels.map((l) => [l.name, l.tool]));
}

/** The one class-single label an annotator chose, or null (none or several). */
export function singleClassChoice(regions: readonly Region[], schema: LabelSchema): string | null {
  const tools = toolsOf(schema);
  const chosen = regions.filter((r) => r.type === 'class' && tools.get(r.label) === 'class-single');
  return chosen.length === 1 ? (chosen[0] as Region).label : null;
}

function consensusOf(annotations: readonly AnnotatorRegions[], schema: LabelSchema): ItemConsensus {
  const tools = toolsOf(schema);
  const used = new Set(schema.labels.map((l) => l.tool));
  const k = annotations.length;
  const regions: Region[] = [];
  const byTool: ItemConsensus['byTool'] = {};
  const ofTool = (t: Tool) => annotations.map((a) => a.regions.filter((r) => tools.get(r.label) === t));
  for (const tool of used) {
    if (k === 0) break;
    switch (tool) {
      case 'class-single': {
        const data = annotations.map((a) => [singleClassChoice(a.regions, schema)]);
        const vote = majorityVote(data, { tieBreak: 'none' });
        const label = vote.labels[0] ?? null;
        if (label !== null) regions.push({ id: 'consensus-class', type: 'class', label: String(label) } satisfies ClassRegion);
        byTool[tool] = {
          method: 'majority vote (ties: no label)',
          regions: label === null ? 0 : 1,
          ...(vote.tied[0] ? { note: 'tie' } : {}),
        };
        break;
      }
      case 'class-multi': {
        const sets = ofTool(tool).map((rs) => new Set(rs.map((r) => r.label)));
        let n = 0;
        for (const l of schema.labels.filter((x) => x.tool === 'class-multi')) {
          const votes = sets.filter((s) => s.has(l.name)).length;
          if (votes * 2 > k) {
            regions.push({ id: `consensus-${l.name}`, type: 'class', label: l.name });
            n++;
          }
        }
        byTool[tool] = { method: 'per-label strict majority', regions: n };
        break;
      }
      case 'bbox': {
        const fused = fuseBoxes(ofTool(tool) as BBoxRegion[][]);
        fused.forEach((b, i) => regions.push({ id: `consensus-bbox-${i}`, type: 'bbox', label: b.label, x: b.x, y: b.y, w: b.w, h: b.h }));
        byTool[tool] = { method: 'box fusion at IoU >= 0.5, strict-majority quorum', regions: fused.length };
        break;
      }
      case 'span': {
        const spans = spanConsensus(ofTool(tool) as SpanRegion[][]);
        spans.forEach((s, i) => regions.push({ id: `consensus-span-${i}`, type: 'span', label: s.label, start: s.start, end: s.end }));
        byTool[tool] = { method: 'exact-span strict-majority vote', regions: spans.length };
        break;
      }
      case 'polygon': {
        const polys = polygonConsensus(ofTool(tool) as PolygonRegion[][]);
        polys.forEach((p, i) => regions.push({ id: `consensus-polygon-${i}`, type: 'polygon', label: p.label, points: p.points }));
        byTool[tool] = { method: 'medoid polygon of clusters at IoU >= 0.5, strict-majority quorum', regions: polys.length };
        break;
      }
      case 'keypoints': {
        const skeletons = keypointConsensus(ofTool(tool) as KeypointsRegion[][]);
        skeletons.forEach((k, i) =>
          regions.push({
            id: `consensus-keypoints-${i}`,
            type: 'keypoints',
            label: k.label,
            points: k.points.map((p) => ({ name: p.name, x: p.x, y: p.y, v: p.v === 2 ? 2 : p.v === 1 ? 1 : 0 })),
          }),
        );
        byTool[tool] = {
          method:
            'per-point mean of skeletons clustered at OKS >= 0.5 (point kept when a strict majority placed it), strict-majority quorum',
          regions: skeletons.length,
        };
        break;
      }
    }
  }
  return { regions, byTool };
}

/**
 * Quality of one item once its k annotations are in: agreement per tool (`itemAgreement`), the
 * same per annotator pair (for the project's pair matrix), each annotator's single-class choice (for
 * Krippendorff's alpha across items) and a consensus (majority vote for classes, box fusion for
 * boxes, the medoid for polygons, per-point means for keypoints, span vote for spans). Annotators are sorted by id so the result does not depend on
 * submission order. Complexity: k² pairwise matchings per tool.
 */
export function itemQuality(
  annotations: readonly AnnotatorRegions[],
  labelSchema: LabelSchema,
  options: ItemAgreementOptions = {},
): ItemQuality {
  const sorted = [...annotations].sort((x, y) => (x.annotatorId < y.annotatorId ? -1 : x.annotatorId > y.annotatorId ? 1 : 0));
  const agreement = itemAgreement(sorted, labelSchema, options);
  const summary: ItemQuality['summary'] = {};
  for (const [tool, a] of Object.entries(agreement.byTool) as [Tool, { value: number | null }][]) summary[tool] = a.value;
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i] as AnnotatorRegions;
      const b = sorted[j] as AnnotatorRegions;
      const pa = itemAgreement([a, b], labelSchema, options);
      const byTool: PairAgreement['byTool'] = {};
      for (const [tool, v] of Object.entries(pa.byTool) as [Tool, { value: number | null }][]) byTool[tool] = v.value;
      pairs.push({ a: a.annotatorId, b: b.annotatorId, byTool });
    }
  }
  const classChoice: Record<string, string | null> = {};
  for (const a of sorted) classChoice[a.annotatorId] = singleClassChoice(a.regions, labelSchema);
  return {
    annotators: sorted.map((a) => a.annotatorId),
    agreement,
    summary,
    pairs,
    classChoice,
    consensus: consensusOf(sorted, labelSchema),
    regionConfusion: confusionCells(regionConfusion(sorted, labelSchema, options)),
  };
}

/**
 * Score of one annotation against a gold answer in [0, 1]: the mean over tools of the agreement
 * between the two (as `itemAgreement` defines it per tool); tools where it is undefined (nobody
 * drew that tool) are left out. Null when no tool has a defined value.
 */
export function goldScore(
  gold: readonly Region[],
  candidate: readonly Region[],
  labelSchema: LabelSchema,
  options: ItemAgreementOptions = {},
): { value: number | null; byTool: Partial<Record<Tool, number | null>> } {
  const a = itemAgreement(
    [
      { annotatorId: 'gold', regions: gold },
      { annotatorId: 'candidate', regions: candidate },
    ],
    labelSchema,
    options,
  );
  const byTool: Partial<Record<Tool, number | null>> = {};
  let sum = 0;
  let n = 0;
  // A gold class left unanswered is a miss, not an undefined pair.
  const goldClass = singleClassChoice(gold, labelSchema);
  if (a.byTool['class-single'] && goldClass !== null && singleClassChoice(candidate, labelSchema) === null)
    a.byTool['class-single'].value = 0;
  for (const [tool, v] of Object.entries(a.byTool) as [Tool, { value: number | null }][]) {
    byTool[tool] = v.value;
    if (v.value !== null) {
      sum += v.value;
      n++;
    }
  }
  return { value: n ? sum / n : null, byTool };
}
