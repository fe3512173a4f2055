import { describe, expect, it } from 'vitest';
import {
  lsPointsToPixels,
  lsRectToEnclosingPixelBox,
  lsRectToPixelBox,
  lsRectToPixelPolygon,
  percentToPixel,
  pixelBoxToLsRect,
  pixelsToLsPoints,
  pixelToPercent,
} from '@labelwork/core';

const close = (a: { x: number; y: number }[], b: { x: number; y: number }[]) =>
  a.forEach((p, i) => {
    expect(p.x).toBeCloseTo(b[i]!.x, 9);
    expect(p.y).toBeCloseTo(b[i]!.y, 9);
  });

describe('Label Studio percent coordinates', () => {
  it('converts percent of the image to pixels and back', () => {
    expect(percentToPixel(25, 640)).toBe(160);
    expect(pixelToPercent(160, 640)).toBe(25);
    expect(pixelToPercent(5, 0)).toBe(0);
    const box = { x: 64, y: 48, w: 320, h: 96 };
    expect(pixelBoxToLsRect(box, 640, 480)).toEqual({ x: 10, y: 10, width: 50, height: 20 });
    expect(lsRectToPixelBox(pixelBoxToLsRect(box, 640, 480), 640, 480)).toEqual(box);
    const pts = [
      { x: 0, y: 0 },
      { x: 640, y: 240 },
      { x: 320, y: 480 },
    ];
    expect(lsPointsToPixels(pixelsToLsPoints(pts, 640, 480), 640, 480)).toEqual(pts);
  });

  it('rotates a rectangle clockwise about its top-left corner in pixel space', () => {
    // 200 × 100 px (on a 400 × 200 image) rotated 90° clockwise about (100, 50): it hangs down-left.
    const r = { x: 25, y: 25, width: 50, height: 50, rotation: 90 };
    close(lsRectToPixelPolygon(r, 400, 200), [
      { x: 100, y: 50 },
      { x: 100, y: 250 },
      { x: 0, y: 250 },
      { x: 0, y: 50 },
    ]);
    const e = lsRectToEnclosingPixelBox(r, 400, 200);
    expect(e.x).toBeCloseTo(0, 9);
    expect(e.y).toBeCloseTo(50, 9);
    expect(e.w).toBeCloseTo(100, 9);
    expect(e.h).toBeCloseTo(200, 9);
  });

  it('keeps a rotated box a rectangle on a non-square image (rotation is not applied in percent)', () => {
    const poly = lsRectToPixelPolygon({ x: 10, y: 10, width: 20, height: 10, rotation: 30 }, 1000, 200);
    const side = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
    expect(side(poly[0]!, poly[1]!)).toBeCloseTo(200, 9);
    expect(side(poly[1]!, poly[2]!)).toBeCloseTo(20, 9);
    const dot = (poly[1]!.x - poly[0]!.x) * (poly[2]!.x - poly[1]!.x) + (poly[1]!.y - poly[0]!.y) * (poly[2]!.y - poly[1]!.y);
    expect(dot).toBeCloseTo(0, 6);
  });

  it('treats rotation 0 and 360 as an axis-aligned box', () => {
    expect(lsRectToEnclosingPixelBox({ x: 10, y: 10, width: 50, height: 20, rotation: 360 }, 640, 480)).toEqual({
      x: 64,
      y: 48,
      w: 320,
      h: 96,
    });
  });
});
