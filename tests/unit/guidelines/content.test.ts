import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bankTypeCounts, hardCases, labelDefinitions, labelDescription, parseGuideline, type Guideline, type Lang } from '@labelwork/core';

// Content rules for the guidelines we ship (not parser rules): see guidelines/README.md.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../guidelines');

function guidelineFiles(): string[] {
  return readdirSync(root)
    .filter((d) => statSync(path.join(root, d)).isDirectory())
    .flatMap((d) => readdirSync(path.join(root, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`))
    .sort();
}

function load(rel: string): Guideline {
  const r = parseGuideline(readFileSync(path.join(root, rel), 'utf8'), `guidelines/${rel}`);
  if (!r.ok) throw new Error(`${rel}:\n${r.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  return r.guideline;
}

/** Heading counts by level, outside code fences. */
function headingLevels(md: string): number[] {
  const counts = [0, 0, 0, 0, 0, 0];
  let fence = false;
  for (const line of md.split('\n')) {
    if (/^ {0,3}(```|~~~)/.test(line)) fence = !fence;
    const m = fence ? null : /^ {0,3}(#{1,6})\s/.exec(line);
    if (m) counts[m[1]!.length - 1]!++;
  }
  return counts;
}

describe('shipped guidelines', () => {
  it('include the two reference guidelines', () => {
    expect(guidelineFiles()).toEqual(expect.arrayContaining(['vehicles-pedestrians-bbox/1.0.md', 'chinese-ner/1.0.md']));
  });

  describe.each(guidelineFiles())('%s', (rel) => {
    it('parses, is bilingual and matches its path', () => {
      const g = load(rel);
      expect([...g.languages].sort()).toEqual(['en', 'zh-CN']);
      expect(`${g.slug}/${g.version}.md`).toBe(rel);
    });

    it('describes every label in both languages, each text in its own language', () => {
      const g = load(rel);
      for (const l of g.labelSchema.labels) {
        expect(typeof l.description, l.name).toBe('object');
        const d = l.description as { 'zh-CN': string; en: string };
        expect(labelDescription(l, 'en'), l.name).toBe(d.en);
        expect(d.en, l.name).not.toMatch(/[\u4e00-\u9fff]{3,}/);
        expect(d['zh-CN'], l.name).toMatch(/[\u4e00-\u9fff]/);
      }
    });

    it('has at least 12 quiz questions, with varied answer positions', () => {
      const g = load(rel);
      expect(g.quiz.length).toBeGreaterThanOrEqual(12);
      const firsts = new Set(g.quiz.map((q) => (typeof q.answer === 'number' ? q.answer : q.answer[0])));
      expect(firsts.size).toBeGreaterThanOrEqual(3);
    });

    it('has at least 8 hard cases in each language, numbered 1..N alike', () => {
      const g = load(rel);
      const numbers = (lang: Lang) => hardCases(g, lang).map((h) => h.number);
      const zh = numbers('zh-CN');
      const en = numbers('en');
      expect(zh.length).toBeGreaterThanOrEqual(8);
      expect(zh).toEqual(zh.map((_, i) => i + 1));
      expect(en).toEqual(zh);
      // Counted independently of the helper, straight from the Markdown.
      expect(g.body['zh-CN'].match(/^#{2,6} 难例 \d+/gm)?.length).toBe(zh.length);
      expect(g.body.en.match(/^#{2,6} Hard case \d+/gm)?.length).toBe(en.length);
      for (const lang of ['zh-CN', 'en'] as const) {
        for (const h of hardCases(g, lang)) {
          // Each hard case gives a decision and a reason.
          const words = lang === 'en' ? [/\*\*Decision\*\*|\*\*Labels\*\*/, /\*\*Reason\*\*/] : [/\*\*判定\*\*|\*\*标注\*\*/, /\*\*理由\*\*/];
          for (const w of words) expect(h.markdown, `${lang} ${h.title}`).toMatch(w);
        }
      }
    });

    it('defines every label in both languages, with substance', () => {
      const g = load(rel);
      for (const lang of ['zh-CN', 'en'] as const) {
        const defs = labelDefinitions(g, lang);
        for (const label of g.labelSchema.labels) {
          const def = defs[label.name];
          expect(def, `${lang} ${label.name}`).toBeDefined();
          expect(def!.length, `${lang} ${label.name}`).toBeGreaterThan(60);
          expect(label.description, label.name).toBeTruthy();
        }
      }
    });

    it('has the same section structure in both languages', () => {
      const g = load(rel);
      expect(headingLevels(g.body['zh-CN'])).toEqual(headingLevels(g.body.en));
    });
  });
});

describe.each(guidelineFiles().filter((f) => !f.endsWith('/1.0.md')))('%s exam bank', (rel) => {
  it('from version 1.1 on, has an exam bank of at least 40 questions mixing true/false, single and multiple choice', () => {
    const g = load(rel);
    expect(g.quiz.length).toBeGreaterThanOrEqual(40);
    const counts = bankTypeCounts(g.quiz);
    expect(counts['true-false']).toBeGreaterThanOrEqual(10);
    expect(counts.single).toBeGreaterThanOrEqual(10);
    expect(counts.multiple).toBeGreaterThanOrEqual(4);
    // True/false questions read the same way everywhere: option 0 is "true".
    for (const q of g.quiz.filter((x) => x.type === 'true-false')) expect(q.options[0], q.id).toEqual({ 'zh-CN': '正确', en: 'True' });
  });
});

describe('reference guideline specifics', () => {
  it('vehicles-pedestrians-bbox: image kind, every label a bbox', () => {
    const g = load('vehicles-pedestrians-bbox/1.0.md');
    expect(g.kind).toBe('image');
    expect(g.labelSchema.labels.every((l) => l.tool === 'bbox')).toBe(true);
    expect(g.labelSchema.labels.map((l) => l.name)).toEqual(
      expect.arrayContaining(['car', 'bus', 'truck', 'motorcycle', 'bicycle', 'pedestrian', 'rider']),
    );
  });

  it('chinese-ner: text kind, ASCII-stable span labels', () => {
    const g = load('chinese-ner/1.0.md');
    expect(g.kind).toBe('text');
    expect(g.labelSchema.labels.map((l) => [l.name, l.tool])).toEqual([
      ['PER', 'span'],
      ['ORG', 'span'],
      ['LOC', 'span'],
      ['PRD', 'span'],
    ]);
  });

  it('chinese-ner: the code-point offsets quoted in the text are right', () => {
    const g = load('chinese-ner/1.0.md');
    const cp = (text: string, part: string): [number, number] => {
      const chars = [...text];
      const p = [...part];
      for (let i = 0; i + p.length <= chars.length; i++) {
        if (chars.slice(i, i + p.length).join('') === part) return [i, i + p.length];
      }
      throw new Error(`${part} not in ${text}`);
    };
    const sentence = '我用 iPhone 15 拍的😀，发到了微信群里。';
    expect(g.body['zh-CN']).toContain(sentence);
    expect(g.body.en).toContain(sentence);
    expect(cp(sentence, 'iPhone 15')).toEqual([3, 12]);
    expect(cp(sentence, '微信')).toEqual([20, 22]);
    expect(cp('A😀华为', '华为')).toEqual([2, 4]);
    for (const body of [g.body['zh-CN'], g.body.en]) {
      expect(body).toContain('`[3, 12)`');
      expect(body).toContain('`[20, 22)`');
      expect(body).toContain('`[2, 4)`');
    }
    const q = g.quiz.find((x) => x.id === 'code-points')!;
    expect(q.options[q.answer as number]!.en).toBe('[2, 4)');
  });
});
