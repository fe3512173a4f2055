import { describe, expect, it } from 'vitest';
import {
  actualSize,
  fitViewport,
  imageToScreen,
  levelFactors,
  pickLevel,
  screenToImage,
  visibleImageRect,
  zoomAt,
} from '../../../client/src/editor/viewport.ts';

describe('viewport', () => {
  it('zooms around the cursor: the image point under it stays put', () => {
    const vp = { x: 30, y: -20, scale: 0.5 };
    const cursor = { x: 321, y: 123 };
    const before = screenToImage(vp, cursor);
    const next = zoomAt(vp, 1.7, cursor);
    expect(next.scale).toBeCloseTo(0.85);
    const after = imageToScreen(next, before);
    expect(after.x).toBeCloseTo(cursor.x);
    expect(after.y).toBeCloseTo(cursor.y);
  });

  it('fits an 8000 × 8000 image into the stage, centred', () => {
    const vp = fitViewport({ width: 8000, height: 8000 }, { width: 1200, height: 800 }, 0);
    expect(vp.scale).toBeCloseTo(0.1);
    expect(vp).toMatchObject({ x: 200, y: 0 });
  });

  it('shows 1:1 around the stage centre', () => {
    const vp = actualSize({ x: 0, y: 0, scale: 0.25 }, { width: 800, height: 600 });
    expect(vp.scale).toBe(1);
    expect(screenToImage(vp, { x: 400, y: 300 })).toEqual({ x: 1600, y: 1200 });
  });

  it('picks the smallest display level that still has a pixel per device pixel', () => {
    const factors = levelFactors({ width: 8000, height: 8000 });
    expect(factors).toEqual([1, 2, 4, 8, 16]);
    expect(pickLevel(factors, 1)).toBe(1);
    expect(pickLevel(factors, 0.5)).toBe(2);
    expect(pickLevel(factors, 0.3)).toBe(2);
    expect(pickLevel(factors, 0.1)).toBe(8);
    expect(pickLevel(factors, 0.1, 2)).toBe(4);
    expect(pickLevel(factors, 0.001)).toBe(16);
    expect(pickLevel(factors, 4)).toBe(1);
  });

  it('knows which part of the image is on screen', () => {
    expect(visibleImageRect({ x: -100, y: -50, scale: 1 }, { width: 200, height: 100 }, { width: 250, height: 1000 })).toEqual({
      x: 100,
      y: 50,
      w: 150,
      h: 100,
    });
    expect(visibleImageRect({ x: 500, y: 0, scale: 1 }, { width: 200, height: 100 }, { width: 250, height: 1000 })).toBeNull();
  });
});
