import { describe, expect, it } from 'vitest';
import { fuseBoxes } from '@labelwork/core/consensus/index';

const box = (x: number, y: number, w: number, h: number, label = 'car') => ({ x, y, w, h, label });

describe('fuseBoxes', () => {
  it('averages matched boxes and keeps clusters backed by a majority', () => {
    const fused = fuseBoxes([[box(0, 0, 10, 10), box(100, 100, 10, 10)], [box(2, 0, 10, 10)], [box(1, 1, 10, 10), box(300, 300, 5, 5)]]);
    expect(fused).toHaveLength(1);
    expect(fused[0]).toMatchObject({ label: 'car', x: 1, y: 1 / 3, w: 10, h: 10, support: 3 });
    expect(fused[0]!.members).toEqual([
      { annotator: 0, index: 0 },
      { annotator: 1, index: 0 },
      { annotator: 2, index: 0 },
    ]);
  });

  it('keeps labels apart and honours an explicit quorum', () => {
    const fused = fuseBoxes([[box(0, 0, 10, 10), box(0, 0, 10, 10, 'bus')], [box(0, 0, 10, 10, 'bus')]], { quorum: 1 });
    expect(fused.map((f) => [f.label, f.support])).toEqual([
      ['car', 1],
      ['bus', 2],
    ]);
  });

  it('never puts two boxes of one annotator in a cluster', () => {
    const fused = fuseBoxes([[box(0, 0, 10, 10), box(1, 0, 10, 10)], [box(0, 0, 10, 10)]], { quorum: 1 });
    expect(fused).toHaveLength(2);
    for (const f of fused) expect(new Set(f.members.map((m) => m.annotator)).size).toBe(f.members.length);
  });

  it('handles empty input and rejects a bad quorum', () => {
    expect(fuseBoxes([])).toEqual([]);
    expect(fuseBoxes([[], []])).toEqual([]);
    expect(() => fuseBoxes([[box(0, 0, 1, 1)]], { quorum: 2 })).toThrow(RangeError);
  });
});
