import { describe, expect, it } from 'vitest';
import { majorityVote } from '@labelwork/core/consensus/index';
import { AgreementInputError } from '@labelwork/core/metrics/index';

describe('majorityVote', () => {
  it('picks the most frequent category per unit with its share of votes', () => {
    const r = majorityVote([
      ['a', 'b', null, 'c'],
      ['a', 'b', null, 'd'],
      ['b', 'b', null, null],
    ]);
    expect(r.labels).toEqual(['a', 'b', null, 'c']);
    expect(Array.from(r.support)).toEqual([2 / 3, 1, 0, 0.5]);
    expect(Array.from(r.tied)).toEqual([0, 0, 0, 1]);
  });

  it('breaks ties by the category order, or not at all', () => {
    expect(
      majorityVote([
        [2, 'x'],
        [1, 'w'],
      ]).labels,
    ).toEqual([1, 'w']);
    expect(majorityVote([[2], [1]], { categories: [2, 1] }).labels).toEqual([2]);
    const none = majorityVote(
      [
        [2, 5],
        [1, 5],
      ],
      { tieBreak: 'none' },
    );
    expect(none.labels).toEqual([null, 5]);
    expect(Array.from(none.codes)).toEqual([-1, 2]);
  });

  it('weights coders and validates the weights', () => {
    expect(majorityVote([['x'], ['y'], ['y']], { coderWeights: [3, 1, 1] }).labels).toEqual(['x']);
    expect(majorityVote([['x'], ['y']], { coderWeights: [0, 0] }).labels).toEqual([null]);
    expect(() => majorityVote([['x']], { coderWeights: [1, 2] })).toThrow(AgreementInputError);
    expect(() => majorityVote([['x']], { coderWeights: [-1] })).toThrow(AgreementInputError);
  });
});
