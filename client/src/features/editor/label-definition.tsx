import { useEffect, useRef } from 'react';
import type { LabelDef, Lang } from '@labelwork/core';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { Modal } from './modal.tsx';
import type { Definitions } from './use-label-definitions.ts';

const OTHER: Record<Lang, Lang> = { 'zh-CN': 'en', en: 'zh-CN' };

/** The guideline's definition of one label (Markdown, sanitised), in the UI language if it has one. */
export function LabelDefinition({ label, defs, onClose, onRetry }: { label: LabelDef | null; defs: Definitions; onClose: () => void; onRetry: () => void }) {
  const { t, lang } = useI18n();
  const body = useRef<HTMLDivElement>(null);
  const own = label && defs.status === 'ready' ? defs.byLang(lang)[label.name] : undefined;
  const other = label && defs.status === 'ready' && !own ? defs.byLang(OTHER[lang])[label.name] : undefined;
  const markdown = own ?? other ?? '';

  useEffect(() => {
    const el = body.current;
    if (!el) return;
    el.innerHTML = '';
    if (!markdown) return;
    let live = true;
    void import('../project/guideline-markdown.ts').then(({ renderGuidelineMarkdown }) => {
      if (live) el.innerHTML = renderGuidelineMarkdown(markdown);
    });
    return () => {
      live = false;
    };
  }, [markdown, label]);

  return (
    <Modal open={label !== null} onClose={onClose} title={label ? t('editor.definitionOf', { label: label.name }) : ''} testId="label-definition-dialog">
      {label?.description && <p className="muted">{label.description}</p>}
      {defs.status === 'loading' && <p className="muted">{t('editor.definitionLoading')}</p>}
      {defs.status === 'error' && <ErrorAlert error={defs.error} onRetry={onRetry} />}
      {defs.status === 'ready' && !markdown && <p className="muted">{t('editor.definitionNone')}</p>}
      <div className="markdown label-definition" ref={body} lang={own ? lang : other ? OTHER[lang] : undefined} data-testid="label-definition-body" />
    </Modal>
  );
}
