import type { TextSpan } from '../metrics/spans.ts';

export interface ConsensusSpan extends TextSpan {
  /** Annotators backing the span (for `character` mode: the fewest backing any of its code points). */
  votes: number;
}

export interface SpanConsensusOptions {
  /** Minimum number of annotators; default a strict majority, ⌊k/2⌋ + 1. */
  quorum?: number;
  /**
   * `exact` (default): a span (label, start, end) is kept when at least `quorum` annotators marked
   * exactly it. `character`: per label, each code point is kept when at least `quorum` annotators
   * cover it, and kept runs become spans (boundaries may then differ from every annotator's).
   */
  mode?: 'exact' | 'character';
}

function docOf(s: TextSpan): string {
  return s.doc === undefined ? '' : `${typeof s.doc}:${s.doc}`;
}

/**
 * Consensus spans by vote among k annotators (each annotator's duplicate or overlapping spans of
 * one label count once). Output is sorted by doc, start, end and label; spans of different labels
 * may overlap.
 *
 * Input: one list of spans per annotator (e.g. `SpanRegion`s; `doc` optional). Throws RangeError
 * for a quorum that is not an integer in 1..k. Edge cases: no annotators or no spans → [];
 * empty or inverted spans are ignored in `character` mode.
 * Complexity: exact O(S) with S spans in all; character O(S log S).
 */
export function spanConsensus(annotations: readonly (readonly TextSpan[])[], options: SpanConsensusOptions = {}): ConsensusSpan[] {
  const k = annotations.length;
  if (k === 0) return [];
  const quorum = options.quorum ?? Math.floor(k / 2) + 1;
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > k)
    throw new RangeError(`quorum must be an integer from 1 to ${k}, got ${quorum}`);
  const out: ConsensusSpan[] = [];
  if ((options.mode ?? 'exact') === 'exact') {
    const votes = new Map<string, { span: TextSpan; voters: Set<number> }>();
    annotations.forEach((spans, a) => {
      for (const s of spans) {
        const key = `${docOf(s)}\u0000${s.label}\u0000${s.start}\u0000${s.end}`;
        let v = votes.get(key);
        if (v === undefined) {
          v = { span: s, voters: new Set() };
          votes.set(key, v);
        }
        v.voters.add(a);
      }
    });
    for (const { span, voters } of votes.values()) {
      if (voters.size < quorum) continue;
      const c: ConsensusSpan = { start: span.start, end: span.end, label: span.label, votes: voters.size };
      if (span.doc !== undefined) c.doc = span.doc;
      out.push(c);
    }
  } else {
    // Per (doc, label): merge each annotator's intervals, then sweep coverage counts.
    const groups = new Map<string, { doc: TextSpan['doc']; label: string; perAnnotator: [number, number][][] }>();
    annotations.forEach((spans, a) => {
      for (const s of spans) {
        if (!(s.end > s.start)) continue;
        const key = `${docOf(s)}\u0000${s.label}`;
        let g = groups.get(key);
        if (g === undefined) {
          g = { doc: s.doc, label: s.label, perAnnotator: Array.from({ length: k }, () => []) };
          groups.set(key, g);
        }
        (g.perAnnotator[a] as [number, number][]).push([s.start, s.end]);
      }
    });
    for (const g of groups.values()) {
      const events: [number, number][] = [];
      for (const intervals of g.perAnnotator) {
        intervals.sort((x, y) => x[0] - y[0]);
        let cur: [number, number] | null = null;
        for (const iv of intervals) {
          if (cur !== null && iv[0] <= cur[1]) cur[1] = Math.max(cur[1], iv[1]);
          else {
            if (cur !== null) events.push([cur[0], 1], [cur[1], -1]);
            cur = [iv[0], iv[1]];
          }
        }
        if (cur !== null) events.push([cur[0], 1], [cur[1], -1]);
      }
      events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let depth = 0;
      let open: number | null = null;
      let minVotes = Infinity;
      for (let i = 0; i < events.length; i++) {
        const [pos, delta] = events[i] as [number, number];
        depth += delta;
        const next = events[i + 1];
        if (next !== undefined && next[0] === pos) continue; // apply all events at one position first
        if (depth >= quorum) {
          if (open === null) {
            open = pos;
            minVotes = depth;
          } else minVotes = Math.min(minVotes, depth);
        } else if (open !== null) {
          const c: ConsensusSpan = { start: open, end: pos, label: g.label, votes: minVotes };
          if (g.doc !== undefined) c.doc = g.doc;
          out.push(c);
          open = null;
        }
      }
    }
  }
  return out.sort((x, y) => {
    const dx = docOf(x);
    const dy = docOf(y);
    if (dx !== dy) return dx < dy ? -1 : 1;
    return x.start - y.start || x.end - y.end || (x.label < y.label ? -1 : x.label > y.label ? 1 : 0);
  });
}
