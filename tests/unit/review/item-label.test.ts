import { describe, expect, it } from 'vitest';
import { itemTitleOf } from '@labelwork/core';
import { itemLabel, taskItemLabel } from '../../../client/src/features/review/format.ts';

describe('naming an item on review screens and toasts', () => {
  it('uses the file name of an image', () => {
    expect(
      taskItemLabel('86d5d0'.padStart(24, '0'), {
        id: 'x',
        kind: 'image',
        image: { fileId: 'f', width: 1, height: 1, mime: 'image/png', name: 'street-001.png' },
      }),
    ).toBe('street-001.png');
  });

  it('uses the first words of a text, cut at a word boundary with an ellipsis', () => {
    expect(itemLabel({ id: 'x', text: 'The quick brown fox jumps over the lazy dog near the river bank' })).toBe(
      'The quick brown fox jumps over…',
    );
    expect(itemLabel({ id: 'x', text: '  short\n text ' })).toBe('short text');
  });

  it('cuts Chinese text (no spaces) by characters, never inside a surrogate pair', () => {
    expect(itemTitleOf({ text: '张伟在北京大学读书，后来去了上海复旦大学工作了十多年，现在住在杭州西湖附近' })).toBe(
      '张伟在北京大学读书，后来去了上海复旦大学工作了十多年，现在住…',
    );
    expect(itemTitleOf({ text: '😀'.repeat(40) }, 5)).toBe('😀😀😀😀😀…');
  });

  it('falls back to the end of the id, never a bare hex id when a name is known', () => {
    expect(itemLabel({ id: '0123456789abcdef0086d5d0', name: null, text: '' })).toBe('#86d5d0');
    expect(itemLabel({ id: '0123456789abcdef0086d5d0', name: 'a.jpg' })).toBe('a.jpg');
  });
});
