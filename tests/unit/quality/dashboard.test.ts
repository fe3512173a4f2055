import { describe, expect, it } from 'vitest';
import { bucketCounts, csvField, forecast, labelConfusion, meanCi, outliers, toCsv, type AnnotatorFigures } from '@labelwork/core';

const fig = (userId: string, f: Partial<AnnotatorFigures>): AnnotatorFigures => ({
  userId,
  submitted: 10,
  secondsPerItem: 30,
  goldAccuracy: 0.9,
  goldN: 5,
  reviewed: 4,
  rejected: 0,
  rejectionRate: 0,
  agreement: 0.8,
  ...f,
});

describe('dashboard figures', () => {
  it('gives a mean with a 95% interval that narrows with more values', () => {
    expect(meanCi([])).toEqual({ mean: null, low: null, high: null, n: 0 });
    expect(meanCi([0.5])).toEqual({ mean: 0.5, low: null, high: null, n: 1 });
    const few = meanCi([0.6, 0.8, 0.7, 0.9]);
    expect(few.mean).toBeCloseTo(0.75);
    // sd = 0.1291, se = 0.0645, half-width 0.1265
    expect(few.low).toBeCloseTo(0.6235, 3);
    expect(few.high).toBeCloseTo(0.8765, 3);
    const many = meanCi(Array.from({ length: 400 }, (_, i) => [0.6, 0.8, 0.7, 0.9][i % 4]!));
    expect(many.high! - many.low!).toBeLessThan((few.high! - few.low!) / 5);
  });

  it('counts events per hour bucket, empty hours included', () => {
    const h = 3_600_000;
    const b = bucketCounts([0, 10, h + 5, 3 * h - 1, 5 * h], 0, 3 * h, h);
    expect(b).toEqual([
      { t: 0, count: 2 },
      { t: h, count: 1 },
      { t: 2 * h, count: 1 },
    ]);
  });

  it('forecasts completion at the recent rate, and says when it cannot', () => {
    const now = 100 * 3_600_000;
    const done = Array.from({ length: 48 }, (_, i) => now - i * 1_800_000 - 1);
    const f = forecast(100, done, now, 24 * 3_600_000);
    expect(f.perHour).toBe(2);
    expect(f.etaHours).toBe(50);
    expect(f.finishAt).toBe(now + 50 * 3_600_000);
    expect(forecast(5, [], now, 3_600_000)).toEqual({ remaining: 5, perHour: 0, etaHours: null, finishAt: null });
    expect(forecast(0, [], now, 3_600_000).etaHours).toBe(0);
  });

  it('builds a symmetric label confusion between annotators and one against consensus', () => {
    const c = labelConfusion([
      { classChoice: { a: 'cat', b: 'dog', c: 'cat' }, consensus: 'cat' },
      { classChoice: { a: 'dog', b: null }, consensus: null },
    ]);
    expect(c.between).toEqual({ cat: { dog: 2, cat: 2 }, dog: { cat: 2, '(none)': 1 }, '(none)': { dog: 1 } });
    expect(c.vsConsensus).toEqual({ cat: { cat: 2 }, dog: { cat: 1 } });
    // Per annotator, the same counts split by who chose (items without consensus left out).
    expect(c.vsConsensusBy).toEqual({ a: { cat: { cat: 1 } }, b: { dog: { cat: 1 } }, c: { cat: { cat: 1 } } });
  });

  it('flags annotators far from the team on the bad side only', () => {
    const rows = [
      fig('a', {}),
      fig('b', { goldAccuracy: 0.92 }),
      fig('c', { goldAccuracy: 0.88 }),
      fig('d', { goldAccuracy: 0.3, rejectionRate: 0.6 }),
      fig('e', { goldAccuracy: 1 }),
    ];
    const o = outliers(rows);
    expect(o.map((x) => [x.userId, x.figure])).toEqual([
      ['d', 'goldAccuracy'],
      ['d', 'rejectionRate'],
    ]);
    expect(outliers(rows.slice(0, 3))).toEqual([]);
  });

  it('writes CSV with quoting, a BOM and no formula injection', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(0.123456)).toBe('0.1235');
    expect(csvField(null)).toBe('');
    expect(toCsv(['标注员', 'n'], [['张三', 3]])).toBe('\uFEFF标注员,n\r\n张三,3\r\n');
  });
});
