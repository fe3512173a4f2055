import { describe, expect, it } from 'vitest';
import { polygonArea, polygonCoveredArea, polygonIou, rectIou } from '@labelwork/core/geometry/index';
import { seededRandom } from '@labelwork/core/metrics/index';

const square = (x: number, y: number, s: number) => [
  { x, y },
  { x: x + s, y },
  { x: x + s, y: y + s },
  { x, y: y + s },
];

describe('polygon area and IoU', () => {
  it('computes shoelace areas regardless of vertex order', () => {
    expect(polygonArea(square(0, 0, 3))).toBe(9);
    expect(polygonArea([...square(0, 0, 3)].reverse())).toBe(9);
    expect(
      polygonArea([
        { x: 0, y: 0 },
        { x: 4, y: 0 },
        { x: 0, y: 3 },
      ]),
    ).toBe(6);
    expect(
      polygonArea([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toBe(0);
  });

  it('measures the area a self-intersecting outline covers', () => {
    const bowtie = [
      { x: 0, y: 0 },
      { x: 2, y: 2 },
      { x: 2, y: 0 },
      { x: 0, y: 2 },
    ];
    expect(polygonArea(bowtie)).toBe(0);
    expect(polygonCoveredArea(bowtie)).toBeCloseTo(2, 12);
  });

  it('gives 1 for identical, 1/7 for half-offset squares and 0 for disjoint polygons', () => {
    expect(polygonIou(square(0, 0, 2), square(0, 0, 2))).toBeCloseTo(1, 12);
    expect(polygonIou(square(0, 0, 2), square(1, 1, 2))).toBeCloseTo(1 / 7, 12);
    expect(polygonIou(square(0, 0, 1), square(5, 5, 1))).toBe(0);
    expect(
      polygonIou(square(0, 0, 1), [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toBe(0);
  });

  it('handles a concave polygon: an L-shape against the square it sits in', () => {
    const L = [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 2 },
      { x: 0, y: 2 },
    ];
    expect(polygonIou(L, square(0, 0, 2))).toBeCloseTo(3 / 4, 12);
    expect(polygonIou(L, square(1, 1, 1))).toBe(0);
  });

  it('agrees with box IoU on random axis-aligned rectangles', () => {
    const r = seededRandom(12);
    for (let t = 0; t < 100; t++) {
      const a = { x: r() * 50, y: r() * 50, w: 1 + r() * 40, h: 1 + r() * 40 };
      const b = { x: r() * 50, y: r() * 50, w: 1 + r() * 40, h: 1 + r() * 40 };
      const poly = (q: typeof a) => [
        { x: q.x, y: q.y },
        { x: q.x + q.w, y: q.y },
        { x: q.x + q.w, y: q.y + q.h },
        { x: q.x, y: q.y + q.h },
      ];
      expect(polygonIou(poly(a), poly(b))).toBeCloseTo(rectIou(a, b), 9);
    }
  });
});
