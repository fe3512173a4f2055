import { describe, expect, it } from 'vitest';
import { dawidSkene, majorityVote } from '@labelwork/core/consensus/index';
import { AgreementInputError, seededRandom } from '@labelwork/core/metrics/index';

/** Three good coders (90 % right) and two coders who answer at random, on 3 classes. */
function simulate(seed: number, units: number) {
  const r = seededRandom(seed);
  const truth = Array.from({ length: units }, () => (r() < 0.6 ? 0 : r() < 0.5 ? 1 : 2));
  const accuracy = [0.9, 0.9, 0.9, 0.34, 0.34];
  const data = accuracy.map((acc) => truth.map((t) => (r() < 0.15 ? null : r() < acc ? t : Math.floor(r() * 3))));
  return { truth, data };
}

describe('dawidSkene', () => {
  it('recovers the truth better than majority vote and ranks coders by accuracy', () => {
    const { truth, data } = simulate(1, 600);
    const ds = dawidSkene(data);
    expect(ds.converged).toBe(true);
    const dsCorrect = ds.labels.filter((l, u) => l === truth[u]).length / truth.length;
    const mv = majorityVote(data).labels.filter((l, u) => l === truth[u]).length / truth.length;
    expect(dsCorrect).toBeGreaterThan(0.95);
    expect(dsCorrect).toBeGreaterThanOrEqual(mv);
    const acc = ds.accuracies as number[];
    expect(Math.min(acc[0]!, acc[1]!, acc[2]!)).toBeGreaterThan(0.85);
    expect(Math.max(acc[3]!, acc[4]!)).toBeLessThan(0.6);
    expect(ds.priors[0]).toBeCloseTo(0.6, 1);
  });

  it('returns normalised posteriors and confusion rows', () => {
    const { data } = simulate(2, 100);
    const ds = dawidSkene(data);
    for (let u = 0; u < 100; u++) expect(ds.posteriors[u * 3]! + ds.posteriors[u * 3 + 1]! + ds.posteriors[u * 3 + 2]!).toBeCloseTo(1, 12);
    for (const coder of ds.confusion) for (const row of coder) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('is deterministic, including with a seeded random start', () => {
    const { data } = simulate(3, 200);
    expect(dawidSkene(data)).toEqual(dawidSkene(data));
    const a = dawidSkene(data, { init: 'random', random: seededRandom(9) });
    const b = dawidSkene(data, { init: 'random', random: seededRandom(9) });
    expect(a.posteriors).toEqual(b.posteriors);
    expect(a.labels).toEqual(dawidSkene(data).labels);
  });

  it('handles unrated units, a single category and the iteration limit', () => {
    const r = dawidSkene([
      [1, null, 2],
      [1, null, 2],
    ]);
    expect(r.labels).toEqual([1, null, 2]);
    expect(Array.from(r.posteriors.subarray(2, 4))).toEqual(r.priors);
    expect(
      dawidSkene([
        ['x', 'x'],
        ['x', null],
      ]).labels,
    ).toEqual(['x', 'x']);
    const capped = dawidSkene(simulate(4, 50).data, { maxIterations: 1 });
    expect(capped.iterations).toBe(1);
    expect(capped.converged).toBe(false);
    expect(dawidSkene([[null], [null]]).accuracies).toEqual([null, null]);
    expect(() => dawidSkene([[1]], { init: 'random' })).toThrow(AgreementInputError);
  });
});
