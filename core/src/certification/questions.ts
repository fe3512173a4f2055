import { z } from 'zod';
import { LEVELS, Lang, type Level } from '../schema/common.ts';
import type { Issue } from '../contracts/issues.ts';
import {
  LocalizedText,
  QUIZ_QUESTION_TYPES,
  QuizQuestionType,
  quizQuestionType,
  typeHintIn,
  type QuizQuestion,
} from '../guidelines/schema.ts';
import type { CertificationConfig } from './config.ts';
import { stratumQuotas } from './draw.ts';

/**
 * A bank question as a lead writes it in the UI: the type is explicit, answers are always a list
 * (one index for true/false and single choice), plus a topic and a difficulty (1 easy – 3 hard).
 * The shapes only; `questionIssues` checks languages, answers and duplicates.
 */
export const QuestionInput = z.strictObject({
  type: QuizQuestionType,
  question: LocalizedText,
  options: z.array(LocalizedText).min(2, 'a question needs at least 2 options').max(6, 'a question has at most 6 options'),
  answer: z
    .array(z.number().int('must be a whole number').nonnegative('must be 0 or more'))
    .min(1, 'mark at least one right option')
    .max(6),
  explanation: LocalizedText,
  topic: z.string().trim().min(1, 'must not be empty').max(60),
  difficulty: z.number().int().min(1).max(3),
});
export type QuestionInput = z.infer<typeof QuestionInput>;

/** Stored question status: retired questions are never drawn again, but old attempts still show them. */
export const QUESTION_STATUSES = ['active', 'retired'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];

/** A stem compared for duplicates: case, spacing and closing punctuation do not count. */
export function normalizedStem(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?？.。!！:：]+$/u, '')
    .trim();
}

/** The input as a guideline quiz question (the shape grading and drawing use). */
export function toQuizQuestion(id: string, input: QuestionInput): QuizQuestion {
  const answer = input.type === 'multiple' ? [...input.answer].sort((a, b) => a - b) : (input.answer[0] as number);
  return { id, type: input.type, question: input.question, options: input.options, answer, explanation: input.explanation };
}

/** A quiz question in the editor's shape (type explicit, answers as a list). */
export function toQuestionInput(q: QuizQuestion, topic: string, difficulty: number): QuestionInput {
  return {
    type: quizQuestionType(q),
    question: q.question,
    options: q.options,
    answer: typeof q.answer === 'number' ? [q.answer] : [...q.answer],
    explanation: q.explanation,
    topic,
    difficulty,
  };
}

/**
 * Problems with a question beyond its shape: every language of the bank present in stem, options
 * and explanation; no type hint in the stem (the exam adds it); option texts unique; answers that
 * exist, without repeats, one for true/false and single choice, two options for true/false; and no
 * other question of the bank (`others`: id → stem) with the same stem in any language.
 */
export function questionIssues(input: QuestionInput, langs: readonly Lang[], others: ReadonlyMap<string, LocalizedText>): Issue[] {
  const issues: Issue[] = [];
  const need = (text: LocalizedText, path: (string | number)[]) => {
    for (const lang of langs)
      if (text[lang] === undefined)
        issues.push({ path: [...path, lang], reason: 'missing_language_text', params: { lang }, message: `missing the ${lang} text` });
  };
  need(input.question, ['question']);
  input.options.forEach((o, i) => need(o, ['options', i]));
  need(input.explanation, ['explanation']);
  for (const [lang, text] of Object.entries(input.question) as [Lang, string][]) {
    const hint = typeHintIn(text);
    if (hint !== null)
      issues.push({
        path: ['question', lang],
        reason: 'quiz_type_hint',
        params: { hint },
        message: `leave out the type hint "${hint}": the exam adds it`,
      });
  }
  for (const lang of Lang.options) {
    const seen = new Map<string, number>();
    input.options.forEach((o, i) => {
      const text = o[lang];
      if (text === undefined) return;
      const key = normalizedStem(text);
      const prev = seen.get(key);
      if (prev !== undefined)
        issues.push({
          path: ['options', i, lang],
          reason: 'options_unique',
          params: { other: prev + 1, lang },
          message: `same text as option ${prev + 1}`,
        });
      else seen.set(key, i);
    });
  }
  const seenAnswers = new Set<number>();
  input.answer.forEach((a, j) => {
    if (a >= input.options.length)
      issues.push({
        path: ['answer', j],
        reason: 'answer_out_of_range',
        params: { answer: a, options: input.options.length, last: input.options.length - 1 },
        message: `answer ${a} is out of range: the question has ${input.options.length} options`,
      });
    if (seenAnswers.has(a))
      issues.push({ path: ['answer', j], reason: 'answer_twice', params: { answer: a }, message: `answer ${a} is listed twice` });
    seenAnswers.add(a);
  });
  if (
    (input.type === 'true-false' && (input.options.length !== 2 || input.answer.length !== 1)) ||
    (input.type === 'single' && input.answer.length !== 1)
  )
    issues.push({
      path: ['type'],
      reason: 'quiz_type_mismatch',
      params: { type: input.type },
      message: `the options and answers do not fit a ${input.type} question`,
    });
  for (const [lang, text] of Object.entries(input.question) as [Lang, string][]) {
    const key = normalizedStem(text);
    for (const [id, stem] of others) {
      const other = stem[lang];
      if (other !== undefined && normalizedStem(other) === key) {
        issues.push({
          path: ['question', lang],
          reason: 'duplicate_question',
          params: { lang, other: id },
          message: `question "${id}" has the same ${lang} text`,
        });
        break;
      }
    }
  }
  return issues;
}

/** A level whose theory paper would come out short of a question type. */
export interface BlueprintShortfall {
  level: Level;
  type: QuizQuestionType;
  /** Questions of the type the level's paper asks for (its share of the mix). */
  needed: number;
  /** Active questions of the type that would be left. */
  left: number;
}

/** Questions of each type a level's paper asks for: its share of `questions` by the mix, as `drawTheoryPaper` shares it. */
export function blueprintNeeds(config: CertificationConfig): { level: Level; needs: Record<QuizQuestionType, number> }[] {
  return LEVELS.filter((l) => config.levels[l].theory.enabled).map((level) => {
    const theory = config.levels[level].theory;
    const quotas = stratumQuotas(
      QUIZ_QUESTION_TYPES.map(() => theory.questions),
      QUIZ_QUESTION_TYPES.map((t) => theory.mix[t]),
      theory.questions,
    );
    return { level, needs: Object.fromEntries(QUIZ_QUESTION_TYPES.map((t, i) => [t, quotas[i] ?? 0])) as Record<QuizQuestionType, number> };
  });
}

/**
 * Whether taking questions out of the draw (retiring, or changing a question's type) leaves a level's
 * paper short: refused when a type loses a question while it has no more active questions than some
 * level's share needs. `before`/`after` are the active questions' type counts. Adding never hurts.
 */
export function blueprintShortfall(
  config: CertificationConfig,
  before: Readonly<Record<QuizQuestionType, number>>,
  after: Readonly<Record<QuizQuestionType, number>>,
): BlueprintShortfall | null {
  let worst: BlueprintShortfall | null = null;
  for (const { level, needs } of blueprintNeeds(config)) {
    for (const type of QUIZ_QUESTION_TYPES) {
      if (after[type] >= before[type] || after[type] >= needs[type]) continue;
      const s = { level, type, needed: needs[type], left: after[type] };
      if (worst === null || s.needed > worst.needed) worst = s;
    }
  }
  return worst;
}
