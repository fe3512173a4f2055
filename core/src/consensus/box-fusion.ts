import { iouXyxy, type RectLike } from '../geometry/box.ts';
import { matchOneToOne } from '../metrics/matching/one-to-one.ts';
import { clusterOptions, indicesByLabel } from './clusters.ts';

export interface LabeledRect extends RectLike {
  label: string;
}

export interface FusedBox extends LabeledRect {
  /** Number of annotators whose box joined the cluster. */
  support: number;
  /** Which box of which annotator joined: indices into the input lists. */
  members: { annotator: number; index: number }[];
}

export interface BoxFusionOptions {
  /** A box joins a cluster when its IoU with the cluster's current mean box is ≥ this (default 0.5). */
  iouThreshold?: number;
  /** Clusters backed by fewer annotators are dropped; default a strict majority, ⌊k/2⌋ + 1. */
  quorum?: number;
}

interface Cluster {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  members: { annotator: number; index: number }[];
}

/**
 * Fuses k annotators' boxes into consensus boxes. Per label, annotators are taken in order; each
 * annotator's boxes are matched one-to-one (Hungarian, see `matchOneToOne`) to the clusters built
 * so far by IoU with each cluster's mean box, matched boxes join their cluster and unmatched ones
 * open new clusters. A cluster therefore holds at most one box per annotator. The fused box
 * averages its members' corners; clusters with fewer than `quorum` members are dropped.
 * Later annotators see means that include earlier ones, so input order can matter in crowded scenes.
 *
 * Input: one list of `{x, y, w, h, label}` boxes per annotator (e.g. `BBoxRegion`s). Throws
 * RangeError for a threshold outside [0, 1] or a quorum that is not an integer in 1..k.
 * Edge cases: no annotators or no boxes → []. Output: by label in order of first appearance,
 * then by cluster creation. Complexity: O(k × boxes × clusters) IoU evaluations per label plus
 * matching of overlapping groups.
 */
export function fuseBoxes(annotations: readonly (readonly LabeledRect[])[], options: BoxFusionOptions = {}): FusedBox[] {
  const k = annotations.length;
  if (k === 0) return [];
  const { threshold, quorum } = clusterOptions(k, options.iouThreshold ?? 0.5, options.quorum, 'iouThreshold');
  const byLabel = indicesByLabel(annotations);
  const out: FusedBox[] = [];
  for (const [label, perAnnotator] of byLabel) {
    const clusters: Cluster[] = [];
    perAnnotator.forEach((indices, a) => {
      const boxes = indices.map((i) => annotations[a]?.[i] as LabeledRect);
      const means = clusters.map((c) => {
        const n = c.members.length;
        return [c.x1 / n, c.y1 / n, c.x2 / n, c.y2 / n] as const;
      });
      const matches = matchOneToOne(
        boxes.length,
        clusters.length,
        (i, j) => {
          const b = boxes[i] as LabeledRect;
          const m = means[j] as readonly [number, number, number, number];
          return iouXyxy(b.x, b.y, b.x + b.w, b.y + b.h, m[0], m[1], m[2], m[3]);
        },
        threshold,
      );
      const joined = new Int32Array(boxes.length).fill(-1);
      for (const m of matches) joined[m.a] = m.b;
      boxes.forEach((b, i) => {
        const target = joined[i] as number;
        const member = { annotator: a, index: indices[i] as number };
        if (target >= 0) {
          const c = clusters[target] as Cluster;
          c.x1 += b.x;
          c.y1 += b.y;
          c.x2 += b.x + b.w;
          c.y2 += b.y + b.h;
          c.members.push(member);
        } else clusters.push({ x1: b.x, y1: b.y, x2: b.x + b.w, y2: b.y + b.h, members: [member] });
      });
    });
    for (const c of clusters) {
      const n = c.members.length;
      if (n < quorum) continue;
      const x1 = c.x1 / n;
      const y1 = c.y1 / n;
      out.push({ label, x: x1, y: y1, w: c.x2 / n - x1, h: c.y2 / n - y1, support: n, members: c.members });
    }
  }
  return out;
}
