import { describe, expect, it } from 'vitest';
import { placeCallout, type ScreenRect } from '../../../client/src/canvas/callout-place.ts';

const stage = { width: 800, height: 500 };
const size = { width: 200, height: 60 };
const covers = (at: { left: number; top: number }, box: ScreenRect) =>
  at.left < box.left + box.width && at.left + size.width > box.left && at.top < box.top + box.height && at.top + size.height > box.top;
const inside = (at: { left: number; top: number }) =>
  at.left >= 0 && at.top >= 0 && at.left + size.width <= stage.width && at.top + size.height <= stage.height;

describe('comment callouts beside their box', () => {
  it('goes to the right of the box, past its pins', () => {
    const box = { left: 100, top: 100, width: 150, height: 100 };
    const at = placeCallout(box, size, stage, 20);
    expect(at.left).toBeGreaterThanOrEqual(box.left + box.width + 20);
    expect(covers(at, box)).toBe(false);
  });

  it('goes to the left when the box is at the right edge, below or above when it spans the width — never over the box', () => {
    for (const box of [
      { left: 620, top: 120, width: 170, height: 100 },
      { left: 20, top: 40, width: 760, height: 200 },
      { left: 20, top: 300, width: 760, height: 150 },
    ]) {
      const at = placeCallout(box, size, stage, 20);
      expect(covers(at, box), JSON.stringify({ box, at })).toBe(false);
      expect(inside(at)).toBe(true);
    }
  });

  it('covers as little of the box as it can when the box fills the view', () => {
    const box = { left: 0, top: 0, width: 800, height: 500 };
    expect(inside(placeCallout(box, size, stage))).toBe(true);
  });
});
