/**
 * The lead dashboard's figures, as pure functions over stored rows (the server reads, these compute).
 * Definitions are in docs/review-and-dashboard.md.
 */
import { addPairCount } from '../schema/label-keys.ts';

export interface MeanCi {
  mean: number | null;
  /** 95% confidence interval of the mean (normal approximation; null under 2 values). */
  low: number | null;
  high: number | null;
  n: number;
}

/** Mean with a 95% normal-approximation interval, clamped to [0, 1] when `unit` (agreement, accuracy). */
export function meanCi(values: readonly number[], unit = true): MeanCi {
  const n = values.length;
  if (!n) return { mean: null, low: null, high: null, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, low: null, high: null, n };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const h = (1.96 * sd) / Math.sqrt(n);
  const clamp = (v: number) => (unit ? Math.min(1, Math.max(-1, v)) : v);
  return { mean, low: clamp(mean - h), high: clamp(mean + h), n };
}

export interface Bucket {
  /** Bucket start, epoch ms. */
  t: number;
  count: number;
}

/** Counts of events per fixed bucket from `from` to `to` (empty buckets included, oldest first). */
export function bucketCounts(times: readonly number[], from: number, to: number, sizeMs: number): Bucket[] {
  const start = Math.floor(from / sizeMs) * sizeMs;
  const n = Math.max(0, Math.ceil((to - start) / sizeMs));
  const out: Bucket[] = Array.from({ length: n }, (_, i) => ({ t: start + i * sizeMs, count: 0 }));
  for (const t of times) {
    const i = Math.floor((t - start) / sizeMs);
    if (i >= 0 && i < n) out[i]!.count++;
  }
  return out;
}

export interface Forecast {
  remaining: number;
  /** Tasks per hour over the window (0 when nothing was done). */
  perHour: number;
  /** Hours to completion at that rate; null when the rate is 0 and work remains. */
  etaHours: number | null;
  /** Epoch ms of the forecast completion (null like etaHours). */
  finishAt: number | null;
}

/** Linear forecast: remaining tasks at the rate of the last `windowMs`. */
export function forecast(remaining: number, doneTimes: readonly number[], now: number, windowMs: number): Forecast {
  const recent = doneTimes.filter((t) => t > now - windowMs && t <= now).length;
  const perHour = recent / (windowMs / 3_600_000);
  if (remaining <= 0) return { remaining: 0, perHour, etaHours: 0, finishAt: now };
  if (perHour === 0) return { remaining, perHour, etaHours: null, finishAt: null };
  const etaHours = remaining / perHour;
  return { remaining, perHour, etaHours, finishAt: now + etaHours * 3_600_000 };
}

/** Pauses longer than this end an annotator's working spell (they are not counted as work). */
export const ACTIVE_GAP_MS = 10 * 60_000;

export interface ActiveThroughput {
  /** Submissions in the window. */
  submissions: number;
  /** Active annotator time in the window (ms): every annotator's working spells added up. */
  activeMs: number;
  /** Submissions per active annotator-hour; null without active time. */
  perActiveHour: number | null;
  /** Annotators who submitted in the window. */
  annotators: number;
}

/**
 * Throughput over the time people actually worked, not the clock. Per annotator, each submission
 * covers [submitted − duration, submitted] (duration = the client-measured time on the item, 0 when
 * unknown); submissions whose covers are at most `gapMs` apart (default 10 min) form one working
 * spell, from the first cover's start to the last submission. Spells of all annotators are added
 * up (two people working the same hour are two active hours); longer pauses are left out. So ten
 * minutes of work in a day reads as the pace of those ten minutes.
 */
export function activeThroughput(
  subs: readonly { userId: string; at: number; durationMs?: number | null }[],
  from: number,
  to: number,
  gapMs = ACTIVE_GAP_MS,
): ActiveThroughput {
  const byUser = new Map<string, { start: number; end: number }[]>();
  for (const s of subs) {
    if (s.at <= from || s.at > to) continue;
    const d = typeof s.durationMs === 'number' && s.durationMs > 0 ? s.durationMs : 0;
    (byUser.get(s.userId) ?? byUser.set(s.userId, []).get(s.userId)!).push({ start: Math.max(from, s.at - d), end: s.at });
  }
  let activeMs = 0;
  let submissions = 0;
  for (const list of byUser.values()) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    submissions += list.length;
    let spellStart = list[0]!.start;
    let spellEnd = list[0]!.end;
    for (const c of list.slice(1)) {
      if (c.start - spellEnd > gapMs) {
        activeMs += spellEnd - spellStart;
        spellStart = c.start;
      }
      spellEnd = Math.max(spellEnd, c.end);
    }
    activeMs += spellEnd - spellStart;
  }
  return { submissions, activeMs, perActiveHour: activeMs > 0 ? submissions / (activeMs / 3_600_000) : null, annotators: byUser.size };
}

/** Confusion counts between class labels: `matrix[a][b]` = times one side said a and the other b. */
export type Confusion = Record<string, Record<string, number>>;

function bump(m: Confusion, a: string, b: string): void {
  addPairCount(m, a, b);
}

/**
 * Per-label confusion from items' single-class choices (keyed by annotator id): between annotators
 * (every unordered pair of an item, counted both ways so the matrix is symmetric) and each
 * annotator against consensus, summed (`vsConsensus`) and per annotator (`vsConsensusBy[userId]`).
 * `null` choices (no class, or several) are `(none)`; items without a consensus class are left out
 * of the consensus matrices.
 */
export function labelConfusion(rows: readonly { classChoice: Record<string, string | null>; consensus: string | null }[]): {
  between: Confusion;
  vsConsensus: Confusion;
  vsConsensusBy: Record<string, Confusion>;
} {
  const between: Confusion = {};
  const vsConsensus: Confusion = {};
  const vsConsensusBy: Record<string, Confusion> = {};
  const name = (v: string | null) => v ?? '(none)';
  for (const r of rows) {
    const entries = Object.entries(r.classChoice);
    for (let i = 0; i < entries.length; i++) {
      const [user, choice] = entries[i]!;
      for (let j = i + 1; j < entries.length; j++) {
        const other = entries[j]![1];
        bump(between, name(choice), name(other));
        bump(between, name(other), name(choice));
      }
      if (r.consensus !== null) {
        bump(vsConsensus, name(choice), r.consensus);
        bump((vsConsensusBy[user] ??= {}), name(choice), r.consensus);
      }
    }
  }
  return { between, vsConsensus, vsConsensusBy };
}

export interface AnnotatorFigures {
  userId: string;
  submitted: number;
  /** Mean seconds per item (client-measured), null without durations. */
  secondsPerItem: number | null;
  goldAccuracy: number | null;
  goldN: number;
  reviewed: number;
  rejected: number;
  rejectionRate: number | null;
  /** Mean pairwise agreement with the other annotators (from the project's latest pairs). */
  agreement: number | null;
}

export type OutlierFigure = 'goldAccuracy' | 'rejectionRate' | 'secondsPerItem' | 'agreement';

export interface Outlier {
  userId: string;
  figure: OutlierFigure;
  value: number;
  /** Project median of that figure. */
  median: number;
  /** Robust z: (value − median) / (1.4826 · MAD). */
  z: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Annotators whose figure is far from the team's (robust z beyond ±`limit`, default 3, on the bad
 * side only: low accuracy and agreement, high rejection, very fast or very slow work). Needs at
 * least 4 annotators with the figure; a MAD of 0 uses a small floor so a lone deviation still shows.
 */
export function outliers(rows: readonly AnnotatorFigures[], limit = 3): Outlier[] {
  const out: Outlier[] = [];
  const figures: { f: OutlierFigure; bad: 'low' | 'high' | 'both'; floor: number }[] = [
    { f: 'goldAccuracy', bad: 'low', floor: 0.05 },
    { f: 'agreement', bad: 'low', floor: 0.05 },
    { f: 'rejectionRate', bad: 'high', floor: 0.05 },
    { f: 'secondsPerItem', bad: 'both', floor: 1 },
  ];
  for (const { f, bad, floor } of figures) {
    const vals = rows.filter((r) => typeof r[f] === 'number') as (AnnotatorFigures & Record<OutlierFigure, number>)[];
    if (vals.length < 4) continue;
    const med = median(vals.map((r) => r[f]));
    const mad = median(vals.map((r) => Math.abs(r[f] - med)));
    const scale = Math.max(1.4826 * mad, floor);
    for (const r of vals) {
      const z = (r[f] - med) / scale;
      if ((bad !== 'high' && z < -limit) || (bad !== 'low' && z > limit))
        out.push({ userId: r.userId, figure: f, value: r[f], median: med, z });
    }
  }
  return out;
}

/** One CSV field (RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' against formula injection). */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(Math.round(v * 10000) / 10000) : '') : v;
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document (CRLF line ends, UTF-8 BOM so spreadsheet apps read Chinese names right). */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
