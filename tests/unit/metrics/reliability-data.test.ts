import { describe, expect, it } from 'vitest';
import {
  AgreementInputError,
  compareCodePoints,
  encodeRatings,
  krippendorffAlpha,
  parseAgreementInput,
  ratingsFromTable,
  seededRandom,
} from '@labelwork/core/metrics/index';
import { randomRatings } from './fixtures.ts';

describe('encodeRatings', () => {
  it('orders categories numerically, then strings by code point', () => {
    const enc = encodeRatings([
      [10, 'b', 2, null],
      ['a', 9, '\u{1F600}', '\uFFFF'],
    ]);
    expect(enc.categories).toEqual([2, 9, 10, 'a', 'b', '\uFFFF', '\u{1F600}']);
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBe(1);
    expect(Array.from(enc.codes)).toEqual([2, 3, 4, 1, 0, 6, -1, 5]);
  });

  it('keeps 1 and "1" apart and uses an explicit order when given', () => {
    expect(encodeRatings([[1, '1']]).categories).toEqual([1, '1']);
    const enc = encodeRatings([['lo', 'hi']], ['hi', 'mid', 'lo']);
    expect(Array.from(enc.codes)).toEqual([2, 0]);
  });

  it('encodes large inputs (typed-array fast path) exactly like small ones', () => {
    const data = randomRatings(seededRandom(2), 5, 2000, 7, 0.1).map((row) => row.map((v) => (v === null ? null : v * 3 + 1)));
    const big = encodeRatings(data);
    const small = data.map((row) => row.slice(0, 100));
    expect(big.categories).toEqual([1, 4, 7, 10, 13, 16, 19]);
    expect(Array.from(big.codes.subarray(0, 500))).toEqual(Array.from(encodeRatings(small, big.categories).codes));
  });

  it('rejects ragged rows, bad values, duplicate or incomplete categories', () => {
    expect(() => encodeRatings([[1, 2], [1]])).toThrow(/ragged/);
    expect(() => encodeRatings([])).toThrow(AgreementInputError);
    expect(() => encodeRatings([[1, Infinity]])).toThrow(/finite/);
    expect(() => encodeRatings([[1, true as unknown as number]])).toThrow(AgreementInputError);
    expect(() => encodeRatings([[1]], [1, 1])).toThrow(/duplicate/);
    expect(() => encodeRatings([[3]], [1, 2])).toThrow(/not among/);
  });

  it('expands contingency tables into paired ratings', () => {
    expect(
      ratingsFromTable(
        [
          [1, 2],
          [0, 1],
        ],
        ['y', 'n'],
      ),
    ).toEqual([
      ['y', 'y', 'y', 'n'],
      ['y', 'n', 'n', 'n'],
    ]);
    expect(() => ratingsFromTable([[1, 2]])).toThrow(/square/);
  });
});

describe('parseAgreementInput', () => {
  it('accepts reliability data with optional categories, or a counts table', () => {
    const d = parseAgreementInput({
      data: [
        [1, null],
        ['a', 2],
      ],
      categories: [1, 2, 'a'],
    });
    expect(d.kind).toBe('data');
    expect(
      parseAgreementInput({
        counts: [
          [1, 2],
          [3, 0],
        ],
      }).kind,
    ).toBe('counts');
  });

  it('rejects ragged, empty or misspelt input with a one-line message', () => {
    expect(() => parseAgreementInput({ data: [[1, 2], [1]] })).toThrow(/ragged data/);
    expect(() => parseAgreementInput({ data: [] })).toThrow(/at least one coder/);
    expect(() => parseAgreementInput({ data: [[true]] })).toThrow(/invalid input at data/);
    expect(() => parseAgreementInput({ dat: [[1]] })).toThrow(AgreementInputError);
    expect(() => parseAgreementInput({ counts: [[1.5]] })).toThrow(/counts/);
    expect(() => parseAgreementInput([1, 2])).toThrow(AgreementInputError);
  });

  it('feeds the coefficients directly', () => {
    const d = parseAgreementInput({
      data: [
        [1, 2, 3],
        [1, 2, 3],
      ],
    });
    if (d.kind !== 'data') throw new Error('expected data');
    expect(krippendorffAlpha(d.data).value).toBe(1);
  });
});
