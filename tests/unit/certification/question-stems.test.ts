import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localize, parseGuideline, quizQuestionType, typeHintIn, type Guideline } from '@labelwork/core';
import { translator } from '../../../client/src/i18n/translate.ts';
import { typeHint } from '../../../client/src/features/training/training-text.ts';
import { FRONT_MATTER, PATH, doc } from '../guidelines/fixture.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../guidelines');

function shippedGuidelines(): Guideline[] {
  return readdirSync(root)
    .filter((d) => statSync(path.join(root, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(root, d))
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join(root, d, f)),
    )
    .map((file) => {
      const r = parseGuideline(readFileSync(file, 'utf8'), file);
      if (!r.ok) throw new Error(`${file}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      return r.guideline;
    });
}

/** Every way a "select all that apply" hint is written, in either language. */
const HINTS = /select all that apply|多选/gi;

describe('question stems on the exam page', () => {
  const langs = [
    { lang: 'en' as const, t: translator('en') },
    { lang: 'zh-CN' as const, t: translator('zh-CN') },
  ];

  it('show the type hint once, in either language, for every shipped question', () => {
    let multiple = 0;
    for (const g of shippedGuidelines()) {
      for (const q of g.quiz) {
        const type = quizQuestionType(q);
        if (type === 'multiple') multiple++;
        for (const { lang, t } of langs) {
          // As exam-page.tsx renders the legend: the stem, then the type hint.
          const rendered = `${localize(q.question, lang)} ${typeHint(t, type)}`;
          const hints = rendered.match(HINTS) ?? [];
          expect(hints.length, `${g.slug}@${g.version}#${q.id} (${lang}): ${rendered}`).toBe(type === 'multiple' ? 1 : 0);
        }
      }
    }
    expect(multiple).toBeGreaterThan(10);
  });

  it('recognises a hint written into a stem in both languages', () => {
    expect(typeHintIn('Which of these go inside a car box? (Select all that apply)')).toBe('(Select all that apply)');
    expect(typeHintIn('下列哪些要框进 car 框？（多选）')).toBe('（多选）');
    expect(typeHintIn('判断对错 (判断题)')).toBe('(判断题)');
    expect(typeHintIn('Which of these are labeled car?')).toBeNull();
  });

  it('refuses a guideline whose stem carries the type hint', () => {
    const fm = FRONT_MATTER.replace('What goes inside a pedestrian box?', 'What goes inside a pedestrian box? (Select all that apply)');
    expect(fm).not.toBe(FRONT_MATTER);
    const r = parseGuideline(doc({ frontMatter: fm }), PATH);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('quiz[1].question.en');
  });
});
