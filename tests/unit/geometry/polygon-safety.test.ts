import { describe, expect, it } from 'vitest';
import {
  polygonDefect,
  polygonIou,
  polygonIouMethod,
  polygonIouRaster,
  polygonWork,
  polygonsAsBoxes,
  safePolygonIou,
} from '@labelwork/core/geometry/index';
import { AnnotationContent, MAX_POLYGON_POINTS, MAX_REGIONS, PolygonRegion, regionIssues } from '@labelwork/core';

type XY = { x: number; y: number };
const square = (x: number, y: number, s: number): XY[] => [
  { x, y },
  { x: x + s, y },
  { x: x + s, y: y + s },
  { x, y: y + s },
];
/** A simple comb polygon (4·teeth + 2 vertices); rotated, its teeth cross the unrotated one's. */
function comb(teeth: number, rotate: boolean): XY[] {
  const pts: XY[] = [];
  const tw = 1000 / teeth;
  for (let i = 0; i < teeth; i++)
    pts.push({ x: i * tw, y: 0 }, { x: i * tw + tw / 2, y: 0 }, { x: i * tw + tw / 2, y: 900 }, { x: (i + 1) * tw, y: 900 });
  pts.push({ x: 1000, y: 1000 }, { x: 0, y: 1000 });
  return rotate ? pts.map((p) => ({ x: p.y, y: p.x })) : pts;
}

describe('polygonDefect', () => {
  it('accepts simple polygons, convex or not', () => {
    expect(polygonDefect(square(0, 0, 2))).toBeNull();
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 2, y: 0 },
        { x: 2, y: 1 },
        { x: 1, y: 1 },
        { x: 1, y: 2 },
        { x: 0, y: 2 },
      ]),
    ).toBeNull();
    expect(polygonDefect(comb(249, false))).toBeNull();
  });

  it('names crossings, repeats, zero area and too few points', () => {
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 2, y: 2 },
        { x: 2, y: 0 },
        { x: 0, y: 2 },
      ]),
    ).toMatchObject({ kind: 'self_intersecting' });
    // An edge that doubles back along the previous one (a spike).
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 4, y: 0 },
        { x: 4, y: 4 },
        { x: 4, y: 2 },
        { x: 0, y: 4 },
      ]),
    ).toMatchObject({ kind: 'self_intersecting' });
    // A vertex touching another edge.
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 4, y: 0 },
        { x: 4, y: 4 },
        { x: 2, y: 0 },
        { x: 0, y: 4 },
      ]),
    ).toMatchObject({ kind: 'self_intersecting' });
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 0 },
        { x: 0, y: 1 },
      ]),
    ).toEqual({ kind: 'repeated_point', at: 2 });
    // The ring closes by itself: a last vertex equal to the first is a repeat too.
    expect(polygonDefect([...square(0, 0, 1), { x: 0, y: 0 }])).toEqual({ kind: 'repeated_point', at: 0 });
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ]),
    ).toMatchObject({ kind: 'zero_area' });
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 0, y: 0 },
      ]),
    ).toMatchObject({ kind: 'too_few_points' });
    expect(
      polygonDefect([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toMatchObject({ kind: 'too_few_points' });
  });

  it('checks the largest allowed polygon quickly', () => {
    const circle = Array.from({ length: MAX_POLYGON_POINTS }, (_, i) => ({
      x: 500 + 400 * Math.cos((2 * Math.PI * i) / MAX_POLYGON_POINTS),
      y: 500 + 400 * Math.sin((2 * Math.PI * i) / MAX_POLYGON_POINTS),
    }));
    const t = performance.now();
    expect(polygonDefect(circle)).toBeNull();
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('region checks of polygons', () => {
  it('caps vertices per polygon and regions per annotation in the schema', () => {
    const many = Array.from({ length: MAX_POLYGON_POINTS + 1 }, (_, i) => ({ x: i, y: i % 2 }));
    expect(PolygonRegion.safeParse({ id: 'p', type: 'polygon', label: 'road', points: many }).success).toBe(false);
    expect(
      AnnotationContent.safeParse({
        regions: Array.from({ length: MAX_REGIONS + 1 }, (_, i) => ({ id: `c${i}`, type: 'class', label: 'x' })),
      }).success,
    ).toBe(false);
  });

  it('reports a crossing polygon with its region path and reason', () => {
    const schema = { labels: [{ name: 'road', color: '#4363d8', tool: 'polygon' as const }] };
    const issues = regionIssues(schema, { kind: 'image', width: 10, height: 10 }, [
      { id: 'a', type: 'polygon', label: 'road', points: square(1, 1, 2) },
      {
        id: 'b',
        type: 'polygon',
        label: 'road',
        points: [
          { x: 0, y: 0 },
          { x: 2, y: 2 },
          { x: 2, y: 0 },
          { x: 0, y: 2 },
        ],
      },
    ]);
    expect(issues).toEqual([expect.objectContaining({ path: ['regions', 1, 'points'], reason: 'polygon_self_intersecting' })]);
  });
});

describe('polygon IoU that never throws or stalls', () => {
  it('clips small pairs exactly and rasterises large or often-crossing ones close to the exact value', () => {
    expect(polygonIouMethod(square(0, 0, 2), square(1, 1, 2))).toBe('exact');
    expect(safePolygonIou(square(0, 0, 2), square(1, 1, 2))).toEqual({ iou: expect.closeTo(1 / 7, 12), approximate: false });
    expect(polygonIouRaster(square(0, 0, 2), square(1, 1, 2))).toBeCloseTo(1 / 7, 2);
    expect(polygonIouMethod(square(0, 0, 1), square(5, 5, 1))).toBe('none');
    const [a, b] = [comb(249, false), comb(249, true)];
    expect(polygonIouMethod(a, b)).toBe('raster');
    const t = performance.now();
    const r = safePolygonIou(a, b);
    expect(performance.now() - t).toBeLessThan(1000);
    // Clipping says 0.379 here, after 23 s.
    expect(r.approximate).toBe(true);
    expect(r.iou).toBeGreaterThan(0.3);
    expect(r.iou).toBeLessThan(0.45);
    // Few vertices but many crossings: rasterised too.
    expect(polygonIouMethod(comb(10, false), comb(10, true))).toBe('raster');
  });

  it('falls back to the raster when clipping gives no finite answer', () => {
    // Areas overflow to Infinity: clipping's ratio is NaN.
    const r = safePolygonIou(square(0, 0, 1e300), square(1e299, 1e299, 1e300));
    expect(r.approximate).toBe(true);
    expect(r.iou).toBeGreaterThan(0.6);
    expect(r.iou).toBeLessThan(0.75);
    expect(polygonIou(square(0, 0, 1e300), square(0, 0, 1e300))).toBeCloseTo(1, 6);
  });

  it('counts the IoU work of an agreement and replaces polygons by their boxes', () => {
    const poly = (label: string, points: XY[]) => ({ id: label, type: 'polygon', label, points });
    const sets = [
      [poly('road', comb(249, false)), poly('road', square(0, 0, 10)), { id: 'c', type: 'class', label: 'x' }],
      [poly('road', comb(249, true)), poly('lane', square(0, 0, 10))],
    ];
    // road×road twice (the small square against the large comb is rasterised too); lane has no partner.
    expect(polygonWork(sets)).toEqual({ pairs: 2, rasterised: 2 });
    const boxed = polygonsAsBoxes(sets);
    expect(boxed[0]![0]).toMatchObject({
      id: 'road',
      points: [
        { x: 0, y: 0 },
        { x: 1000, y: 0 },
        { x: 1000, y: 1000 },
        { x: 0, y: 1000 },
      ],
    });
    expect(boxed[0]![2]).toBe(sets[0]![2]);
    expect(polygonWork(boxed)).toEqual({ pairs: 2, rasterised: 0 });
  });
});
