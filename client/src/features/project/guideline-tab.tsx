import type { GuidelineRef, Project } from '@labelwork/core';
import { getGuideline, localized } from '../../api/guidelines.ts';
import { canManageProjects, useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { SanitizedMarkdown } from '../../ui/markdown.tsx';

export function GuidelineTab({ project }: { project: Project }) {
  return <GuidelineDocument guideline={project.guideline} />;
}

/**
 * A project's guideline in the UI language (else the one it has, with a note). Used by the
 * project's guideline tab and (`compact`) the annotator's side panel.
 */
export function GuidelineDocument({ guideline: ref, compact }: { guideline: GuidelineRef | undefined; compact?: boolean }) {
  const { t, lang } = useI18n();
  const session = useSession();
  const [load, reload] = useLoad(
    (signal) => (ref ? getGuideline(ref.slug, ref.version, signal) : Promise.resolve(null)),
    [ref?.slug, ref?.version],
  );
  const g = load.data;
  const own = g?.body[lang];
  const markdown = own || (g ? localized(g.body, lang) : '');

  // Only a lead can choose one in Settings; an annotator is told whom to ask instead.
  const manager = session.state.status === 'signed-in' && canManageProjects(session.state.user);
  if (!ref)
    return (
      <p className="muted" data-testid="guideline-none">
        {t(manager ? 'guideline.none' : 'guideline.noneAsk')}
      </p>
    );
  return (
    <article className={`guideline${compact ? ' guideline--panel' : ''}`} data-testid="guideline">
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {/* A side panel has no room for the title twice: the document's own first heading names it. */}
      {g && compact && <p className="muted small guideline__version">{t('guideline.version', { version: g.version })}</p>}
      {g && !compact && (
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
