import { useCallback, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { SpanRegion } from '@labelwork/core';
import type { EditorStore } from '../../editor/store.ts';
import { assignLanes, snapToGraphemes } from '../../editor/text-model.ts';
import { useT } from '../../i18n/index.tsx';
import { useEditorState } from '../editor/use-editor-state.ts';
import { SpanBar } from './span-bar.tsx';
import { offsetAt } from './text-dom.ts';
import { LANE_PX, TextView } from './text-view.tsx';
import './text-editor.css';

/**
 * Entity spans over the item text. Select with the mouse or Shift+arrows, label with a hotkey
 * or the bar above; click a span (or its tag) to relabel or delete it. All offsets are code
 * points. Keys are handled by the editor (see AnnotationEditor) while this view has focus.
 */
export function TextEditor({ store }: { store: EditorStore }) {
  const t = useT();
  const root = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState(false);
  const regions = useEditorState(store, (s) => s.regions);
  const pending = useEditorState(store, (s) => s.pending);
  const hidden = useEditorState(store, (s) => s.hidden);
  const hiddenLabels = useEditorState(store, (s) => s.hiddenLabels);
  const selection = useEditorState(store, (s) => s.selection);
  const textSel = useEditorState(store, (s) => s.textSelection);
  const pins = useEditorState(store, (s) => s.pins);
  const regionColors = useEditorState(store, (s) => s.regionColors);
  const index = store.textIndex();
  const colors = useMemo(() => new Map(store.schema.labels.map((l) => [l.name, l.color])), [store]);
  const spans = useMemo(
    () => regions.filter((r): r is SpanRegion => r.type === 'span' && !hidden.has(r.id) && !hiddenLabels.has(r.label)),
    [regions, hidden, hiddenLabels],
  );
  const selectedSpan = spans.find((s) => s.id === selection[0])?.id ?? null;
  const lo = textSel ? Math.min(textSel.anchor, textSel.focus) : 0;
  const hi = textSel ? Math.max(textSel.anchor, textSel.focus) : 0;
  const caret = focused && textSel && lo === hi ? textSel.focus : null;
  const depth = useMemo(() => Math.max(0, ...assignLanes(spans).values()) + 1, [spans]);

  const onSpan = useCallback(
    (id: string) => {
      const s = store.regionById(id);
      store.select([id]);
      if (s?.type === 'span') store.setTextSelection({ anchor: s.end, focus: s.end });
      root.current?.focus({ preventScroll: true });
    },
    [store],
  );

  const onMouseUp = (e: MouseEvent<HTMLDivElement>) => {
    const el = root.current;
    const sel = window.getSelection();
    if (!el || !sel || sel.rangeCount === 0 || (e.target as Element).closest('.span-tag')) return;
    const a = offsetAt(el, sel.anchorNode, sel.anchorOffset);
    const f = offsetAt(el, sel.focusNode, sel.focusOffset);
    if (a === null || f === null) return;
    if (a !== f) {
      const [s, end] = snapToGraphemes(store.graphemes(), Math.min(a, f), Math.max(a, f));
      store.setTextSelection(a <= f ? { anchor: s, focus: end } : { anchor: end, focus: s });
      store.select([]);
      sel.removeAllRanges();
      return;
    }
    const [at] = snapToGraphemes(store.graphemes(), a, a);
    store.setTextSelection({ anchor: at, focus: at });
    // A click on spanned text selects the innermost span there; clicking again cycles outward.
    const run = (e.target as Element).closest<HTMLElement>('[data-spans]');
    const ids = (run?.dataset.spans ?? '').split(' ').filter(Boolean);
    if (ids.length === 0) return store.select([]);
    const order = ids
      .map((id) => spans.find((s) => s.id === id))
      .filter((s): s is SpanRegion => !!s)
      .sort((x, y) => x.end - x.start - (y.end - y.start));
    const cur = order.findIndex((s) => s.id === selectedSpan);
    const next = order[(cur + 1) % order.length];
    if (next) store.select([next.id]);
  };

  return (
    <div className="text-editor">
      <SpanBar store={store} />
      <div
        ref={root}
        className="text-editor__text"
        tabIndex={0}
        role="textbox"
        aria-readonly="true"
        aria-multiline="true"
        aria-label={t('editor.text.area')}
        aria-describedby="text-editor-help"
        data-testid="text-content"
        style={{ lineHeight: `calc(1.9em + ${depth * LANE_PX}px)` }}
        onMouseUp={onMouseUp}
        onFocus={() => {
          setFocused(true);
          if (!store.getState().textSelection) store.setTextSelection({ anchor: 0, focus: 0 });
        }}
        onBlur={() => setFocused(false)}
      >
        <TextView
          index={index}
          spans={spans}
          colors={colors}
          pending={pending}
          selectedSpan={selectedSpan}
          lo={lo}
          hi={hi}
          caret={caret}
          onSpan={onSpan}
          pins={pins}
          regionColors={regionColors}
        />
      </div>
      <p id="text-editor-help" className="small muted text-editor__help">
        {t('editor.text.help')}
      </p>
    </div>
  );
}
