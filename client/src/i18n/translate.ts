import type { Lang } from '@labelwork/core';
import { en, type MessageKey, type Messages } from './en.ts';
import { zhCN } from './zh-cn.ts';

/** The UI text in both languages, and filling in its placeholders (no React here). */
export const DICTIONARIES: Record<Lang, Messages> = { 'zh-CN': zhCN, en };

export type MessageParams = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * Fills `{name}` placeholders, and `{name|one|other}` by whether the number is 1 (English plurals;
 * `#` stands for the number). Unknown placeholders are left as written.
 */
export function interpolate(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)(?:\|([^|}]*)\|([^}]*))?\}/g, (whole, name: string, one?: string, other?: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    if (one === undefined || other === undefined) return String(v);
    return (Number(v) === 1 ? one : other).replace(/#/g, String(v));
  });
}

export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, params) => interpolate(dict[key], params);
}
