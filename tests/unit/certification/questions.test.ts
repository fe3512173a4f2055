import { describe, expect, it } from 'vitest';
import {
  QuestionInput,
  blueprintNeeds,
  blueprintShortfall,
  defaultCertificationConfig,
  normalizedStem,
  questionIssues,
  toQuestionInput,
  toQuizQuestion,
  type LocalizedText,
} from '@labelwork/core';

const LANGS = ['zh-CN', 'en'] as const;
const base = (): QuestionInput => ({
  type: 'single',
  question: { 'zh-CN': '被图像边缘截断的车怎么框？', en: 'How is a car cut by the image edge boxed?' },
  options: [
    { 'zh-CN': '框到边缘', en: 'Up to the edge' },
    { 'zh-CN': '不框', en: 'Not at all' },
  ],
  answer: [0],
  explanation: { 'zh-CN': '只框可见部分。', en: 'Only the visible part is boxed.' },
  topic: 'truncation',
  difficulty: 2,
});
const issues = (q: QuestionInput, others: Map<string, LocalizedText> = new Map()) =>
  questionIssues(q, LANGS, others).map((i) => `${i.path.join('.')}:${i.reason}`);

describe('bank question validation', () => {
  it('accepts a complete bilingual question', () => {
    expect(issues(base())).toEqual([]);
  });

  it('needs both languages in the stem, every option and the explanation', () => {
    const q = base();
    q.question = { en: q.question.en };
    q.options[1] = { 'zh-CN': '不框' };
    q.explanation = { 'zh-CN': '只框可见部分。' };
    expect(issues(q)).toEqual([
      'question.zh-CN:missing_language_text',
      'options.1.en:missing_language_text',
      'explanation.en:missing_language_text',
    ]);
  });

  it('needs at least 2 options and a right answer, by shape', () => {
    expect(QuestionInput.safeParse({ ...base(), options: [base().options[0]] }).success).toBe(false);
    expect(QuestionInput.safeParse({ ...base(), answer: [] }).success).toBe(false);
    expect(QuestionInput.safeParse({ ...base(), difficulty: 4 }).success).toBe(false);
  });

  it('refuses answers that do not exist or repeat, and answers that do not fit the type', () => {
    expect(issues({ ...base(), answer: [2] })).toEqual(['answer.0:answer_out_of_range']);
    expect(issues({ ...base(), type: 'multiple', answer: [1, 1] })).toEqual(['answer.1:answer_twice']);
    expect(issues({ ...base(), answer: [0, 1] })).toEqual(['type:quiz_type_mismatch']);
    const three = { ...base(), type: 'true-false' as const, options: [...base().options, { 'zh-CN': '看情况', en: 'It depends' }] };
    expect(issues(three)).toEqual(['type:quiz_type_mismatch']);
  });

  it('refuses a stem another question has (case, spacing and closing punctuation aside) and repeated options', () => {
    const others = new Map<string, LocalizedText>([['edge', { en: 'how is a CAR cut by the image edge  boxed', 'zh-CN': '别的题' }]]);
    expect(issues(base(), others)).toEqual(['question.en:duplicate_question']);
    expect(normalizedStem('  Which?  ')).toBe(normalizedStem('which'));
    const q = base();
    q.options[1] = { 'zh-CN': '框到边缘', en: 'Not at all' };
    expect(issues(q)).toEqual(['options.1.zh-CN:options_unique']);
  });

  it('refuses a type hint in the stem, in either language', () => {
    const q = {
      ...base(),
      type: 'multiple' as const,
      question: { 'zh-CN': '哪些要框？（多选）', en: 'Which are boxed? (Select all that apply)' },
    };
    expect(issues(q)).toEqual(['question.zh-CN:quiz_type_hint', 'question.en:quiz_type_hint']);
  });

  it('round-trips between the editor shape and the quiz shape', () => {
    const quiz = toQuizQuestion('q-1', { ...base(), type: 'multiple', answer: [1, 0] });
    expect(quiz.answer).toEqual([0, 1]);
    expect(toQuizQuestion('q-2', base()).answer).toBe(0);
    expect(toQuestionInput(toQuizQuestion('q-2', base()), 'truncation', 2)).toEqual(base());
  });
});

describe('retire guard', () => {
  const config = defaultCertificationConfig();

  it('shares each level paper by the mix as the draw does', () => {
    const l5 = blueprintNeeds(config).find((b) => b.level === 'L5')!.needs;
    expect(l5).toEqual({ 'true-false': 7, single: 11, multiple: 2 });
  });

  it('lets a question go while every level still finds its share of that type', () => {
    expect(
      blueprintShortfall(config, { 'true-false': 14, single: 23, multiple: 5 }, { 'true-false': 13, single: 23, multiple: 5 }),
    ).toBeNull();
  });

  it('refuses taking a question of a type a level needs more of, naming the level that needs most', () => {
    expect(
      blueprintShortfall(config, { 'true-false': 14, single: 23, multiple: 5 }, { 'true-false': 14, single: 23, multiple: 4 }),
    ).toEqual({
      level: 'L1',
      type: 'multiple',
      needed: 15,
      left: 4,
    });
    expect(
      blueprintShortfall(config, { 'true-false': 9, single: 23, multiple: 15 }, { 'true-false': 8, single: 23, multiple: 15 }),
    ).toMatchObject({
      type: 'true-false',
      needed: 9,
      left: 8,
    });
  });

  it('never refuses adding, and ignores levels without a theory part', () => {
    expect(blueprintShortfall(config, { 'true-false': 1, single: 1, multiple: 1 }, { 'true-false': 1, single: 2, multiple: 1 })).toBeNull();
    const off = defaultCertificationConfig();
    for (const l of ['L5', 'L4', 'L3', 'L2', 'L1'] as const) off.levels[l].theory.enabled = false;
    expect(blueprintShortfall(off, { 'true-false': 1, single: 1, multiple: 1 }, { 'true-false': 0, single: 1, multiple: 1 })).toBeNull();
  });
});
