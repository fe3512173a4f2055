import { describe, expect, it } from 'vitest';
import { spanConsensus } from '@labelwork/core/consensus/index';

const s = (label: string, start: number, end: number) => ({ label, start, end });

describe('spanConsensus', () => {
  it('keeps exact spans marked by a majority', () => {
    const out = spanConsensus([[s('PER', 0, 5), s('LOC', 10, 14)], [s('PER', 0, 5)], [s('PER', 0, 4), s('LOC', 10, 14)]]);
    expect(out).toEqual([
      { ...s('PER', 0, 5), votes: 2 },
      { ...s('LOC', 10, 14), votes: 2 },
    ]);
  });

  it('votes per code point in character mode', () => {
    const out = spanConsensus([[s('PER', 0, 5)], [s('PER', 2, 8)], [s('PER', 3, 4), s('PER', 3, 6)]], { mode: 'character' });
    expect(out).toEqual([{ ...s('PER', 2, 6), votes: 2 }]);
  });

  it('counts an annotator once per span, keeps docs apart and checks the quorum', () => {
    expect(spanConsensus([[s('X', 0, 1), s('X', 0, 1)], []])).toEqual([]);
    const docs = spanConsensus([[{ ...s('X', 0, 1), doc: 1 }], [{ ...s('X', 0, 1), doc: 2 }]], { quorum: 1 });
    expect(docs.map((d) => d.doc)).toEqual([1, 2]);
    expect(spanConsensus([])).toEqual([]);
    expect(() => spanConsensus([[s('X', 0, 1)]], { quorum: 0 })).toThrow(RangeError);
  });
});
