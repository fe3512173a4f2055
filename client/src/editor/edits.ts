import type { LabelDef, LabelSchema, Region } from '@labelwork/core';
import type { RecordOp } from './diff.ts';
import { clamp, deleteVertex, insertVertex, nextVisibility, translateRegion } from './geometry.ts';
import { labelFits } from './labels.ts';
import { roundRegion } from './tools/tool.ts';
import type { Size } from './types.ts';

/** Gives `label` to those of `regions` it suits (others keep theirs). */
export function relabelOps(regions: readonly Region[], label: LabelDef): RecordOp<Region>[] {
  return regions
    .filter((r) => r.label !== label.name && labelFits(label, r))
    .map((r) => ({ op: 'put', record: { ...r, label: label.name } }));
}

/** Moves a region by whole image pixels, staying inside the image. */
export function nudgeOps(r: Region, dx: number, dy: number, image: Size): RecordOp<Region>[] {
  const next = translateRegion(r, dx, dy, image);
  return next === r ? [] : [{ op: 'put', record: roundRegion(next) }];
}

/** Grows or shrinks a box from its right and bottom edges (at least 1 px, inside the image). */
export function resizeOps(r: Region, dw: number, dh: number, image: Size): RecordOp<Region>[] {
  if (r.type !== 'bbox') return [];
  const w = clamp(r.w + dw, 1, image.width - r.x);
  const h = clamp(r.h + dh, 1, image.height - r.y);
  return w === r.w && h === r.h ? [] : [{ op: 'put', record: roundRegion({ ...r, w, h }) }];
}

/** Moves one vertex (polygon) or keypoint by (dx, dy), inside the image. */
export function nudgeVertexOps(r: Region, index: number, dx: number, dy: number, image: Size): RecordOp<Region>[] {
  if (r.type !== 'polygon' && r.type !== 'keypoints') return [];
  const p = r.points[index];
  if (!p || ('v' in p && p.v === 0)) return [];
  const x = clamp(p.x + dx, 0, image.width);
  const y = clamp(p.y + dy, 0, image.height);
  const points = r.points.map((q, i) => (i === index ? { ...q, x, y } : q));
  return [{ op: 'put', record: roundRegion({ ...r, points } as Region) }];
}

export function deleteVertexOps(r: Region, index: number): RecordOp<Region>[] {
  if (r.type !== 'polygon') return [];
  const next = deleteVertex(r, index);
  return next ? [{ op: 'put', record: next }] : [];
}

export function insertVertexOps(r: Region, index: number): RecordOp<Region>[] {
  if (r.type !== 'polygon') return [];
  return [{ op: 'put', record: roundRegion(insertVertex(r, index)) }];
}

/** Keypoint `index`: visible → occluded → not labelled → visible. */
export function cycleVisibilityOps(r: Region, index: number): RecordOp<Region>[] {
  if (r.type !== 'keypoints' || !r.points[index]) return [];
  const points = r.points.map((q, i) => (i === index ? { ...q, v: nextVisibility(q.v) } : q));
  return [{ op: 'put', record: { ...r, points } }];
}

/**
 * Turns a document class on or off. A single-choice class replaces any other single-choice
 * class (only one may be chosen); multiple-choice classes toggle independently.
 */
export function toggleClassOps(regions: readonly Region[], schema: LabelSchema, label: LabelDef, newId: () => string): RecordOp<Region>[] {
  const existing = regions.find((r) => r.type === 'class' && r.label === label.name);
  if (existing) return [{ op: 'remove', id: existing.id }];
  const ops: RecordOp<Region>[] = [];
  if (label.tool === 'class-single') {
    const single = new Set(schema.labels.filter((l) => l.tool === 'class-single').map((l) => l.name));
    for (const r of regions) if (r.type === 'class' && single.has(r.label)) ops.push({ op: 'remove', id: r.id });
  }
  ops.push({ op: 'put', record: { id: newId(), type: 'class', label: label.name } });
  return ops;
}
