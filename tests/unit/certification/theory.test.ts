import { describe, expect, it } from 'vitest';
import {
  bankTypeCounts,
  drawTheoryPaper,
  gradeTheory,
  paperQuestions,
  questionCredit,
  questionRef,
  quizQuestionType,
  seededRandom,
  type BankQuestion,
  type QuizQuestion,
} from '@labelwork/core';

function q(id: string, answer: number | number[], options = 4, type?: QuizQuestion['type']): QuizQuestion {
  const out: QuizQuestion = {
    id,
    question: { en: `question ${id}`, 'zh-CN': `问题 ${id}` },
    options: Array.from({ length: options }, (_, i) => ({ en: `option ${i}`, 'zh-CN': `选项 ${i}` })),
    answer,
    explanation: { en: `because ${id}`, 'zh-CN': `因为 ${id}` },
  };
  if (type) out.type = type;
  return out;
}

function bank(): BankQuestion[] {
  const out: BankQuestion[] = [];
  for (let i = 0; i < 12; i++) out.push({ ref: questionRef('g', '1.0', `tf${i}`), question: q(`tf${i}`, i % 2, 2, 'true-false') });
  for (let i = 0; i < 20; i++) out.push({ ref: questionRef('g', '1.0', `s${i}`), question: q(`s${i}`, i % 4) });
  for (let i = 0; i < 8; i++) out.push({ ref: questionRef('g', '1.0', `m${i}`), question: q(`m${i}`, [0, 2]) });
  return out;
}

describe('quiz question types', () => {
  it('reads the written type, else multiple for a list answer and single for one index', () => {
    expect(quizQuestionType(q('a', 1, 2, 'true-false'))).toBe('true-false');
    expect(quizQuestionType(q('a', [1, 2]))).toBe('multiple');
    expect(quizQuestionType(q('a', 1))).toBe('single');
    expect(bankTypeCounts(bank().map((b) => b.question))).toEqual({ 'true-false': 12, single: 20, multiple: 8 });
  });
});

describe('drawTheoryPaper', () => {
  const mix = { 'true-false': 3, single: 5, multiple: 2 };

  it('draws the configured number of distinct questions, stratified by type in the mix proportions', () => {
    const paper = drawTheoryPaper(bank(), { questions: 20, mix }, seededRandom(7));
    expect(paper).toHaveLength(20);
    expect(new Set(paper).size).toBe(20);
    const types = bankTypeCounts(paper.map((ref) => bank().find((b) => b.ref === ref)!.question));
    expect(types).toEqual({ 'true-false': 6, single: 10, multiple: 4 });
  });

  it('is the same for a seed and differs between seeds, in subset and in order', () => {
    const a = drawTheoryPaper(bank(), { questions: 20, mix }, seededRandom(1));
    expect(drawTheoryPaper(bank(), { questions: 20, mix }, seededRandom(1))).toEqual(a);
    const b = drawTheoryPaper(bank(), { questions: 20, mix }, seededRandom(2));
    expect(b).not.toEqual(a);
    expect(new Set(b)).not.toEqual(new Set(a));
  });

  it('fills from other types when one type runs short, and returns the whole bank when asked for more', () => {
    const paper = drawTheoryPaper(bank(), { questions: 30, mix: { 'true-false': 0, single: 0, multiple: 1 } }, seededRandom(3));
    const types = bankTypeCounts(paper.map((ref) => bank().find((b) => b.ref === ref)!.question));
    expect(types.multiple).toBe(8);
    expect(paper).toHaveLength(30);
    expect(drawTheoryPaper(bank(), { questions: 100, mix }, seededRandom(3))).toHaveLength(40);
  });
});

describe('paperQuestions', () => {
  it('gives the candidate text and options in their language, never the answer or explanation', () => {
    const b = bank();
    const map = new Map(b.map((x) => [x.ref, x.question]));
    const paper = [b[0]!.ref, b[35]!.ref];
    const shown = paperQuestions(paper, map, 'zh-CN');
    expect(shown[0]).toEqual({ ref: b[0]!.ref, type: 'true-false', question: '问题 tf0', options: ['选项 0', '选项 1'] });
    expect(JSON.stringify(shown)).not.toMatch(/answer|explanation|因为/);
  });
});

describe('questionCredit', () => {
  it('gives true/false and single choice 1 for exactly the right option, 0 otherwise', () => {
    const single = q('s', 2);
    expect(questionCredit(single, [2], 'partial')).toBe(1);
    expect(questionCredit(single, [1], 'partial')).toBe(0);
    expect(questionCredit(single, [2, 1], 'partial')).toBe(0);
    expect(questionCredit(single, [], 'partial')).toBe(0);
    expect(questionCredit(single, undefined, 'partial')).toBe(0);
    expect(questionCredit(q('t', 0, 2, 'true-false'), [0], 'partial')).toBe(1);
  });

  it('gives multiple choice (right − wrong) / right picks with partial credit, never below 0', () => {
    const multi = q('m', [0, 2, 3], 5);
    expect(questionCredit(multi, [0, 2, 3], 'partial')).toBe(1);
    expect(questionCredit(multi, [0, 2], 'partial')).toBeCloseTo(2 / 3);
    expect(questionCredit(multi, [0, 2, 1], 'partial')).toBeCloseTo(1 / 3);
    expect(questionCredit(multi, [0, 1, 2, 3, 4], 'partial')).toBeCloseTo(1 / 3);
    expect(questionCredit(multi, [1, 4], 'partial')).toBe(0);
  });

  it('gives multiple choice all or nothing under that rule, and ignores repeated or out-of-range picks', () => {
    const multi = q('m', [0, 2], 4);
    expect(questionCredit(multi, [0, 2], 'all-or-nothing')).toBe(1);
    expect(questionCredit(multi, [0], 'all-or-nothing')).toBe(0);
    expect(questionCredit(multi, [0, 0, 2, 9, -1], 'all-or-nothing')).toBe(1);
  });
});

describe('gradeTheory', () => {
  it('scores the mean credit out of 100, unanswered questions as 0, with per-type figures', () => {
    const b = bank();
    const map = new Map(b.map((x) => [x.ref, x.question]));
    const paper = [b[0]!.ref, b[12]!.ref, b[32]!.ref, b[13]!.ref];
    const r = gradeTheory(paper, map, { [b[0]!.ref]: [0], [b[12]!.ref]: [3], [b[32]!.ref]: [0], 'other#x': [1] }, 'partial');
    expect(r.questions.map((x) => x.credit)).toEqual([1, 0, 0.5, 0]);
    expect(r.score).toBe(37.5);
    expect(r.questions[1]).toMatchObject({ picked: [3], answer: [0] });
    expect(r.byType).toEqual({
      'true-false': { questions: 1, credit: 1 },
      single: { questions: 2, credit: 0 },
      multiple: { questions: 1, credit: 0.5 },
    });
  });

  it('scores an empty paper 0', () => {
    expect(gradeTheory([], new Map(), {}, 'partial').score).toBe(0);
  });
});
