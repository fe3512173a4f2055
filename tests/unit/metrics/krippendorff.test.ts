import { describe, expect, it } from 'vitest';
import {
  AgreementInputError,
  krippendorffAlpha,
  krippendorffAlphaBootstrap,
  ratingsFromTable,
  scottPi,
  seededRandom,
  type AlphaLevel,
  type Rating,
  type ReliabilityData,
} from '@labelwork/core/metrics/index';
import {
  ABSTRACTORS_TABLE,
  BEN_GERRY,
  KRIPPENDORFF_2011,
  RAW_5_OBSERVERS,
  RAW_G1G2,
  RAW_GENDER,
  WIKIPEDIA_ALPHA,
  randomRatings,
} from './fixtures.ts';

const LEVELS: AlphaLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];

/** Textbook alpha: full coincidence matrix and δ² table, O(V²). Reference for the fast path. */
function naiveAlpha(data: ReliabilityData, level: AlphaLevel): number | null {
  const values = [...new Set(data.flat().filter((v): v is number => v !== null && typeof v === 'number'))].sort((a, b) => a - b);
  const V = values.length;
  const index = new Map(values.map((v, i) => [v, i]));
  const o = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  const units = data[0]?.length ?? 0;
  for (let u = 0; u < units; u++) {
    const vals = data.map((row) => row[u]).filter((v): v is number => typeof v === 'number');
    const m = vals.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) o[index.get(vals[i]!)!]![index.get(vals[j]!)!]! += 1 / (m - 1);
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  const delta = (c: number, k: number): number => {
    const a = values[c]!;
    const b = values[k]!;
    if (level === 'nominal') return c === k ? 0 : 1;
    if (level === 'interval') return (a - b) ** 2;
    if (level === 'ratio') return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    return (s - (nc[c]! + nc[k]!) / 2) ** 2;
  };
  let obs = 0;
  let exp = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      obs += o[c]![k]! * delta(c, k);
      exp += nc[c]! * nc[k]! * delta(c, k);
    }
  }
  return n < 2 || exp === 0 ? null : 1 - ((n - 1) * obs) / exp;
}

describe('krippendorffAlpha on published examples', () => {
  it('gives 0.691 on the Wikipedia nominal example', () => {
    expect(krippendorffAlpha(WIKIPEDIA_ALPHA, { level: 'nominal' }).value).toBeCloseTo(0.691, 3);
  });

  it('matches Krippendorff (2011) at every level: nominal 0.743 (D_o 0.200, D_e 0.779), ordinal 0.815, interval 0.849, ratio 0.797', () => {
    const nominal = krippendorffAlpha(KRIPPENDORFF_2011, { level: 'nominal' });
    expect(nominal.value).toBeCloseTo(0.743, 3);
    expect(nominal.observedDisagreement).toBeCloseTo(0.2, 3);
    expect(nominal.expectedDisagreement).toBeCloseTo(0.779, 3);
    expect(nominal.nValues).toBe(40);
    expect(nominal.nPairable).toBe(11);
    expect(nominal.nUnits).toBe(12);
    expect(krippendorffAlpha(KRIPPENDORFF_2011, { level: 'ordinal' }).value).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(KRIPPENDORFF_2011, { level: 'interval' }).value).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(KRIPPENDORFF_2011, { level: 'ratio' }).value).toBeCloseTo(0.797, 3);
  });

  it('orders string categories by the explicit order for ordinal data (0.815, as the krippendorff package documents)', () => {
    const names = ['very low', 'low', 'mid', 'high', 'very high'];
    const words = KRIPPENDORFF_2011.map((row) => row.map((v) => (v === null ? null : names[(v as number) - 1]!)));
    expect(krippendorffAlpha(words, { level: 'ordinal', categories: names }).value).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(words, { level: 'nominal' }).value).toBeCloseTo(0.743, 3);
  });

  it('gives 0.810845 at interval level on the Wikipedia data, as the krippendorff package documents', () => {
    expect(krippendorffAlpha(WIKIPEDIA_ALPHA, { level: 'interval' }).value).toBeCloseTo(0.810845, 6);
  });

  it("matches irrCAC's nominal values on Gwet's datasets", () => {
    expect(krippendorffAlpha(RAW_5_OBSERVERS).value).toBeCloseTo(0.481, 3);
    expect(krippendorffAlpha(BEN_GERRY).value).toBeCloseTo(0.665, 3);
    expect(krippendorffAlpha(RAW_GENDER).value).toBeCloseTo(0.143, 3);
    expect(krippendorffAlpha(RAW_G1G2).value).toBeCloseTo(0.632, 3);
    expect(krippendorffAlpha(ratingsFromTable(ABSTRACTORS_TABLE)).value).toBeCloseTo(0.7972585, 7);
  });
});

describe('krippendorffAlpha properties', () => {
  const random = seededRandom(20240601);
  const samples = Array.from({ length: 12 }, (_, i) => randomRatings(random, 2 + (i % 4), 30 + i * 7, 3 + (i % 5), 0.2));

  it('agrees with the textbook coincidence-matrix computation at every level', () => {
    for (const data of samples) {
      const shifted = data.map((row) => row.map((v) => (v === null ? null : v + 1)));
      for (const level of LEVELS) expect(krippendorffAlpha(shifted, { level }).value).toBeCloseTo(naiveAlpha(shifted, level)!, 10);
    }
  });

  it('is 1 under perfect agreement at every level', () => {
    const data = [
      [1, 2, 3, 4, null],
      [1, 2, 3, 4, 5],
      [null, 2, 3, 4, 5],
    ];
    for (const level of LEVELS) expect(krippendorffAlpha(data, { level }).value).toBe(1);
  });

  it('does not depend on the order of coders or of units', () => {
    for (const data of samples) {
      const reversedCoders = [...data].reverse();
      const reversedUnits = data.map((row) => [...row].reverse());
      for (const level of LEVELS) {
        const base = krippendorffAlpha(data, { level }).value!;
        expect(krippendorffAlpha(reversedCoders, { level }).value).toBeCloseTo(base, 12);
        expect(krippendorffAlpha(reversedUnits, { level }).value).toBeCloseTo(base, 12);
      }
    }
  });

  it('is invariant to renaming categories at nominal level', () => {
    for (const data of samples) {
      const renamed = data.map((row) => row.map((v) => (v === null ? null : `cat-${(v * 7919) % 101}`)));
      expect(krippendorffAlpha(renamed).value).toBeCloseTo(krippendorffAlpha(data).value!, 12);
    }
  });

  it('is invariant to affine maps at interval level and to monotone maps at ordinal level', () => {
    for (const data of samples) {
      const affine = data.map((row) => row.map((v) => (v === null ? null : 3.5 * v - 12)));
      const monotone = data.map((row) => row.map((v) => (v === null ? null : v ** 3 + 7)));
      expect(krippendorffAlpha(affine, { level: 'interval' }).value).toBeCloseTo(krippendorffAlpha(data, { level: 'interval' }).value!, 10);
      expect(krippendorffAlpha(monotone, { level: 'ordinal' }).value).toBeCloseTo(krippendorffAlpha(data, { level: 'ordinal' }).value!, 10);
    }
  });

  it("equals 1 − (1 − π)(2N − 1)/(2N) for two coders without missing data, π being Scott's pi", () => {
    const r = seededRandom(7);
    for (let t = 0; t < 10; t++) {
      const data = randomRatings(r, 2, 20 + t * 13, 4);
      const N = data[0]!.length;
      const pi = scottPi(data).value!;
      expect(krippendorffAlpha(data).value).toBeCloseTo(1 - ((1 - pi) * (2 * N - 1)) / (2 * N), 12);
    }
  });

  it('ignores unpairable units', () => {
    const extended = KRIPPENDORFF_2011.map((row, c) => [...row, c === 0 ? 5 : null, null]);
    expect(krippendorffAlpha(extended).value).toBe(krippendorffAlpha(KRIPPENDORFF_2011).value);
    expect(krippendorffAlpha(extended).nPairable).toBe(11);
  });

  it('accepts categories nobody used without changing the value', () => {
    expect(krippendorffAlpha(KRIPPENDORFF_2011, { level: 'ordinal', categories: [0, 1, 2, 3, 4, 5, 6] }).value).toBeCloseTo(0.815, 3);
  });
});

describe('krippendorffAlpha edge cases', () => {
  it('returns null with a reason when no unit is pairable', () => {
    const r = krippendorffAlpha([
      [1, null, 3],
      [null, 2, null],
    ]);
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/pairable/);
    expect(r.nPairable).toBe(0);
  });

  it('returns null with a reason when every pairable value is the same category', () => {
    for (const level of LEVELS) {
      const r = krippendorffAlpha(
        [
          [2, 2, null],
          [2, 2, 7],
        ],
        { level },
      );
      expect(r.value).toBeNull();
      expect(r.reason).toMatch(/variation/);
    }
  });

  it('returns null for zero units', () => {
    expect(krippendorffAlpha([[], []]).value).toBeNull();
  });

  it('rejects malformed data and non-numeric interval data', () => {
    expect(() => krippendorffAlpha([[1, 2], [1]])).toThrow(AgreementInputError);
    expect(() => krippendorffAlpha([])).toThrow(AgreementInputError);
    expect(() =>
      krippendorffAlpha(
        [
          ['a', 'b'],
          ['a', 'b'],
        ],
        { level: 'interval' },
      ),
    ).toThrow(/numeric/);
    expect(() =>
      krippendorffAlpha(
        [
          [-1, 2],
          [1, 2],
        ],
        { level: 'ratio' },
      ),
    ).toThrow(/non-negative/);
    expect(() =>
      krippendorffAlpha([
        [1, Number.NaN],
        [1, 2],
      ] as Rating[][]),
    ).toThrow(AgreementInputError);
    expect(() =>
      krippendorffAlpha(
        [
          [1, 2],
          [1, 3],
        ],
        { categories: [1, 2] },
      ),
    ).toThrow(/not among/);
  });
});

describe('krippendorffAlphaBootstrap', () => {
  const data = randomRatings(seededRandom(99), 3, 200, 4, 0.1);

  it('is reproducible for a seed and brackets the point estimate', () => {
    const a = krippendorffAlphaBootstrap(data, { samples: 400, random: seededRandom(1) });
    const b = krippendorffAlphaBootstrap(data, { samples: 400, random: seededRandom(1) });
    expect(a.ci).toEqual(b.ci);
    expect(a.value).toBe(krippendorffAlpha(data).value);
    expect(a.ci!.lower).toBeLessThan(a.value!);
    expect(a.ci!.upper).toBeGreaterThan(a.value!);
    expect(a.ci!.validSamples).toBe(400);
    expect(a.ci!.upper - a.ci!.lower).toBeLessThan(0.3);
  });

  it('narrows as the confidence level drops and moves with the seed', () => {
    const wide = krippendorffAlphaBootstrap(data, { samples: 300, random: seededRandom(5), confidence: 0.99 }).ci!;
    const narrow = krippendorffAlphaBootstrap(data, { samples: 300, random: seededRandom(5), confidence: 0.5 }).ci!;
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    const other = krippendorffAlphaBootstrap(data, { samples: 300, random: seededRandom(6), confidence: 0.99 }).ci!;
    expect(other).not.toEqual(wide);
  });

  it('has no interval when alpha is undefined, and rejects bad options', () => {
    expect(
      krippendorffAlphaBootstrap(
        [
          [1, 1],
          [1, 1],
        ],
        { random: seededRandom(1) },
      ).ci,
    ).toBeNull();
    expect(() => krippendorffAlphaBootstrap(data, { samples: 0, random: seededRandom(1) })).toThrow(AgreementInputError);
    expect(() => krippendorffAlphaBootstrap(data, { confidence: 1, random: seededRandom(1) })).toThrow(AgreementInputError);
  });
});
