import { z } from 'zod';
import { LEVELS, Level } from '../schema/common.ts';
import { QUIZ_QUESTION_TYPES } from '../guidelines/schema.ts';
import { GoldAccuracyRule } from './gold-accuracy.ts';
import { DEFAULT_COMPREHENSIVE_RUBRIC, DEFAULT_SPECIFICATION_RUBRIC, PanelRule, Rubric } from './rubric.ts';

/**
 * The parts an exam can have, after the national AI-trainer standard: theory and practical
 * (skills) for every level, a review exercise from L4, a specification exercise from L3 and a
 * comprehensive review with a panel for L2 and L1.
 */
export const EXAM_PARTS = ['theory', 'practical', 'review', 'specification', 'comprehensive'] as const;
export const ExamPart = z.enum(EXAM_PARTS);
export type ExamPart = z.infer<typeof ExamPart>;

/** Parts graded by the machine at submission; the others wait for a person (a lead or a panel). */
export const AUTO_GRADED_PARTS: readonly ExamPart[] = ['theory', 'practical', 'review'];

const Minutes = z.number().int('must be a whole number of minutes').min(1).max(600);
const PassMark = z.number().min(0).max(100).default(60);

/** Points lost per minute over the time limit, and how long after the limit the attempt is stopped. */
export const OvertimeRule = z.strictObject({
  pointsPerMinute: z.number().min(0).max(100).default(1),
  stopAfterMinutes: z.number().int().min(0).max(120).default(5),
});
export type OvertimeRule = z.infer<typeof OvertimeRule>;

/** Relative shares of the question types in a theory paper (weights, not percentages). */
export const QuestionMix = z.strictObject(
  Object.fromEntries(QUIZ_QUESTION_TYPES.map((t) => [t, z.number().min(0).max(1000)])) as {
    [K in (typeof QUIZ_QUESTION_TYPES)[number]]: z.ZodNumber;
  },
);
export type QuestionMix = z.infer<typeof QuestionMix>;

export const TheoryConfig = z.strictObject({
  enabled: z.boolean(),
  questions: z.number().int().min(1).max(500),
  mix: QuestionMix,
  timeLimitMinutes: Minutes,
  passMark: PassMark,
  /** `partial`: a multiple-choice question earns (right picks − wrong picks) / right options, at least 0. */
  multipleChoiceCredit: z.enum(['partial', 'all-or-nothing']).default('partial'),
});
export type TheoryConfig = z.infer<typeof TheoryConfig>;

export const PracticalConfig = z.strictObject({
  enabled: z.boolean(),
  items: z.number().int().min(1).max(200),
  timeLimitMinutes: Minutes,
  passMark: PassMark,
  overtime: OvertimeRule,
  iouThreshold: z.number().min(0.05).max(1).default(0.5),
  oksThreshold: z.number().min(0.05).max(1).default(0.5),
});
export type PracticalConfig = z.infer<typeof PracticalConfig>;

export const ReviewExerciseConfig = z.strictObject({
  enabled: z.boolean(),
  items: z.number().int().min(1).max(200),
  timeLimitMinutes: Minutes,
  passMark: PassMark,
});
export type ReviewExerciseConfig = z.infer<typeof ReviewExerciseConfig>;

export const SpecificationConfig = z.strictObject({
  enabled: z.boolean(),
  timeLimitMinutes: Minutes,
  passMark: PassMark,
  /** Sample items drawn from the guideline's practice half for the candidate to write about. */
  sampleItems: z.number().int().min(1).max(50).default(6),
  /** A submission needs at least this many complete edge-case rules and examples. */
  minEdgeCases: z.number().int().min(0).max(50).default(4),
  minExamples: z.number().int().min(0).max(50).default(3),
  /** The published rubric the grading lead scores against. */
  rubric: Rubric.default(DEFAULT_SPECIFICATION_RUBRIC),
});
export type SpecificationConfig = z.infer<typeof SpecificationConfig>;

export const ComprehensiveConfig = z.strictObject({
  enabled: z.boolean(),
  passMark: PassMark,
  /** Reviewers at a higher level who must each record a score; the result is their mean. */
  minPanel: z.number().int().min(1).max(9).default(2),
  /** How the members' scores decide (core's panelDecision) and the floor no member may be under (mean-and-floor). */
  rule: PanelRule.default('mean-and-floor'),
  floor: z.number().min(0).max(100).default(40),
  rubric: Rubric.default(DEFAULT_COMPREHENSIVE_RUBRIC),
});
export type ComprehensiveConfig = z.infer<typeof ComprehensiveConfig>;

/**
 * The exam of one level. It is taken by a user at that level and covers that level's duties;
 * passing every enabled part promotes the user to the level above (L1 earns a certificate only).
 */
export const LevelExamConfig = z.strictObject({
  theory: TheoryConfig,
  practical: PracticalConfig,
  review: ReviewExerciseConfig,
  specification: SpecificationConfig,
  comprehensive: ComprehensiveConfig,
  /** Attempts per part while at this level; null = unlimited. */
  maxAttempts: z.number().int().min(1).max(100).nullable(),
  /** Hours between a failed attempt of a part and the next attempt of that part. */
  cooldownHours: z
    .number()
    .min(0)
    .max(24 * 90),
});
export type LevelExamConfig = z.infer<typeof LevelExamConfig>;

export const CertificationConfig = z.strictObject({
  schemaVersion: z.literal(1),
  /** Staying certified on real projects: the rolling gold accuracy and the pause threshold. */
  goldAccuracy: GoldAccuracyRule.default({ window: 20, threshold: 0.7, minAnswers: 5 }),
  levels: z.strictObject(Object.fromEntries(LEVELS.map((l) => [l, LevelExamConfig])) as { [K in Level]: typeof LevelExamConfig }),
});
export type CertificationConfig = z.infer<typeof CertificationConfig>;

function levelDefaults(level: Level): LevelExamConfig {
  const rank = LEVELS.indexOf(level); // 0 for L5 … 4 for L1
  return {
    theory: {
      enabled: true,
      questions: 20 + rank * 5,
      // The public mock papers are mostly single choice with a block of true/false; multiple choice grows with the level.
      mix: { 'true-false': 3, single: 5, multiple: 1 + rank },
      timeLimitMinutes: 30 + rank * 15,
      passMark: 60,
      multipleChoiceCredit: 'partial',
    },
    practical: {
      enabled: true,
      items: 8 + rank * 2,
      timeLimitMinutes: 30 + rank * 15,
      passMark: 60,
      overtime: { pointsPerMinute: 1, stopAfterMinutes: 5 },
      iouThreshold: 0.5,
      oksThreshold: 0.5,
    },
    review: { enabled: rank >= 1, items: 6 + rank * 2, timeLimitMinutes: 30, passMark: 60 },
    specification: {
      enabled: rank >= 2,
      timeLimitMinutes: 120,
      passMark: 60,
      sampleItems: 6,
      minEdgeCases: 4,
      minExamples: 3,
      rubric: DEFAULT_SPECIFICATION_RUBRIC,
    },
    comprehensive: {
      enabled: rank >= 3,
      passMark: 60,
      minPanel: 2,
      rule: 'mean-and-floor',
      floor: 40,
      rubric: DEFAULT_COMPREHENSIVE_RUBRIC,
    },
    maxAttempts: 3,
    cooldownHours: 24,
  };
}

/** Sensible defaults (the standard's weight tables are not public); admins edit them. */
export function defaultCertificationConfig(): CertificationConfig {
  return {
    schemaVersion: 1,
    goldAccuracy: { window: 20, threshold: 0.7, minAnswers: 5 },
    levels: Object.fromEntries(LEVELS.map((l) => [l, levelDefaults(l)])) as Record<Level, LevelExamConfig>,
  };
}

/** The enabled parts of a level's exam, in the standard's order. */
export function enabledParts(config: LevelExamConfig): ExamPart[] {
  return EXAM_PARTS.filter((p) => config[p].enabled);
}

/** The level a pass at `level` promotes to: the one above, or null at the top (L1). */
export function nextLevel(level: Level): Level | null {
  const i = LEVELS.indexOf(level);
  return i + 1 < LEVELS.length ? (LEVELS[i + 1] as Level) : null;
}
