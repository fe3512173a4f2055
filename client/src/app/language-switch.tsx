import type { Lang } from '@labelwork/core';
import { useI18n } from '../i18n/index.tsx';
import { useSession } from './session.tsx';

const OPTIONS: readonly { lang: Lang; label: string }[] = [
  { lang: 'zh-CN', label: '中文' },
  { lang: 'en', label: 'English' },
];

/** 中文 / English toggle; remembered on this device and, when signed in, in the user's profile. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const { state, saveLang } = useSession();
  const choose = (next: Lang) => {
    if (next === lang) return;
    setLang(next);
    if (state.status === 'signed-in') saveLang(next);
  };
  return (
    <div className="lang-switch" role="group" aria-label={t('lang.switch')} data-testid="lang-switch">
      {OPTIONS.map((o) => (
        <button
          key={o.lang}
          type="button"
          lang={o.lang}
          className={`lang-switch__option${o.lang === lang ? ' is-active' : ''}`}
          aria-pressed={o.lang === lang}
          onClick={() => choose(o.lang)}
          data-testid={`lang-${o.lang}`}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
