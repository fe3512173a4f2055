import { useId } from 'react';
import { NOTHING, type Lang, type LabelSchema } from '@labelwork/core';
import type { Confusion } from '../../api/dashboard.ts';
import type { Translate } from '../../i18n/index.tsx';
import { formatNumber, formatPercent } from '../review/format.ts';

/** The server's name for "no class, or several classes" in confusion matrices. */
export const NO_CLASS = '(none)';

/** The project's single-choice class labels, in schema order. */
export function singleClassLabels(schema: LabelSchema): string[] {
  return schema.labels.filter((l) => l.tool === 'class-single').map((l) => l.name);
}

/**
 * Rows/columns of a matrix: the schema's single-class labels in schema order, then any other
 * label found in the counts (renamed since), then "(none)" when it occurs.
 */
export function matrixLabels(schema: LabelSchema, ...ms: Confusion[]): string[] {
  const base = singleClassLabels(schema);
  const seen = new Set<string>();
  for (const m of ms)
    for (const [r, row] of Object.entries(m)) {
      seen.add(r);
      for (const c of Object.keys(row)) seen.add(c);
    }
  const extra = [...seen].filter((l) => l !== NO_CLASS && !base.includes(l)).sort();
  return [...base, ...extra, ...(seen.has(NO_CLASS) ? [NO_CLASS] : [])];
}

/** Sum of every cell. */
export function confusionTotal(m: Confusion): number {
  return Object.values(m).reduce((s, row) => s + Object.values(row).reduce((a, v) => a + v, 0), 0);
}

/** Cell colour: green on the diagonal (agreement), red off it, darker with a larger share of the row. */
function shade(share: number, diagonal: boolean): string {
  if (share <= 0) return '#fafbfc';
  const s = Math.min(1, share);
  return diagonal ? `hsl(140 50% ${Math.round(95 - s * 38)}%)` : `hsl(6 78% ${Math.round(96 - s * 34)}%)`;
}

/**
 * One confusion matrix as a plain table (rows × columns of labels, counts in cells, row and column
 * totals), readable to screen readers and tests. Cells are shaded by their share of the row; the
 * diagonal (same label on both sides) is green and outlined.
 */
export function ConfusionTable({
  m,
  labels,
  colors,
  rowHead,
  colHead,
  help,
  testId,
  t,
  lang,
}: {
  m: Confusion;
  labels: string[];
  colors: ReadonlyMap<string, string>;
  rowHead: string;
  colHead: string;
  help: string;
  testId: string;
  t: Translate;
  lang: Lang;
}) {
  const helpId = useId();
  const name = (l: string) => (l === NO_CLASS ? t('dash.cm.none') : l === NOTHING ? t('dash.confusionNothing') : l);
  const count = (r: string, c: string) => m[r]?.[c] ?? 0;
  const rowTotal = (r: string) => labels.reduce((s, c) => s + count(r, c), 0);
  const colTotal = (c: string) => labels.reduce((s, r) => s + count(r, c), 0);
  const total = labels.reduce((s, r) => s + rowTotal(r), 0);
  const head = (l: string) => (
    <span className="dash__cm-label">
      <span className="dash__swatch" style={{ background: colors.get(l) ?? 'transparent' }} aria-hidden="true" />
      <span className={l === NO_CLASS || l === NOTHING ? 'muted' : ''}>{name(l)}</span>
    </span>
  );
  return (
    <div className="dash__cm">
      <p className="small muted dash__cm-help" id={helpId}>
        {help}
      </p>
      <div className="dash__cm-scroll">
        <table className="dash__confusion" data-testid={testId} aria-describedby={helpId} data-total={total}>
          <thead>
            <tr>
              <td />
              <th scope="colgroup" colSpan={labels.length} className="dash__cm-axis">
                {colHead} →
              </th>
              <td />
            </tr>
            <tr>
              <th scope="col" className="dash__cm-axis dash__cm-corner">
                {rowHead} ↓
              </th>
              {labels.map((c) => (
                <th key={c} scope="col" data-label={c}>
                  {head(c)}
                </th>
              ))}
              <th scope="col" className="dash__cm-total">
                {t('dash.cm.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {labels.map((r) => {
              const rt = rowTotal(r);
              return (
                <tr key={r}>
                  <th scope="row" data-label={r}>
                    {head(r)}
                  </th>
                  {labels.map((c) => {
                    const n = count(r, c);
                    const share = rt ? n / rt : 0;
                    const diagonal = r === c;
                    return (
                      <td
                        key={c}
                        className={`dash__cm-cell${diagonal ? ' is-diagonal' : ''}${n === 0 ? ' is-zero' : ''}`}
                        style={{ background: shade(share, diagonal) }}
                        title={t('dash.cm.cellTitle', {
                          row: name(r),
                          col: name(c),
                          n: formatNumber(lang, n),
                          share: formatPercent(lang, share),
                        })}
                        data-testid="confusion-cell"
                        data-row={r}
                        data-col={c}
                        data-value={n}
                      >
                        {formatNumber(lang, n)}
                      </td>
                    );
                  })}
                  <td className="dash__cm-total" data-testid="confusion-row-total" data-row={r} data-value={rt}>
                    {formatNumber(lang, rt)}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="dash__cm-total">
                {t('dash.cm.total')}
              </th>
              {labels.map((c) => (
                <td key={c} className="dash__cm-total" data-testid="confusion-col-total" data-col={c} data-value={colTotal(c)}>
                  {formatNumber(lang, colTotal(c))}
                </td>
              ))}
              <td className="dash__cm-total dash__cm-grand" data-testid="confusion-total" data-value={total}>
                {formatNumber(lang, total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}

const REGION_TOOLS = new Set(['bbox', 'polygon', 'keypoints', 'span']);

/** Rows/columns of the region matrix: the schema's region labels in schema order, any other label found, then "nothing". */
export function regionMatrixLabels(schema: LabelSchema, m: Confusion): string[] {
  const base = schema.labels.filter((l) => REGION_TOOLS.has(l.tool)).map((l) => l.name);
  const seen = new Set([...Object.keys(m), ...Object.values(m).flatMap((row) => Object.keys(row))]);
  const extra = [...seen].filter((l) => l !== NOTHING && !base.includes(l)).sort();
  return [...base, ...extra, ...(seen.has(NOTHING) ? [NOTHING] : [])];
}

/**
 * Label confusion of regions (boxes, polygons, keypoints, spans) between annotators: matched regions
 * by both labels (a car one annotator drew where the other drew a truck), unmatched ones against
 * "nothing". Shown when the project has region labels and an item was completed.
 */
export function RegionConfusionSection({
  schema,
  m,
  colors,
  t,
  lang,
}: {
  schema: LabelSchema;
  m: Confusion | undefined;
  colors: ReadonlyMap<string, string>;
  t: Translate;
  lang: Lang;
}) {
  if (!m || !confusionTotal(m) || !schema.labels.some((l) => REGION_TOOLS.has(l.tool))) return null;
  return (
    <div className="dash__cm-regions" data-testid="confusion-regions-section">
      <h3 className="dash__cm-title">{t('dash.confusionRegions')}</h3>
      <ConfusionTable
        m={m}
        labels={regionMatrixLabels(schema, m)}
        colors={colors}
        rowHead={t('dash.cm.rowsBetween')}
        colHead={t('dash.cm.colsBetween')}
        help={t('dash.confusionRegionsNote')}
        testId="confusion-regions"
        t={t}
        lang={lang}
      />
    </div>
  );
}
