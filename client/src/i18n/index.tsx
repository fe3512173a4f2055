import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Lang } from '@labelwork/core';
import type { MessageKey } from './en.ts';
import { initialLang, langChosenOnDevice, storeLang } from './lang.ts';

export type { MessageKey } from './en.ts';
export { LANGS, isLang } from './lang.ts';

export { interpolate, translator, type MessageParams, type Translate } from './translate.ts';
import { DICTIONARIES, translator, type Translate } from './translate.ts';

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(DICTIONARIES.en, key);
}

interface I18nValue {
  lang: Lang;
  t: Translate;
  /** Switches the UI language and remembers it on this device. */
  setLang: (lang: Lang) => void;
  /** True when the person picked the language by hand on this device and no profile has it yet (survives reloads). */
  chosenByHand: () => boolean;
  /** Sets the language from (or as now saved in) the signed-in user's profile; clears the hand-choice mark. */
  adoptLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang]['app.name'];
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    storeLang(next, true);
    setLangState(next);
  }, []);
  const adoptLang = useCallback((next: Lang) => {
    storeLang(next);
    setLangState(next);
  }, []);
  const chosenByHand = useCallback(() => langChosenOnDevice(), []);

  const value = useMemo<I18nValue>(
    () => ({ lang, t: translator(lang), setLang, adoptLang, chosenByHand }),
    [lang, setLang, adoptLang, chosenByHand],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** Shorthand for components that only need `t`. */
export function useT(): Translate {
  return useI18n().t;
}
