import type { Lang } from '@labelwork/core';

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const STORAGE_KEY = 'labelwork.lang';
/** Set while the stored language was picked by hand on this device and not yet saved to a profile. */
const CHOSEN_KEY = 'labelwork.lang.chosen';

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

/**
 * Remembers the language last used on this device. `chosen` says the person picked it by hand
 * (true) or it came from their profile (false); a hand choice outlives reloads until a profile has it.
 */
export function storeLang(lang: Lang, chosen = false): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
    if (chosen) localStorage.setItem(CHOSEN_KEY, '1');
    else localStorage.removeItem(CHOSEN_KEY);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** True when the stored language was picked by hand on this device and no profile has it yet. */
export function langChosenOnDevice(): boolean {
  try {
    return localStorage.getItem(CHOSEN_KEY) === '1';
  } catch {
    return false;
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

/**
 * Language before anyone signs in: the one last used on this device (picked by hand or the last
 * account's), else the browser's, else zh-CN. After sign-in the session keeps a hand choice made on
 * this device and saves it to the profile; otherwise the profile's language wins (app/session.tsx).
 */
export function initialLang(): Lang {
  return storedLang() ?? browserLang() ?? 'zh-CN';
}
