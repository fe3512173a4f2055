import { z } from 'zod';

/** A project's rule for staying certified on it: the rolling window of gold answers and the pause threshold. */
export const GoldAccuracyRule = z.strictObject({
  /** How many of a person's latest gold answers count. */
  window: z.number().int().min(1).max(500).default(20),
  /** Mean gold score (0–1) below which the person is paused on the project. */
  threshold: z.number().min(0).max(1).default(0.7),
  /** No pause before this many gold answers in the window (a first slip is not a verdict). */
  minAnswers: z.number().int().min(1).max(500).default(5),
});
export type GoldAccuracyRule = z.infer<typeof GoldAccuracyRule>;

/** One scored gold answer on real work (core's `goldScore`, 0–1). */
export interface GoldAnswer {
  at: Date;
  score: number;
}

export interface RollingAccuracy {
  /** Mean score of the answers in the window; null without answers. */
  value: number | null;
  /** Answers in the window. */
  n: number;
}

/**
 * The mean of the latest `window` gold answers (by time) made after `since` (a lifted pause
 * starts the history afresh, as Toloka resets it after a ban).
 */
export function rollingGoldAccuracy(answers: readonly GoldAnswer[], window: number, since?: Date): RollingAccuracy {
  const counted = answers
    .filter((a) => Number.isFinite(a.score) && (since === undefined || a.at > since))
    .sort((x, y) => x.at.getTime() - y.at.getTime())
    .slice(-window);
  if (counted.length === 0) return { value: null, n: 0 };
  return { value: counted.reduce((s, a) => s + a.score, 0) / counted.length, n: counted.length };
}

export interface PauseDecision extends RollingAccuracy {
  pause: boolean;
}

/** Pause when at least `minAnswers` answers are in the window and their mean is below `threshold`. */
export function goldPauseDecision(answers: readonly GoldAnswer[], rule: GoldAccuracyRule, since?: Date): PauseDecision {
  const r = rollingGoldAccuracy(answers, rule.window, since);
  return { ...r, pause: r.value !== null && r.n >= rule.minAnswers && r.value < rule.threshold };
}
