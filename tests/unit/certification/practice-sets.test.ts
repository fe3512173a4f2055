import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PracticeSet, hardCases, parseGuideline, practiceSetIssues, type Guideline } from '@labelwork/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function guideline(slug: string, version: string): Guideline {
  const r = parseGuideline(readFileSync(path.join(root, 'guidelines', slug, `${version}.md`), 'utf8'), `${slug}/${version}.md`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.guideline;
}

function set(slug: string): PracticeSet {
  return PracticeSet.parse(JSON.parse(readFileSync(path.join(root, 'guidelines', slug, 'practice-1.1', 'set.json'), 'utf8')));
}

describe.each(['vehicles-pedestrians-bbox', 'chinese-ner'])('%s practice set', (slug) => {
  it('has at least 30 gold items of every difficulty, valid for the guideline it names', () => {
    const s = set(slug);
    expect(s.guideline).toEqual({ slug, version: '1.1' });
    const g = guideline(slug, s.guideline.version);
    expect(s.items.length).toBeGreaterThanOrEqual(30);
    expect(practiceSetIssues(s, g.labelSchema)).toEqual([]);
    expect(new Set(s.items.map((i) => i.difficulty))).toEqual(new Set([1, 2, 3]));
    const numbers = new Set(hardCases(g, 'en').map((h) => h.number));
    for (const item of s.items) if (item.hardCase !== undefined) expect(numbers.has(item.hardCase), item.id).toBe(true);
    // Every label of the guideline is practised.
    const practised = new Set(s.items.flatMap((i) => i.gold.map((r) => r.label)));
    for (const l of g.labelSchema.labels.filter((x) => x.name !== 'ignore')) expect(practised.has(l.name), l.name).toBe(true);
  });
});

describe('practice set content', () => {
  it('vehicles: each image exists with the size the set says (PNG header)', () => {
    const s = set('vehicles-pedestrians-bbox');
    for (const item of s.items) {
      if (item.media.kind !== 'image') throw new Error('image items only');
      const file = path.join(root, 'guidelines', 'vehicles-pedestrians-bbox', 'practice-1.1', item.media.file);
      expect(existsSync(file), item.media.file).toBe(true);
      const png = readFileSync(file);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([item.media.width, item.media.height]);
    }
  });

  it('chinese-ner: spans sit on names, never on spaces or punctuation at their ends', () => {
    const s = set('chinese-ner');
    const byText = new Map<string, string[]>();
    for (const item of s.items) {
      if (item.media.kind !== 'text') throw new Error('text items only');
      const cps = [...item.media.text];
      const names = item.gold.map((r) => (r.type === 'span' ? cps.slice(r.start, r.end).join('') : ''));
      for (const n of names) expect(n).toMatch(/^[^\s，。、“”《》（）：；！？,.]+(.*[^\s，。、“”《》（）：；！？,.])?$/u);
      byText.set(item.media.text, names);
    }
    expect(byText.get('我在 Windows 电脑上装了微信。')).toEqual(['Windows', '微信']);
    expect(byText.get('[马云]PER（[Jack Ma]PER）曾在[杭州]LOC当英语老师。'.replace(/\[([^\]]+)\][A-Z]{3}/g, '$1'))).toEqual([
      '马云',
      'Jack Ma',
      '杭州',
    ]);
    expect(byText.get('他会说汉语和英语，最近在读《三体》。')).toEqual([]);
  });

  it('is what the generator writes (scripts/generate-practice-sets.ts --check)', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/generate-practice-sets.ts', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(r.stderr + r.stdout).toContain('practice sets match the generator');
    expect(r.status).toBe(0);
  }, 60_000);
});
