import type { XY } from './polygon.ts';

/**
 * Binary masks: COCO run-length encodings (both count encodings) and exact outlines of a mask as
 * polygons along pixel edges (a polygon's area equals its pixel count).
 */

/**
 * Decodes pycocotools' compressed `counts` string (LEB128-like: 5 data bits per character, offset 48,
 * 0x20 = more, 0x10 = sign on the last character; from the third count on, each is a delta to the count
 * two places before). Throws on characters outside the alphabet.
 */
export function rleCountsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error('the compressed RLE string ends inside a count');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`character "${s[p]}" is not in the compressed RLE alphabet`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p += 1;
      k += 1;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** Encodes counts as pycocotools' compressed string (the inverse of rleCountsFromString). */
export function rleCountsToString(counts: readonly number[]): string {
  let s = '';
  counts.forEach((c0, i) => {
    let x = i > 2 ? c0 - counts[i - 2]! : c0;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  });
  return s;
}

/**
 * Decodes column-major (Fortran order) run lengths, starting with a run of 0s, into a row-major mask
 * (`mask[y * width + x]` is 1 inside). Throws when the runs do not cover exactly height × width pixels.
 */
export function decodeRle(height: number, width: number, counts: readonly number[]): Uint8Array {
  const n = height * width;
  const mask = new Uint8Array(n);
  let i = 0;
  let value = 0;
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new Error(`RLE count ${c} is not a non-negative integer`);
    if (i + c > n) throw new Error(`the RLE runs cover more than the ${height}×${width} pixels of its size`);
    if (value === 1)
      for (let j = i; j < i + c; j++) {
        const col = Math.floor(j / height);
        const row = j - col * height;
        mask[row * width + col] = 1;
      }
    i += c;
    value ^= 1;
  }
  if (i !== n) throw new Error(`the RLE runs cover ${i} pixels, not the ${height}×${width} = ${n} of its size`);
  return mask;
}

/** Signed area with y pointing down: positive for outlines that run clockwise on screen. */
function signedArea(ring: readonly XY[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    s += a.x * b.y - b.x * a.y;
  }
  return s / 2;
}

// Directions: 0 right, 1 down, 2 left, 3 up.
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Traces the outlines of a row-major binary mask along pixel edges. Each 4-connected component gives
 * one outer ring (clockwise on screen, corners only); holes are counted, not returned, since a
 * Labelwork polygon has no holes. Pixels touching only at a corner are separate components.
 */
export function maskOutlines(mask: Uint8Array, width: number, height: number): { outlines: XY[][]; holes: number } {
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
  const W = width + 1;
  // Directed boundary edges with the inside on the walker's right, by start vertex.
  const out = new Map<number, number[]>();
  const edges: { x: number; y: number; d: number; used: boolean }[] = [];
  const add = (x: number, y: number, d: number) => {
    const k = y * W + x;
    let l = out.get(k);
    if (!l) out.set(k, (l = []));
    l.push(edges.length);
    edges.push({ x, y, d, used: false });
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!at(x, y)) continue;
      if (!at(x, y - 1)) add(x, y, 0);
      if (!at(x + 1, y)) add(x + 1, y, 1);
      if (!at(x, y + 1)) add(x + 1, y + 1, 2);
      if (!at(x - 1, y)) add(x, y + 1, 3);
    }
  const outlines: XY[][] = [];
  let holes = 0;
  for (const start of edges) {
    if (start.used) continue;
    const ring: XY[] = [];
    let e = start;
    let prevD = -1;
    for (;;) {
      e.used = true;
      if (e.d !== prevD) ring.push({ x: e.x, y: e.y });
      prevD = e.d;
      const nx = e.x + DX[e.d]!;
      const ny = e.y + DY[e.d]!;
      const cands = (out.get(ny * W + nx) ?? []).map((i) => edges[i]!).filter((c) => !c.used || c === start);
      // Prefer the right turn: at a corner where two pixels touch diagonally, the outline keeps them apart.
      const next = cands.find((c) => c.d === (e.d + 1) % 4) ?? cands.find((c) => c.d === e.d) ?? cands.find((c) => c.d === (e.d + 3) % 4);
      if (!next || next === start) break;
      e = next;
    }
    if (ring.length > 1 && start.d === prevD) ring.shift();
    if (signedArea(ring) > 0) outlines.push(ring);
    else holes += 1;
  }
  return { outlines, holes };
}

function perpendicularDistance(p: XY, a: XY, b: XY): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(p.x - a.x, p.y - a.y);
  return Math.abs(dy * p.x - dx * p.y + b.x * a.y - b.y * a.x) / len;
}

function douglasPeucker(points: readonly XY[], tolerance: number): XY[] {
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    let best = -1;
    let bestD = tolerance;
    for (let k = i + 1; k < j; k++) {
      const d = perpendicularDistance(points[k]!, points[i]!, points[j]!);
      if (d > bestD) {
        bestD = d;
        best = k;
      }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([i, best], [best, j]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/**
 * Simplifies a closed ring to at most `maxPoints` vertices (Douglas–Peucker with a tolerance doubled
 * from half a pixel until it fits). Returns the ring and the tolerance used (0 when unchanged).
 */
export function simplifyRing(ring: readonly XY[], maxPoints: number): { ring: XY[]; tolerance: number } {
  if (ring.length <= maxPoints) return { ring: [...ring], tolerance: 0 };
  // Split the ring at its first vertex and the vertex farthest from it, simplify both halves.
  let far = 1;
  let farD = -1;
  ring.forEach((p, i) => {
    const d = Math.hypot(p.x - ring[0]!.x, p.y - ring[0]!.y);
    if (d > farD) {
      farD = d;
      far = i;
    }
  });
  for (let tolerance = 0.5; ; tolerance *= 2) {
    const a = douglasPeucker(ring.slice(0, far + 1), tolerance);
    const b = douglasPeucker([...ring.slice(far), ring[0]!], tolerance);
    const out = [...a, ...b.slice(1, -1)];
    if (out.length <= maxPoints || out.length <= 3) return { ring: out, tolerance };
  }
}
