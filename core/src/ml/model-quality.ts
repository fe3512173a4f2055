import { rectIou } from '../geometry/box.ts';
import { safePolygonIou } from '../geometry/polygon.ts';
import type { Region } from '../schema/region.ts';

/**
 * Model quality: how much of a model's predictions survived into the final answer (the consensus, or
 * the accepted annotation) of each item, per model version. Each predicted region is matched to at
 * most one final region of the same type (greedy by overlap, best pairs first, overlap ≥ `minIoU`):
 *
 * - kept: same label and the geometry unchanged (IoU ≥ `keptIoU`; spans with the same offsets; classes);
 * - moved: same label, geometry changed;
 * - relabeled: matched, but another label (a single-choice class changed counts here);
 * - deleted: a prediction with no final region;
 * - added: a final region with no prediction.
 *
 * precision = (kept + moved) / predicted, recall = (kept + moved) / final, mean IoU over the kept and
 * moved pairs with geometry (boxes, polygons, keypoints as their points' box, spans as intervals).
 */

export interface ModelQualityItem {
  predicted: readonly Region[];
  final: readonly Region[];
}

export interface ModelQuality {
  items: number;
  predicted: number;
  final: number;
  kept: number;
  moved: number;
  relabeled: number;
  deleted: number;
  added: number;
  /** null when there is nothing to divide by. */
  precision: number | null;
  recall: number | null;
  meanIoU: number | null;
}

export interface ModelQualityOptions {
  /** Least overlap for a prediction and a final region to be the same object (default 0.5). */
  minIoU?: number;
  /** Overlap from which the geometry counts as unchanged (default 0.95). */
  keptIoU?: number;
}

const keypointBox = (pts: readonly { x: number; y: number; v: number }[]) => {
  const vis = pts.filter((p) => p.v > 0);
  if (!vis.length) return null;
  const xs = vis.map((p) => p.x);
  const ys = vis.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
};

/** Overlap of two regions of the same type in [0, 1]; null for classes (no geometry). */
export function regionOverlap(a: Region, b: Region): number | null {
  if (a.type === 'bbox' && b.type === 'bbox') return rectIou(a, b);
  if (a.type === 'polygon' && b.type === 'polygon') return safePolygonIou(a.points, b.points).iou;
  if (a.type === 'span' && b.type === 'span') {
    const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
    const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
    return union > 0 ? inter / union : 0;
  }
  if (a.type === 'keypoints' && b.type === 'keypoints') {
    const ba = keypointBox(a.points);
    const bb = keypointBox(b.points);
    if (!ba || !bb) return 0;
    // Single points or collinear points have no area: compare them as identical when they coincide.
    if (ba.w * ba.h === 0 || bb.w * bb.h === 0) return ba.x === bb.x && ba.y === bb.y && ba.w === bb.w && ba.h === bb.h ? 1 : 0;
    return rectIou(ba, bb);
  }
  return null;
}

/** Counts for one item (see the module comment). */
function itemCounts(predicted: readonly Region[], final: readonly Region[], minIoU: number, keptIoU: number) {
  const c = { kept: 0, moved: 0, relabeled: 0, deleted: 0, added: 0, ious: [] as number[] };
  const usedP = new Set<number>();
  const usedF = new Set<number>();
  // Classes: same label is kept; a single prediction and a single final answer that differ were relabeled.
  const classesP = predicted.map((r, i) => [r, i] as const).filter(([r]) => r.type === 'class');
  const classesF = final.map((r, i) => [r, i] as const).filter(([r]) => r.type === 'class');
  for (const [p, i] of classesP) {
    const j = classesF.find(([f, jj]) => !usedF.has(jj) && f.label === p.label)?.[1];
    if (j !== undefined) {
      usedP.add(i);
      usedF.add(j);
      c.kept++;
    }
  }
  const leftP = classesP.filter(([, i]) => !usedP.has(i));
  const leftF = classesF.filter(([, j]) => !usedF.has(j));
  for (let k = 0; k < Math.min(leftP.length, leftF.length); k++) {
    usedP.add(leftP[k]![1]);
    usedF.add(leftF[k]![1]);
    c.relabeled++;
  }
  // Geometry: greedy, best overlaps first.
  const pairs: { i: number; j: number; iou: number }[] = [];
  predicted.forEach((p, i) => {
    if (p.type === 'class') return;
    final.forEach((f, j) => {
      if (f.type !== p.type) return;
      const iou = regionOverlap(p, f) ?? 0;
      if (iou >= minIoU) pairs.push({ i, j, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou || (predicted[a.i]!.label === final[a.j]!.label ? -1 : 1));
  for (const { i, j, iou } of pairs) {
    if (usedP.has(i) || usedF.has(j)) continue;
    usedP.add(i);
    usedF.add(j);
    if (predicted[i]!.label !== final[j]!.label) c.relabeled++;
    else {
      c.ious.push(iou);
      if (iou >= keptIoU) c.kept++;
      else c.moved++;
    }
  }
  c.deleted = predicted.length - usedP.size;
  c.added = final.length - usedF.size;
  return c;
}

/** Model quality over items (one model version's predictions against the final answers). Pure. */
export function modelQuality(items: readonly ModelQualityItem[], options: ModelQualityOptions = {}): ModelQuality {
  const minIoU = options.minIoU ?? 0.5;
  const keptIoU = options.keptIoU ?? 0.95;
  const q: ModelQuality = {
    items: items.length,
    predicted: 0,
    final: 0,
    kept: 0,
    moved: 0,
    relabeled: 0,
    deleted: 0,
    added: 0,
    precision: null,
    recall: null,
    meanIoU: null,
  };
  let iouSum = 0;
  let iouN = 0;
  for (const it of items) {
    const c = itemCounts(it.predicted, it.final, minIoU, keptIoU);
    q.predicted += it.predicted.length;
    q.final += it.final.length;
    q.kept += c.kept;
    q.moved += c.moved;
    q.relabeled += c.relabeled;
    q.deleted += c.deleted;
    q.added += c.added;
    for (const v of c.ious) {
      iouSum += v;
      iouN++;
    }
  }
  const tp = q.kept + q.moved;
  q.precision = q.predicted ? tp / q.predicted : null;
  q.recall = q.final ? tp / q.final : null;
  q.meanIoU = iouN ? iouSum / iouN : null;
  return q;
}
