import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { alignSpans, codePointIndex, type LabelSchema, type Region, type SpanRegion } from '@labelwork/core';
import { fileUrl } from '../../api/projects.ts';
import { ImageCanvas } from '../../canvas/image-canvas.tsx';
import type { ImageLevels } from '../../canvas/image-levels.ts';
import { SpacePan } from '../../canvas/space-pan.ts';
import { EditorStore } from '../../editor/store.ts';
import type { Pin } from '../../editor/types.ts';
import { useI18n, useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import type { EditorItem } from '../editor/annotation-editor.tsx';
import { useImageLevels } from '../editor/use-image-levels.ts';
import { formatNumber } from './format.ts';

/**
 * Comparing the annotations of one item: one colour per annotator, the overlay's region colours,
 * and the side-by-side views (image: one canvas per annotator, zoom and pan linked; text: spans
 * aligned in rows, disagreements marked). Used by the reviewer's view and the lead's item view.
 */

/** Distinct on white and on photos, and told apart by common colour-blindness (blue/orange first). */
export const ANNOTATOR_COLORS = [
  '#1c7ed6',
  '#e8590c',
  '#2f9e44',
  '#ae3ec9',
  '#0c8599',
  '#c2255c',
  '#5c940d',
  '#364fc7',
  '#8d5524',
  '#495057',
] as const;
export const CONSENSUS_COLOR = '#212529';
export const GOLD_COLOR = '#b08900';

/** One annotator's (or the consensus's, or the gold answer's) regions, as a layer to show. */
export interface CompareLayer {
  id: string;
  name: string;
  color: string;
  regions: readonly Region[];
  /** The annotation a review is about (its region ids are kept as they are). */
  primary?: boolean;
}

/** Colour of the i-th annotator. */
export const annotatorColor = (i: number): string => ANNOTATOR_COLORS[i % ANNOTATOR_COLORS.length]!;

/**
 * The shown layers merged for one editor: other layers' region ids are prefixed (`~<layer>-`) so
 * they never clash with the primary annotation's, and each region gets its layer's colour when
 * colouring by annotator (callers do that only with two or more layers shown: one layer alone
 * keeps its label colours).
 */
export function overlayOf(
  layers: readonly CompareLayer[],
  shown: ReadonlySet<string>,
  byAnnotator: boolean,
): { regions: Region[]; colors: Map<string, string> } {
  const regions: Region[] = [];
  const colors = new Map<string, string>();
  for (const l of layers) {
    if (!shown.has(l.id)) continue;
    for (const r of l.regions) {
      const id = layerRegionId(l, r.id);
      regions.push(l.primary ? r : { ...r, id });
      if (byAnnotator) colors.set(id, l.color);
    }
  }
  return { regions, colors };
}

/** Prefix of regions that are not the primary annotation's (not selectable as a comment anchor). */
export const OTHER_PREFIX = '~';

/** A layer's region id in the overlay (kept for the primary layer, prefixed for the others). */
export function layerRegionId(l: Pick<CompareLayer, 'id' | 'primary'>, regionId: string): string {
  return l.primary ? regionId : `${OTHER_PREFIX}${l.id.slice(-6)}-${regionId}`;
}

/** The toggle list of layers with their colours and region counts. */
export function LayerToggles({
  layers,
  shown,
  onToggle,
  disabled,
  extra,
}: {
  layers: readonly CompareLayer[];
  shown: ReadonlySet<string>;
  onToggle: (id: string) => void;
  disabled?: boolean;
  extra?: (l: CompareLayer) => ReactNode;
}) {
  const t = useT();
  return (
    <ul className="review__annotators" data-testid="compare-layers">
      {layers.map((l) => (
        <li key={l.id}>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={shown.has(l.id)}
              disabled={disabled}
              onChange={() => onToggle(l.id)}
              data-testid="compare-layer-toggle"
              data-layer={l.id}
              data-primary={l.primary ? 'true' : undefined}
            />
            <span className="compare__swatch" style={{ background: l.color }} aria-hidden="true" />
            <span>
              {l.name}
              {extra?.(l)}
              <span className="muted small"> · {t('review.regions', { n: l.regions.length })}</span>
            </span>
          </label>
        </li>
      ))}
    </ul>
  );
}

/** The set of shown layers and its toggle. */
export function useShownLayers(initial: () => Iterable<string>): [ReadonlySet<string>, (id: string) => void] {
  const [shown, setShown] = useState<ReadonlySet<string>>(() => new Set(initial()));
  const toggle = useCallback(
    (id: string) =>
      setShown((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );
  return [shown, toggle];
}

/** Item agreement per tool (once the item has all its annotations). */
export function ItemAgreement({ quality, testId }: { quality: { agreement: Record<string, number | null> } | null; testId: string }) {
  const t = useT();
  const { lang } = useI18n();
  return (
    <>
      <h3 className="small">{t('review.agreement')}</h3>
      {quality ? (
        <dl className="review__agreement" data-testid={testId}>
          {Object.entries(quality.agreement).map(([tool, v]) => (
            <div key={tool}>
              <dt>{tool}</dt>
              <dd>{v === null ? '—' : formatNumber(lang, v, 2)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted small">{t('review.noQuality')}</p>
      )}
    </>
  );
}

/** Header cells naming the layers (swatch and name), after a first column header. */
function LayerHeads({ first, layers }: { first: string; layers: readonly CompareLayer[] }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        {layers.map((l) => (
          <th key={l.id} scope="col">
            <span className="compare__swatch" style={{ background: l.color }} aria-hidden="true" /> {l.name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** Layout switch: overlaid in one editor, or side by side. */
export type CompareLayout = 'overlay' | 'side';

export function LayoutSwitch({
  layout,
  onLayout,
  byAnnotator,
  onByAnnotator,
  disabled,
}: {
  layout: CompareLayout;
  onLayout: (l: CompareLayout) => void;
  byAnnotator: boolean;
  onByAnnotator: (v: boolean) => void;
  disabled?: boolean;
}) {
  const t = useT();
  return (
    <div className="compare__switch" role="group" aria-label={t('compare.layout')}>
      <div className="segmented">
        {(['overlay', 'side'] as const).map((l) => (
          <button
            key={l}
            type="button"
            className={`btn btn--small${layout === l ? ' is-active' : ''}`}
            aria-pressed={layout === l}
            disabled={disabled}
            onClick={() => onLayout(l)}
            data-testid={`compare-layout-${l}`}
          >
            {t(`compare.layout.${l}`)}
          </button>
        ))}
      </div>
      {layout === 'overlay' && (
        <label className="checkbox small">
          <input
            type="checkbox"
            checked={byAnnotator}
            disabled={disabled}
            onChange={(e) => onByAnnotator(e.target.checked)}
            data-testid="compare-color-by-annotator"
          />
          <span>{t('compare.colorByAnnotator')}</span>
        </label>
      )}
    </div>
  );
}

/** Side by side: a read-only canvas per layer (image) or the spans aligned per annotator (text). */
export function CompareGrid({
  schema,
  item,
  layers,
  pins,
}: {
  schema: LabelSchema;
  item: EditorItem;
  layers: readonly CompareLayer[];
  pins?: readonly Pin[];
}) {
  const classes = <ClassRows schema={schema} layers={layers} />;
  if (item.kind === 'text' || item.text !== undefined) {
    return (
      <div className="compare" data-testid="compare-grid">
        {classes}
        <SpanAlignment text={item.text ?? ''} layers={layers} schema={schema} />
      </div>
    );
  }
  return (
    <div className="compare" data-testid="compare-grid">
      {classes}
      {item.image && <ImageGrid schema={schema} image={item.image} layers={layers} pins={pins ?? []} />}
    </div>
  );
}

function ImageGrid({
  schema,
  image,
  layers,
  pins,
}: {
  schema: LabelSchema;
  image: NonNullable<EditorItem['image']>;
  layers: readonly CompareLayer[];
  pins: readonly Pin[];
}) {
  const t = useT();
  // The image is decoded once and drawn by every canvas.
  const loaded = useImageLevels(fileUrl(image.fileId), image);
  const stores = useMemo(
    () =>
      layers.map(
        (l) =>
          new EditorStore({
            schema,
            image: { width: image.width, height: image.height },
            regions: l.regions,
            readOnly: true,
            ...(l.primary ? { pins } : {}),
          }),
      ),
    [layers, schema, image, pins],
  );
  // Zoom and pan are linked: what one canvas shows, all show (the cells are the same size).
  useEffect(() => {
    let syncing = false;
    const offs = stores.map((s) =>
      s.subscribe((n, p) => {
        if (syncing || n.viewport === p.viewport || n.stage !== p.stage) return;
        syncing = true;
        for (const o of stores) if (o !== s && o.getState().stage.width === n.stage.width) o.setViewport(n.viewport);
        syncing = false;
      }),
    );
    return () => offs.forEach((off) => off());
  }, [stores]);
  if (loaded.status === 'error') return <ErrorAlert error={loaded.error} />;
  const levels: ImageLevels | null = loaded.status === 'ready' ? loaded.image : null;
  return (
    <div className="compare__grid">
      {layers.map((l, i) => (
        <section key={l.id} className="compare__cell" data-testid="compare-cell" data-layer={l.id} data-regions={l.regions.length}>
          <h3 className="compare__head small">
            <span className="compare__swatch" style={{ background: l.color }} aria-hidden="true" />
            {l.name}
            <span className="muted"> · {t('review.regions', { n: l.regions.length })}</span>
          </h3>
          <div className="compare__stage">
            <CellCanvas store={stores[i]!} image={levels} label={t('compare.cellLabel', { name: l.name })} />
          </div>
        </section>
      ))}
    </div>
  );
}

function CellCanvas({ store, image, label }: { store: EditorStore; image: ImageLevels | null; label: string }) {
  const [space] = useState(() => new SpacePan());
  return <ImageCanvas store={store} image={image} space={space} label={label} />;
}

/** Document classes chosen by each layer (image and text items alike), one row per class label. */
function ClassRows({ schema, layers }: { schema: LabelSchema; layers: readonly CompareLayer[] }) {
  const t = useT();
  const classLabels = schema.labels.filter((l) => l.tool === 'class-single' || l.tool === 'class-multi');
  if (classLabels.length === 0 || layers.length === 0) return null;
  const chosen = layers.map((l) => new Set(l.regions.filter((r) => r.type === 'class').map((r) => r.label)));
  return (
    <table className="compare__table" data-testid="compare-classes">
      <caption className="small">{t('compare.classes')}</caption>
      <LayerHeads first={t('compare.label')} layers={layers} />
      <tbody>
        {classLabels.map((c) => {
          const marks = chosen.map((s) => s.has(c.name));
          const agree = marks.every((m) => m === marks[0]);
          return (
            <tr key={c.name} className={agree ? '' : 'is-disagreement'}>
              <th scope="row">{c.name}</th>
              {marks.map((m, i) => (
                <td key={layers[i]!.id}>{m ? '✓' : ''}</td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Spans of every layer lined up by text position: a row per stretch where spans overlap. */
function SpanAlignment({ text, layers, schema }: { text: string; layers: readonly CompareLayer[]; schema: LabelSchema }) {
  const t = useT();
  const [onlyDiff, setOnlyDiff] = useState(false);
  const index = useMemo(() => codePointIndex(text), [text]);
  const labelColor = useMemo(() => new Map(schema.labels.map((l) => [l.name, l.color])), [schema]);
  const rows = useMemo(() => alignSpans(layers.map((l) => l.regions.filter((r): r is SpanRegion => r.type === 'span'))), [layers]);
  const shown = onlyDiff ? rows.filter((r) => !r.agree) : rows;
  const disagreements = rows.filter((r) => !r.agree).length;
  return (
    <div className="compare__spans">
      <div className="compare__spans-head small">
        <span data-testid="compare-span-summary">{t('compare.spanSummary', { rows: rows.length, diff: disagreements })}</span>
        <label className="checkbox">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} data-testid="compare-only-diff" />
          <span>{t('compare.onlyDiff')}</span>
        </label>
      </div>
      {rows.length === 0 ? (
        <p className="muted small">{t('compare.noSpans')}</p>
      ) : (
        <table className="compare__table compare__table--spans" data-testid="compare-spans">
          <LayerHeads first={t('compare.text')} layers={layers} />
          <tbody>
            {shown.map((row) => (
              <tr
                key={`${row.start}-${row.end}`}
                className={row.agree ? '' : 'is-disagreement'}
                data-testid="compare-span-row"
                data-start={row.start}
                data-end={row.end}
                data-agree={row.agree}
              >
                <th scope="row">
                  <span className="compare__excerpt">{index.slice(row.start, row.end)}</span>
                  <span className="muted small mono">
                    {' '}
                    [{row.start}, {row.end})
                  </span>
                </th>
                {row.cells.map((cell, i) => (
                  <td key={layers[i]!.id} data-testid="compare-span-cell" data-layer={layers[i]!.id}>
                    {cell.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      cell.map((s) => (
                        <span
                          key={`${s.start}-${s.end}-${s.label}`}
                          className="compare__chip"
                          style={{ borderColor: labelColor.get(s.label) ?? '#888' }}
                          data-label={s.label}
                          data-start={s.start}
                          data-end={s.end}
                        >
                          <b style={{ color: labelColor.get(s.label) ?? '#888' }}>{s.label}</b> {index.slice(s.start, s.end)}
                        </span>
                      ))
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
