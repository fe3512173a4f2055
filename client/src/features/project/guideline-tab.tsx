import type { Project } from '@labelwork/core';
import { getGuideline, localized } from '../../api/guidelines.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { SanitizedMarkdown } from '../../ui/markdown.tsx';

export function GuidelineTab({ project }: { project: Project }) {
  const { t, lang } = useI18n();
  const ref = project.guideline;
  const [load, reload] = useLoad(
    (signal) => (ref ? getGuideline(ref.slug, ref.version, signal) : Promise.resolve(null)),
    [ref?.slug, ref?.version],
  );
  const g = load.data;
  const own = g?.body[lang];
  const markdown = own || (g ? localized(g.body, lang) : '');


  if (!ref) return <p className="muted">{t('guideline.none')}</p>;
  return (
    <article className="guideline" data-testid="guideline">
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {g && (
        <header className="guideline__head">
          <h2 className="guideline__title">{localized(g.title, lang) || g.slug}</h2>
          <span className="muted small">{t('guideline.version', { version: g.version })}</span>
        </header>
      )}
      {g && !own && markdown && <Alert tone="info">{t('guideline.fallback', { lang: t(`langName.${lang}`) })}</Alert>}
      {g && !markdown && <p className="muted">{t('guideline.empty')}</p>}
      <SanitizedMarkdown className="guideline__body markdown" markdown={markdown} lang={own ? lang : undefined} testId="guideline-body" />
    </article>
  );
}
