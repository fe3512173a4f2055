import type { Lang } from '@labelwork/core';

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const STORAGE_KEY = 'labelwork.lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The language saved on this device, if any. */
export function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** Best language from the browser's preferences: any Chinese variant → zh-CN, English → en. */
export function browserLang(): Lang | null {
  const prefs = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  for (const pref of prefs) {
    const tag = pref.toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return null;
}

/** Language before anyone signs in: this device's choice, else the browser's, else zh-CN. */
export function initialLang(): Lang {
  return storedLang() ?? browserLang() ?? 'zh-CN';
}
