import { z } from 'zod';
import { Lang } from '../schema/common.ts';
import { LabelSchema, ProjectKind } from '../schema/label-schema.ts';
import { GuidelineRef } from '../schema/project.ts';
import { reasonParams, withReason } from '../contracts/issues.ts';

/**
 * Text in one or more languages. Each key is optional here; the front matter check requires
 * every language listed in the guideline's `languages` to be present.
 */
export const LocalizedText = z.strictObject({
  'zh-CN': z.string().trim().min(1, 'must not be empty').max(4000).optional(),
  en: z.string().trim().min(1, 'must not be empty').max(4000).optional(),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

const AnswerIndex = z.number().int('must be a whole number').nonnegative('must be 0 or more');

/** Kinds of quiz question: true/false (two options, one answer), single choice, multiple choice (select all that apply). */
export const QUIZ_QUESTION_TYPES = ['true-false', 'single', 'multiple'] as const;
export const QuizQuestionType = z.enum(QUIZ_QUESTION_TYPES);
export type QuizQuestionType = z.infer<typeof QuizQuestionType>;

/** One multiple-choice question of a guideline's quiz bank. Option indexes count from 0. */
export const QuizQuestion = z.strictObject({
  id: z
    .string()
    .refine((s) => /^[a-z0-9][a-z0-9_-]{0,59}$/.test(s), withReason('quiz_id_format', 'must be a short id of lowercase letters, digits, "-" or "_"')),
  question: LocalizedText,
  options: z.array(LocalizedText).min(2, 'a question needs at least 2 options').max(6, 'a question has at most 6 options'),
  /** One index (single choice) or a list of indexes (select all that apply), counting from 0. */
  answer: z.union([AnswerIndex, z.array(AnswerIndex).min(1, 'must list at least one option')], {
    error: 'must be an option index (counting from 0) or a list of indexes',
  }),
  explanation: LocalizedText,
  /** Optional; without it a list answer means `multiple` and one index `single` (see `quizQuestionType`). */
  type: QuizQuestionType.optional(),
});
export type QuizQuestion = z.infer<typeof QuizQuestion>;

/**
 * A question-type hint written into a stem ("(Select all that apply)", "（多选）", "(单选题)", "(true or false)").
 * Stems carry none: the exam page adds the type itself, so a hint in the stem would show twice.
 */
const TYPE_HINT = /[(（]\s*(?:select all that apply|select one|choose (?:one|all that apply)|one answer|true or false|true\/false|多选题?|单选题?|判断题?)\s*[)）]/i;

/** The question-type hint written in `text`, or null. */
export function typeHintIn(text: string): string | null {
  return TYPE_HINT.exec(text)?.[0] ?? null;
}

/** The fields of a quiz question that hold localized text, for the per-language check. */
const QUESTION_TEXT_FIELDS = ['question', 'explanation'] as const;

/**
 * The YAML front matter of a guideline document, `guidelines/<slug>/<version>.md`.
 * Beyond the shapes: languages are unique, every localized text has every listed language,
 * answer indexes point at existing options without repeats, quiz ids are unique.
 */
export const GuidelineFrontMatter = z
  .strictObject({
    slug: GuidelineRef.shape.slug,
    version: z.string({
      error: (iss) =>
        iss.input === undefined
          ? 'is required'
          : 'must be a quoted string such as "1.0" (YAML reads an unquoted 1.0 as the number 1)',
    }).pipe(GuidelineRef.shape.version),
    languages: z.array(Lang).min(1, 'list at least one language'),
    title: LocalizedText,
    kind: ProjectKind,
    labelSchema: LabelSchema,
    quiz: z.array(QuizQuestion).max(1000).default([]),
  })
  .superRefine((fm, ctx) => {
    const seenLangs = new Set<Lang>();
    fm.languages.forEach((lang, i) => {
      if (seenLangs.has(lang)) ctx.addIssue({ code: 'custom', path: ['languages', i], message: `"${lang}" is listed twice`, params: reasonParams('language_twice', { lang }) });
      seenLangs.add(lang);
    });
    const needLangs = (text: LocalizedText, path: (string | number)[]): void => {
      for (const lang of seenLangs) {
        if (text[lang] === undefined) ctx.addIssue({ code: 'custom', path: [...path, lang], message: `missing the ${lang} text`, params: reasonParams('missing_language_text', { lang }) });
      }
      for (const key of Object.keys(text) as Lang[]) {
        if (!seenLangs.has(key)) ctx.addIssue({ code: 'custom', path: [...path, key], message: `"${key}" is not in languages`, params: reasonParams('language_not_listed', { lang: key }) });
      }
    };
    needLangs(fm.title, ['title']);
    // Label descriptions given per language need every listed language, like the title.
    fm.labelSchema.labels.forEach((l, i) => {
      if (typeof l.description === 'object') needLangs(l.description, ['labelSchema', 'labels', i, 'description']);
    });
    const ids = new Map<string, number>();
    fm.quiz.forEach((q, i) => {
      const prev = ids.get(q.id);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['quiz', i, 'id'], message: `duplicate quiz id "${q.id}" (also question ${prev + 1})`, params: reasonParams('duplicate_quiz_id', { id: q.id, other: prev + 1 }) });
      } else ids.set(q.id, i);
      for (const field of QUESTION_TEXT_FIELDS) needLangs(q[field], ['quiz', i, field]);
      for (const [lang, text] of Object.entries(q.question)) {
        const hint = typeHintIn(text);
        if (hint !== null)
          ctx.addIssue({ code: 'custom', path: ['quiz', i, 'question', lang], message: `leave out the type hint "${hint}": the exam adds it`, params: reasonParams('quiz_type_hint', { hint }) });
      }
      q.options.forEach((o, j) => needLangs(o, ['quiz', i, 'options', j]));
      if (q.type === 'true-false' && (q.options.length !== 2 || typeof q.answer !== 'number'))
        ctx.addIssue({ code: 'custom', path: ['quiz', i, 'type'], message: 'a true-false question has exactly 2 options and one answer index', params: reasonParams('quiz_type_mismatch', { type: q.type }) });
      if (q.type === 'single' && typeof q.answer !== 'number')
        ctx.addIssue({ code: 'custom', path: ['quiz', i, 'type'], message: 'a single-choice question has one answer index, not a list', params: reasonParams('quiz_type_mismatch', { type: q.type }) });
      if (q.type === 'multiple' && typeof q.answer === 'number')
        ctx.addIssue({ code: 'custom', path: ['quiz', i, 'type'], message: 'a multiple-choice question lists its answers ([0, 2])', params: reasonParams('quiz_type_mismatch', { type: q.type }) });
      const answers = typeof q.answer === 'number' ? [q.answer] : q.answer;
      const seen = new Set<number>();
      answers.forEach((a, j) => {
        const path = typeof q.answer === 'number' ? ['quiz', i, 'answer'] : ['quiz', i, 'answer', j];
        if (a >= q.options.length) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `answer ${a} is out of range: the question has ${q.options.length} options, indexes 0 to ${q.options.length - 1}`,
            params: reasonParams('answer_out_of_range', { answer: a, options: q.options.length, last: q.options.length - 1 }),
          });
        }
        if (seen.has(a)) ctx.addIssue({ code: 'custom', path, message: `answer ${a} is listed twice`, params: reasonParams('answer_twice', { answer: a }) });
        seen.add(a);
      });
    });
  });
export type GuidelineFrontMatter = z.infer<typeof GuidelineFrontMatter>;

/** The question's type: as written, else `multiple` for a list answer and `single` for one index. */
export function quizQuestionType(q: Pick<QuizQuestion, 'answer' | 'type'>): QuizQuestionType {
  return q.type ?? (typeof q.answer === 'number' ? 'single' : 'multiple');
}

/** A parsed, checked guideline. `body` holds the Markdown of each language ('' for a language not listed). */
export interface Guideline {
  slug: string;
  version: string;
  languages: Lang[];
  title: LocalizedText;
  kind: ProjectKind;
  labelSchema: LabelSchema;
  quiz: QuizQuestion[];
  body: Record<Lang, string>;
}

/** One problem found in a guideline document: `path` is a front matter field (`quiz[3].answer`), `body.<lang>`, `path` or ''. */
export interface GuidelineIssue {
  path: string;
  message: string;
}

export type ParseGuidelineResult = { ok: true; guideline: Guideline } | { ok: false; issues: GuidelineIssue[] };

/** The text in `lang`, else in the first language that has one, else ''. */
export function localize(text: LocalizedText, lang: Lang): string {
  return text[lang] ?? text['zh-CN'] ?? text.en ?? '';
}
