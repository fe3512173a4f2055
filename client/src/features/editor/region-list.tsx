import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Region } from '@labelwork/core';
import { codePointIndex } from '@labelwork/core';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { Icon } from './icons.tsx';
import { useEditorState } from './use-editor-state.ts';

/** Row height in CSS pixels (fixed, so only the rows in view need to exist in the page). */
const ROW_PX = 30;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 10;

interface RowProps {
  store: EditorStore;
  region: Region;
  n: number;
  color: string;
  selected: boolean;
  hidden: boolean;
  locked: boolean;
  pending: boolean;
  readOnly: boolean;
  /** The row keyboard focus enters the list at (roving tab stop). */
  tabStop: boolean;
  excerpt: string | null;
  total: number;
}

const Row = memo(function Row({
  store,
  region: r,
  n,
  color,
  selected,
  hidden,
  locked,
  pending,
  readOnly,
  tabStop,
  excerpt,
  total,
}: RowProps) {
  const t = useT();
  const name = t('editor.regionName', { label: r.label, n });
  const tab = tabStop ? 0 : -1;
  const detail =
    r.type === 'polygon'
      ? t('editor.vertexCount', { count: r.points.length })
      : r.type === 'span' && excerpt !== null
        ? `“${excerpt}”`
        : t(`editor.regionType.${r.type}`);
  return (
    <li
      className={`region-row${selected ? ' is-selected' : ''}${hidden ? ' is-hidden' : ''}${pending ? ' is-pending' : ''}`}
      style={{ top: (n - 1) * ROW_PX }}
      aria-setsize={total}
      aria-posinset={n}
      data-testid="region-row"
      data-region-id={r.id}
      data-label={r.label}
      data-selected={selected}
    >
      <button
        type="button"
        className="region-row__main"
        tabIndex={tab}
        aria-pressed={selected}
        aria-label={t('editor.region.select', { name })}
        onClick={() => store.select(selected ? [] : [r.id])}
      >
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <span className="region-row__name" title={name}>
          {name}
        </span>
        <span className="region-row__detail muted">{detail}</span>
        {pending && <span className="badge badge--proposal">{t('editor.region.proposal')}</span>}
      </button>
      {pending && !readOnly && (
        <>
          <button
            type="button"
            className="btn btn--ghost btn--small btn--icon"
            tabIndex={tab}
            aria-label={t('editor.region.accept', { name })}
            title={t('editor.region.accept', { name })}
            data-testid="region-accept"
            onClick={() => store.acceptPending([r.id])}
          >
            <Icon name="check" />
          </button>
          <button
            type="button"
            className="btn btn--ghost btn--small btn--icon"
            tabIndex={tab}
            aria-label={t('editor.region.reject', { name })}
            title={t('editor.region.reject', { name })}
            data-testid="region-reject"
            onClick={() => store.rejectPending([r.id])}
          >
            <Icon name="cross" />
          </button>
        </>
      )}
      <button
        type="button"
        className="btn btn--ghost btn--small btn--icon"
        tabIndex={tab}
        aria-pressed={hidden}
        aria-label={t(hidden ? 'editor.region.show' : 'editor.region.hide', { name })}
        title={t(hidden ? 'editor.region.show' : 'editor.region.hide', { name })}
        data-testid="region-hide"
        onClick={() => store.toggleHidden(r.id)}
      >
        <Icon name={hidden ? 'eyeOff' : 'eye'} />
      </button>
      {r.type !== 'span' && (
        <button
          type="button"
          className="btn btn--ghost btn--small btn--icon"
          tabIndex={tab}
          aria-pressed={locked}
          aria-label={t(locked ? 'editor.region.unlock' : 'editor.region.lock', { name })}
          title={t(locked ? 'editor.region.unlock' : 'editor.region.lock', { name })}
          data-testid="region-lock"
          onClick={() => store.toggleLocked(r.id)}
        >
          <Icon name={locked ? 'lock' : 'unlock'} />
        </button>
      )}
      {!readOnly && (
        <button
          type="button"
          className="btn btn--ghost btn--small btn--icon"
          tabIndex={tab}
          disabled={locked}
          aria-label={t('editor.region.delete', { name })}
          title={t('editor.region.delete', { name })}
          data-testid="region-delete"
          onClick={() => store.removeRegions([r.id])}
        >
          <Icon name="trash" />
        </button>
      )}
    </li>
  );
});

/**
 * Every drawable region or span, in drawing order, with select, hide, lock, delete, and
 * accept/reject for proposals. Up/Down move through the rows (one tab stop for the list).
 */
export function RegionList({ store, text }: { store: EditorStore; text?: string }) {
  const t = useT();
  const regions = useEditorState(store, (s) => s.regions);
  const selection = useEditorState(store, (s) => s.selection);
  const hidden = useEditorState(store, (s) => s.hidden);
  const hiddenLabels = useEditorState(store, (s) => s.hiddenLabels);
  const locked = useEditorState(store, (s) => s.locked);
  const pending = useEditorState(store, (s) => s.pending);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const colors = useMemo(() => new Map(store.schema.labels.map((l) => [l.name, l.color])), [store]);
  const index = useMemo(() => (text === undefined ? null : codePointIndex(text)), [text]);
  // Nothing here goes over every region after an edit unless it must (50,000 regions: each pass is
  // milliseconds the frame showing the edit waits for): no class regions, no copy of the list.
  const classes = useEditorState(store, () => store.classRegions());
  const list = useMemo(() => (classes.length === 0 ? regions : regions.filter((r) => r.type !== 'class')), [regions, classes]);
  const pendingCount = useMemo(() => pending.size - classes.filter((r) => pending.has(r.id)).length, [pending, classes]);
  const ref = useRef<HTMLUListElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const selected = selection[0];
  const selectedRegion = store.regionById(selected);
  const stop = selectedRegion && selectedRegion.type !== 'class' ? selected : list[0]?.id;
  const selectedAt = useMemo(() => (selected === undefined ? -1 : list.findIndex((r) => r.id === selected)), [list, selected]);

  // Only the rows in view (and a few around) are in the page: thousands of rows would make every
  // frame's style, paint and layer work slower, and drawing a box would wait for it.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    const read = () => {
      frame = 0;
      setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(read);
    };
    read();
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = new ResizeObserver(onScroll);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [list.length > 0]);

  // Keep the selected row in view when the selection changes (from the canvas or the keyboard).
  useEffect(() => {
    const el = scroller.current;
    if (!el || selectedAt < 0) return;
    const top = selectedAt * ROW_PX;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_PX > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_PX - el.clientHeight;
  }, [selectedAt]);

  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(list.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);
  const shown: number[] = [];
  for (let i = first; i < last; i++) shown.push(i);
  // The tab stop row stays in the page even when scrolled away, so Tab always reaches the list.
  const stopAt = stop === undefined ? -1 : stop === selected ? selectedAt : 0;
  if (stopAt >= 0 && (stopAt < first || stopAt >= last)) shown.push(stopAt);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    e.stopPropagation();
    const at = selectedAt;
    const next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (!next) return;
    store.select([next.id]);
    requestAnimationFrame(() =>
      requestAnimationFrame(() =>
        ref.current?.querySelector<HTMLElement>(`[data-region-id="${CSS.escape(next.id)}"] .region-row__main`)?.focus(),
      ),
    );
  };

  return (
    <section className="editor-panel editor-panel--grow" aria-labelledby="region-list-title">
      <h2 className="editor-panel__title" id="region-list-title">
        {t('editor.regions')}{' '}
        <span className="muted" data-testid="region-count">
          ({list.length})
        </span>
      </h2>
      {pendingCount > 0 && !readOnly && (
        <div className="proposal-bar" data-testid="proposal-bar">
          <span>{t('editor.proposals', { count: pendingCount })}</span>
          <button type="button" className="btn btn--small" data-testid="accept-all" onClick={() => store.acceptPending()}>
            {t('editor.acceptAll')}
          </button>
          <button
            type="button"
            className="btn btn--small btn--ghost"
            data-testid="reject-all"
            onClick={() => store.rejectPending(list.filter((r) => pending.has(r.id)).map((r) => r.id))}
          >
            {t('editor.rejectAll')}
          </button>
        </div>
      )}
      {list.length === 0 ? (
        <p className="muted small">{t('editor.regionsEmpty')}</p>
      ) : (
        <div className="region-list" ref={scroller}>
          <ul
            className="region-list__rows"
            ref={ref}
            data-testid="region-list"
            onKeyDown={onKeyDown}
            style={{ height: list.length * ROW_PX }}
          >
            {shown.map((i) => {
              const r = list[i]!;
              return (
                <Row
                  key={r.id}
                  store={store}
                  region={r}
                  n={i + 1}
                  color={colors.get(r.label) ?? '#888888'}
                  selected={selection.includes(r.id)}
                  hidden={hidden.has(r.id) || hiddenLabels.has(r.label)}
                  locked={locked.has(r.id)}
                  pending={pending.has(r.id)}
                  readOnly={readOnly}
                  tabStop={r.id === stop}
                  excerpt={r.type === 'span' && index ? excerptOf(index.slice(r.start, r.end)) : null}
                  total={list.length}
                />
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}

function excerptOf(s: string): string {
  const chars = Array.from(s);
  return chars.length > 24 ? `${chars.slice(0, 23).join('')}…` : s;
}
