import { describe, expect, it } from 'vitest';
import { Hotkey, LabelSchema, RESERVED_EDITOR_KEYS, labelDescription, reservedEditorKeys, toolKindIssues } from '@labelwork/core';
import { SHORTCUTS } from '../../../client/src/editor/shortcuts.ts';

/** The editor's plain one-key shortcuts a label hotkey could take, by scope, from the client's table. */
function plainKeys(scope: 'all' | 'image' | 'text'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SHORTCUTS) {
    if (s.scope !== scope) continue;
    for (const k of s.keys) {
      if (k.mod || k.alt || k.shift === true || !Hotkey.safeParse(k.key).success) continue;
      out[k.key] ??= s.command;
    }
  }
  return out;
}

describe('reserved editor keys', () => {
  it('are exactly the plain one-key shortcuts of the editor, per scope', () => {
    for (const scope of ['all', 'image', 'text'] as const) expect(RESERVED_EDITOR_KEYS[scope], scope).toEqual(plainKeys(scope));
  });

  it('refuse a label hotkey that is an editor shortcut of the project kind, case-insensitively', () => {
    const schema = LabelSchema.parse({
      labels: [
        { name: 'ignore', color: '#7f7f7f', hotkey: '0', tool: 'bbox' },
        { name: 'van', color: '#7f7f7f', hotkey: 'V', tool: 'bbox' },
        { name: 'car', color: '#7f7f7f', hotkey: 'c', tool: 'bbox' },
      ],
    });
    expect(toolKindIssues('image', schema).map((i) => [i.path.join('.'), i.reason, i.params])).toEqual([
      ['labelSchema.labels.0.hotkey', 'hotkey_reserved', { hotkey: '0', command: 'view.actual' }],
      ['labelSchema.labels.1.hotkey', 'hotkey_reserved', { hotkey: 'V', command: 'tool.select' }],
    ]);
    expect(reservedEditorKeys('image').get('a')).toBe('accept');
  });

  it('leave image-only keys free in text projects', () => {
    const schema = LabelSchema.parse({
      labels: [
        { name: 'PER', color: '#7f7f7f', hotkey: 'p', tool: 'span' },
        { name: 'X', color: '#7f7f7f', hotkey: 'h', tool: 'span' },
      ],
    });
    expect(toolKindIssues('text', schema).map((i) => i.params?.['hotkey'])).toEqual(['h']);
  });
});

describe('label descriptions', () => {
  it('are one text for both languages or one per language, shown in the UI language with the other as fallback', () => {
    expect(labelDescription({ description: 'same' }, 'en')).toBe('same');
    const both = LabelSchema.parse({
      labels: [{ name: 'car', color: '#7f7f7f', tool: 'bbox', description: { 'zh-CN': '小汽车', en: 'Car' } }],
    }).labels[0]!;
    expect(labelDescription(both, 'en')).toBe('Car');
    expect(labelDescription(both, 'zh-CN')).toBe('小汽车');
    expect(labelDescription({ description: { 'zh-CN': '只有中文' } }, 'en')).toBe('只有中文');
    expect(labelDescription({}, 'en')).toBe('');
    expect(
      LabelSchema.safeParse({ labels: [{ name: 'car', color: '#7f7f7f', tool: 'bbox', description: { fr: 'voiture' } }] }).success,
    ).toBe(false);
  });
});
