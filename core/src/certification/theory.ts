import type { RandomSource } from '../metrics/random.ts';
import type { Lang } from '../schema/common.ts';
import { QUIZ_QUESTION_TYPES, localize, quizQuestionType, type QuizQuestion, type QuizQuestionType } from '../guidelines/schema.ts';
import type { TheoryConfig } from './config.ts';
import { drawStratified } from './draw.ts';

/** A bank question with the guideline it comes from (`slug@version`), so a paper can mix guidelines. */
export interface BankQuestion {
  /** `<slug>@<version>#<question id>`: unique across guidelines and versions. */
  ref: string;
  question: QuizQuestion;
}

/** The reference of a question in a guideline version: `<slug>@<version>#<id>`. */
export function questionRef(slug: string, version: string, id: string): string {
  return `${slug}@${version}#${id}`;
}

/**
 * Draws a theory paper: `config.questions` distinct questions (fewer when the bank is smaller),
 * stratified by question type in the proportions of `config.mix`, in random order. Returns the refs.
 */
export function drawTheoryPaper(
  bank: readonly BankQuestion[],
  config: Pick<TheoryConfig, 'questions' | 'mix'>,
  random: RandomSource,
): string[] {
  return drawStratified(
    bank,
    config.questions,
    (q) => quizQuestionType(q.question),
    random,
    (key) => config.mix[key as QuizQuestionType] ?? 0,
  ).map((q) => q.ref);
}

/** A question as the candidate sees it during the exam: no answer, no explanation. */
export interface PaperQuestion {
  ref: string;
  type: QuizQuestionType;
  question: string;
  options: string[];
}

/** The questions of a paper in `lang`, in paper order, stripped of answers and explanations. */
export function paperQuestions(paper: readonly string[], bank: ReadonlyMap<string, QuizQuestion>, lang: Lang): PaperQuestion[] {
  return paper.map((ref) => {
    const q = bank.get(ref);
    if (q === undefined) throw new RangeError(`question ${ref} is not in the bank`);
    return { ref, type: quizQuestionType(q), question: localize(q.question, lang), options: q.options.map((o) => localize(o, lang)) };
  });
}

/** The right options of a question, ascending. */
export function rightOptions(q: Pick<QuizQuestion, 'answer'>): number[] {
  return typeof q.answer === 'number' ? [q.answer] : [...new Set(q.answer)].sort((a, b) => a - b);
}

/**
 * Credit in [0, 1] for one answer. True/false and single choice: 1 for exactly the right option,
 * else 0 (several picks earn 0). Multiple choice, `partial`: (right picks − wrong picks) / right
 * options, at least 0, so guessing every option earns nothing; `all-or-nothing`: 1 only for exactly
 * the right set. Picks outside the options or repeated are ignored; no answer earns 0.
 */
export function questionCredit(
  q: Pick<QuizQuestion, 'answer' | 'options' | 'type'>,
  picked: readonly number[] | undefined,
  rule: TheoryConfig['multipleChoiceCredit'],
): number {
  const right = new Set(rightOptions(q));
  const picks = [...new Set((picked ?? []).filter((p) => Number.isInteger(p) && p >= 0 && p < q.options.length))];
  if (picks.length === 0) return 0;
  if (quizQuestionType(q) !== 'multiple') return picks.length === 1 && right.has(picks[0] as number) ? 1 : 0;
  const hits = picks.filter((p) => right.has(p)).length;
  const misses = picks.length - hits;
  if (rule === 'all-or-nothing') return hits === right.size && misses === 0 ? 1 : 0;
  return Math.max(0, (hits - misses) / right.size);
}

export interface GradedQuestion {
  ref: string;
  type: QuizQuestionType;
  picked: number[];
  answer: number[];
  credit: number;
}

export interface TheoryResult {
  /** 0–100: the mean credit over the paper's questions × 100, rounded to one decimal. */
  score: number;
  questions: GradedQuestion[];
  /** Mean credit (0–1) per question type on the paper. */
  byType: Partial<Record<QuizQuestionType, { questions: number; credit: number }>>;
}

/** Grades a paper: unanswered questions earn 0; answers to questions not on the paper are ignored. */
export function gradeTheory(
  paper: readonly string[],
  bank: ReadonlyMap<string, QuizQuestion>,
  answers: Readonly<Record<string, readonly number[]>>,
  rule: TheoryConfig['multipleChoiceCredit'],
): TheoryResult {
  const questions: GradedQuestion[] = [];
  const byType: TheoryResult['byType'] = {};
  let sum = 0;
  for (const ref of paper) {
    const q = bank.get(ref);
    if (q === undefined) throw new RangeError(`question ${ref} is not in the bank`);
    const picked = Object.hasOwn(answers, ref) ? [...(answers[ref] ?? [])] : [];
    const credit = questionCredit(q, picked, rule);
    const type = quizQuestionType(q);
    questions.push({ ref, type, picked, answer: rightOptions(q), credit });
    sum += credit;
    const t = (byType[type] ??= { questions: 0, credit: 0 });
    t.credit = (t.credit * t.questions + credit) / (t.questions + 1);
    t.questions++;
  }
  const score = paper.length === 0 ? 0 : Math.round((1000 * sum) / paper.length) / 10;
  return { score, questions, byType };
}

/** Counts of each question type in a bank, for the "can this level's paper be drawn" check. */
export function bankTypeCounts(questions: readonly Pick<QuizQuestion, 'answer' | 'type'>[]): Record<QuizQuestionType, number> {
  const out = Object.fromEntries(QUIZ_QUESTION_TYPES.map((t) => [t, 0])) as Record<QuizQuestionType, number>;
  for (const q of questions) out[quizQuestionType(q)]++;
  return out;
}
