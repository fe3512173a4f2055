import type { BBoxRegion, PolygonRegion, Region } from '@labelwork/core';
import type { Keypoint, Rect, Size, Vec } from './types.ts';

export const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function clampPoint(p: Vec, image: Size): Vec {
  return { x: clamp(p.x, 0, image.width), y: clamp(p.y, 0, image.height) };
}

/** The box spanned by two corners, clamped to the image. */
export function boxFromCorners(a: Vec, b: Vec, image: Size): Rect {
  const p = clampPoint(a, image);
  const q = clampPoint(b, image);
  return { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), w: Math.abs(p.x - q.x), h: Math.abs(p.y - q.y) };
}

export function dist2(a: Vec, b: Vec): number {
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
}

/** Closest point to p on segment ab, with t in [0, 1] along it. */
export function projectOnSegment(p: Vec, a: Vec, b: Vec): { point: Vec; t: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0, 1);
  return { point: { x: a.x + t * dx, y: a.y + t * dy }, t };
}

export function pointInPolygon(p: Vec, pts: readonly Vec[]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i]!;
    const b = pts[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

const boundsCache = new WeakMap<Region, Rect | null>();

/** Axis-aligned bounds of a drawable region in image pixels (null for spans and classes). */
export function regionBounds(r: Region): Rect | null {
  if (r.type === 'bbox') return { x: r.x, y: r.y, w: r.w, h: r.h };
  const cached = boundsCache.get(r);
  if (cached !== undefined) return cached;
  let out: Rect | null = null;
  if (r.type === 'polygon' || r.type === 'keypoints') {
    const pts = r.type === 'keypoints' ? r.points.filter((p) => p.v > 0) : r.points;
    if (pts.length > 0) {
      let x0 = Infinity,
        y0 = Infinity,
        x1 = -Infinity,
        y1 = -Infinity;
      for (const p of pts) {
        if (p.x < x0) x0 = p.x;
        if (p.y < y0) y0 = p.y;
        if (p.x > x1) x1 = p.x;
        if (p.y > y1) y1 = p.y;
      }
      out = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    }
  }
  boundsCache.set(r, out);
  return out;
}

export function rectsIntersect(a: Rect, b: Rect, margin = 0): boolean {
  return a.x - margin <= b.x + b.w && b.x - margin <= a.x + a.w && a.y - margin <= b.y + b.h && b.y - margin <= a.y + a.h;
}

/** Resize handles of a box: corners and edge midpoints, named by compass direction. */
export type BoxHandle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const BOX_HANDLES: readonly BoxHandle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

export function boxHandlePoint(b: Rect, h: BoxHandle): Vec {
  const x = h.includes('w') ? b.x : h.includes('e') ? b.x + b.w : b.x + b.w / 2;
  const y = h.startsWith('n') ? b.y : h.startsWith('s') ? b.y + b.h : b.y + b.h / 2;
  return { x, y };
}

/** Moves the handle's edges to `p` (clamped); the opposite edges stay. Flipping past them normalises. */
export function resizeBox(b: Rect, h: BoxHandle, p: Vec, image: Size): Rect {
  const q = clampPoint(p, image);
  let x0 = b.x,
    y0 = b.y,
    x1 = b.x + b.w,
    y1 = b.y + b.h;
  if (h.includes('w')) x0 = q.x;
  if (h.includes('e')) x1 = q.x;
  if (h.startsWith('n')) y0 = q.y;
  if (h.startsWith('s')) y1 = q.y;
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
}

/** The region moved by (dx, dy), with the move shortened so every point stays inside the image. */
export function translateRegion<R extends Region>(r: R, dx: number, dy: number, image: Size): R {
  const b = regionBounds(r);
  if (!b) return r;
  const mx = clamp(dx, -b.x, image.width - (b.x + b.w));
  const my = clamp(dy, -b.y, image.height - (b.y + b.h));
  if (mx === 0 && my === 0) return r;
  switch (r.type) {
    case 'bbox':
      return { ...r, x: r.x + mx, y: r.y + my };
    case 'polygon':
      return { ...r, points: r.points.map((p) => ({ x: p.x + mx, y: p.y + my })) };
    case 'keypoints':
      return { ...r, points: r.points.map((p) => (p.v > 0 ? { ...p, x: p.x + mx, y: p.y + my } : p)) };
    default:
      return r;
  }
}

/** Points of a polygon or keypoints region that can be dragged (visible or occluded keypoints). */
export function vertexPoints(r: Region): (Vec | null)[] {
  if (r.type === 'polygon') return r.points;
  if (r.type === 'keypoints') return r.points.map((p) => (p.v > 0 ? p : null));
  return [];
}

export function moveVertex<R extends Region>(r: R, index: number, p: Vec, image: Size): R {
  const q = clampPoint(p, image);
  if (r.type === 'polygon') return { ...r, points: r.points.map((v, i) => (i === index ? q : v)) };
  if (r.type === 'keypoints') return { ...r, points: r.points.map((v, i) => (i === index ? { ...v, x: q.x, y: q.y } : v)) };
  return r;
}

/** Polygon without vertex `index`; null when it would drop below three points. */
export function deleteVertex(r: PolygonRegion, index: number): PolygonRegion | null {
  if (r.points.length <= 3 || index < 0 || index >= r.points.length) return null;
  return { ...r, points: r.points.filter((_, i) => i !== index) };
}

/** Polygon with a new vertex after `index`, at `p` (default: the middle of the edge that follows). */
export function insertVertex(r: PolygonRegion, index: number, p?: Vec): PolygonRegion {
  const a = r.points[index];
  const b = r.points[(index + 1) % r.points.length];
  if (!a || !b) return r;
  const q = p ?? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const points = r.points.slice();
  points.splice(index + 1, 0, q);
  return { ...r, points };
}

/** Nearest polygon edge to p within `tol`: the index of its first vertex and the projected point. */
export function nearestEdge(r: PolygonRegion, p: Vec, tol: number): { index: number; point: Vec } | null {
  let best: { index: number; point: Vec; d: number } | null = null;
  for (let i = 0; i < r.points.length; i++) {
    const a = r.points[i]!;
    const b = r.points[(i + 1) % r.points.length]!;
    const { point } = projectOnSegment(p, a, b);
    const d = dist2(p, point);
    if (d <= tol * tol && (!best || d < best.d)) best = { index: i, point, d };
  }
  return best ? { index: best.index, point: best.point } : null;
}

/** Keypoint visibility after a "toggle visibility" press: visible → occluded → not labelled → visible. */
export function nextVisibility(v: Keypoint['v']): Keypoint['v'] {
  return v === 2 ? 1 : v === 1 ? 0 : 2;
}

export type Hit = { kind: 'handle'; handle: BoxHandle } | { kind: 'vertex'; index: number } | { kind: 'body' };

/** What of region `r` lies under p: a resize handle or vertex (within `tol`), or the shape itself. */
export function hitRegion(r: Region, p: Vec, tol: number, withHandles: boolean): Hit | null {
  if (r.type === 'bbox') {
    if (withHandles) {
      for (const h of BOX_HANDLES) if (dist2(p, boxHandlePoint(r, h)) <= tol * tol) return { kind: 'handle', handle: h };
    }
    return hitBox(r, p, tol) ? { kind: 'body' } : null;
  }
  if (r.type === 'polygon' || r.type === 'keypoints') {
    const pts = vertexPoints(r);
    if (withHandles || r.type === 'keypoints') {
      let best = -1;
      let bestD = tol * tol;
      pts.forEach((q, i) => {
        if (!q) return;
        const d = dist2(p, q);
        if (d <= bestD) {
          best = i;
          bestD = d;
        }
      });
      if (best >= 0) return withHandles ? { kind: 'vertex', index: best } : { kind: 'body' };
    }
    if (r.type === 'polygon') {
      if (pointInPolygon(p, r.points) || nearestEdge(r, p, tol)) return { kind: 'body' };
    }
  }
  return null;
}

function hitBox(b: BBoxRegion, p: Vec, tol: number): boolean {
  return p.x >= b.x - tol && p.x <= b.x + b.w + tol && p.y >= b.y - tol && p.y <= b.y + b.h + tol;
}

/**
 * The region to pick at p among `regions` (only those `pickable`): the smallest by area, so a
 * small box inside a large one can be selected; ties go to the one drawn last.
 */
export function pickRegion(regions: readonly Region[], p: Vec, tol: number, pickable: (r: Region) => boolean): Region | null {
  let best: Region | null = null;
  let bestArea = Infinity;
  for (const r of regions) {
    if (!pickable(r)) continue;
    const b = regionBounds(r);
    if (!b || p.x < b.x - tol || p.x > b.x + b.w + tol || p.y < b.y - tol || p.y > b.y + b.h + tol) continue;
    if (!hitRegion(r, p, tol, false)) continue;
    const area = Math.max(b.w * b.h, 1);
    if (area <= bestArea) {
      best = r;
      bestArea = area;
    }
  }
  return best;
}
