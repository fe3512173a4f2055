import type { LabelSchema } from '../schema/label-schema.ts';
import type { Region } from '../schema/region.ts';
import type { RandomSource } from '../metrics/random.ts';
import type { OvertimeRule, PracticalConfig } from './config.ts';
import { drawStratified } from './draw.ts';
import { itemFeedback, sumLabelScores, type ItemFeedback, type LabelScore } from './feedback.ts';

/** A gold item that can be drawn for practice or an exam. */
export interface GoldPoolItem {
  id: string;
  /** The label that stratifies the draw (the item's main label, e.g. the first gold region's). */
  label: string;
  /** 1 (easy) to 3 (hard). */
  difficulty: number;
}

/**
 * A fresh practical draw: `n` distinct gold items, stratified by label and difficulty (each stratum
 * in proportion to its size), in random order. Two attempts with different seeds differ.
 */
export function drawPracticalItems(pool: readonly GoldPoolItem[], n: number, random: RandomSource): string[] {
  return drawStratified(pool, n, (it) => `${it.label}\u0000${it.difficulty}`, random).map((it) => it.id);
}

/** The main label of a gold answer, for stratifying: the most frequent region label (ties: first seen), '' when empty. */
export function mainLabel(regions: readonly Pick<Region, 'label'>[]): string {
  const counts = new Map<string, number>();
  for (const r of regions) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  let best = '';
  let n = 0;
  for (const [label, c] of counts) if (c > n) [best, n] = [label, c];
  return best;
}

export interface TimeVerdict {
  /** Whole minutes past the limit, rounded up (0 within the limit). */
  overMinutes: number;
  /** Points taken off the score. */
  penalty: number;
  /** True when the attempt ran past the limit plus the stop allowance: it is ended and graded as it stands. */
  stopped: boolean;
}

/**
 * The standard's time rule: every started minute past the limit costs `pointsPerMinute`; at
 * `stopAfterMinutes` past the limit the attempt stops, so the penalty never exceeds
 * `pointsPerMinute × stopAfterMinutes`.
 */
export function timePenalty(elapsedMs: number, limitMinutes: number, rule: OvertimeRule): TimeVerdict {
  const overMs = elapsedMs - limitMinutes * 60_000;
  if (overMs <= 0) return { overMinutes: 0, penalty: 0, stopped: false };
  const overMinutes = Math.min(Math.ceil(overMs / 60_000), rule.stopAfterMinutes);
  return { overMinutes, penalty: overMinutes * rule.pointsPerMinute, stopped: overMs >= rule.stopAfterMinutes * 60_000 };
}

/** When a timed part must end: the limit plus the overtime allowance (theory has none). */
export function partDeadline(startedAt: Date, limitMinutes: number, stopAfterMinutes = 0): Date {
  return new Date(startedAt.getTime() + (limitMinutes + stopAfterMinutes) * 60_000);
}

export interface PracticalItemInput {
  itemId: string;
  gold: readonly Region[];
  /** The candidate's regions; an item never answered is graded as empty. */
  answer: readonly Region[] | undefined;
}

export interface PracticalResult {
  /** 0–100 after the time penalty, rounded to one decimal, never below 0. */
  score: number;
  /** 0–100 before the time penalty. */
  raw: number;
  time: TimeVerdict;
  items: ({ itemId: string; answered: boolean } & ItemFeedback)[];
  perLabel: Record<string, LabelScore>;
}

/**
 * Grades a practical attempt: each item's score (box/polygon F1 at the IoU threshold, OKS F1 for
 * keypoints, exact span F1, class accuracy; see {@link itemFeedback}), the rubric score = 100 × the
 * mean item score, minus the time penalty.
 */
export function gradePractical(
  items: readonly PracticalItemInput[],
  schema: LabelSchema,
  config: Pick<PracticalConfig, 'iouThreshold' | 'oksThreshold' | 'timeLimitMinutes' | 'overtime'>,
  elapsedMs: number,
): PracticalResult {
  const graded = items.map((it) => ({
    itemId: it.itemId,
    answered: it.answer !== undefined,
    ...itemFeedback(it.gold, it.answer ?? [], schema, { iouThreshold: config.iouThreshold, oksThreshold: config.oksThreshold }),
  }));
  const raw = graded.length === 0 ? 0 : (100 * graded.reduce((a, g) => a + g.score, 0)) / graded.length;
  const time = timePenalty(elapsedMs, config.timeLimitMinutes, config.overtime);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return { score: round1(Math.max(0, raw - time.penalty)), raw: round1(raw), time, items: graded, perLabel: sumLabelScores(graded) };
}
