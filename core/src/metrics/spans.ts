import { ownEntry } from '../schema/label-keys.ts';
import { matchOneToOne } from './matching/one-to-one.ts';

/**
 * A labelled text span: code-point offsets, end exclusive (the shape of `SpanRegion`). `doc`
 * optionally names the text (sentence, item) it belongs to, so that one call can score a corpus;
 * spans of different docs never match.
 */
export interface TextSpan {
  start: number;
  end: number;
  label: string;
  doc?: string | number;
}

/** `exact`: same label and same boundaries. `overlap`: same label and at least one shared code point. */
export type SpanMatchMode = 'exact' | 'overlap';

export interface PrecisionRecallF1 {
  tp: number;
  fp: number;
  fn: number;
  /** tp / |B|; null when B has no span. */
  precision: number | null;
  /** tp / |A|; null when A has no span. */
  recall: number | null;
  /** 2 tp / (|A| + |B|); null when neither side has a span. */
  f1: number | null;
}

export interface SpanAgreement {
  mode: SpanMatchMode;
  /** Micro-averaged over all labels. */
  overall: PrecisionRecallF1;
  perLabel: Record<string, PrecisionRecallF1>;
  reason?: string;
}

function prf(tp: number, nA: number, nB: number): PrecisionRecallF1 {
  return {
    tp,
    fp: nB - tp,
    fn: nA - tp,
    precision: nB > 0 ? tp / nB : null,
    recall: nA > 0 ? tp / nA : null,
    f1: nA + nB > 0 ? (2 * tp) / (nA + nB) : null,
  };
}

function docKey(s: TextSpan): string {
  return s.doc === undefined ? '' : `${typeof s.doc}:${s.doc}`;
}

function exactTp(a: readonly TextSpan[], b: readonly TextSpan[]): number {
  const counts = new Map<string, number>();
  for (const s of a) {
    const key = `${s.start}:${s.end}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let tp = 0;
  for (const s of b) {
    const key = `${s.start}:${s.end}`;
    const left = counts.get(key) ?? 0;
    if (left > 0) {
      tp++;
      counts.set(key, left - 1);
    }
  }
  return tp;
}

function overlapTp(a: readonly TextSpan[], b: readonly TextSpan[]): number {
  // Span IoU (shared code points / covered code points) as similarity, any overlap eligible.
  return matchOneToOne(
    a.length,
    b.length,
    (i, j) => {
      const x = a[i] as TextSpan;
      const y = b[j] as TextSpan;
      const inter = Math.min(x.end, y.end) - Math.max(x.start, y.start);
      if (inter <= 0) return 0;
      return inter / (Math.max(x.end, y.end) - Math.min(x.start, y.start));
    },
    0,
  ).length;
}

/**
 * Span agreement between two annotators, per label and micro-averaged. Exact mode counts a span
 * of B as a true positive when A has a span with the same label and boundaries (each span used
 * once, as seqeval's entity-level F1). Overlap mode matches spans of the same label one-to-one when
 * they share at least one code point, maximising the number of matched pairs, then their overlap
 * (so one long span cannot cover several short ones). A is the reference for precision/recall;
 * F1 is symmetric.
 *
 * Edge cases: neither side has a span → f1 null with a reason; empty or inverted spans never
 * overlap. Complexity: exact O(|A| + |B|); overlap O(|A| × |B|) per label plus the matching of
 * groups of mutually overlapping spans.
 */
export function spanAgreement(a: readonly TextSpan[], b: readonly TextSpan[], mode: SpanMatchMode = 'exact'): SpanAgreement {
  const groups = new Map<string, { label: string; as: TextSpan[]; bs: TextSpan[] }>();
  const add = (s: TextSpan, side: 'as' | 'bs') => {
    const key = `${s.label}\u0000${docKey(s)}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { label: s.label, as: [], bs: [] };
      groups.set(key, g);
    }
    g[side].push(s);
  };
  for (const s of a) add(s, 'as');
  for (const s of b) add(s, 'bs');
  const byLabel = new Map<string, { tp: number; nA: number; nB: number }>();
  let tp = 0;
  for (const g of groups.values()) {
    const t = g.as.length === 0 || g.bs.length === 0 ? 0 : mode === 'exact' ? exactTp(g.as, g.bs) : overlapTp(g.as, g.bs);
    tp += t;
    const acc = byLabel.get(g.label) ?? { tp: 0, nA: 0, nB: 0 };
    acc.tp += t;
    acc.nA += g.as.length;
    acc.nB += g.bs.length;
    byLabel.set(g.label, acc);
  }
  const perLabel: Record<string, PrecisionRecallF1> = {};
  for (const [label, c] of byLabel) ownEntry(perLabel, label, () => prf(c.tp, c.nA, c.nB));
  const result: SpanAgreement = { mode, overall: prf(tp, a.length, b.length), perLabel };
  if (a.length + b.length === 0) result.reason = 'neither annotator marked a span';
  return result;
}

export interface PairwiseSpanF1 {
  mode: SpanMatchMode;
  /** Mean over annotator pairs of the micro F1; null when no pair has a span. */
  value: number | null;
  reason?: string;
  pairs: number;
  definedPairs: number;
  /** Mean over pairs (where defined) of each label's F1. */
  perLabel: Record<string, number>;
}

/**
 * Mean pairwise span F1 for k annotators: {@link spanAgreement} on every pair i < j, averaging the
 * defined micro F1 values (and, per label, the defined per-label F1 values). Pairs where neither
 * annotator marked a span are left out. Edge cases: fewer than two annotators or no span at all →
 * `value: null` with a reason. Complexity: k (k − 1) / 2 times {@link spanAgreement}.
 */
export function meanPairwiseSpanF1(annotations: readonly (readonly TextSpan[])[], mode: SpanMatchMode = 'exact'): PairwiseSpanF1 {
  const k = annotations.length;
  const pairs = (k * (k - 1)) / 2;
  if (k < 2) return { mode, value: null, reason: 'needs at least two annotators', pairs, definedPairs: 0, perLabel: {} };
  let sum = 0;
  let defined = 0;
  const labelSums = new Map<string, { sum: number; n: number }>();
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const r = spanAgreement(annotations[i] as readonly TextSpan[], annotations[j] as readonly TextSpan[], mode);
      if (r.overall.f1 !== null) {
        sum += r.overall.f1;
        defined++;
      }
      for (const [label, v] of Object.entries(r.perLabel)) {
        if (v.f1 === null) continue;
        const acc = labelSums.get(label) ?? { sum: 0, n: 0 };
        acc.sum += v.f1;
        acc.n++;
        labelSums.set(label, acc);
      }
    }
  }
  const perLabel: Record<string, number> = {};
  for (const [label, { sum: s, n }] of labelSums) ownEntry(perLabel, label, () => s / n);
  if (defined === 0) return { mode, value: null, reason: 'no annotator marked a span', pairs, definedPairs: 0, perLabel };
  return { mode, value: sum / defined, pairs, definedPairs: defined, perLabel };
}

/** One row of {@link alignSpans}: a stretch of text where spans of the annotators overlap. */
export interface AlignedSpanRow<S extends TextSpan = TextSpan> {
  /** Union of the row's spans, code points [start, end). */
  start: number;
  end: number;
  /** Per annotator (same order as the input), their spans in this stretch, by start. */
  cells: S[][];
  /** Every annotator has exactly the same spans here (boundaries and labels). */
  agree: boolean;
}

/**
 * Lines up several annotators' spans of one text for side-by-side review: spans that overlap
 * (directly or through a chain of overlaps, across annotators) fall in the same row, rows in text
 * order. A row where someone has nothing, or boundaries or labels differ, is a disagreement.
 */
export function alignSpans<S extends TextSpan>(annotations: readonly (readonly S[])[]): AlignedSpanRow<S>[] {
  const all = annotations.flatMap((spans, who) => spans.filter((s) => s.end > s.start).map((s) => ({ s, who })));
  all.sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end);
  const rows: AlignedSpanRow<S>[] = [];
  let cur: AlignedSpanRow<S> | null = null;
  for (const { s, who } of all) {
    if (!cur || s.start >= cur.end) {
      cur = { start: s.start, end: s.end, cells: annotations.map(() => []), agree: false };
      rows.push(cur);
    }
    cur.end = Math.max(cur.end, s.end);
    cur.cells[who]!.push(s);
  }
  const key = (list: readonly TextSpan[]) =>
    list
      .map((s) => `${s.start}:${s.end}:${s.label}`)
      .sort()
      .join('|');
  for (const row of rows) {
    const first = key(row.cells[0] ?? []);
    row.agree = annotations.length > 0 && row.cells.every((c) => c.length > 0 && key(c) === first);
  }
  return rows;
}
