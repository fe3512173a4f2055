import { codePointIndex, type CodePointIndex, type SpanRegion } from '@labelwork/core';

/** A run of text between two consecutive boundaries, with the spans that cover it. */
export interface Segment {
  start: number;
  end: number;
  spans: readonly SpanRegion[];
}

/**
 * Cuts [0, length) at every span start and end (and any extra boundaries: the selection, the
 * caret), so each segment is covered by one fixed set of spans. Offsets are code points.
 */
export function segmentText(length: number, spans: readonly SpanRegion[], extra: readonly number[] = []): Segment[] {
  const cuts = new Set<number>([0, length]);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(length, s.start)));
    cuts.add(Math.max(0, Math.min(length, s.end)));
  }
  for (const x of extra) if (x >= 0 && x <= length) cuts.add(x);
  const sorted = [...cuts].sort((a, b) => a - b);
  const byStart = [...spans].sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  const open: SpanRegion[] = [];
  let next = 0;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    while (next < byStart.length && byStart[next]!.start <= start) open.push(byStart[next++]!);
    for (let j = open.length - 1; j >= 0; j--) if (open[j]!.end <= start) open.splice(j, 1);
    out.push({ start, end, spans: open.filter((s) => s.start <= start && s.end >= end) });
  }
  return out;
}

/**
 * Underline lanes for spans so that nested and overlapping spans stay apart: lane 0 sits
 * nearest the text; a span goes one lane below every shorter span it overlaps, so an outer
 * span's line runs under its inner spans'.
 */
export function assignLanes(spans: readonly SpanRegion[]): Map<string, number> {
  const order = [...spans].sort((a, b) => a.end - a.start - (b.end - b.start) || a.start - b.start);
  const lanes = new Map<string, number>();
  const placed: { s: SpanRegion; lane: number }[] = [];
  for (const s of order) {
    const used = new Set(placed.filter((p) => p.s.start < s.end && s.start < p.s.end).map((p) => p.lane));
    let lane = 0;
    while (used.has(lane)) lane++;
    lanes.set(s.id, lane);
    placed.push({ s, lane });
  }
  return lanes;
}

/** Code-point offsets where user-perceived characters (grapheme clusters) start, plus the end. */
export function graphemeBoundaries(text: string, index: CodePointIndex = codePointIndex(text)): number[] {
  const out: number[] = [];
  const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const g of seg.segment(text)) out.push(index.toCodePoint(g.index));
  out.push(index.length);
  return out;
}

/** Code-point offsets where words (and runs of punctuation or space) start, plus the end. */
export function wordBoundaries(text: string, locale: string, index: CodePointIndex = codePointIndex(text)): number[] {
  const out: number[] = [];
  const seg = new Intl.Segmenter(locale, { granularity: 'word' });
  for (const w of seg.segment(text)) if (w.isWordLike) out.push(index.toCodePoint(w.index), index.toCodePoint(w.index + w.segment.length));
  out.push(0, index.length);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The next boundary after `pos` (dir 1) or before it (dir -1), staying inside the text. */
export function stepBoundary(boundaries: readonly number[], pos: number, dir: 1 | -1): number {
  if (dir > 0) {
    for (const b of boundaries) if (b > pos) return b;
    return boundaries[boundaries.length - 1] ?? pos;
  }
  for (let i = boundaries.length - 1; i >= 0; i--) if (boundaries[i]! < pos) return boundaries[i]!;
  return boundaries[0] ?? 0;
}

/** Widens [start, end) to whole grapheme clusters (a flag or a family emoji is never cut). */
export function snapToGraphemes(boundaries: readonly number[], start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  for (const x of boundaries) if (x <= start) a = x;
  for (let i = boundaries.length - 1; i >= 0; i--) if (boundaries[i]! >= end) b = boundaries[i]!;
  return [a, b];
}

/** [start, end) without leading and trailing white space; null when nothing is left. */
export function trimRange(index: CodePointIndex, start: number, end: number): [number, number] | null {
  let a = start;
  let b = end;
  while (a < b && /^\s$/u.test(index.slice(a, a + 1))) a++;
  while (b > a && /^\s$/u.test(index.slice(b - 1, b))) b--;
  return b > a ? [a, b] : null;
}
