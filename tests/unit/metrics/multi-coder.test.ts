import { describe, expect, it } from 'vitest';
import {
  AgreementInputError,
  bennettS,
  fleissKappa,
  fleissKappaFromCounts,
  gwetAc1,
  percentAgreement,
  ratingsFromTable,
  scottPi,
  seededRandom,
} from '@labelwork/core/metrics/index';
import { ABSTRACTORS_TABLE, BEN_GERRY, KRIPPENDORFF_2011, RAW_5_OBSERVERS, RAW_G1G2, RAW_GENDER, randomRatings } from './fixtures.ts';

const WIKIPEDIA_FLEISS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

describe("Fleiss' kappa", () => {
  it('reproduces the Wikipedia example: 0.210 with P̄ 0.378 and P̄e 0.213', () => {
    const r = fleissKappaFromCounts(WIKIPEDIA_FLEISS);
    expect(r.value).toBeCloseTo(0.21, 3);
    expect(r.observedAgreement).toBeCloseTo(0.378, 3);
    expect(r.chanceAgreement).toBeCloseTo(0.213, 3);
  });

  it('gives the same value from raw ratings as from the counts table', () => {
    const raw = Array.from({ length: 14 }, (_, rater) =>
      WIKIPEDIA_FLEISS.map((row) => {
        let seen = 0;
        for (let k = 0; k < row.length; k++) {
          seen += row[k]!;
          if (rater < seen) return k;
        }
        return null;
      }),
    );
    expect(fleissKappa(raw).value).toBeCloseTo(fleissKappaFromCounts(WIKIPEDIA_FLEISS).value!, 12);
  });

  it("matches irrCAC's fleiss.kappa.raw on Gwet's datasets, missing ratings included", () => {
    expect(fleissKappa(KRIPPENDORFF_2011).value).toBeCloseTo(0.761, 3);
    expect(fleissKappa(KRIPPENDORFF_2011).chanceAgreement).toBeCloseTo(0.239, 3);
    expect(fleissKappa(RAW_5_OBSERVERS).value).toBeCloseTo(0.458, 3);
    expect(fleissKappa(RAW_G1G2).value).toBeCloseTo(0.657, 3);
    expect(fleissKappa(RAW_GENDER).value).toBeCloseTo(0.129, 3);
    expect(fleissKappa(BEN_GERRY).value).toBeCloseTo(0.649, 3);
  });

  it("equals Scott's pi for two coders without missing data", () => {
    const r = seededRandom(11);
    for (let t = 0; t < 5; t++) {
      const data = randomRatings(r, 2, 40, 3);
      expect(fleissKappa(data).value).toBeCloseTo(scottPi(data).value!, 12);
    }
  });

  it('returns null with a reason for one category or no pairable unit, and rejects bad tables', () => {
    expect(
      fleissKappaFromCounts([
        [3, 0],
        [4, 0],
      ]).value,
    ).toBeNull();
    expect(
      fleissKappa([
        [1, null],
        [null, 2],
      ]).reason,
    ).toMatch(/two or more/);
    expect(() => fleissKappaFromCounts([[1, 2], [1]])).toThrow(AgreementInputError);
    expect(() => fleissKappaFromCounts([[1.5, 2]])).toThrow(AgreementInputError);
  });
});

describe("Gwet's AC1/AC2, Bennett's S and percent agreement", () => {
  it("match irrCAC on Gwet's 4-rater data (pa 0.818, AC1 0.775, S 0.773; AC2 linear 0.859, quadratic 0.914)", () => {
    expect(percentAgreement(KRIPPENDORFF_2011).value).toBeCloseTo(0.818, 3);
    const ac1 = gwetAc1(KRIPPENDORFF_2011);
    expect(ac1.value).toBeCloseTo(0.775, 3);
    expect(ac1.chanceAgreement).toBeCloseTo(0.19, 3);
    expect(bennettS(KRIPPENDORFF_2011).value).toBeCloseTo(0.773, 3);
    expect(gwetAc1(KRIPPENDORFF_2011, { weights: 'linear' }).value).toBeCloseTo(0.859, 3);
    expect(gwetAc1(KRIPPENDORFF_2011, { weights: 'quadratic' }).value).toBeCloseTo(0.914, 3);
    expect(bennettS(KRIPPENDORFF_2011, { weights: 'linear' }).value).toBeCloseTo(0.848, 3);
    expect(bennettS(KRIPPENDORFF_2011, { weights: 'quadratic' }).value).toBeCloseTo(0.902, 3);
  });

  it("match irrCAC on Gwet's other raw datasets", () => {
    expect(gwetAc1(RAW_5_OBSERVERS).value).toBeCloseTo(0.497, 3);
    expect(bennettS(RAW_5_OBSERVERS).value).toBeCloseTo(0.487, 3);
    expect(percentAgreement(RAW_5_OBSERVERS).value).toBeCloseTo(0.616, 3);
    expect(gwetAc1(RAW_G1G2).value).toBeCloseTo(0.685, 3);
    expect(bennettS(RAW_G1G2).value).toBeCloseTo(0.679, 3);
    expect(gwetAc1(RAW_GENDER).value).toBeCloseTo(0.208, 3);
    expect(bennettS(RAW_GENDER).value).toBeCloseTo(0.183, 3);
    expect(gwetAc1(BEN_GERRY).value).toBeCloseTo(0.661, 3);
    expect(bennettS(BEN_GERRY).value).toBeCloseTo(0.659, 3);
    expect(percentAgreement(BEN_GERRY).value).toBeCloseTo(0.727, 3);
  });

  it("match irrCAC's table functions on the abstractors table (AC1 0.8493305, BP 0.835, pa 0.89)", () => {
    const raw = ratingsFromTable(ABSTRACTORS_TABLE);
    expect(gwetAc1(raw).value).toBeCloseTo(0.8493305, 7);
    expect(bennettS(raw).value).toBeCloseTo(0.835, 10);
    expect(percentAgreement(raw).value).toBeCloseTo(0.89, 10);
  });

  it('percent agreement with two coders is the share of paired units that agree', () => {
    const r = percentAgreement([
      [1, 2, 3, null, 1],
      [1, 3, 3, 2, null],
    ]);
    expect(r.value).toBeCloseTo(2 / 3, 12);
    expect(r.nPairable).toBe(3);
  });

  it("Bennett's S counts categories in an explicit order even when unused", () => {
    const data = [
      [1, 2, 1, 2],
      [1, 2, 2, 2],
    ];
    expect(bennettS(data).value).toBeCloseTo((0.75 - 0.5) / 0.5, 12);
    expect(bennettS(data, { categories: [1, 2, 3, 4] }).value).toBeCloseTo((0.75 - 0.25) / 0.75, 12);
  });

  it('are 1 under perfect agreement and symmetric in coders', () => {
    const perfect = [
      [1, 2, 3, 1],
      [1, 2, 3, 1],
      [1, 2, 3, null],
    ];
    for (const f of [gwetAc1, bennettS, fleissKappa, percentAgreement]) expect(f(perfect).value).toBe(1);
    const r = seededRandom(4);
    const data = randomRatings(r, 4, 60, 5, 0.2);
    const shuffled = [data[2]!, data[0]!, data[3]!, data[1]!];
    for (const f of [gwetAc1, bennettS, fleissKappa, percentAgreement]) expect(f(shuffled).value).toBeCloseTo(f(data).value!, 12);
  });

  it('return null with a reason when undefined', () => {
    const one = [
      [1, 1],
      [1, 1],
    ];
    expect(gwetAc1(one).value).toBeNull();
    expect(gwetAc1(one).reason).toMatch(/two categories/);
    expect(gwetAc1(one, { categories: [1, 2] }).value).toBe(1);
    expect(bennettS(one).value).toBeNull();
    expect(percentAgreement(one).value).toBe(1);
    expect(percentAgreement([[1, null]]).value).toBeNull();
  });
});
