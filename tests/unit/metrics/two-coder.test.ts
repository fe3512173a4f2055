import { describe, expect, it } from 'vitest';
import {
  AgreementInputError,
  cohenKappa,
  cohenKappaFromTable,
  ratingsFromTable,
  scottPi,
  scottPiFromTable,
  seededRandom,
} from '@labelwork/core/metrics/index';
import { ABSTRACTORS_TABLE, randomRatings } from './fixtures.ts';

describe("Cohen's kappa on published examples", () => {
  it('reproduces the three Wikipedia examples', () => {
    const first = cohenKappaFromTable([
      [20, 5],
      [10, 15],
    ]);
    expect(first.value).toBeCloseTo(0.4, 10);
    expect(first.observedAgreement).toBeCloseTo(0.7, 10);
    expect(first.chanceAgreement).toBeCloseTo(0.5, 10);
    expect(
      cohenKappaFromTable([
        [45, 15],
        [25, 15],
      ]).value,
    ).toBeCloseTo(0.1304, 4);
    expect(
      cohenKappaFromTable([
        [25, 35],
        [5, 35],
      ]).value,
    ).toBeCloseTo(0.2593, 4);
  });

  it("reproduces scikit-learn's unweighted, linear and quadratic kappas", () => {
    const table = [
      [46, 0, 0],
      [4, 40, 0],
      [0, 0, 10],
    ];
    expect(cohenKappaFromTable(table).value).toBeCloseTo(0.9315, 4);
    expect(cohenKappaFromTable(table, { weights: 'linear' }).value).toBeCloseTo(0.9412, 4);
    expect(cohenKappaFromTable(table, { weights: 'quadratic' }).value).toBeCloseTo(0.9541, 4);
    const raw = ratingsFromTable(table, [0, 1, 2]);
    expect(cohenKappa(raw, { weights: 'quadratic' }).value).toBeCloseTo(0.9541, 4);
  });

  it("matches irrCAC's kappa2.table and scott2.table on Gwet's abstractors table", () => {
    expect(cohenKappaFromTable(ABSTRACTORS_TABLE).value).toBeCloseTo(0.7964094, 7);
    expect(scottPiFromTable(ABSTRACTORS_TABLE).value).toBeCloseTo(0.7962397, 7);
    const raw = ratingsFromTable(ABSTRACTORS_TABLE, ['Ectopic', 'AIU', 'NIU']);
    expect(cohenKappa(raw, { categories: ['Ectopic', 'AIU', 'NIU'] }).value).toBeCloseTo(0.7964094, 7);
    expect(scottPi(raw).value).toBeCloseTo(0.7962397, 7);
  });
});

describe("Cohen's kappa behaviour", () => {
  it('uses category positions, not values, for weights', () => {
    const a = [1, 2, 3, 4, 6, 6, 1, 3];
    const b = [1, 3, 3, 6, 4, 6, 2, 3];
    const byPosition = cohenKappa([a, b], { weights: 'linear' }).value;
    const relabel = (v: number) => (v === 6 ? 5 : v);
    expect(cohenKappa([a.map(relabel), b.map(relabel)], { weights: 'linear' }).value).toBeCloseTo(byPosition!, 12);
    // An unobserved category in the explicit order widens the scale.
    expect(cohenKappa([a, b], { weights: 'linear', categories: [1, 2, 3, 4, 5, 6] }).value).not.toBeCloseTo(byPosition!, 6);
  });

  it('is symmetric in the two coders', () => {
    const r = seededRandom(3);
    for (let t = 0; t < 10; t++) {
      const [a, b] = randomRatings(r, 2, 50, 4, 0.1);
      for (const weights of ['none', 'linear', 'quadratic'] as const) {
        expect(cohenKappa([b!, a!], { weights }).value).toBeCloseTo(cohenKappa([a!, b!], { weights }).value!, 12);
      }
      expect(scottPi([b!, a!]).value).toBeCloseTo(scottPi([a!, b!]).value!, 12);
    }
  });

  it('counts only units rated by both coders', () => {
    const r = cohenKappa([
      [1, 2, null, 2, 1],
      [1, 2, 1, 2, null],
    ]);
    expect(r.nPairable).toBe(3);
    expect(r.nUnits).toBe(5);
    expect(r.value).toBe(1);
  });

  it('returns null with a reason when chance agreement is 1 or nothing is paired', () => {
    const same = cohenKappa([
      [3, 3, 3],
      [3, 3, 3],
    ]);
    expect(same.value).toBeNull();
    expect(same.reason).toMatch(/one and the same category/);
    expect(
      scottPi([
        [3, 3],
        [3, 3],
      ]).value,
    ).toBeNull();
    const unpaired = cohenKappa([
      [1, null],
      [null, 2],
    ]);
    expect(unpaired.value).toBeNull();
    expect(unpaired.reason).toMatch(/both coders/);
  });

  it('rejects anything but two coders and malformed tables', () => {
    expect(() =>
      cohenKappa([
        [1, 2],
        [1, 2],
        [2, 2],
      ]),
    ).toThrow(AgreementInputError);
    expect(() => scottPi([[1, 2]])).toThrow(/exactly 2 coders/);
    expect(() => cohenKappaFromTable([[1, 2], [3]])).toThrow(/square/);
    expect(() =>
      cohenKappaFromTable([
        [1, -2],
        [3, 4],
      ]),
    ).toThrow(AgreementInputError);
  });
});
