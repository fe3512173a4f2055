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
  if (mine.some((a) => partPassed(config, part, a.score))) return { allowed: false, reason: 'already_passed' };
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
    const scores = attempts.filter((a) => a.part === part && a.score !== null).map((a) => a.score as number);
    const best = scores.length > 0 ? Math.max(...scores) : null;
    return { part, passMark: config[part].passMark, best, passed: partPassed(config, part, best) };
  });
  return { ready: parts.length > 0 && parts.every((p) => p.passed), parts };
}

/** A certificate number: `LW-<year>-<level>-<6-digit sequence>`, e.g. `LW-2026-L5-000042`. */
export function certificateNumber(year: number, level: Level, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive whole number, got ${sequence}`);
  return `LW-${year}-${level}-${String(sequence).padStart(6, '0')}`;
}
