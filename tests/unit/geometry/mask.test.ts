import { describe, expect, it } from 'vitest';
import { decodeRle, maskOutlines, polygonArea, rleCountsFromString, rleCountsToString, simplifyRing } from '../../../core/src/index.ts';

/** A row-major mask from rows of '#' and '.'. */
const mask = (...rows: string[]) => ({
  width: rows[0]!.length,
  height: rows.length,
  data: Uint8Array.from(
    rows
      .join('')
      .split('')
      .map((c) => (c === '#' ? 1 : 0)),
  ),
});
/** Column-major run lengths of a row-major mask, starting with 0s (what COCO stores). */
function encode(m: { width: number; height: number; data: Uint8Array }): number[] {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < m.width; x++)
    for (let y = 0; y < m.height; y++) {
      const v = m.data[y * m.width + x]!;
      if (v !== value) {
        counts.push(run);
        run = 0;
        value = v;
      }
      run += 1;
    }
  counts.push(run);
  return counts;
}

describe('COCO RLE and mask outlines', () => {
  it('decodes column-major counts and pycocotools strings to the same mask', () => {
    const m = mask('.##..', '.##..', '...#.', '.....');
    expect(encode(m)).toEqual([4, 2, 2, 2, 4, 1, 5]);
    expect(decodeRle(4, 5, [4, 2, 2, 2, 4, 1, 5])).toEqual(m.data);
    expect(rleCountsFromString('42202O1')).toEqual([4, 2, 2, 2, 4, 1, 5]);
    expect(rleCountsToString([4, 2, 2, 2, 4, 1, 5])).toBe('42202O1');
  });

  it('encodes and decodes large and negative deltas symmetrically', () => {
    const counts = [6010, 190, 110, 190, 110, 0, 3, 70000, 1, 2];
    expect(rleCountsFromString(rleCountsToString(counts))).toEqual(counts);
  });

  it('refuses counts that do not cover the mask and characters outside the alphabet', () => {
    expect(() => decodeRle(2, 2, [1, 1])).toThrow(/cover 2 pixels/);
    expect(() => decodeRle(2, 2, [3, 3])).toThrow(/more than/);
    expect(() => rleCountsFromString('4~')).toThrow(/alphabet/);
  });

  it('traces an L shape along pixel edges: corners only, area = pixel count', () => {
    const m = mask('#..', '#..', '###');
    const { outlines, holes } = maskOutlines(m.data, m.width, m.height);
    expect(holes).toBe(0);
    expect(outlines).toEqual([
      [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 2 },
        { x: 3, y: 2 },
        { x: 3, y: 3 },
        { x: 0, y: 3 },
      ],
    ]);
    expect(polygonArea(outlines[0]!)).toBe(5);
  });

  it('keeps pixels that touch only at a corner apart, and counts holes', () => {
    const diag = mask('#.', '.#');
    expect(maskOutlines(diag.data, 2, 2).outlines).toHaveLength(2);
    const ring = mask('###', '#.#', '###');
    const r = maskOutlines(ring.data, 3, 3);
    expect(r.holes).toBe(1);
    expect(r.outlines).toEqual([
      [
        { x: 0, y: 0 },
        { x: 3, y: 0 },
        { x: 3, y: 3 },
        { x: 0, y: 3 },
      ],
    ]);
  });

  it('simplifies an outline with too many corners to the budget, staying close to it', () => {
    // a staircase of 400 steps: 800 corners
    const ring = [];
    for (let i = 0; i < 400; i++) ring.push({ x: i, y: i }, { x: i + 1, y: i });
    ring.push({ x: 400, y: 400 }, { x: 0, y: 400 });
    const { ring: out, tolerance } = simplifyRing(ring, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.length).toBeGreaterThanOrEqual(3);
    expect(tolerance).toBeGreaterThan(0);
    expect(Math.abs(polygonArea(out) - polygonArea(ring)) / polygonArea(ring)).toBeLessThan(0.01);
    expect(simplifyRing(ring, 1000)).toEqual({ ring, tolerance: 0 });
  });
});
