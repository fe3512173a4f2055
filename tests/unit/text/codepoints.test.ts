import { describe, expect, it } from 'vitest';
import {
  codePointIndex,
  codePointLength,
  codePointToUtf16,
  sliceByCodePoints,
  splitsSurrogatePair,
  utf16ToCodePoint,
} from '@labelwork/core';

// Texts and offsets below were computed with CPython 3 (`len(t)`, `t.index(needle)`), so they are
// the offsets a Python consumer of our exports sees. Escapes keep invisible joiners readable.
const TEXTS = {
  chinese: '张三在北京大学读书。',
  emoji: '我爱\u{1F600}北京\u{1F44D}\u{1F3FD}!',
  zwj: '家庭\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}和国旗\u{1F1E8}\u{1F1F3}\u{1F1FA}\u{1F1F8}在此',
  extB: '\u{20000}\u{20001}字\u{2A6A5}abc',
  mixed: 'Apple 苹果\u{1F34E} costs ¥5，\u{1D4B3} = x² \u{1F469}\u{1F3FB}\u200D\u{1F4BB} done',
} as const;

/** [text, needle, python start, python end] from `s = t.index(n); (s, s + len(n))`. */
const PYTHON_SPANS: [keyof typeof TEXTS, string, number, number][] = [
  ['chinese', '北京', 3, 5],
  ['chinese', '读书', 7, 9],
  ['emoji', '北京', 3, 5],
  ['emoji', '\u{1F44D}\u{1F3FD}', 5, 7],
  ['emoji', '!', 7, 8],
  ['zwj', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}', 2, 9],
  ['zwj', '\u{1F1FA}\u{1F1F8}', 14, 16],
  ['zwj', '在此', 16, 18],
  ['extB', '\u{2A6A5}', 3, 4],
  ['extB', 'abc', 4, 7],
  ['mixed', '苹果\u{1F34E}', 6, 9],
  ['mixed', '\u{1D4B3}', 19, 20],
  ['mixed', '\u{1F469}\u{1F3FB}\u200D\u{1F4BB}', 26, 30],
  ['mixed', 'done', 31, 35],
];

/** Python `len(t)` and UTF-16 length for each text. */
const LENGTHS: Record<keyof typeof TEXTS, [python: number, utf16: number]> = {
  chinese: [10, 10],
  emoji: [8, 11],
  zwj: [18, 26],
  extB: [7, 10],
  mixed: [35, 40],
};

describe('code point offsets', () => {
  it.each(Object.entries(LENGTHS))('counts %s as Python len() does', (name, [python, utf16]) => {
    const text = TEXTS[name as keyof typeof TEXTS];
    expect(text.length).toBe(utf16);
    expect(codePointLength(text)).toBe(python);
    expect(codePointIndex(text).length).toBe(python);
  });

  it.each(PYTHON_SPANS)('finds the Python offsets of a needle in %s text (%s)', (name, needle, start, end) => {
    const text = TEXTS[name];
    const u16 = text.indexOf(needle);
    expect(utf16ToCodePoint(text, u16)).toBe(start);
    expect(utf16ToCodePoint(text, u16 + needle.length)).toBe(end);
    const index = codePointIndex(text);
    expect(index.toCodePoint(u16)).toBe(start);
    expect(index.toCodePoint(u16 + needle.length)).toBe(end);
  });

  it.each(PYTHON_SPANS)('slices %s text like Python t[start:end] (%s)', (name, needle, start, end) => {
    const text = TEXTS[name];
    expect(sliceByCodePoints(text, start, end)).toBe(needle);
    expect(codePointIndex(text).slice(start, end)).toBe(needle);
    expect(text.slice(codePointToUtf16(text, start), codePointToUtf16(text, end))).toBe(needle);
  });

  it('round-trips every code point boundary of every text', () => {
    for (const text of Object.values(TEXTS)) {
      const index = codePointIndex(text);
      for (let cp = 0; cp <= index.length; cp++) {
        const u = codePointToUtf16(text, cp);
        expect(index.toUtf16(cp)).toBe(u);
        expect(utf16ToCodePoint(text, u)).toBe(cp);
        expect(index.toCodePoint(u)).toBe(cp);
      }
    }
  });

  it('rounds a UTF-16 index inside a surrogate pair down to the start of the pair', () => {
    const text = TEXTS.emoji; // 我 爱 😀(2 units) 北 …
    expect(splitsSurrogatePair(text, 3)).toBe(true);
    expect(splitsSurrogatePair(text, 2)).toBe(false);
    expect(utf16ToCodePoint(text, 3)).toBe(2);
    expect(codePointIndex(text).toCodePoint(3)).toBe(2);
  });

  it('clamps offsets outside the text and gives an empty slice for reversed bounds', () => {
    const text = TEXTS.extB;
    expect(codePointToUtf16(text, 99)).toBe(text.length);
    expect(codePointToUtf16(text, -3)).toBe(0);
    expect(utf16ToCodePoint(text, 99)).toBe(7);
    expect(sliceByCodePoints(text, 5, 2)).toBe('');
    expect(sliceByCodePoints(text, 4)).toBe('abc');
  });

  it('counts a lone surrogate as one code point, like codePointLength', () => {
    const text = 'a\uD83Db\uDE00c';
    expect(codePointLength(text)).toBe(5);
    expect(codePointIndex(text).length).toBe(5);
    expect(utf16ToCodePoint(text, 3)).toBe(3);
    expect(sliceByCodePoints(text, 2, 3)).toBe('b');
  });

  it('treats an empty text as length 0', () => {
    expect(codePointIndex('').length).toBe(0);
    expect(codePointIndex('').slice(0, 1)).toBe('');
    expect(utf16ToCodePoint('', 0)).toBe(0);
  });
});
