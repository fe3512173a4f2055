import { describe, expect, it } from 'vitest';
import { parseGuideline, type GuidelineIssue, type ParseGuidelineResult } from '@labelwork/core';
import { doc, EN_BODY, FRONT_MATTER, PATH, ZH_BODY } from './fixture.ts';

function issuesOf(r: ParseGuidelineResult): GuidelineIssue[] {
  if (r.ok) throw new Error('expected the guideline to be rejected');
  return r.issues;
}

function expectIssue(r: ParseGuidelineResult, path: string, message: RegExp): void {
  const issues = issuesOf(r);
  expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
}

describe('parseGuideline: happy path', () => {
  it('parses front matter and both language bodies', () => {
    const r = parseGuideline(doc(), PATH);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const g = r.guideline;
    expect(g.slug).toBe('demo-boxes');
    expect(g.version).toBe('1.0');
    expect(g.languages).toEqual(['zh-CN', 'en']);
    expect(g.title).toEqual({ 'zh-CN': '演示规范', en: 'Demo guideline' });
    expect(g.kind).toBe('image');
    expect(g.labelSchema.labels.map((l) => l.name)).toEqual(['car', 'pedestrian']);
    expect(g.quiz.map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
    expect(g.quiz[1]!.answer).toEqual([2, 0]);
    expect(g.body['zh-CN']).toBe(ZH_BODY);
    expect(g.body.en).toBe(EN_BODY);
  });

  it('works without a path, with CRLF line ends and a BOM', () => {
    const r = parseGuideline('\uFEFF' + doc().replace(/\n/g, '\r\n'));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.guideline.body.en).toBe(EN_BODY);
  });

  it('accepts Windows and absolute paths', () => {
    expect(parseGuideline(doc(), 'C:\\repo\\guidelines\\demo-boxes\\1.0.md').ok).toBe(true);
    expect(parseGuideline(doc(), '/srv/labelwork/guidelines/demo-boxes/1.0.md').ok).toBe(true);
    expect(parseGuideline(doc(), 'demo-boxes/1.0.md').ok).toBe(true);
  });

  it('accepts a one-language guideline; the other body is empty', () => {
    const fm = FRONT_MATTER.replace('languages: [zh-CN, en]', 'languages: [en]')
      .replace(/^ {2}zh-CN: 演示规范\n/m, '')
      .replace(/zh-CN: [^,}]+, en:/g, 'en:');
    const r = parseGuideline(doc({ frontMatter: fm, zh: null }), PATH);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.guideline.body['zh-CN']).toBe('');
    expect(r.guideline.title).toEqual({ en: 'Demo guideline' });
  });

  it('ignores language markers and headings inside code fences', () => {
    const en = `${EN_BODY}\n\n\`\`\`markdown\n<!-- lang: zh-CN -->\n# not a part\n\`\`\``;
    const r = parseGuideline(doc({ en }), PATH);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.guideline.body.en).toContain('<!-- lang: zh-CN -->');
  });

  it('returns raw HTML in the body untouched (sanitizing is the server\'s job)', () => {
    const en = `${EN_BODY}\n\n<script>alert(1)</script>`;
    const r = parseGuideline(doc({ en }), PATH);
    expect(r.ok && r.guideline.body.en.endsWith('<script>alert(1)</script>')).toBe(true);
  });

  it('defaults an absent quiz to an empty bank', () => {
    const fm = FRONT_MATTER.slice(0, FRONT_MATTER.indexOf('quiz:')).trimEnd();
    const r = parseGuideline(doc({ frontMatter: fm }), PATH);
    expect(r.ok && r.guideline.quiz).toEqual([]);
  });
});

describe('parseGuideline: errors', () => {
  it('rejects a document without front matter', () => {
    const r = parseGuideline(`<!-- lang: en -->\n\n${EN_BODY}\n`, PATH);
    expect(issuesOf(r)).toEqual([{ path: '', message: expect.stringMatching(/missing front matter/) }]);
  });

  it('rejects front matter that is never closed', () => {
    expectIssue(parseGuideline(`---\n${FRONT_MATTER}\n\n# Body\n`), '', /not closed/);
  });

  it('rejects bad YAML with the line number in the file', () => {
    const fm = FRONT_MATTER.replace('languages: [zh-CN, en]', 'languages: [zh-CN, en');
    const issues = issuesOf(parseGuideline(doc({ frontMatter: fm }), PATH));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toEqual({ path: 'frontMatter', message: expect.stringMatching(/^invalid YAML at line \d+/) });
  });

  it('rejects duplicate YAML keys', () => {
    const fm = `${FRONT_MATTER.replace('kind: image', 'kind: image\nkind: text')}`;
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'frontMatter', /invalid YAML at line 9: .*unique/i);
  });

  it('rejects front matter that is not a mapping', () => {
    expectIssue(parseGuideline(doc({ frontMatter: '- just\n- a list' }), PATH), 'frontMatter', /mapping/);
  });

  it('explains an unquoted version', () => {
    const fm = FRONT_MATTER.replace('version: "1.0"', 'version: 1.0');
    expectIssue(parseGuideline(doc({ frontMatter: fm })), 'version', /quoted string/);
  });

  it('rejects unknown front matter fields and an invalid label schema', () => {
    const fm = FRONT_MATTER.replace('kind: image', 'kind: image\nquizz: []').replace('hotkey: "2"', 'hotkey: "1"');
    const r = parseGuideline(doc({ frontMatter: fm }), PATH);
    expectIssue(r, 'frontMatter', /quizz/);
    expectIssue(r, 'labelSchema.labels[1].hotkey', /already used/);
  });

  it('rejects a label hotkey that is an editor shortcut (0 is 1:1 zoom in the image editor)', () => {
    const fm = FRONT_MATTER.replace('hotkey: "2"', 'hotkey: "0"');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'labelSchema.labels[1].hotkey', /shortcut for view\.actual/);
  });

  it('takes label descriptions per language and requires every listed language', () => {
    const ok = FRONT_MATTER.replace('      tool: bbox\n', '      tool: bbox\n      description: { zh-CN: 小汽车, en: Car }\n');
    const r = parseGuideline(doc({ frontMatter: ok }), PATH);
    expect(r.ok && r.guideline.labelSchema.labels[0]!.description).toEqual({ 'zh-CN': '小汽车', en: 'Car' });
    const zhOnly = FRONT_MATTER.replace('      tool: bbox\n', '      tool: bbox\n      description: { zh-CN: 小汽车 }\n');
    expectIssue(parseGuideline(doc({ frontMatter: zhOnly }), PATH), 'labelSchema.labels[0].description.en', /missing the en text/);
  });

  it('rejects tools that do not suit the kind', () => {
    const fm = FRONT_MATTER.replace('kind: image', 'kind: text');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'labelSchema.labels[0].tool', /not available in text projects/);
  });

  it('rejects a single answer index out of range', () => {
    const fm = FRONT_MATTER.replace('answer: 0', 'answer: 2');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'quiz[0].answer', /answer 2 is out of range.*2 options/);
  });

  it('rejects an index out of range in an answer list, and repeats', () => {
    const fm = FRONT_MATTER.replace('answer: [2, 0]', 'answer: [0, 3, 0]');
    const r = parseGuideline(doc({ frontMatter: fm }), PATH);
    expectIssue(r, 'quiz[1].answer[1]', /answer 3 is out of range/);
    expectIssue(r, 'quiz[1].answer[2]', /listed twice/);
  });

  it('rejects negative, fractional and empty answers', () => {
    const r1 = parseGuideline(doc({ frontMatter: FRONT_MATTER.replace('answer: 0', 'answer: -1') }), PATH);
    expect(issuesOf(r1).some((i) => i.path.startsWith('quiz[0].answer'))).toBe(true);
    const r2 = parseGuideline(doc({ frontMatter: FRONT_MATTER.replace('answer: 0', 'answer: 0.5') }), PATH);
    expect(issuesOf(r2).some((i) => i.path.startsWith('quiz[0].answer'))).toBe(true);
    const r3 = parseGuideline(doc({ frontMatter: FRONT_MATTER.replace('answer: [2, 0]', 'answer: []') }), PATH);
    expect(issuesOf(r3).some((i) => i.path.startsWith('quiz[1].answer'))).toBe(true);
  });

  it('checks a written question type against its options and answer', () => {
    const tf = FRONT_MATTER.replace('    answer: 1\n', '    answer: 1\n    type: true-false\n');
    expect(parseGuideline(doc({ frontMatter: tf }), PATH).ok).toBe(true);
    const tfList = FRONT_MATTER.replace('    answer: [2, 0]\n', '    answer: [2, 0]\n    type: true-false\n');
    expectIssue(parseGuideline(doc({ frontMatter: tfList }), PATH), 'quiz[1].type', /true-false question has exactly 2 options/);
    const single = FRONT_MATTER.replace('    answer: [2, 0]\n', '    answer: [2, 0]\n    type: single\n');
    expectIssue(parseGuideline(doc({ frontMatter: single }), PATH), 'quiz[1].type', /one answer index/);
    const multiple = FRONT_MATTER.replace('    answer: 1\n', '    answer: 1\n    type: multiple\n');
    expectIssue(parseGuideline(doc({ frontMatter: multiple }), PATH), 'quiz[2].type', /lists its answers/);
  });

  it('rejects too few and too many options', () => {
    const one = FRONT_MATTER.replace(/ {6}- \{ zh-CN: 骑行者, en: rider \}\n/, '');
    expectIssue(parseGuideline(doc({ frontMatter: one }), PATH), 'quiz[0].options', /at least 2/);
    const seven = FRONT_MATTER.replace(
      / {6}- \{ zh-CN: 骑行者, en: rider \}\n/,
      '      - { zh-CN: 骑行者, en: rider }\n'.repeat(6),
    );
    expectIssue(parseGuideline(doc({ frontMatter: seven }), PATH), 'quiz[0].options', /at most 6/);
  });

  it('rejects duplicate quiz ids', () => {
    const fm = FRONT_MATTER.replace('- id: q3', '- id: q1');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'quiz[2].id', /duplicate quiz id "q1" \(also question 1\)/);
  });

  it('rejects a quiz text missing a listed language', () => {
    const fm = FRONT_MATTER.replace('{ zh-CN: 倒影不是真实物体。, en: A reflection is not a real object. }', '{ en: A reflection is not a real object. }');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'quiz[2].explanation.zh-CN', /missing the zh-CN text/);
  });

  it('rejects a missing language body', () => {
    const r = parseGuideline(doc({ en: null }), PATH);
    expectIssue(r, 'body.en', /no en part/);
    expect(issuesOf(r)).toHaveLength(1);
  });

  it('rejects a body part for a language that is not listed', () => {
    const fm = FRONT_MATTER.replace('languages: [zh-CN, en]', 'languages: [zh-CN]')
      .replace(/^ {2}en: Demo guideline\n/m, '')
      .replace(/, en: [^}]+ \}/g, ' }');
    expectIssue(parseGuideline(doc({ frontMatter: fm }), PATH), 'body.en', /languages does not list en/);
  });

  it('rejects body problems: text before the first marker, duplicates, unknown tags, no level-1 heading', () => {
    const src = doc().replace('<!-- lang: zh-CN -->', 'stray text\n\n<!-- lang: zh-CN -->') + '\n<!-- lang: en -->\n\n# again\n\n<!-- lang: fr -->\n\n# Bonjour\n';
    const r = parseGuideline(src, PATH);
    expectIssue(r, 'body', /text before the first language marker/);
    expectIssue(r, 'body.en', /a second en part/);
    expectIssue(r, 'body', /unknown language "fr"/);
    const noH1 = parseGuideline(doc({ en: EN_BODY.replace('# Demo guideline', 'Demo guideline') }), PATH);
    expectIssue(noH1, 'body.en', /must start with a level-1 heading/);
    const empty = parseGuideline(doc({ en: '' }), PATH);
    expectIssue(empty, 'body.en', /the en part is empty/);
  });

  it('rejects a body without any language marker', () => {
    const src = `---\n${FRONT_MATTER}\n---\n\n${EN_BODY}\n`;
    const r = parseGuideline(src, PATH);
    expectIssue(r, 'body', /no language marker/);
  });

  it('rejects a label without a definition, per language', () => {
    const zh = ZH_BODY.replace('### `pedestrian` 行人', '### 行人');
    const r = parseGuideline(doc({ zh }), PATH);
    expect(issuesOf(r)).toEqual([{ path: 'body.zh-CN', message: expect.stringMatching(/label "pedestrian" is not defined in the zh-CN part/) }]);
    const en = EN_BODY.replace('- **car**: a four-wheeled', '- a **car** is a four-wheeled');
    expectIssue(parseGuideline(doc({ en }), PATH), 'body.en', /label "car" is not defined in the en part/);
  });

  it('does not count a label mentioned only in running text or inside a code fence', () => {
    const en = EN_BODY.replace('- **pedestrian** — a person not on a vehicle.', 'A `pedestrian` is a person.\n\n```\n### `pedestrian`\n```');
    expectIssue(parseGuideline(doc({ en }), PATH), 'body.en', /label "pedestrian" is not defined/);
  });

  it('rejects a slug or version that does not match the path', () => {
    expectIssue(parseGuideline(doc(), 'guidelines/other-slug/1.0.md'), 'slug', /does not match the folder "other-slug"/);
    expectIssue(parseGuideline(doc(), 'guidelines/demo-boxes/1.1.md'), 'version', /does not match the file name "1.1.md"/);
    expectIssue(parseGuideline(doc(), 'guidelines/demo-boxes/1.0.txt'), 'path', /not of the form/);
  });

  it('rejects an invalid slug', () => {
    const fm = FRONT_MATTER.replace('slug: demo-boxes', 'slug: Demo Boxes');
    expectIssue(parseGuideline(doc({ frontMatter: fm })), 'slug', /lowercase slug/);
  });

  it('reports several problems at once', () => {
    const fm = FRONT_MATTER.replace('answer: 0', 'answer: 9').replace('- id: q3', '- id: q2');
    const issues = issuesOf(parseGuideline(doc({ frontMatter: fm, en: null }), 'guidelines/x/1.0.md'));
    expect(issues.map((i) => i.path).sort()).toEqual(['body.en', 'quiz[0].answer', 'quiz[2].id', 'slug']);
  });
});
