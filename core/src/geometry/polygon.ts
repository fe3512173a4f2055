import * as clippingModule from 'polygon-clipping';
import type { MultiPolygon, Polygon as ClipPolygon } from 'polygon-clipping';

/** A vertex; the shape of `Point` in region.ts. */
export interface XY {
  x: number;
  y: number;
}

// polygon-clipping ships a CommonJS build whose ESM view has only a default export while its types
// declare named ones; take whichever the loader produced.
const clipping = ((clippingModule as unknown as { default?: typeof clippingModule }).default ?? clippingModule) as typeof clippingModule;

function ringArea(ring: readonly (readonly [number, number])[] | readonly XY[], asPairs: boolean): number {
  let s = 0;
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const p = ring[i];
    const q = ring[(i + 1) % n];
    if (p === undefined || q === undefined) continue;
    const [px, py] = asPairs ? (p as readonly [number, number]) : [(p as XY).x, (p as XY).y];
    const [qx, qy] = asPairs ? (q as readonly [number, number]) : [(q as XY).x, (q as XY).y];
    s += px * qy - qx * py;
  }
  return Math.abs(s) / 2;
}

/**
 * Area of a simple polygon by the shoelace formula (absolute value, so vertex order does not
 * matter; the ring need not repeat its first vertex). Fewer than 3 vertices → 0. For a
 * self-intersecting outline this is the signed-area sum, not the covered area; use
 * {@link polygonCoveredArea}. O(vertices).
 */
export function polygonArea(points: readonly XY[]): number {
  return points.length < 3 ? 0 : ringArea(points, false);
}

function multiPolygonArea(mp: MultiPolygon): number {
  let area = 0;
  for (const poly of mp) {
    poly.forEach((ring, i) => {
      const a = ringArea(ring, true);
      area += i === 0 ? a : -a;
    });
  }
  return area;
}

function toClip(points: readonly XY[]): ClipPolygon {
  return [points.map((p) => [p.x, p.y] as [number, number])];
}

/**
 * Area the outline covers, resolving self-intersections with polygon-clipping (a union of the
 * polygon with itself). O(v log v).
 */
export function polygonCoveredArea(points: readonly XY[]): number {
  if (points.length < 3) return 0;
  return multiPolygonArea(clipping.union(toClip(points)));
}

function boundsOverlap(a: readonly XY[], b: readonly XY[]): boolean {
  let ax1 = Infinity, ay1 = Infinity, ax2 = -Infinity, ay2 = -Infinity;
  for (const p of a) {
    ax1 = Math.min(ax1, p.x); ay1 = Math.min(ay1, p.y); ax2 = Math.max(ax2, p.x); ay2 = Math.max(ay2, p.y);
  }
  let bx1 = Infinity, by1 = Infinity, bx2 = -Infinity, by2 = -Infinity;
  for (const p of b) {
    bx1 = Math.min(bx1, p.x); by1 = Math.min(by1, p.y); bx2 = Math.max(bx2, p.x); by2 = Math.max(by2, p.y);
  }
  return Math.min(ax2, bx2) > Math.max(ax1, bx1) && Math.min(ay2, by2) > Math.max(ay1, by1);
}

/**
 * Intersection over union of the areas two polygons cover, with intersection and union computed by
 * polygon-clipping (Martinez–Rueda–Feito sweep line), so concave and self-intersecting outlines
 * are handled. Polygons whose bounding boxes do not overlap return 0 without clipping.
 * Edge cases: fewer than 3 vertices or zero covered area on both sides → 0, never NaN.
 * Complexity: O((v_a + v_b + k) log(v_a + v_b)) with k intersection points.
 */
export function polygonIou(a: readonly XY[], b: readonly XY[]): number {
  if (a.length < 3 || b.length < 3 || !boundsOverlap(a, b)) return 0;
  const pa = toClip(a);
  const pb = toClip(b);
  const inter = multiPolygonArea(clipping.intersection(pa, pb));
  if (inter <= 0) return 0;
  const union = multiPolygonArea(clipping.union(pa, pb));
  return union > 0 ? Math.min(1, inter / union) : 0;
}
