import { describe, expect, it } from 'vitest';
import { alignSpans, meanPairwiseSpanF1, spanAgreement, type TextSpan } from '@labelwork/core/metrics/index';

const span = (doc: number, label: string, start: number, end: number): TextSpan => ({ doc, label, start, end });

describe('span agreement', () => {
  it("reproduces seqeval's README example: exact F1 0.5", () => {
    const a = [span(0, 'MISC', 3, 6), span(1, 'PER', 0, 2)];
    const b = [span(0, 'MISC', 2, 6), span(1, 'PER', 0, 2)];
    const r = spanAgreement(a, b, 'exact');
    expect(r.overall.f1).toBe(0.5);
    expect(r.perLabel.PER!.f1).toBe(1);
    expect(r.perLabel.MISC!.f1).toBe(0);
    expect(spanAgreement(a, b, 'overlap').overall.f1).toBe(1);
  });

  it('never matches spans of different labels or docs', () => {
    expect(spanAgreement([span(0, 'PER', 0, 3)], [span(0, 'ORG', 0, 3)]).overall.f1).toBe(0);
    expect(spanAgreement([span(0, 'PER', 0, 3)], [span(1, 'PER', 0, 3)]).overall.f1).toBe(0);
  });

  it('matches overlapping spans one-to-one, so one long span cannot cover two', () => {
    const a = [{ label: 'LOC', start: 0, end: 20 }];
    const b = [
      { label: 'LOC', start: 0, end: 5 },
      { label: 'LOC', start: 10, end: 15 },
    ];
    const r = spanAgreement(a, b, 'overlap');
    expect(r.overall.tp).toBe(1);
    expect(r.overall.precision).toBe(0.5);
    expect(r.overall.recall).toBe(1);
    expect(r.overall.f1).toBeCloseTo(2 / 3, 12);
    expect(spanAgreement([{ label: 'LOC', start: 0, end: 5 }], [{ label: 'LOC', start: 5, end: 9 }], 'overlap').overall.tp).toBe(0);
  });

  it('counts duplicate spans once each and is symmetric in F1', () => {
    const a = [span(0, 'X', 1, 2), span(0, 'X', 1, 2)];
    const b = [span(0, 'X', 1, 2)];
    expect(spanAgreement(a, b).overall.tp).toBe(1);
    expect(spanAgreement(a, b).overall.f1).toBeCloseTo(spanAgreement(b, a).overall.f1!, 12);
  });

  it('returns null F1 with a reason when nobody marked a span', () => {
    const r = spanAgreement([], []);
    expect(r.overall.f1).toBeNull();
    expect(r.reason).toMatch(/neither/);
  });

  it('averages pairwise F1 for k annotators, overall and per label', () => {
    const r = meanPairwiseSpanF1([[span(0, 'PER', 0, 2)], [span(0, 'PER', 0, 2)], [span(0, 'PER', 0, 3)]], 'exact');
    expect(r.pairs).toBe(3);
    expect(r.value).toBeCloseTo(1 / 3, 12);
    expect(r.perLabel.PER).toBeCloseTo(1 / 3, 12);
    expect(meanPairwiseSpanF1([[span(0, 'PER', 0, 2)], [span(0, 'PER', 0, 2)], [span(0, 'PER', 0, 3)]], 'overlap').value).toBe(1);
    expect(meanPairwiseSpanF1([[]]).value).toBeNull();
  });
});

describe('alignSpans (side-by-side review of text)', () => {
  const s = (label: string, start: number, end: number) => ({ label, start, end });

  it('puts identical spans in one agreeing row and orders rows by text position', () => {
    // 张伟在北京工作 — both annotators mark 张伟 PER [0,2) and 北京 LOC [3,5).
    const a = [s('LOC', 3, 5), s('PER', 0, 2)];
    const b = [s('PER', 0, 2), s('LOC', 3, 5)];
    const rows = alignSpans([a, b]);
    expect(rows.map((r) => [r.start, r.end, r.agree])).toEqual([
      [0, 2, true],
      [3, 5, true],
    ]);
    expect(rows[0]!.cells).toEqual([[s('PER', 0, 2)], [s('PER', 0, 2)]]);
  });

  it('groups partial overlaps, chains of overlaps and different labels into one disagreeing row', () => {
    const a = [s('ORG', 0, 4)]; // 北京大学
    const b = [s('LOC', 0, 2), s('ORG', 2, 4)]; // 北京 + 大学
    const c = [s('ORG', 3, 6)]; // overlaps b's second span only: chained into the same row
    const rows = alignSpans([a, b, c]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ start: 0, end: 6, agree: false });
    expect(rows[0]!.cells.map((x) => x.length)).toEqual([1, 2, 1]);
  });

  it('marks a row where one annotator has nothing as a disagreement; touching spans are separate rows', () => {
    const rows = alignSpans([[s('PER', 0, 2), s('LOC', 2, 4)], [s('PER', 0, 2)]]);
    expect(rows.map((r) => [r.start, r.end, r.agree, r.cells[1]!.length])).toEqual([
      [0, 2, true, 1],
      [2, 4, false, 0],
    ]);
  });

  it('ignores empty spans and handles no annotators or no spans', () => {
    expect(alignSpans([])).toEqual([]);
    expect(alignSpans([[], []])).toEqual([]);
    expect(alignSpans([[s('X', 3, 3)], []])).toEqual([]);
  });
});
