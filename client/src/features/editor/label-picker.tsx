import { useMemo } from 'react';
import { labelDescription, type LabelDef } from '@labelwork/core';
import { hotkeysByLabel } from '../../editor/labels.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Icon } from './icons.tsx';
import { useEditorState } from './use-editor-state.ts';

interface LabelPickerProps {
  store: EditorStore;
  /** Labels to list (drawing or span labels; classes have their own panel). */
  labels: readonly LabelDef[];
  /** Opens the guideline's definition of a label; absent when the project has no guideline. */
  onDefinition?: (label: LabelDef) => void;
}

/**
 * The labels with their hotkeys and counts. Choosing one labels the selection when it suits,
 * else makes it the label to draw next (the same as pressing its hotkey).
 */
export function LabelPicker({ store, labels, onDefinition }: LabelPickerProps) {
  const { t, lang } = useI18n();
  const active = useEditorState(store, (s) => s.activeLabel);
  // Kept by the store one change at a time: counting 50,000 regions would hold up the frame after an edit.
  const counts = useEditorState(store, () => store.labelCounts());
  const hiddenLabels = useEditorState(store, (s) => s.hiddenLabels);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const hotkeys = useMemo(() => hotkeysByLabel(store.schema), [store]);
  if (labels.length === 0) return null;
  return (
    <section className="editor-panel" aria-labelledby="label-picker-title">
      <h2 className="editor-panel__title" id="label-picker-title">
        {t('editor.labels')}
      </h2>
      <ul className="label-picker" data-testid="label-picker">
        {labels.map((l) => {
          const keys = hotkeys.get(l.name) ?? [];
          const count = counts.get(l.name) ?? 0;
          const hidden = hiddenLabels.has(l.name);
          return (
            <li key={l.name} className={`label-picker__item${active === l.name ? ' is-active' : ''}`}>
              <button
                type="button"
                className="label-picker__choose"
                aria-pressed={active === l.name}
                disabled={readOnly}
                data-testid="label-option"
                data-label={l.name}
                title={labelDescription(l, lang) || l.name}
                onClick={() => store.chooseLabel(l.name)}
              >
                <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
                <span className="label-picker__name">{l.name}</span>
                {keys.length > 0 && (
                  <span className="label-picker__keys" aria-label={t('editor.labelHotkeys', { keys: keys.join(', ') })}>
                    {keys.map((k) => (
                      <kbd key={k}>{k.toUpperCase()}</kbd>
                    ))}
                  </span>
                )}
                <span
                  className="label-picker__count"
                  aria-label={t('editor.labelCountOf', { count, label: l.name })}
                  data-testid="label-count"
                >
                  {count}
                </span>
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--small btn--icon"
                aria-pressed={hidden}
                aria-label={hidden ? t('editor.showLabel', { label: l.name }) : t('editor.hideLabel', { label: l.name })}
                title={hidden ? t('editor.showLabel', { label: l.name }) : t('editor.hideLabel', { label: l.name })}
                data-testid="label-visibility"
                onClick={() => store.toggleLabelHidden(l.name)}
              >
                <Icon name={hidden ? 'eyeOff' : 'eye'} />
              </button>
              {onDefinition && (
                <button
                  type="button"
                  className="btn btn--ghost btn--small btn--icon"
                  aria-label={t('editor.definitionOf', { label: l.name })}
                  title={t('editor.definitionOf', { label: l.name })}
                  aria-haspopup="dialog"
                  data-testid="label-definition"
                  onClick={() => onDefinition(l)}
                >
                  <Icon name="info" />
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
