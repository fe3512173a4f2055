import { z } from 'zod';
import { LEVELS, type Level } from '../schema/common.ts';
import { LocalizedText } from '../guidelines/schema.ts';

/**
 * Rubrics for the parts graded by people: the specification exercise (one lead) and the
 * comprehensive review (a panel). A rubric is published configuration: criteria with the points
 * each is worth; a grader gives each criterion 0…points, and the part's score is the sum scaled to
 * 0–100 (compared with the part's pass mark like every other part).
 */
export const RubricCriterion = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes')
    .max(40),
  title: LocalizedText,
  /** What earns the points: shown to candidates before they start and to graders beside the score. */
  description: LocalizedText,
  points: z.number().int().min(1).max(100),
});
export type RubricCriterion = z.infer<typeof RubricCriterion>;

export const Rubric = z
  .array(RubricCriterion)
  .min(1)
  .max(20)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'criterion ids must be unique');
export type Rubric = z.infer<typeof Rubric>;

const text = (en: string, zh: string) => ({ en, 'zh-CN': zh });

/** The default rubric of the specification exercise (100 points). */
export const DEFAULT_SPECIFICATION_RUBRIC: Rubric = [
  {
    id: 'definitions',
    title: text('Label definitions', '标签定义'),
    description: text(
      'Every label is defined so that two annotators separate it from its neighbours the same way.',
      '每个标签都有定义，两位标注员能以相同方式把它与相近标签区分开。',
    ),
    points: 25,
  },
  {
    id: 'edge-cases',
    title: text('Edge-case rules', '疑难情形规则'),
    description: text(
      'The hard cases of the sample are found and each rule gives one decidable answer.',
      '找出样本中的疑难情形，每条规则都给出唯一、可判定的处理结论。',
    ),
    points: 30,
  },
  {
    id: 'examples',
    title: text('Examples', '示例'),
    description: text('Examples point at sample items and show the rules applied.', '示例引用样本数据，展示规则如何应用。'),
    points: 20,
  },
  {
    id: 'consistency',
    title: text('Consistency', '一致性'),
    description: text(
      'No rule contradicts another or the label schema; the wording is precise.',
      '规则之间、规则与标签体系之间没有矛盾，措辞准确。',
    ),
    points: 15,
  },
  {
    id: 'usability',
    title: text('Usability', '可用性'),
    description: text('An annotator can apply the specification quickly: ordered, short, scannable.', '标注员能快速查用：条理清晰、简洁。'),
    points: 10,
  },
];

/** The default rubric of the comprehensive review (100 points). */
export const DEFAULT_COMPREHENSIVE_RUBRIC: Rubric = [
  {
    id: 'work-quality',
    title: text('Quality of work', '工作质量'),
    description: text(
      'Accuracy on gold and review acceptance in the portfolio statistics, and the work it stands for.',
      '作品集统计中的金标准确率与审核通过率，以及其代表的工作。',
    ),
    points: 30,
  },
  {
    id: 'specification',
    title: text('Specification and process design', '规范与流程设计'),
    description: text('The specifications and workflows the candidate wrote or improved.', '候选人编写或改进的标注规范与流程。'),
    points: 20,
  },
  {
    id: 'training',
    title: text('Training and guidance', '培训与指导'),
    description: text('People the candidate trained or mentored and how they progressed.', '候选人培训或指导的人员及其进步情况。'),
    points: 20,
  },
  {
    id: 'defense',
    title: text('Defense', '答辩'),
    description: text(
      "Answers to the panel's questions: sound, specific, honest about limits.",
      '对评审提问的回答：有理有据、具体、实事求是。',
    ),
    points: 30,
  },
];

export interface RubricResult {
  /** Points given per criterion id. */
  points: Record<string, number>;
  total: number;
  max: number;
  /** total / max × 100, rounded to one decimal. */
  score: number;
}

export type RubricProblem =
  | { kind: 'missing'; criterion: string }
  | { kind: 'out-of-range'; criterion: string; max: number }
  | { kind: 'unknown'; criterion: string };

/**
 * Scores a grader's points against a rubric. Every criterion must have a whole or half point in
 * 0…points; unknown criteria are refused. Returns the problems instead when any.
 */
export function scoreRubric(
  rubric: Rubric,
  given: Record<string, number>,
): { ok: true; result: RubricResult } | { ok: false; problems: RubricProblem[] } {
  const problems: RubricProblem[] = [];
  for (const id of Object.keys(given)) if (!rubric.some((c) => c.id === id)) problems.push({ kind: 'unknown', criterion: id });
  const points: Record<string, number> = {};
  for (const c of rubric) {
    const p = given[c.id];
    if (p === undefined) problems.push({ kind: 'missing', criterion: c.id });
    else if (!Number.isFinite(p) || p < 0 || p > c.points || Math.round(p * 2) !== p * 2)
      problems.push({ kind: 'out-of-range', criterion: c.id, max: c.points });
    else points[c.id] = p;
  }
  if (problems.length > 0) return { ok: false, problems };
  const max = rubric.reduce((s, c) => s + c.points, 0);
  const total = rubric.reduce((s, c) => s + (points[c.id] ?? 0), 0);
  return { ok: true, result: { points, total, max, score: Math.round((total / max) * 1000) / 10 } };
}

/**
 * Whether someone at `examiner` level may examine a candidate at `candidate` level: only from a
 * higher level, except that L1 (the top) is examined by L1.
 */
export function canExamineLevel(examiner: Level, candidate: Level): boolean {
  const e = LEVELS.indexOf(examiner);
  const c = LEVELS.indexOf(candidate);
  return e > c || (candidate === 'L1' && examiner === 'L1');
}

/** How a panel's independent scores become one decision. */
export const PANEL_RULES = ['mean-and-floor', 'majority'] as const;
export const PanelRule = z.enum(PANEL_RULES);
export type PanelRule = z.infer<typeof PanelRule>;

export interface PanelDecision {
  /** Every member has scored; until then nothing is decided (and no score is shown to anyone). */
  complete: boolean;
  /** Mean of the members' scores (0–100, one decimal); the part's score. Null until complete. */
  mean: number | null;
  passed: boolean | null;
  /** Why it failed: the mean under the pass mark, a member under the floor, no majority. */
  reasons: ('mean-below-pass-mark' | 'member-below-floor' | 'no-majority')[];
}

/**
 * The panel's decision once every one of `size` members has scored (each 0–100).
 * `mean-and-floor`: passed when the mean reaches the pass mark and no member scored below the
 * floor (one strong objection is not averaged away). `majority`: passed when more than half the
 * members scored at or above the pass mark. The score recorded is the mean either way.
 */
export function panelDecision(rule: PanelRule, scores: readonly number[], size: number, passMark: number, floor: number): PanelDecision {
  if (scores.length < size || size < 1) return { complete: false, mean: null, passed: null, reasons: [] };
  const mean = Math.round((scores.reduce((s, x) => s + x, 0) / scores.length) * 10) / 10;
  const reasons: PanelDecision['reasons'] = [];
  if (rule === 'mean-and-floor') {
    if (mean < passMark) reasons.push('mean-below-pass-mark');
    if (scores.some((s) => s < floor)) reasons.push('member-below-floor');
  } else if (scores.filter((s) => s >= passMark).length * 2 <= scores.length) reasons.push('no-majority');
  return { complete: true, mean, passed: reasons.length === 0, reasons };
}
