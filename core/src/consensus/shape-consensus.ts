import { namedKeypointsOks, type NamedKeypoint } from '../geometry/keypoints.ts';
import { polygonIou, type XY } from '../geometry/polygon.ts';
import { matchOneToOne } from '../metrics/matching/one-to-one.ts';
import { clusterOptions, indicesByLabel } from './clusters.ts';

/**
 * Consensus for shapes that cannot be averaged corner by corner like boxes: polygons (the medoid
 * of each cluster) and keypoint skeletons (per named point, the mean of the annotators who placed
 * it, when a majority of the cluster did).
 */

export interface ShapeClusterOptions {
  /** A shape joins a cluster when its mean similarity to the cluster's members is ≥ this (default 0.5). */
  threshold?: number;
  /** Clusters backed by fewer annotators are dropped; default a strict majority of the k annotators, ⌊k/2⌋ + 1. */
  quorum?: number;
}

/** One cluster: at most one shape per annotator, as indices into the input lists. */
export interface ShapeCluster {
  label: string;
  members: { annotator: number; index: number }[];
}

/**
 * Groups k annotators' labelled shapes into clusters of the same object. Per label, annotators are
 * taken in order; each annotator's shapes are matched one-to-one (Hungarian, `matchOneToOne`) to
 * the clusters built so far by their mean similarity to the cluster's members; matched shapes join,
 * the others open new clusters. Clusters with fewer than `quorum` members are dropped.
 * Throws RangeError for a threshold outside [0, 1] or a quorum that is not an integer in 1..k.
 * Output: by label in order of first appearance, then by cluster creation.
 */
export function clusterShapes<T extends { label: string }>(
  annotations: readonly (readonly T[])[],
  similarity: (a: T, b: T) => number,
  options: ShapeClusterOptions = {},
): ShapeCluster[] {
  const k = annotations.length;
  if (k === 0) return [];
  const { threshold, quorum } = clusterOptions(k, options.threshold ?? 0.5, options.quorum, 'threshold');
  const byLabel = indicesByLabel(annotations);
  const out: ShapeCluster[] = [];
  for (const [label, perAnnotator] of byLabel) {
    const clusters: ShapeCluster[] = [];
    perAnnotator.forEach((indices, a) => {
      const shapes = indices.map((i) => annotations[a]![i]!);
      const score = (s: T, c: ShapeCluster) =>
        c.members.reduce((sum, m) => sum + similarity(s, annotations[m.annotator]![m.index]!), 0) / c.members.length;
      const matches = matchOneToOne(shapes.length, clusters.length, (i, j) => score(shapes[i]!, clusters[j]!), threshold);
      const joined = new Int32Array(shapes.length).fill(-1);
      for (const m of matches) joined[m.a] = m.b;
      shapes.forEach((_, i) => {
        const member = { annotator: a, index: indices[i]! };
        if (joined[i]! >= 0) clusters[joined[i]!]!.members.push(member);
        else clusters.push({ label, members: [member] });
      });
    });
    out.push(...clusters.filter((c) => c.members.length >= quorum));
  }
  return out;
}

export interface LabeledPolygon {
  label: string;
  points: readonly XY[];
}

export interface ConsensusPolygon {
  label: string;
  points: XY[];
  /** Annotators whose polygon joined the cluster. */
  support: number;
  /** The chosen polygon: which annotator's, and its mean IoU with the other members (null alone). */
  medoid: { annotator: number; index: number; meanIou: number | null };
}

/**
 * Polygon consensus: clusters by polygon IoU (`clusterShapes`, default threshold 0.5, strict-majority
 * quorum), then per cluster the **medoid** — the member polygon with the highest mean IoU to the
 * other members (ties: the earlier annotator). Vertex lists of different lengths cannot be averaged
 * meaningfully; the medoid is an actual annotator's outline that agrees best with the rest.
 */
export function polygonConsensus(
  annotations: readonly (readonly LabeledPolygon[])[],
  options: ShapeClusterOptions = {},
): ConsensusPolygon[] {
  const iou = (a: LabeledPolygon, b: LabeledPolygon) => polygonIou(a.points, b.points);
  return clusterShapes(annotations, iou, options).map((c) => {
    const shapes = c.members.map((m) => annotations[m.annotator]![m.index]!);
    let best = 0;
    let bestMean = -1;
    shapes.forEach((s, i) => {
      if (shapes.length === 1) return;
      let sum = 0;
      shapes.forEach((o, j) => {
        if (i !== j) sum += iou(s, o);
      });
      const mean = sum / (shapes.length - 1);
      if (mean > bestMean) {
        bestMean = mean;
        best = i;
      }
    });
    const m = c.members[best]!;
    return {
      label: c.label,
      points: shapes[best]!.points.map((p) => ({ x: p.x, y: p.y })),
      support: c.members.length,
      medoid: { ...m, meanIou: shapes.length > 1 ? bestMean : null },
    };
  });
}

export interface LabeledKeypoints {
  label: string;
  points: readonly NamedKeypoint[];
}

export interface ConsensusKeypoints {
  label: string;
  /** In the order of first appearance of each name; v = 0 (x = y = 0) where no majority placed the point. */
  points: NamedKeypoint[];
  support: number;
}

/**
 * Keypoint consensus: skeletons clustered by symmetric OKS (`namedKeypointsOks`, default threshold
 * 0.5, strict-majority quorum); per cluster and point name, when a strict majority of the cluster's
 * members placed the point (v > 0) its position is their mean, visible (v = 2) when a majority of
 * those saw it, else occluded (v = 1); otherwise the point is left unlabeled (v = 0).
 */
export function keypointConsensus(
  annotations: readonly (readonly LabeledKeypoints[])[],
  options: ShapeClusterOptions = {},
): ConsensusKeypoints[] {
  const oks = (a: LabeledKeypoints, b: LabeledKeypoints) => namedKeypointsOks(a.points, b.points).value ?? 0;
  return clusterShapes(annotations, oks, options).map((c) => {
    const shapes = c.members.map((m) => annotations[m.annotator]![m.index]!);
    const names: string[] = [];
    for (const s of shapes) for (const p of s.points) if (!names.includes(p.name)) names.push(p.name);
    const points = names.map((name): NamedKeypoint => {
      const placed = shapes.map((s) => s.points.find((p) => p.name === name)).filter((p): p is NamedKeypoint => p !== undefined && p.v > 0);
      if (placed.length * 2 <= shapes.length) return { name, x: 0, y: 0, v: 0 };
      const visible = placed.filter((p) => p.v === 2).length;
      return {
        name,
        x: placed.reduce((s, p) => s + p.x, 0) / placed.length,
        y: placed.reduce((s, p) => s + p.y, 0) / placed.length,
        v: visible * 2 > placed.length ? 2 : 1,
      };
    });
    return { label: c.label, points, support: c.members.length };
  });
}
