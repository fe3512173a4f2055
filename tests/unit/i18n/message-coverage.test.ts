import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  GuidelineFrontMatter,
  ISSUE_REASONS,
  LabelSchema,
  ProjectInput,
  UserInput,
  issueFromZod,
  isIssueReason,
  regionIssues,
  toolKindIssues,
  type Issue,
} from '@labelwork/core';
import { en } from '../../../client/src/i18n/en.ts';
import { zhCN } from '../../../client/src/i18n/zh-cn.ts';
import { translator } from '../../../client/src/i18n/translate.ts';
import { fieldErrorTexts, fieldProblemsFromDetails, fieldProblemsFromIssues, problemText } from '../../../client/src/ui/field-errors.ts';
import { errorText } from '../../../client/src/i18n/errors.ts';
import { ApiError } from '../../../client/src/api/http.ts';

const dicts = { en: en as Record<string, string>, 'zh-CN': zhCN as Record<string, string> };
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();

function zodIssues(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: unknown[] } } }, value: unknown): Issue[] {
  const r = schema.safeParse(value);
  expect(r.success).toBe(false);
  return (r.error!.issues as Parameters<typeof issueFromZod>[0][]).map((i) => issueFromZod(i));
}

describe('message dictionaries', () => {
  it('have the same keys in English and Chinese, none empty', () => {
    expect(Object.keys(dicts['zh-CN']).sort()).toEqual(Object.keys(dicts.en).sort());
    for (const d of Object.values(dicts)) for (const [k, v] of Object.entries(d)) expect(v.trim(), k).not.toBe('');
  });

  it('have a text for every error code in both languages', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      for (const [lang, d] of Object.entries(dicts)) expect(d[`error.${code}`], `${lang} error.${code}`).toBeTruthy();
    }
  });

  it('have a text for every field-problem reason in both languages, with the same placeholders', () => {
    for (const reason of ISSUE_REASONS) {
      const key = `issue.${reason}`;
      expect(dicts.en[key], `en ${key}`).toBeTruthy();
      expect(dicts['zh-CN'][key], `zh-CN ${key}`).toBeTruthy();
      expect(placeholders(dicts['zh-CN'][key]!), key).toEqual(placeholders(dicts.en[key]!));
    }
  });
});

describe('reason codes of schema problems', () => {
  const dupHotkey = {
    labels: [
      { name: 'car', color: '#000000', tool: 'bbox', hotkey: '1' },
      { name: 'bus', color: '#000000', tool: 'bbox', hotkey: '1' },
    ],
  };

  it('every problem the schemas report carries a known reason, and the custom ones their own', () => {
    const found: Issue[] = [
      ...zodIssues(LabelSchema, dupHotkey),
      ...zodIssues(LabelSchema, {
        labels: [
          { name: 'a', color: '#000000', tool: 'bbox' },
          { name: 'A', color: 'red', tool: 'keypoints', hotkey: '!!', edges: [{ from: 'x', to: 'x' }] },
        ],
      }),
      ...zodIssues(UserInput, { username: 'a', password: 'short', role: 'boss' }),
      ...zodIssues(UserInput, {}),
      ...zodIssues(ProjectInput, {
        name: '',
        kind: 'image',
        labelSchema: { labels: [] },
        overlap: 1.5,
        goldRate: 2,
        guideline: { slug: 'X', version: 'v1' },
      }),
      ...zodIssues(GuidelineFrontMatter, {
        slug: 'g',
        version: '1.0',
        languages: ['en', 'en'],
        title: { 'zh-CN': 'x' },
        kind: 'image',
        labelSchema: { labels: [{ name: 'a', color: '#000000', tool: 'bbox' }] },
        quiz: [
          { id: 'q', question: { en: 'q' }, options: [{ en: 'a' }, { en: 'b' }], answer: [5, 5], explanation: { en: 'e' } },
          { id: 'q', question: { en: 'q' }, options: [{ en: 'a' }, { en: 'b' }], answer: 0, explanation: { en: 'e' } },
        ],
      }),
      ...toolKindIssues('image', { labels: [{ name: 'ignore', color: '#000000', tool: 'span', hotkey: '0' }] }),
      ...regionIssues({ labels: [{ name: 'car', color: '#000000', tool: 'bbox' }] }, { kind: 'image', width: 10, height: 10 }, [
        { id: 'r', type: 'bbox', label: 'car', x: 5, y: 5, w: 20, h: 1 },
        { id: 'r', type: 'bbox', label: 'truck', x: 0, y: 0, w: 1, h: 1 },
      ]),
    ];
    for (const i of found) expect(isIssueReason(i.reason), `${i.reason} (${i.message})`).toBe(true);
    const reasons = new Set(found.map((i) => i.reason));
    for (const r of [
      'duplicate_hotkey',
      'duplicate_label_name',
      'hotkey_format',
      'edge_same_point',
      'keypoints_need_points',
      'username_format',
      'too_short',
      'required',
      'invalid_value',
      'empty',
      'too_few',
      'not_integer',
      'too_big',
      'slug_format',
      'version_format',
      'language_twice',
      'missing_language_text',
      'language_not_listed',
      'duplicate_quiz_id',
      'answer_out_of_range',
      'answer_twice',
      'tool_not_for_kind',
      'hotkey_reserved',
      'duplicate_region_id',
      'unknown_label',
      'box_outside_image',
    ]) {
      expect(reasons, r).toContain(r);
    }
    expect([...reasons].filter((r) => r === 'invalid')).toEqual([]);
  });

  it('numbers labels from 1 in messages, in both languages, and keeps the 0-based path for machines', () => {
    const [issue] = zodIssues(LabelSchema, dupHotkey);
    expect(issue!.path).toEqual(['labels', 1, 'hotkey']);
    expect(issue!.message).toBe('hotkey "1" is already used by label 1');
    const problems = fieldProblemsFromIssues([issue!]);
    expect(problemText(translator('en'), problems['labels[1].hotkey']!)).toBe('Hotkey "1" is already used by label 1.');
    expect(problemText(translator('zh-CN'), problems['labels[1].hotkey']!)).toBe('快捷键“1”已被第 1 个标签使用。');
  });

  it('translates the password rule and type errors into Chinese, and re-translates the same problems in English', () => {
    const details = [
      { path: 'password', reason: 'too_short', params: { minimum: 10 }, message: 'must be at least 10 characters' },
      {
        path: 'displayName',
        reason: 'invalid_type',
        params: { expected: 'string' },
        message: 'Invalid input: expected string, received number',
      },
      { path: 'labelSchema.labels[0].hotkey', reason: 'hotkey_reserved', params: { hotkey: '0', command: 'view.actual' }, message: 'x' },
    ];
    const problems = fieldProblemsFromDetails(details);
    const zh = fieldErrorTexts(translator('zh-CN'), problems);
    expect(zh).toEqual({
      password: '至少需要 10 个字符。',
      displayName: '应为文本。',
      'labelSchema.labels[0].hotkey': '快捷键“0”是编辑器“原始大小（1:1）”的按键，请换一个键。',
    });
    const enText = fieldErrorTexts(translator('en'), problems);
    expect(enText.password).toBe('Must be at least 10 characters.');
    expect(enText.displayName).toBe('Expected text.');
    for (const v of Object.values(zh)) expect(v).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('says which problem a refused request has, in the UI language, when it names one', () => {
    const err = new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', [
      { path: 'overlap', reason: 'too_big', params: { maximum: 20 }, message: 'Too big: expected number to be <=20' },
    ]);
    expect(errorText(translator('zh-CN'), err)).toBe('部分字段无效。 不能大于 20。');
    expect(errorText(translator('en'), err)).toMatch(/Must be at most 20\.$/);
  });
});
