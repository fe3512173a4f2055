import { pointBounds, polygonIouMethod, type XY } from './polygon.ts';

type Shape = { type: string; label: string };
const pointsOf = (r: Shape): readonly XY[] | null =>
  r.type === 'polygon' ? ((r as unknown as { points?: readonly XY[] }).points ?? null) : null;

/** The polygon IoU work of comparing every two annotators' regions (same label only, as matching does). */
export interface PolygonWork {
  /** Same-label polygon pairs whose bounds overlap (each is an IoU computation). */
  pairs: number;
  /** Of those, the ones computed on a raster ({@link polygonIouMethod}): the result is approximate. */
  rasterised: number;
}

/**
 * Counts the polygon IoU computations an agreement over these annotators' regions needs, and how
 * many of them are rasterised, so a caller can bound the work (see {@link polygonsAsBoxes}) and
 * flag approximate results. Pure; O(pairs) plus the cost check of each small pair.
 */
export function polygonWork(sets: readonly (readonly Shape[])[]): PolygonWork {
  const byLabel = sets.map((regions) => {
    const m = new Map<string, (readonly XY[])[]>();
    for (const r of regions) {
      const p = pointsOf(r);
      if (p) m.set(r.label, [...(m.get(r.label) ?? []), p]);
    }
    return m;
  });
  let pairs = 0;
  let rasterised = 0;
  for (let i = 0; i < byLabel.length; i++) {
    for (let j = i + 1; j < byLabel.length; j++) {
      for (const [label, as] of byLabel[i]!) {
        for (const a of as) {
          for (const b of byLabel[j]!.get(label) ?? []) {
            const m = polygonIouMethod(a, b);
            if (m === 'none') continue;
            pairs++;
            if (m === 'raster') rasterised++;
          }
        }
      }
    }
  }
  return { pairs, rasterised };
}

/**
 * The regions with every polygon replaced by its bounding rectangle: the last resort that keeps an
 * agreement computation cheap and infallible whatever was drawn (4-vertex outlines clip in
 * microseconds). The result is an approximation and should be flagged as one. Pure; O(vertices).
 */
export function polygonsAsBoxes<R extends Shape>(sets: readonly (readonly R[])[]): R[][] {
  return sets.map((regions) =>
    regions.map((r) => {
      const p = pointsOf(r);
      if (!p || p.length < 3) return r;
      const { x1, y1, x2, y2 } = pointBounds(p);
      return {
        ...r,
        points: [
          { x: x1, y: y1 },
          { x: x2, y: y1 },
          { x: x2, y: y2 },
          { x: x1, y: y2 },
        ],
      };
    }),
  );
}
