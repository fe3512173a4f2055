import { describe, expect, it } from 'vitest';
import { boxIouMatrix, boxIouXywh, boxIouXyxy, rectIou, type BoxXyxy } from '@labelwork/core/geometry/index';

describe('box IoU', () => {
  it("reproduces torchvision's box_iou test matrix", () => {
    const a: BoxXyxy[] = [
      [0, 0, 100, 100],
      [0, 0, 50, 50],
      [200, 200, 300, 300],
      [0, 0, 25, 25],
    ];
    const m = boxIouMatrix(a, a.slice(0, 3));
    const expected = [
      [1, 0.25, 0],
      [0.25, 1, 0],
      [0, 0, 1],
      [0.0625, 0.25, 0],
    ];
    m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 12)));
  });

  it('gives the same value for xyxy, xywh and region rectangles', () => {
    expect(boxIouXyxy([10, 10, 30, 50], [20, 0, 40, 30])).toBeCloseTo(200 / 1200, 12);
    expect(boxIouXywh([10, 10, 20, 40], [20, 0, 20, 30])).toBeCloseTo(200 / 1200, 12);
    expect(rectIou({ x: 10, y: 10, w: 20, h: 40 }, { x: 20, y: 0, w: 20, h: 30 })).toBeCloseTo(200 / 1200, 12);
    expect(boxIouMatrix([[10, 10, 20, 40]], [[20, 0, 20, 30]], 'xywh')[0]![0]).toBeCloseTo(200 / 1200, 12);
  });

  it('is symmetric, 0 for touching or disjoint boxes and 0 (not NaN) for degenerate ones', () => {
    expect(boxIouXyxy([0, 0, 2, 2], [1, 1, 5, 3])).toBe(boxIouXyxy([1, 1, 5, 3], [0, 0, 2, 2]));
    expect(boxIouXyxy([0, 0, 1, 1], [1, 0, 2, 1])).toBe(0);
    expect(boxIouXyxy([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
    expect(boxIouXyxy([5, 5, 1, 1], [0, 0, 10, 10])).toBe(0);
    expect(boxIouMatrix([], [[0, 0, 1, 1]])).toEqual([]);
  });
});
