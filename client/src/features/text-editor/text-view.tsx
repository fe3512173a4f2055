import { memo, useMemo, type CSSProperties, type ReactNode } from 'react';
import type { CodePointIndex, SpanRegion } from '@labelwork/core';
import { withAlpha } from '../../canvas/colors.ts';
import { assignLanes, segmentText } from '../../editor/text-model.ts';
import type { Pin } from '../../editor/types.ts';
import { useT } from '../../i18n/index.tsx';

export const LANE_PX = 4;

interface TextViewProps {
  index: CodePointIndex;
  spans: readonly SpanRegion[];
  colors: ReadonlyMap<string, string>;
  pending: ReadonlySet<string>;
  selectedSpan: string | null;
  /** Highlighted text selection [lo, hi) and the caret (shown when focused). */
  lo: number;
  hi: number;
  caret: number | null;
  onSpan: (id: string) => void;
  /** Review comments: a numbered marker after their span. */
  pins?: readonly Pin[];
  /** Per-span colour overriding the label's (review: one colour per annotator). */
  regionColors?: ReadonlyMap<string, string>;
}

const NO_PINS: readonly Pin[] = [];
const NO_COLORS: ReadonlyMap<string, string> = new Map();

function excerpt(s: string): string {
  const chars = Array.from(s);
  return chars.length > 16 ? `${chars.slice(0, 15).join('')}…` : s;
}

/**
 * The text cut into runs at span and selection edges. Each span is a coloured underline in its
 * own lane (inner spans nearest the text, outer ones below), with a tag after its end that
 * selects it. Proposals are dashed.
 */
export const TextView = memo(function TextView({
  index,
  spans,
  colors: labelColors,
  pending,
  selectedSpan,
  lo,
  hi,
  caret,
  onSpan,
  pins = NO_PINS,
  regionColors = NO_COLORS,
}: TextViewProps) {
  const t = useT();
  const lanes = useMemo(() => assignLanes(spans), [spans]);
  // Span colours by id: the span's own (per annotator) or its label's.
  const colors = useMemo(
    () => new Map(spans.map((s) => [s.id, regionColors.get(s.id) ?? labelColors.get(s.label) ?? '#888888'])),
    [spans, regionColors, labelColors],
  );
  const pinsAt = useMemo(() => {
    const m = new Map<number, Pin[]>();
    for (const p of pins) {
      const end = p.span?.end ?? spans.find((s) => s.id === p.regionId)?.end;
      if (end !== undefined && end <= index.length) m.set(end, [...(m.get(end) ?? []), p]);
    }
    return m;
  }, [pins, spans, index]);
  const segments = useMemo(
    () => segmentText(index.length, spans, [...(caret === null ? [lo, hi] : [lo, hi, caret]), ...pinsAt.keys()]),
    [index, spans, lo, hi, caret, pinsAt],
  );
  const endsAt = useMemo(() => {
    const m = new Map<number, SpanRegion[]>();
    for (const s of [...spans].sort((a, b) => (lanes.get(a.id) ?? 0) - (lanes.get(b.id) ?? 0))) m.set(s.end, [...(m.get(s.end) ?? []), s]);
    return m;
  }, [spans, lanes]);

  const out: ReactNode[] = [];
  if (caret === 0) out.push(<span key="caret" className="text-caret" aria-hidden="true" />);
  for (const seg of segments) {
    const style: CSSProperties = {};
    if (seg.spans.length > 0) {
      const depth = Math.max(...seg.spans.map((s) => lanes.get(s.id) ?? 0)) + 1;
      const pad = depth * LANE_PX;
      const images: string[] = [];
      const sizes: string[] = [];
      const positions: string[] = [];
      for (const s of seg.spans) {
        const lane = lanes.get(s.id) ?? 0;
        const color = colors.get(s.id) ?? '#888888';
        images.push(
          pending.has(s.id)
            ? `repeating-linear-gradient(90deg, ${color} 0 4px, transparent 4px 7px)`
            : `linear-gradient(${color}, ${color})`,
        );
        sizes.push(s.id === selectedSpan ? '100% 3px' : '100% 2px');
        positions.push(`0 calc(100% - ${pad - lane * LANE_PX - 3}px)`);
      }
      style.paddingBottom = `${pad}px`;
      style.backgroundImage = images.join(', ');
      style.backgroundSize = sizes.join(', ');
      style.backgroundPosition = positions.join(', ');
      const sel = seg.spans.find((s) => s.id === selectedSpan);
      if (sel) style.backgroundColor = withAlpha(colors.get(sel.id) ?? '#888888', 0.18);
    }
    const selected = seg.start >= lo && seg.end <= hi && hi > lo;
    out.push(
      <span
        key={`r${seg.start}`}
        className={`text-run${selected ? ' is-selected' : ''}${seg.spans.length ? ' is-covered' : ''}`}
        data-start={seg.start}
        data-end={seg.end}
        data-spans={seg.spans.map((s) => s.id).join(' ') || undefined}
        style={style}
      >
        {index.slice(seg.start, seg.end)}
      </span>,
    );
    for (const s of endsAt.get(seg.end) ?? []) {
      const color = colors.get(s.id) ?? '#888888';
      out.push(
        <button
          key={`t${s.id}`}
          type="button"
          className={`span-tag${s.id === selectedSpan ? ' is-selected' : ''}${pending.has(s.id) ? ' is-pending' : ''}`}
          style={{ color, borderColor: color }}
          data-after={seg.end}
          data-testid="text-span"
          data-span-id={s.id}
          data-label={s.label}
          data-start={undefined}
          data-span-start={s.start}
          data-span-end={s.end}
          aria-pressed={s.id === selectedSpan}
          aria-label={t('editor.text.spanTag', { label: s.label, text: excerpt(index.slice(s.start, s.end)) })}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onSpan(s.id)}
        >
          {s.label}
        </button>,
      );
    }
    for (const p of pinsAt.get(seg.end) ?? []) {
      out.push(
        <sup
          key={`p${p.id}`}
          className="comment-pin"
          data-after={seg.end}
          data-testid="comment-pin"
          data-n={p.n}
          title={p.text}
          aria-label={t('editor.text.commentPin', { n: p.n, text: p.text })}
        >
          {p.n}
        </sup>,
      );
    }
    if (caret !== null && caret === seg.end && caret > 0) out.push(<span key="caret" className="text-caret" aria-hidden="true" />);
  }
  return <>{out}</>;
});
