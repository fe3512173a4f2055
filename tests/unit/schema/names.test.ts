import { describe, expect, it } from 'vitest';
import {
  DisplayName,
  LabelDef,
  Name,
  ProjectInput,
  UserInput,
  UserPatch,
  hasUnsafeNameChars,
  withoutUnsafeNameChars,
} from '@labelwork/core';

// Characters that must never be stored in a name: they hide or reorder what a reader sees
// ("‮gpj.exe" shows as "exe.jpg") or break logs and CSV cells.
const UNSAFE = {
  NUL: '\u0000',
  'unit separator': '\u001f',
  DEL: '\u007f',
  'C1 NEL': '\u0085',
  'C1 CSI': '\u009b',
  'left-to-right embedding': '\u202a',
  'right-to-left override': '\u202e',
  'left-to-right isolate': '\u2066',
  'pop directional isolate': '\u2069',
  'right-to-left mark': '\u200f',
  'Arabic letter mark': '\u061c',
  'zero-width space': '\u200b',
  'word joiner': '\u2060',
  'line separator': '\u2028',
  'byte order mark': '\ufeff',
};

describe('names reject control, bidi and invisible characters', () => {
  for (const [what, ch] of Object.entries(UNSAFE)) {
    it(`refuses a ${what} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) inside display names, project names and label names`, () => {
      const s = `ab${ch}cd`;
      expect(hasUnsafeNameChars(s)).toBe(true);
      expect(DisplayName.safeParse(s).success).toBe(false);
      expect(Name.safeParse(s).success).toBe(false);
      expect(UserInput.safeParse({ username: 'mallory', password: 'long-enough-pw', role: 'annotator', displayName: s }).success).toBe(
        false,
      );
      expect(UserPatch.safeParse({ displayName: s }).success).toBe(false);
      expect(
        ProjectInput.safeParse({ name: s, kind: 'text', labelSchema: { labels: [{ name: 'PER', color: '#123456', tool: 'span' }] } })
          .success,
      ).toBe(false);
      expect(LabelDef.safeParse({ name: s, color: '#123456', tool: 'span' }).success).toBe(false);
      expect(LabelDef.safeParse({ name: 'pose', color: '#123456', tool: 'keypoints', points: [s] }).success).toBe(false);
    });
  }

  it('keeps ordinary names in any script, emoji sequences (ZWJ) and Persian (ZWNJ)', () => {
    for (const s of ['张伟', 'Zoë O’Brien', 'عائشة', 'מרים', '👩‍💻 Ada', 'می‌خواهم', 'Anna-Lena_2']) {
      expect(hasUnsafeNameChars(s)).toBe(false);
      expect(DisplayName.parse(s)).toBe(s);
      expect(Name.parse(s)).toBe(s);
    }
  });

  it('cleans names that come from outside (uploaded file names) of the same characters', () => {
    expect(withoutUnsafeNameChars('cat\u202Egnp.exe')).toBe('catgnp.exe');
    expect(withoutUnsafeNameChars('a\u0000b\u2066c\u200bd\u0085e.png')).toBe('abcde.png');
    expect(withoutUnsafeNameChars('张伟-👩‍💻.png')).toBe('张伟-👩‍💻.png');
    for (const ch of Object.values(UNSAFE)) expect(hasUnsafeNameChars(withoutUnsafeNameChars(`x${ch}${ch}y`))).toBe(false);
  });

  it('says why in the validation message', () => {
    const r = DisplayName.safeParse('x\u202Eevil');
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/control|invisible|direction/);
  });

  it('keeps the length limits: 80 for display names, 120 for other names', () => {
    expect(DisplayName.safeParse('a'.repeat(80)).success).toBe(true);
    expect(DisplayName.safeParse('a'.repeat(81)).success).toBe(false);
    expect(Name.safeParse('a'.repeat(120)).success).toBe(true);
    expect(Name.safeParse('a'.repeat(121)).success).toBe(false);
  });
});
