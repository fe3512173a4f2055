/**
 * Span offsets are Unicode code points (what Python's `str` indexes), while JavaScript strings
 * index UTF-16 code units: every character outside the Basic Multilingual Plane (emoji, CJK
 * Extension B…) is one code point but two code units. These helpers convert between the two.
 *
 * A lone surrogate counts as one code point, as in Python strings decoded with `surrogatepass`
 * and as `codePointLength` counts it.
 */

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when UTF-16 index `i` of `text` falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1));
}

/**
 * Code-point offset of UTF-16 index `utf16` (clamped to [0, text.length]). An index inside a
 * surrogate pair is rounded down to the start of the pair.
 */
export function utf16ToCodePoint(text: string, utf16: number): number {
  const end = Math.max(0, Math.min(text.length, Math.floor(utf16)));
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      if (i + 1 >= end) break;
      i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 index of code-point offset `cp` (clamped to [0, code-point length]). */
export function codePointToUtf16(text: string, cp: number): number {
  let remaining = Math.max(0, Math.floor(cp));
  let i = 0;
  while (remaining > 0 && i < text.length) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i += 2;
    else i += 1;
    remaining--;
  }
  return i;
}

/** `text[start:end]` as Python slices it, with code-point offsets (non-negative, end exclusive). */
export function sliceByCodePoints(text: string, start: number, end?: number): string {
  const index = codePointIndex(text);
  return index.slice(start, end ?? index.length);
}

/** Precomputed conversions for one text, for repeated lookups (O(1) each after an O(n) build). */
export interface CodePointIndex {
  readonly text: string;
  /** Length in code points (Python's `len`). */
  readonly length: number;
  /** UTF-16 index of a code-point offset, clamped to [0, length]. */
  toUtf16(cp: number): number;
  /** Code-point offset of a UTF-16 index, clamped; inside a surrogate pair rounds down. */
  toCodePoint(utf16: number): number;
  /** Substring between two code-point offsets (clamped; empty when end ≤ start). */
  slice(start: number, end: number): string;
}

/** Builds a {@link CodePointIndex} for `text`. */
export function codePointIndex(text: string): CodePointIndex {
  // starts[k] = UTF-16 index where code point k starts; starts[length] = text.length.
  const starts: number[] = [];
  const cpOf = new Uint32Array(text.length + 1);
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    starts.push(i);
    cpOf[i] = k;
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      cpOf[i + 1] = k;
      i++;
    }
    k++;
  }
  starts.push(text.length);
  cpOf[text.length] = k;
  const length = k;
  const clampCp = (cp: number) => Math.max(0, Math.min(length, Math.floor(cp)));
  const toUtf16 = (cp: number) => starts[clampCp(cp)] ?? text.length;
  return {
    text,
    length,
    toUtf16,
    toCodePoint: (utf16) => cpOf[Math.max(0, Math.min(text.length, Math.floor(utf16)))] ?? length,
    slice: (start, end) => {
      const a = clampCp(start);
      const b = clampCp(end);
      return b <= a ? '' : text.slice(toUtf16(a), toUtf16(b));
    },
  };
}
