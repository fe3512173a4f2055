import { labelDescription, type LabelDef, type Lang } from '@labelwork/core';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { SanitizedMarkdown } from '../../ui/markdown.tsx';
import { Modal } from './modal.tsx';
import type { Definitions } from './use-label-definitions.ts';

const OTHER: Record<Lang, Lang> = { 'zh-CN': 'en', en: 'zh-CN' };

/** The guideline's definition of one label (Markdown, sanitised), in the UI language if it has one. */
export function LabelDefinition({
  label,
  defs,
  onClose,
  onRetry,
}: {
  label: LabelDef | null;
  defs: Definitions;
  onClose: () => void;
  onRetry: () => void;
}) {
  const { t, lang } = useI18n();
  const own = label && defs.status === 'ready' ? defs.byLang(lang)[label.name] : undefined;
  const other = label && defs.status === 'ready' && !own ? defs.byLang(OTHER[lang])[label.name] : undefined;
  const markdown = own ?? other ?? '';

  return (
    <Modal
      open={label !== null}
      onClose={onClose}
      title={label ? t('editor.definitionOf', { label: label.name }) : ''}
      testId="label-definition-dialog"
    >
      {label && labelDescription(label, lang) && (
        <p className="muted" data-testid="label-definition-description">
          {labelDescription(label, lang)}
        </p>
      )}
      {defs.status === 'loading' && <p className="muted">{t('editor.definitionLoading')}</p>}
      {defs.status === 'error' && <ErrorAlert error={defs.error} onRetry={onRetry} />}
      {defs.status === 'ready' && !markdown && <p className="muted">{t('editor.definitionNone')}</p>}
      <SanitizedMarkdown
        className="markdown label-definition"
        markdown={markdown}
        lang={own ? lang : other ? OTHER[lang] : undefined}
        testId="label-definition-body"
      />
    </Modal>
  );
}
