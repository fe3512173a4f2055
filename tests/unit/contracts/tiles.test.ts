import { describe, expect, it } from 'vitest';
import { levelForScale, needsPyramid, pyramidLevels, pyramidTileCount, tileRect, tilesInRect } from '@labelwork/core';

describe('tile pyramid arithmetic', () => {
  it('halves each level rounding up, down to the first level that fits one tile (as libvips dzsave depth=onetile)', () => {
    expect(pyramidLevels(5000, 3000).map((l) => [l.width, l.height, l.cols, l.rows, l.factor])).toEqual([
      [313, 188, 1, 1, 16],
      [625, 375, 2, 1, 8],
      [1250, 750, 3, 2, 4],
      [2500, 1500, 5, 3, 2],
      [5000, 3000, 10, 6, 1],
    ]);
    expect(pyramidLevels(20_000, 20_000)).toHaveLength(7);
    expect(pyramidTileCount(20_000, 20_000)).toBe(2139);
    expect(pyramidLevels(400, 300)).toHaveLength(1);
  });

  it('places every tile in full-resolution pixels, the last column and row ending at the image edge', () => {
    const [top, , , , full] = pyramidLevels(5000, 3000);
    expect(tileRect(full!, 0, 0, 5000, 3000)).toEqual({ x: 0, y: 0, w: 512, h: 512 });
    expect(tileRect(full!, 9, 5, 5000, 3000)).toEqual({ x: 4608, y: 2560, w: 392, h: 440 });
    // The top level is 313 px for 5000 / 16 = 312.5: its one tile still covers exactly the image.
    expect(tileRect(top!, 0, 0, 5000, 3000)).toEqual({ x: 0, y: 0, w: 5000, h: 3000 });
  });

  it('lists only the tiles that intersect the view', () => {
    const levels = pyramidLevels(5000, 3000);
    expect(tilesInRect(levels[4]!, { x: 500, y: 10, w: 30, h: 600 })).toEqual([
      { col: 0, row: 0 },
      { col: 1, row: 0 },
      { col: 0, row: 1 },
      { col: 1, row: 1 },
    ]);
    expect(tilesInRect(levels[2]!, { x: 0, y: 0, w: 5000, h: 3000 })).toHaveLength(6);
  });

  it('draws the coarsest level that still has a pixel per device pixel', () => {
    const levels = pyramidLevels(20_000, 20_000);
    expect(levelForScale(levels, 0.05).factor).toBe(16);
    expect(levelForScale(levels, 0.05, 2).factor).toBe(8);
    expect(levelForScale(levels, 0.9).factor).toBe(1);
    expect(levelForScale(levels, 4).factor).toBe(1);
    expect(levelForScale(levels, 0.001).level).toBe(0);
  });

  it('tiles only images longer than the threshold', () => {
    expect(needsPyramid(4096, 4096, 4096)).toBe(false);
    expect(needsPyramid(4097, 10, 4096)).toBe(true);
  });
});
