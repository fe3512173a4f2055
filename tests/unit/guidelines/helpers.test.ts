import { describe, expect, it } from 'vitest';
import { hardCases, labelDefinitions, localize, parseGuideline, quizForExam, seededRandom, type Guideline } from '@labelwork/core';
import { doc, PATH } from './fixture.ts';

function demo(): Guideline {
  const r = parseGuideline(doc(), PATH);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.guideline;
}

const seeded = seededRandom;

describe('labelDefinitions', () => {
  it('returns the heading section, sub-headings included, up to the next sibling heading', () => {
    const defs = labelDefinitions(demo(), 'zh-CN');
    expect(Object.keys(defs)).toEqual(['car', 'pedestrian']);
    expect(defs.car).toBe('### `car` 小汽车\n\n载人的四轮车。\n\n#### 细则\n\n车门打开时包含车门。');
    expect(defs.pedestrian).toBe('### `pedestrian` 行人\n\n不在车上的人。');
  });

  it('returns a definition line with its continuation lines', () => {
    const defs = labelDefinitions(demo(), 'en');
    expect(defs.car).toBe('- **car**: a four-wheeled passenger vehicle.\n  Open doors are inside the box.');
    expect(defs.pedestrian).toBe('- **pedestrian** — a person not on a vehicle.');
  });

  it('matches names case-insensitively and leaves out undefined labels', () => {
    const g = demo();
    const body = { ...g.body, en: '# T\n\n## CAR\n\nA car.\n\n## Other\n\nx' };
    const defs = labelDefinitions({ ...g, body }, 'en');
    expect(defs).toEqual({ car: '## CAR\n\nA car.' });
    expect(labelDefinitions({ ...g, body: { 'zh-CN': '', en: '' } }, 'en')).toEqual({});
  });

  it('takes the first heading naming the label, ignoring code fences', () => {
    const g = demo();
    const en = '# T\n\n```\n## `car` fake\n```\n\n## `car` — Car\n\nReal.\n\n## Hard case 1: `car` or `bus`\n\nLater.';
    expect(labelDefinitions({ ...g, body: { ...g.body, en } }, 'en').car).toBe('## `car` — Car\n\nReal.');
  });
});

describe('hardCases', () => {
  it('lists hard cases per language with their numbers and sections', () => {
    const g = demo();
    expect(hardCases(g, 'zh-CN').map((h) => [h.number, h.title])).toEqual([
      [1, '难例 1：推车'],
      [2, '难例 2：倒影'],
    ]);
    const en = hardCases(g, 'en');
    expect(en.map((h) => h.number)).toEqual([1, 2]);
    expect(en[1]!.markdown).toBe('### Hard case 2: reflections\n\nNot labeled.');
  });

  it('does not count level-1 headings or other headings', () => {
    const g = demo();
    const en = '# Hard case 1\n\n## Hard cases\n\n### Hard case 12: x\n\ny\n\n### Hardcase 3\n';
    expect(hardCases({ body: { ...g.body, en } }, 'en').map((h) => h.number)).toEqual([12]);
  });
});

describe('quizForExam', () => {
  it('is deterministic for a seed and returns distinct questions', () => {
    const g = demo();
    const a = quizForExam(g, 'en', 2, seeded(42));
    const b = quizForExam(g, 'en', 2, seeded(42));
    expect(a).toEqual(b);
    expect(a).toHaveLength(2);
    expect(new Set(a.map((q) => q.id)).size).toBe(2);
  });

  it('localizes and normalizes answers', () => {
    const g = demo();
    const all = quizForExam(g, 'zh-CN', 3, () => 0);
    expect(all.map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(all[1]).toEqual({
      id: 'q2',
      question: '哪些框进行人框？',
      options: ['帽子', '雨伞', '背包'],
      answer: [0, 2],
      multiple: true,
      type: 'multiple',
      explanation: '雨伞不算。',
    });
    expect(all[0]).toMatchObject({ answer: [0], multiple: false, options: ['行人', '骑行者'] });
  });

  it('returns the whole bank when n exceeds it, and nothing for n = 0', () => {
    const g = demo();
    expect(quizForExam(g, 'en', 10, seeded(1)).map((q) => q.id).sort()).toEqual(['q1', 'q2', 'q3']);
    expect(quizForExam(g, 'en', 0, seeded(1))).toEqual([]);
  });

  it('uses the rng: the last value picks the last question', () => {
    const g = demo();
    expect(quizForExam(g, 'en', 1, () => 0.999)[0]!.id).toBe('q3');
    expect(quizForExam(g, 'en', 1, () => 1)[0]!.id).toBe('q3');
    expect(quizForExam(g, 'en', 1, () => Number.NaN)[0]!.id).toBe('q1');
  });

  it('spreads picks over the bank', () => {
    const g = demo();
    const rng = seeded(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const id = quizForExam(g, 'en', 1, rng)[0]!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of ['q1', 'q2', 'q3']) expect(counts.get(id)).toBeGreaterThan(850);
  });

  it('rejects a bad n', () => {
    expect(() => quizForExam(demo(), 'en', -1, seeded(1))).toThrow(RangeError);
    expect(() => quizForExam(demo(), 'en', 1.5, seeded(1))).toThrow(RangeError);
  });
});

describe('localize', () => {
  it('falls back to another language', () => {
    expect(localize({ 'zh-CN': '中', en: 'en' }, 'en')).toBe('en');
    expect(localize({ 'zh-CN': '中' }, 'en')).toBe('中');
    expect(localize({}, 'en')).toBe('');
  });
});
