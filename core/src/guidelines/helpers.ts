import type { Lang } from '../schema/common.ts';
import { findDefinitions, findHardCases, type HardCase } from './markdown.ts';
import { localize, quizQuestionType, type Guideline, type QuizQuestion, type QuizQuestionType } from './schema.ts';

/**
 * Per label name (in label schema order), the Markdown section that defines it in `lang`:
 * the first heading naming the label with everything under it, else its definition line.
 * Labels with no definition in that language are absent. For the label picker's "definition" link.
 */
export function labelDefinitions(guideline: Pick<Guideline, 'labelSchema' | 'body'>, lang: Lang): Record<string, string> {
  const names = guideline.labelSchema.labels.map((l) => l.name);
  const found = findDefinitions(guideline.body[lang], names);
  const out: Record<string, string> = {};
  for (const name of names) {
    const md = found.get(name);
    if (md !== undefined) out[name] = md;
  }
  return out;
}

/** The hard cases of `lang`, in document order: sections headed `Hard case N` (en) or `难例 N` (zh-CN), levels 2 to 6. */
export function hardCases(guideline: Pick<Guideline, 'body'>, lang: Lang): HardCase[] {
  return findHardCases(guideline.body[lang]);
}

/** A quiz question in one language, ready for an exam. `answer` lists the correct option indexes, ascending. */
export interface ExamQuestion {
  id: string;
  question: string;
  options: string[];
  answer: number[];
  /** Select-all-that-apply (the answer was written as a list), shown with checkboxes. */
  multiple: boolean;
  type: QuizQuestionType;
  explanation: string;
}

/** A question in one language, with its answer as a sorted list. */
export function localizeQuestion(q: QuizQuestion, lang: Lang): ExamQuestion {
  const answer = typeof q.answer === 'number' ? [q.answer] : [...new Set(q.answer)].sort((a, b) => a - b);
  return {
    id: q.id,
    question: localize(q.question, lang),
    options: q.options.map((o) => localize(o, lang)),
    answer,
    multiple: typeof q.answer !== 'number',
    type: quizQuestionType(q),
    explanation: localize(q.explanation, lang),
  };
}

/**
 * Picks `n` distinct questions (all of them when the bank is smaller) in random order, using `rng`
 * (a seeded generator returning numbers in [0, 1)), so the same seed gives the same exam.
 * Options keep their order: answers such as "both A and B" depend on it.
 */
export function quizForExam(guideline: Pick<Guideline, 'quiz'>, lang: Lang, n: number, rng: () => number): ExamQuestion[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number of questions, got ${n}`);
  const pool = guideline.quiz.slice();
  const k = Math.min(n, pool.length);
  for (let i = 0; i < k; i++) {
    const r = rng();
    const u = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
    const j = i + Math.floor(u * (pool.length - i));
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.slice(0, k).map((q) => localizeQuestion(q, lang));
}
