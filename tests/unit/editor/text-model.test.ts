import { describe, expect, it } from 'vitest';
import { codePointIndex, type SpanRegion } from '@labelwork/core';
import {
  assignLanes,
  graphemeBoundaries,
  segmentText,
  snapToGraphemes,
  stepBoundary,
  trimRange,
  wordBoundaries,
} from '../../../client/src/editor/text-model.ts';

const span = (id: string, start: number, end: number, label = 'PER'): SpanRegion => ({ id, type: 'span', label, start, end });

describe('text model', () => {
  it('cuts text into segments at every span boundary, nested and overlapping', () => {
    const spans = [span('outer', 0, 6, 'ORG'), span('inner', 2, 4, 'LOC'), span('cross', 5, 8)];
    const segs = segmentText(10, spans);
    expect(segs.map((s) => [s.start, s.end, s.spans.map((x) => x.id)])).toEqual([
      [0, 2, ['outer']],
      [2, 4, ['outer', 'inner']],
      [4, 5, ['outer']],
      [5, 6, ['outer', 'cross']],
      [6, 8, ['cross']],
      [8, 10, []],
    ]);
  });

  it('adds extra boundaries for the selection and caret', () => {
    expect(segmentText(5, [], [2, 2, 4]).map((s) => [s.start, s.end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
  });

  it('puts inner spans on lanes nearer the text than the spans around them', () => {
    const lanes = assignLanes([
      span('outer', 0, 10),
      span('inner', 2, 4),
      span('inner2', 5, 7),
      span('cross', 6, 12),
      span('apart', 20, 30),
    ]);
    expect(lanes.get('inner')).toBe(0);
    expect(lanes.get('inner2')).toBe(0);
    expect(lanes.get('apart')).toBe(0);
    expect(lanes.get('cross')).toBe(1);
    expect(lanes.get('outer')).toBe(2);
  });

  it('moves by whole characters through emoji, flags and ZWJ sequences (code point offsets)', () => {
    // 家 庭 👨‍👩‍👧‍👦(7 code points) 和 🇨🇳(2) 𠀀 a
    const text = '家庭\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}和\u{1F1E8}\u{1F1F3}\u{20000}a';
    const b = graphemeBoundaries(text);
    expect(b).toEqual([0, 1, 2, 9, 10, 12, 13, 14]);
    expect(stepBoundary(b, 2, 1)).toBe(9);
    expect(stepBoundary(b, 9, -1)).toBe(2);
    expect(stepBoundary(b, 14, 1)).toBe(14);
    expect(stepBoundary(b, 0, -1)).toBe(0);
    expect(snapToGraphemes(b, 4, 11)).toEqual([2, 12]);
  });

  it('finds word boundaries in Chinese and English text', () => {
    const text = 'Hello world，北京欢迎你';
    const b = wordBoundaries(text, 'zh-CN');
    expect(b).toContain(5);
    expect(b).toContain(6);
    expect(b).toContain(11);
    expect(b[b.length - 1]).toBe(codePointIndex(text).length);
  });

  it('trims white space from a selection', () => {
    const index = codePointIndex('  张三\u3000 ');
    expect(trimRange(index, 0, 6)).toEqual([2, 4]);
    expect(trimRange(index, 0, 2)).toBeNull();
  });
});
