import { describe, expect, it } from 'vitest';
import { IMPORT_LINE_CODES } from '@labelwork/core';
import { en } from '../../../client/src/i18n/en.ts';
import { zhCN } from '../../../client/src/i18n/zh-cn.ts';

const dicts = { en: en as Record<string, string>, 'zh-CN': zhCN as Record<string, string> };
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)/g)].map((m) => m[1]))].sort();

describe('import reason texts', () => {
  it('have a text for every per-line reason code of a text import, in both languages, with the same placeholders', () => {
    for (const code of IMPORT_LINE_CODES) {
      const key = `import.reason.${code}`;
      for (const [lang, d] of Object.entries(dicts)) expect(d[key], `${lang} ${key}`).toBeTruthy();
      expect(placeholders(dicts['zh-CN'][key]!), key).toEqual(placeholders(dicts.en[key]!));
    }
  });

  it('have a text for every reason an image file is refused for', () => {
    const reasons = [
      'UNSUPPORTED_MEDIA_TYPE',
      'CORRUPT_IMAGE',
      'UNSAFE_SVG',
      'IMAGE_TOO_COSTLY',
      'svg-filter',
      'svg-size',
      'svg-use-fanout',
      'svg-bytes',
      'timeout',
      'memory',
      'pixels',
    ];
    for (const r of reasons)
      for (const [lang, d] of Object.entries(dicts)) expect(d[`import.fileReason.${r}`], `${lang} ${r}`).toBeTruthy();
  });
});
