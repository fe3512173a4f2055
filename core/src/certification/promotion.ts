import type { Level } from '../schema/common.ts';
import { enabledParts, type ExamPart, type LevelExamConfig } from './config.ts';

/** One attempt of one part, as the rules need it. Only attempts made at the user's current level count. */
export interface PartAttemptSummary {
  part: ExamPart;
  startedAt: Date;
  /** Null while the attempt runs (or waits to be closed after its deadline). */
  finishedAt: Date | null;
  /** 0–100 once graded; null while running or waiting for a grader. */
  score: number | null;
  /**
   * False when a grade under people's rules failed although the score reaches the pass mark (a
   * panel member under the floor, no majority); absent or null otherwise.
   */
  passed?: boolean | null;
}

/** True when an attempt passed: its score reaches the pass mark and no rule of its graders failed it. */
export function attemptPassed(config: LevelExamConfig, a: PartAttemptSummary): boolean {
  return partPassed(config, a.part, a.score) && a.passed !== false;
}

/** True when a graded score reaches the part's pass mark. */
export function partPassed(config: LevelExamConfig, part: ExamPart, score: number | null): boolean {
  return score !== null && score >= config[part].passMark;
}

export type RetakeRefusal = 'part_disabled' | 'in_progress' | 'already_passed' | 'awaiting_grade' | 'max_attempts' | 'cooldown';

export type RetakeStatus = { allowed: true } | { allowed: false; reason: RetakeRefusal; earliest?: Date };

/**
 * Whether a user may start an attempt of `part` now, given their attempts of that part at this
 * level: not while one runs or waits for a grader, not after passing, not beyond `maxAttempts`,
 * and not before `cooldownHours` after the last failed attempt ended (`earliest` says when).
 */
export function retakeStatus(config: LevelExamConfig, part: ExamPart, attempts: readonly PartAttemptSummary[], now: Date): RetakeStatus {
  if (!config[part].enabled) return { allowed: false, reason: 'part_disabled' };
  const mine = attempts.filter((a) => a.part === part);
  if (mine.some((a) => a.finishedAt === null)) return { allowed: false, reason: 'in_progress' };
  if (mine.some((a) => attemptPassed(config, a))) return { allowed: false, reason: 'already_passed' };
  if (mine.some((a) => a.score === null)) return { allowed: false, reason: 'awaiting_grade' };
  if (config.maxAttempts !== null && mine.length >= config.maxAttempts) return { allowed: false, reason: 'max_attempts' };
  const last = mine.reduce<Date | null>((m, a) => (a.finishedAt !== null && (m === null || a.finishedAt > m) ? a.finishedAt : m), null);
  if (last !== null) {
    const earliest = new Date(last.getTime() + config.cooldownHours * 3_600_000);
    if (earliest > now) return { allowed: false, reason: 'cooldown', earliest };
  }
  return { allowed: true };
}

export interface PartStanding {
  part: ExamPart;
  passMark: number;
  /** The best graded score so far at this level, null without one. */
  best: number | null;
  passed: boolean;
}

export interface PromotionStatus {
  /** Every enabled part has a passing attempt at this level. */
  ready: boolean;
  parts: PartStanding[];
}

/** Where a user stands at their level: each enabled part's best score and whether all are passed. */
export function promotionStatus(config: LevelExamConfig, attempts: readonly PartAttemptSummary[]): PromotionStatus {
  const parts = enabledParts(config).map((part) => {
    const mine = attempts.filter((a) => a.part === part && a.score !== null);
    const best = mine.length > 0 ? Math.max(...mine.map((a) => a.score as number)) : null;
    return { part, passMark: config[part].passMark, best, passed: mine.some((a) => attemptPassed(config, a)) };
  });
  return { ready: parts.length > 0 && parts.every((p) => p.passed), parts };
}

/** A certificate number: `LW-<year>-<level>-<6-digit sequence>`, e.g. `LW-2026-L5-000042`. */
export function certificateNumber(year: number, level: Level, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive whole number, got ${sequence}`);
  return `LW-${year}-${level}-${String(sequence).padStart(6, '0')}`;
}
