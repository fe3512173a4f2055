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

/** Axis-aligned bounds of a point list (Infinity/-Infinity when empty). O(points). */
export function pointBounds(points: Iterable<XY>): { x1: number; y1: number; x2: number; y2: number } {
  let x1 = Infinity,
    y1 = Infinity,
    x2 = -Infinity,
    y2 = -Infinity;
  for (const p of points) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return { x1, y1, x2, y2 };
}

function boundsOverlap(a: readonly XY[], b: readonly XY[]): boolean {
  const A = pointBounds(a);
  const B = pointBounds(b);
  return Math.min(A.x2, B.x2) > Math.max(A.x1, B.x1) && Math.min(A.y2, B.y2) > Math.max(A.y1, B.y1);
}

/**
 * Intersection over union of the areas two polygons cover, with intersection and union computed by
 * polygon-clipping (Martinez–Rueda–Feito sweep line), so concave and self-intersecting outlines
 * are handled. Polygons whose bounding boxes do not overlap return 0 without clipping. Large pairs
 * or pairs whose outlines cross often are rasterised instead, and so is a pair clipping fails on
 * (see {@link polygonIouMethod}, {@link safePolygonIou}); it never throws.
 * Edge cases: fewer than 3 vertices or zero covered area on both sides → 0, never NaN.
 * Complexity: O((v + k) log v) exact (v ≤ 200, k ≤ 50), O(256 · v log v) rasterised.
 */
export function polygonIou(a: readonly XY[], b: readonly XY[]): number {
  return safePolygonIou(a, b).iou;
}

function clippedIou(a: readonly XY[], b: readonly XY[]): number {
  const pa = toClip(a);
  const pb = toClip(b);
  const inter = multiPolygonArea(clipping.intersection(pa, pb));
  if (!Number.isFinite(inter)) throw new RangeError('polygon area overflows');
  if (inter <= 0) return 0;
  const union = multiPolygonArea(clipping.union(pa, pb));
  if (!Number.isFinite(union)) throw new RangeError('polygon area overflows');
  return union > 0 ? Math.min(1, inter / union) : 0;
}

/** Why an outline is not a usable polygon (refused at submit; see `polygonDefect`). */
export type PolygonDefectKind = 'too_few_points' | 'repeated_point' | 'zero_area' | 'self_intersecting';

export interface PolygonDefect {
  kind: PolygonDefectKind;
  /** The vertex where it shows (the first of the two edges that cross, for self-intersection). */
  at: number;
}

const cross = (o: XY, a: XY, b: XY) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
const onSegment = (p: XY, q: XY, r: XY) =>
  Math.min(p.x, r.x) <= q.x && q.x <= Math.max(p.x, r.x) && Math.min(p.y, r.y) <= q.y && q.y <= Math.max(p.y, r.y);

/** True when segments p1p2 and q1q2 share any point (touching counts). */
function segmentsMeet(p1: XY, p2: XY, q1: XY, q2: XY): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && onSegment(q1, p1, q2)) ||
    (d2 === 0 && onSegment(q1, p2, q2)) ||
    (d3 === 0 && onSegment(p1, q1, p2)) ||
    (d4 === 0 && onSegment(p1, q2, p2))
  );
}

/**
 * The first reason an outline is not a simple polygon with an inside, or null: fewer than 3
 * distinct vertices, a vertex repeated by the next one (the ring closes by itself, so a last
 * vertex equal to the first also counts), zero area, or two edges that cross or touch (including
 * an edge that doubles back on the previous one). Such outlines make clipping slow or throw, and
 * mean nothing as a region. O(v²) edge pairs with a bounding-box test; v is capped by the schema.
 */
export function polygonDefect(points: readonly XY[]): PolygonDefect | null {
  const n = points.length;
  const distinct = new Set(points.map((p) => `${p.x},${p.y}`));
  if (n < 3 || distinct.size < 3) return { kind: 'too_few_points', at: 0 };
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const q = points[(i + 1) % n]!;
    if (p.x === q.x && p.y === q.y) return { kind: 'repeated_point', at: (i + 1) % n };
  }
  // All vertices on one line (a bowtie's signed area is 0 too, but it is a crossing, found below).
  const p0 = points[0]!;
  const p1 = points.find((p) => p.x !== p0.x || p.y !== p0.y)!;
  if (points.every((p) => cross(p0, p1, p) === 0)) return { kind: 'zero_area', at: 0 };
  const lo = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    lo[i] = Math.min(a.x, b.x);
  }
  for (let i = 0; i < n; i++) {
    const a1 = points[i]!;
    const a2 = points[(i + 1) % n]!;
    const ax2 = Math.max(a1.x, a2.x);
    const ay1 = Math.min(a1.y, a2.y);
    const ay2 = Math.max(a1.y, a2.y);
    // The next edge shares a vertex: it is a defect only when it doubles back along this one.
    const a3 = points[(i + 2) % n]!;
    if (cross(a1, a2, a3) === 0 && (a3.x - a2.x) * (a1.x - a2.x) + (a3.y - a2.y) * (a1.y - a2.y) > 0)
      return { kind: 'self_intersecting', at: (i + 1) % n };
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (lo[j]! > ax2) continue;
      const b1 = points[j]!;
      const b2 = points[(j + 1) % n]!;
      if (Math.max(b1.x, b2.x) < lo[i]! || Math.max(b1.y, b2.y) < ay1 || Math.min(b1.y, b2.y) > ay2) continue;
      if (segmentsMeet(a1, a2, b1, b2)) return { kind: 'self_intersecting', at: i };
    }
  }
  if (!(polygonArea(points) > 0)) return { kind: 'zero_area', at: 0 };
  return null;
}

/** x positions where a horizontal line at `y` crosses the outline, sorted (even-odd rule). */
function crossingsAt(points: readonly XY[], y: number): number[] {
  const xs: number[] = [];
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const q = points[(i + 1) % n]!;
    if ((p.y <= y && q.y > y) || (q.y <= y && p.y > y)) xs.push(p.x + ((y - p.y) / (q.y - p.y)) * (q.x - p.x));
  }
  return xs.sort((a, b) => a - b);
}

/**
 * Polygon IoU on a `cells` × `cells` grid over the two outlines' joint bounding box (cell centres,
 * even-odd rule): an approximation that never throws, in O(cells · (v log v + cells)). Used where
 * clipping would be slow or fails; its error is about one cell along each edge (≈1% for a polygon
 * spanning the grid).
 */
export function polygonIouRaster(a: readonly XY[], b: readonly XY[], cells = 256): number {
  if (a.length < 3 || b.length < 3 || !boundsOverlap(a, b)) return 0;
  const { x1, y1, x2, y2 } = pointBounds([...a, ...b]);
  const dx = (x2 - x1) / cells;
  const dy = (y2 - y1) / cells;
  if (!(dx > 0 && dy > 0) || !Number.isFinite(dx) || !Number.isFinite(dy)) return 0;
  let inter = 0;
  let union = 0;
  for (let r = 0; r < cells; r++) {
    const y = y1 + (r + 0.5) * dy;
    const xa = crossingsAt(a, y);
    const xb = crossingsAt(b, y);
    if (!xa.length && !xb.length) continue;
    // Cells go left to right, so each side's crossing count only grows: one pointer per side.
    let pa = 0;
    let pb = 0;
    for (let c = 0; c < cells; c++) {
      const x = x1 + (c + 0.5) * dx;
      while (pa < xa.length && xa[pa]! <= x) pa++;
      while (pb < xb.length && xb[pb]! <= x) pb++;
      const ia = pa % 2 === 1;
      const ib = pb % 2 === 1;
      if (ia && ib) inter++;
      if (ia || ib) union++;
    }
  }
  return union > 0 ? inter / union : 0;
}

/** Exact clipping is used up to this many vertices in a pair… */
export const EXACT_IOU_MAX_VERTICES = 200;
/** …and this many crossings between the two outlines (polygon-clipping's sweep slows down sharply with them). */
export const EXACT_IOU_MAX_CROSSINGS = 50;

/** Crossings between the edges of two outlines, counted up to `limit` + 1. O(v_a · v_b) with a bounding-box test. */
function crossingsBetween(a: readonly XY[], b: readonly XY[], limit: number): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const a1 = a[i]!;
    const a2 = a[(i + 1) % a.length]!;
    const ax1 = Math.min(a1.x, a2.x),
      ax2 = Math.max(a1.x, a2.x),
      ay1 = Math.min(a1.y, a2.y),
      ay2 = Math.max(a1.y, a2.y);
    for (let j = 0; j < b.length; j++) {
      const b1 = b[j]!;
      const b2 = b[(j + 1) % b.length]!;
      if (Math.max(b1.x, b2.x) < ax1 || Math.min(b1.x, b2.x) > ax2 || Math.max(b1.y, b2.y) < ay1 || Math.min(b1.y, b2.y) > ay2) continue;
      if (segmentsMeet(a1, a2, b1, b2) && ++k > limit) return k;
    }
  }
  return k;
}

/**
 * How {@link polygonIou} computes a pair: `none` (a side has no area or the bounds do not
 * overlap: 0), `exact` (clipping; small pairs with few crossings) or `raster`
 * ({@link polygonIouRaster}: large pairs or many crossings, where clipping takes seconds — two
 * interleaved 1,000-vertex combs took 23 s). Costs O(v_a · v_b) at most for small pairs.
 */
export function polygonIouMethod(a: readonly XY[], b: readonly XY[]): 'none' | 'exact' | 'raster' {
  if (a.length < 3 || b.length < 3 || !boundsOverlap(a, b)) return 'none';
  if (a.length + b.length > EXACT_IOU_MAX_VERTICES) return 'raster';
  return crossingsBetween(a, b, EXACT_IOU_MAX_CROSSINGS) > EXACT_IOU_MAX_CROSSINGS ? 'raster' : 'exact';
}

/**
 * {@link polygonIou} with how it was computed: `approximate` when the raster answered, because the
 * pair is too costly to clip ({@link polygonIouMethod}) or clipping failed (polygon-clipping can
 * throw on degenerate input, e.g. "Infinite loop when passing sweep line"). Never throws.
 */
export function safePolygonIou(a: readonly XY[], b: readonly XY[]): { iou: number; approximate: boolean } {
  const method = polygonIouMethod(a, b);
  if (method === 'none') return { iou: 0, approximate: false };
  if (method === 'raster') return { iou: polygonIouRaster(a, b), approximate: true };
  try {
    const iou = clippedIou(a, b);
    if (Number.isFinite(iou)) return { iou, approximate: false };
  } catch {
    // fall through to the approximation
  }
  return { iou: polygonIouRaster(a, b), approximate: true };
}
