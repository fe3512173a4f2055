import { useMemo } from 'react';
import type { SpanRegion } from '@labelwork/core';
import { hotkeysByLabel } from '../../editor/labels.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { useEditorState } from '../editor/use-editor-state.ts';

function excerpt(s: string): string {
  const chars = Array.from(s);
  return chars.length > 30 ? `${chars.slice(0, 29).join('')}…` : s;
}

/**
 * What the text selection or the selected span is, with the span labels as buttons: label the
 * selection, or relabel the span; and delete for a span. The click path of every text action.
 */
export function SpanBar({ store }: { store: EditorStore }) {
  const t = useT();
  const textSel = useEditorState(store, (s) => s.textSelection);
  const selection = useEditorState(store, (s) => s.selection);
  const regions = useEditorState(store, (s) => s.regions);
  const pending = useEditorState(store, (s) => s.pending);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const labels = store.schema.labels.filter((l) => l.tool === 'span' && !l.retired);
  const hotkeys = useMemo(() => hotkeysByLabel(store.schema), [store]);
  const index = store.textIndex();
  const span = regions.find((r): r is SpanRegion => r.type === 'span' && r.id === selection[0]);
  const lo = textSel ? Math.min(textSel.anchor, textSel.focus) : 0;
  const hi = textSel ? Math.max(textSel.anchor, textSel.focus) : 0;
  const hasText = hi > lo;

  let what: string;
  if (hasText) what = t('editor.text.selection', { text: excerpt(index.slice(lo, hi)), start: lo, end: hi });
  else if (span)
    what = t('editor.text.span', { label: span.label, text: excerpt(index.slice(span.start, span.end)), start: span.start, end: span.end });
  else what = t('editor.hint.text');

  return (
    <div className="span-bar" data-testid="span-menu" aria-live="polite">
      <span className="span-bar__what" data-testid="span-menu-what">
        {what}
      </span>
      {(hasText || span) && !readOnly && (
        <span className="span-bar__actions" role="group" aria-label={t('editor.text.labelAs')}>
          {labels.map((l) => (
            <button
              key={l.name}
              type="button"
              className={`btn btn--small span-bar__label${span && !hasText && span.label === l.name ? ' is-active' : ''}`}
              aria-pressed={span && !hasText ? span.label === l.name : undefined}
              data-testid="span-menu-label"
              data-label={l.name}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => (hasText ? store.labelTextSelection(l.name) : span && store.relabel([span.id], l.name))}
            >
              <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
              {l.name}
              {hotkeys.get(l.name)?.[0] && <kbd>{hotkeys.get(l.name)![0]!.toUpperCase()}</kbd>}
            </button>
          ))}
          {span && !hasText && pending.has(span.id) && (
            <button
              type="button"
              className="btn btn--small btn--primary"
              data-testid="span-menu-accept"
              onClick={() => store.acceptPending([span.id])}
            >
              {t('editor.region.accept', { name: span.label })}
            </button>
          )}
          {span && !hasText && (
            <button
              type="button"
              className="btn btn--small btn--danger"
              data-testid="span-menu-delete"
              onClick={() => store.removeRegions([span.id])}
            >
              {t('editor.text.deleteSpan')}
            </button>
          )}
        </span>
      )}
    </div>
  );
}
