import { describe, expect, it } from 'vitest';
import {
  matchBoxes,
  matchKeypoints,
  matchOneToOne,
  matchPolygons,
  meanPairwiseF1,
  minCostAssignment,
  seededRandom,
} from '@labelwork/core/metrics/index';

function bruteForceMin(cost: number[][]): number {
  const rows = cost.length;
  const cols = cost[0]!.length;
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const go = (i: number, acc: number, assigned: number) => {
    if (i === rows) {
      if (assigned === Math.min(rows, cols)) best = Math.min(best, acc);
      return;
    }
    if (rows > cols) go(i + 1, acc, assigned); // row may stay unassigned
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + cost[i]![j]!, assigned + 1);
      used[j] = false;
    }
  };
  go(0, 0, 0);
  return best;
}

describe('minCostAssignment (Hungarian)', () => {
  it('finds the minimum-cost assignment on random square and rectangular matrices', () => {
    const r = seededRandom(8);
    for (let t = 0; t < 60; t++) {
      const rows = 1 + (t % 6);
      const cols = 1 + ((t * 7) % 6);
      const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(r() * 20) - 5));
      const assignment = minCostAssignment(Float64Array.from(cost.flat()), rows, cols);
      let total = 0;
      const usedCols = new Set<number>();
      assignment.forEach((j, i) => {
        if (j < 0) return;
        total += cost[i]![j]!;
        usedCols.add(j);
      });
      expect(usedCols.size).toBe(Math.min(rows, cols));
      expect(total).toBe(bruteForceMin(cost));
    }
  });
});

describe('matchOneToOne', () => {
  it('prefers more matched pairs over one very good pair (greedy would not)', () => {
    const sim = [
      [0.9, 0.6],
      [0.6, 0],
    ];
    const m = matchOneToOne(2, 2, (i, j) => sim[i]![j]!, 0.5);
    expect(m).toEqual([
      { a: 0, b: 1, similarity: 0.6 },
      { a: 1, b: 0, similarity: 0.6 },
    ]);
  });

  it('maximises total similarity among maximum matchings and respects the threshold', () => {
    const sim = [
      [0.7, 0.8],
      [0.9, 0.6],
    ];
    expect(matchOneToOne(2, 2, (i, j) => sim[i]![j]!, 0.5).map((x) => [x.a, x.b])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(matchOneToOne(2, 2, (i, j) => sim[i]![j]!, 0.85)).toEqual([{ a: 1, b: 0, similarity: 0.9 }]);
    expect(matchOneToOne(0, 3, () => 1, 0.5)).toEqual([]);
  });
});

describe('matchBoxes / matchPolygons / matchKeypoints', () => {
  const box = (x: number, y: number, w: number, h: number, label = 'car') => ({ x, y, w, h, label });

  it('matches per label at an IoU threshold and reports precision, recall, F1 and mean IoU', () => {
    const a = [box(0, 0, 10, 10), box(20, 20, 10, 10), box(50, 50, 10, 10, 'person')];
    const b = [box(1, 0, 10, 10), box(50, 50, 10, 10), box(100, 100, 5, 5)];
    const r = matchBoxes(a, b);
    expect(r.tp).toBe(1);
    expect(r.fn).toBe(2);
    expect(r.fp).toBe(2);
    expect(r.precision).toBeCloseTo(1 / 3, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.f1).toBeCloseTo(1 / 3, 12);
    expect(r.meanSimilarity).toBeCloseTo(90 / 110, 12);
    expect(r.matches).toEqual([{ a: 0, b: 0, similarity: 90 / 110 }]);
    expect(r.perLabel.person).toEqual({ tp: 0, fp: 0, fn: 1, f1: 0 });
    expect(matchBoxes(a, b, { iouThreshold: 0.95 }).tp).toBe(0);
  });

  it('is symmetric in F1 and handles empty sides', () => {
    const a = [box(0, 0, 10, 10), box(5, 5, 10, 10)];
    const b = [box(0, 0, 10, 12)];
    expect(matchBoxes(a, b).f1).toBeCloseTo(matchBoxes(b, a).f1!, 12);
    const none = matchBoxes([], []);
    expect(none.f1).toBeNull();
    expect(none.reason).toMatch(/neither/);
    const oneSided = matchBoxes(a, []);
    expect(oneSided.f1).toBe(0);
    expect(oneSided.precision).toBeNull();
    expect(oneSided.recall).toBe(0);
    expect(() => matchBoxes(a, b, { iouThreshold: 2 })).toThrow(RangeError);
  });

  it('matches polygons by clipped IoU and keypoint sets by OKS', () => {
    const sq = (x: number, s: number) => ({
      label: 'roof',
      points: [
        { x, y: 0 },
        { x: x + s, y: 0 },
        { x: x + s, y: s },
        { x, y: s },
      ],
    });
    const p = matchPolygons([sq(0, 10), sq(100, 10)], [sq(1, 10), sq(105, 10)]);
    expect(p.tp).toBe(1);
    expect(p.meanSimilarity).toBeCloseTo(90 / 110, 9);
    const pose = (dx: number) => ({
      label: 'cat',
      points: [
        { name: 'nose', x: 10 + dx, y: 10, v: 2 },
        { name: 'tail', x: 60 + dx, y: 40, v: 2 },
      ],
    });
    const k = matchKeypoints([pose(0)], [pose(1), pose(400)]);
    expect(k.tp).toBe(1);
    expect(k.matches[0]!.b).toBe(0);
    expect(k.meanSimilarity!).toBeGreaterThan(0.9);
  });

  it('averages F1 over annotator pairs', () => {
    const sets = [[box(0, 0, 10, 10)], [box(0, 0, 10, 10)], []];
    const r = meanPairwiseF1(sets, (a, b) => matchBoxes(a, b));
    expect(r.pairs).toBe(3);
    expect(r.value).toBeCloseTo(1 / 3, 12);
    expect(meanPairwiseF1([[], []], (a, b) => matchBoxes(a, b)).value).toBeNull();
    expect(meanPairwiseF1([[], []], (a, b) => matchBoxes(a, b), { bothEmpty: 'agree' }).value).toBe(1);
    expect(meanPairwiseF1([[box(0, 0, 1, 1)]], (a, b) => matchBoxes(a, b)).reason).toMatch(/two annotators/);
  });
});
