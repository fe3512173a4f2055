import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SERVER_EVENTS, type Lang, type OutlierFigure, type Project, type QueueCounts, type ReviewQueueCounts } from '@labelwork/core';
import { getDashboard, annotatorsCsvUrl, type AnnotatorRow, type Dashboard } from '../../api/dashboard.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import { isMessageKey, useI18n, type MessageKey, type Translate } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { formatNumber, formatPercent, formatTime } from '../review/format.ts';
import { seriesColor, TimeChart } from './chart.tsx';
import { confusionTotal, ConfusionTable, matrixLabels, RegionConfusionSection, singleClassLabels } from './confusion.tsx';
import './dashboard.css';
import { ModelQualityPanel } from '../ml/model-quality-panel.tsx';

/** How often at most the dashboard is re-read after live events (events can come in bursts). */
const REFRESH_MS = 1000;
/** Items linked under an outlier before "and N more". */
const OUTLIER_LINKS = 10;

/**
 * The lead's dashboard: progress tiles, agreement per label type with its interval and trend,
 * pairwise heatmap, sortable annotator table with CSV export. Tiles follow the project room's
 * events (queue counts, review counts, item completions, agreement runs) without a reload.
 */
export function DashboardTab({ project }: { project: Project }) {
  const { t, lang } = useI18n();
  const socket = useSocket();
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [leased, setLeased] = useState<number | null>(null);
  const [review, setReview] = useState<ReviewQueueCounts | null>(null);
  const timer = useRef<number | null>(null);

  const load = useCallback(() => {
    getDashboard(project.id).then(
      (d) => {
        setData(d);
        setLeased(d.progress.leased);
        setReview(d.review.counts);
        setError(null);
      },
      (e: unknown) => setError(e),
    );
  }, [project.id]);

  const soon = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      load();
    }, REFRESH_MS);
  }, [load]);

  useEffect(() => {
    load();
    return () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    };
  }, [load]);

  // The project page joins the project room; these events arrive there.
  useEffect(() => {
    if (!socket) return;
    const mine = (p: { projectId: string }) => p.projectId === project.id;
    const onQueue = (c: QueueCounts) => {
      if (!mine(c)) return;
      setLeased(c.leased);
      soon();
    };
    const onReview = (c: ReviewQueueCounts) => {
      if (!mine(c)) return;
      setReview(c);
      soon();
    };
    const onOther = (p: { projectId: string }) => {
      if (mine(p)) soon();
    };
    socket.on(SERVER_EVENTS.queueCounts, onQueue);
    socket.on(SERVER_EVENTS.reviewCounts, onReview);
    socket.on(SERVER_EVENTS.itemComplete, onOther);
    socket.on(SERVER_EVENTS.projectAgreement, onOther);
    socket.on('connect', load);
    return () => {
      socket.off(SERVER_EVENTS.queueCounts, onQueue);
      socket.off(SERVER_EVENTS.reviewCounts, onReview);
      socket.off(SERVER_EVENTS.itemComplete, onOther);
      socket.off(SERVER_EVENTS.projectAgreement, onOther);
      socket.off('connect', load);
    };
  }, [socket, project.id, soon, load]);

  if (!data) return error ? <ErrorAlert error={error} onRetry={load} /> : <p className="muted">{t('dash.loading')}</p>;
  const n = (v: number, d = 0) => formatNumber(lang, v, d);
  const p = data.progress;
  const fc = p.forecast;
  return (
    <div className="dash" data-testid="dashboard">
      {error !== null && <ErrorAlert error={error} onRetry={load} />}
      <p className="muted small dash__updated">
        <span className="dash__live" aria-hidden="true" /> {t('dash.live')} ·{' '}
        {t('dash.updated', { time: formatTime(lang, data.generatedAt) })}
      </p>
      <div className="dash__tiles">
        <Tile
          testId="tile-done"
          value={p.done}
          title={t('dash.progress')}
          big={n(p.done)}
          detail={t('dash.progressOf', { done: n(p.done), total: n(p.items) })}
        >
          <progress max={Math.max(1, p.items)} value={p.done} />
          <div className="small muted">{t('dash.submitted', { submitted: n(p.submitted), total: n(p.tasksTotal) })}</div>
        </Tile>
        <Tile testId="tile-leased" value={leased ?? ''} title={t('dash.leased')} big={leased === null ? '—' : n(leased)} />
        <ThroughputTile active={data.throughput.active} t={t} lang={lang} />
        <Tile
          testId="tile-forecast"
          value={fc.etaHours ?? ''}
          title={t('dash.forecast')}
          big={
            fc.remaining === 0
              ? t('dash.forecastDone')
              : fc.etaHours === null
                ? t('dash.forecastNone')
                : t('dash.forecastHours', { hours: n(fc.etaHours, 1) })
          }
          detail={fc.finishAt !== null && fc.remaining > 0 ? t('dash.finishAt', { time: formatTime(lang, fc.finishAt) }) : undefined}
        />
        <Tile
          testId="tile-review"
          value={review?.pending ?? ''}
          title={t('dash.reviewQueue')}
          big={review ? n(review.pending) : '—'}
          detail={review ? t('dash.reviewQueueDetail', { leased: n(review.leased), rework: n(review.rework) }) : undefined}
        />
        <Tile
          testId="tile-rejection"
          value={data.review.rejectionRate ?? ''}
          title={t('dash.rejectionRate')}
          big={data.review.rejectionRate === null ? '—' : formatPercent(lang, data.review.rejectionRate)}
        />
      </div>

      <div className="dash__grid">
        <section className="card dash__card">
          <h2 className="section-title">{t('dash.agreement')}</h2>
          <AgreementTable data={data} t={t} lang={lang} />
          <h3 className="small">{t('dash.trend')}</h3>
          <AgreementTrend data={data} t={t} lang={lang} />
        </section>
        <section className="card dash__card">
          <h2 className="section-title">{t('dash.throughputChart')}</h2>
          <Throughput data={data} t={t} lang={lang} />
          <h2 className="section-title">{t('dash.heatmap')}</h2>
          <Heatmap data={data} t={t} lang={lang} />
        </section>
      </div>

      <ModelQualityPanel projectId={project.id} />

      <section className="card dash__card" data-testid="dashboard-confusion">
        <h2 className="section-title">{t('dash.cm.title')}</h2>
        <ConfusionSection project={project} data={data} t={t} lang={lang} />
        <RegionConfusionSection schema={project.labelSchema} m={data.confusion.regions} colors={labelColors(project)} t={t} lang={lang} />
      </section>

      <section className="card dash__card">
        <div className="dash__head">
          <h2 className="section-title">{t('dash.annotators')}</h2>
          <a className="btn btn--small" href={annotatorsCsvUrl(project.id, lang)} download data-testid="dashboard-csv">
            {t('dash.csv')}
          </a>
        </div>
        <AnnotatorTable projectId={project.id} rows={data.annotators} t={t} lang={lang} />
        {data.outliers.length > 0 && (
          <>
            <h3 className="small">{t('dash.outliers')}</h3>
            <ul className="dash__outliers" data-testid="dashboard-outliers">
              {data.outliers.map((o) => (
                <li key={`${o.userId}-${o.figure}`} data-testid="outlier" data-user-id={o.userId} data-figure={o.figure}>
                  <Link
                    to={paths.annotator(project.id, o.userId)}
                    data-testid="outlier-user"
                    title={t('dash.openAnnotator', { user: o.username })}
                  >
                    {o.username}
                  </Link>
                  {t('dash.outlierFigure', {
                    figure: t(`dash.col.${o.figure}`),
                    value: figureText(lang, t, o.figure, o.value),
                    median: figureText(lang, t, o.figure, o.median),
                    z: n(o.z, 1),
                  })}
                  {o.itemIds.length > 0 && (
                    <div className="small dash__outlier-items">
                      <span className="muted">{t(`dash.outlierItems.${o.figure}`)}</span>
                      {o.itemIds.slice(0, OUTLIER_LINKS).map((id) => (
                        <Link
                          key={id}
                          to={paths.item(project.id, id)}
                          className="mono"
                          data-testid="outlier-item"
                          data-item-id={id}
                          aria-label={t('dash.openItem', { id })}
                          title={id}
                        >
                          {o.itemSeqs[id] !== undefined ? `#${o.itemSeqs[id]}` : shortId(id)}
                        </Link>
                      ))}
                      {o.itemIds.length > OUTLIER_LINKS && (
                        <span className="muted" data-testid="outlier-more" data-value={o.itemIds.length - OUTLIER_LINKS}>
                          {t('dash.outlierMore', { n: n(o.itemIds.length - OUTLIER_LINKS) })}
                        </span>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

function Tile({
  testId,
  title,
  big,
  detail,
  value,
  children,
}: {
  testId: string;
  title: string;
  big: string;
  detail?: string | undefined;
  value: number | string;
  children?: React.ReactNode;
}) {
  return (
    <div className="card dash__tile" data-testid={testId} data-value={value}>
      <div className="dash__tile-title small muted">{title}</div>
      <div className="dash__tile-big">{big}</div>
      {detail && <div className="small muted">{detail}</div>}
      {children}
    </div>
  );
}

/** Submissions per active annotator-hour over the last 24 h (pauses over 10 min left out), with how it was measured. */
function ThroughputTile({ active, t, lang }: { active: Dashboard['throughput']['active'] | undefined; t: Translate; lang: Lang }) {
  const v = active?.perActiveHour ?? null;
  return (
    <Tile
      testId="tile-throughput"
      value={v ?? ''}
      title={t('dash.throughputActive')}
      big={v === null ? '—' : t('dash.perActiveHour', { n: formatNumber(lang, v, v < 1 ? 2 : 1) })}
      detail={
        active
          ? t('dash.throughputActiveHint', {
              n: formatNumber(lang, active.submissions),
              hours: formatNumber(lang, active.activeMs / 3_600_000, 2),
            })
          : undefined
      }
    />
  );
}

const labelColors = (project: Project) => new Map(project.labelSchema.labels.map((l) => [l.name, l.color]));

function AgreementTable({ data, t, lang }: { data: Dashboard; t: Translate; lang: Lang }) {
  const tools = Object.entries(data.agreement.byTool);
  if (!tools.length) return <p className="muted small">{t('dash.noAgreement')}</p>;
  const f = (v: number | null) => (v === null ? '—' : formatNumber(lang, v, 3));
  return (
    <table className="table dash__table" data-testid="dashboard-agreement">
      <thead>
        <tr>
          <th>{t('dash.tool')}</th>
          <th className="num">{t('dash.value')}</th>
          <th className="num">{t('dash.itemMean')}</th>
          <th className="num">{t('dash.items')}</th>
        </tr>
      </thead>
      <tbody>
        {tools.map(([tool, a]) => (
          <tr key={tool} data-tool={tool}>
            <td>
              {isMessageKey(`tool.${tool}`) ? t(`tool.${tool}` as MessageKey) : tool}
              <div className="small muted" data-testid="dashboard-metric">
                {t(tool === 'class-single' ? 'dash.metric.alpha' : 'dash.metric.meanItem')}
              </div>
            </td>
            <td className="num">{f(a.value)}</td>
            <td className="num">
              {f(a.ci.mean)}
              {a.ci.low !== null && a.ci.high !== null && (
                <span className="muted small">
                  {' '}
                  [{f(a.ci.low)}, {f(a.ci.high)}]
                </span>
              )}
              <CiBar low={a.ci.low} mean={a.ci.mean} high={a.ci.high} />
            </td>
            <td className="num">{formatNumber(lang, a.ci.n)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The interval on a −1…1 line (agreement scale), the mean as a dot. */
function CiBar({ low, mean, high }: { low: number | null; mean: number | null; high: number | null }) {
  if (mean === null) return null;
  const x = (v: number) => ((v + 1) / 2) * 100;
  return (
    <svg className="dash__ci" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
      <line x1="0" x2="100" y1="4" y2="4" stroke="#ddd" strokeWidth="1" />
      {low !== null && high !== null && <line x1={x(low)} x2={x(high)} y1="4" y2="4" stroke="#2f6fde" strokeWidth="3" />}
      <circle cx={x(mean)} cy="4" r="2.5" fill="#1b3f80" />
    </svg>
  );
}

function AgreementTrend({ data, t, lang }: { data: Dashboard; t: Translate; lang: Lang }) {
  const { x, series } = useMemo(() => {
    const s = data.agreement.series;
    const tools = [...new Set(s.flatMap((r) => Object.keys(r.byTool)))];
    return {
      x: s.map((r) => Date.parse(r.at) / 1000),
      series: tools.map((tool, i) => ({ label: tool, color: seriesColor(i), values: s.map((r) => r.byTool[tool] ?? null) })),
    };
  }, [data.agreement.series]);
  const format = useCallback((v: number) => formatNumber(lang, v, 2), [lang]);
  // A line needs two runs with a value; before that the table above says it all.
  const drawable = x.length >= 2 && series.some((sr) => sr.values.filter((v) => v !== null).length >= 2);
  if (!drawable) return <p className="muted small">{t('dash.noTrend')}</p>;
  return <TimeChart x={x} series={series} label={t('dash.trend')} format={format} lang={lang} testId="dashboard-trend" />;
}

function Throughput({ data, t, lang }: { data: Dashboard; t: Translate; lang: Lang }) {
  const { x, series } = useMemo(() => {
    const h = data.throughput.hourly;
    return {
      x: h.map((b) => b.t / 1000),
      series: [{ label: t('dash.throughputChart'), color: seriesColor(0), values: h.map((b) => b.count) }],
    };
  }, [data.throughput.hourly, t]);
  return (
    <TimeChart
      x={x}
      series={series}
      bars
      height={160}
      lang={lang}
      yMin={0}
      label={t('dash.throughputChart')}
      testId="dashboard-throughput"
    />
  );
}

function heat(v: number | null): string {
  if (v === null) return '#f1f1f1';
  // Red (poor) → yellow → green (good) over 0…1; negative is red.
  const c = Math.max(0, Math.min(1, v));
  const hue = Math.round(c * 120);
  return `hsl(${hue} 65% ${Math.round(78 - c * 18)}%)`;
}

function Heatmap({ data, t, lang }: { data: Dashboard; t: Translate; lang: Lang }) {
  const names = new Map(data.annotators.map((a) => [a.userId, a.username]));
  const ids = [...new Set(data.pairs.flatMap((p) => [p.a, p.b]))].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
  if (!ids.length) return <p className="muted small">{t('dash.noPairs')}</p>;
  const cell = new Map<string, Dashboard['pairs'][number]>();
  for (const p of data.pairs) {
    cell.set(`${p.a}|${p.b}`, p);
    cell.set(`${p.b}|${p.a}`, p);
  }
  const name = (id: string) => names.get(id) ?? id.slice(-6);
  return (
    <table className="dash__heatmap" data-testid="dashboard-heatmap">
      <thead>
        <tr>
          <th />
          {ids.map((id) => (
            <th key={id} scope="col">
              {name(id)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {ids.map((r) => (
          <tr key={r}>
            <th scope="row">{name(r)}</th>
            {ids.map((c) => {
              const p = r === c ? null : cell.get(`${r}|${c}`);
              const v = p?.value ?? null;
              return (
                <td
                  key={c}
                  style={{ background: r === c ? '#fff' : heat(v) }}
                  data-testid={p ? 'heatmap-cell' : undefined}
                  data-a={p ? r : undefined}
                  data-b={p ? c : undefined}
                  data-items={p?.items}
                  title={
                    p
                      ? t('dash.pairTitle', { a: name(r), b: name(c), value: v === null ? '—' : formatNumber(lang, v, 2), items: p.items })
                      : undefined
                  }
                >
                  {p && v !== null ? formatNumber(lang, v, 2) : ''}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type SortKey = 'username' | 'submitted' | 'secondsPerItem' | 'goldAccuracy' | 'rejectionRate' | 'agreement' | 'reviewed';
const COLUMNS: SortKey[] = ['username', 'submitted', 'secondsPerItem', 'goldAccuracy', 'rejectionRate', 'agreement', 'reviewed'];

function AnnotatorTable({ projectId, rows, t, lang }: { projectId: string; rows: AnnotatorRow[]; t: Translate; lang: Lang }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'username', dir: 1 });
  const sorted = useMemo(() => {
    const k = sort.key;
    return [...rows].sort((a, b) => {
      const x = a[k];
      const y = b[k];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number)) * sort.dir;
    });
  }, [rows, sort]);
  if (!rows.length) return <p className="muted small">{t('dash.noAnnotators')}</p>;
  const cell = (r: AnnotatorRow, k: SortKey): string => {
    const v = r[k];
    if (v === null || v === undefined) return '—';
    if (k === 'username') return String(v);
    if (k === 'goldAccuracy' || k === 'rejectionRate') return formatPercent(lang, v as number);
    if (k === 'agreement') return formatNumber(lang, v as number, 3);
    if (k === 'secondsPerItem') return formatNumber(lang, v as number, 1);
    return formatNumber(lang, v as number);
  };
  return (
    <table className="table dash__table" data-testid="dashboard-annotators">
      <thead>
        <tr>
          {COLUMNS.map((k) => (
            <th
              key={k}
              className={k === 'username' ? '' : 'num'}
              aria-sort={sort.key === k ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
            >
              <button
                type="button"
                className="dash__sort"
                title={t('dash.sortBy', { col: t(`dash.col.${k}`) })}
                onClick={() => setSort((s) => ({ key: k, dir: s.key === k ? (-s.dir as 1 | -1) : k === 'username' ? 1 : -1 }))}
                data-testid={`sort-${k}`}
              >
                {t(`dash.col.${k}`)}
                {sort.key === k ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.userId} data-testid="annotator-row" data-user-id={r.userId}>
            {COLUMNS.map((k) => (
              <td key={k} className={k === 'username' ? '' : 'num'}>
                {k === 'username' ? (
                  <Link
                    to={paths.annotator(projectId, r.userId)}
                    className="table__primary-link"
                    data-testid="annotator-link"
                    title={t('dash.openAnnotator', { user: r.username })}
                  >
                    {r.username}
                  </Link>
                ) : (
                  cell(r, k)
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last six characters of an id, enough to tell items apart in a short list. */
function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-6)}` : id;
}

/** An outlier's figure in its own unit (percent, seconds, agreement). */
function figureText(lang: Lang, t: Translate, figure: OutlierFigure, v: number): string {
  if (figure === 'goldAccuracy' || figure === 'rejectionRate') return formatPercent(lang, v);
  if (figure === 'secondsPerItem') return t('dash.seconds', { n: formatNumber(lang, v, 1) });
  return formatNumber(lang, v, 2);
}

/**
 * Label confusion of the project's single-class labels: between annotators (symmetric) and each
 * annotator's choice against consensus, summed or for one annotator picked from a list.
 */
function ConfusionSection({ project, data, t, lang }: { project: Project; data: Dashboard; t: Translate; lang: Lang }) {
  const [who, setWho] = useState('');
  const c = data.confusion;
  const colors = useMemo(() => new Map(project.labelSchema.labels.map((l) => [l.name, l.color])), [project.labelSchema]);
  if (!singleClassLabels(project.labelSchema).length) {
    return (
      <p className="muted small" data-testid="confusion-empty" data-reason="no-class-labels">
        {t('dash.cm.noClassLabels')}
      </p>
    );
  }
  if (!confusionTotal(c.between) && !confusionTotal(c.vsConsensus)) {
    return (
      <p className="muted small" data-testid="confusion-empty" data-reason="no-data">
        {t('dash.cm.noData')}
      </p>
    );
  }
  const labels = matrixLabels(project.labelSchema, c.between, c.vsConsensus);
  const vs = who ? (c.vsConsensusBy?.[who] ?? {}) : c.vsConsensus;
  const whoName = data.annotators.find((a) => a.userId === who)?.username ?? who;
  return (
    <div className="dash__cm-grid">
      <div>
        <h3 className="dash__cm-title">{t('dash.cm.between')}</h3>
        <ConfusionTable
          m={c.between}
          labels={labels}
          colors={colors}
          rowHead={t('dash.cm.rowsBetween')}
          colHead={t('dash.cm.colsBetween')}
          help={t('dash.cm.betweenHelp')}
          testId="confusion-between"
          t={t}
          lang={lang}
        />
      </div>
      <div>
        <div className="dash__cm-head">
          <h3 className="dash__cm-title">{t('dash.cm.vsConsensus')}</h3>
          <label className="small dash__cm-pick">
            {t('dash.cm.annotator')}
            <select value={who} onChange={(e) => setWho(e.target.value)} data-testid="confusion-annotator">
              <option value="">{t('dash.cm.allAnnotators')}</option>
              {data.annotators.map((a) => (
                <option key={a.userId} value={a.userId}>
                  {a.username}
                </option>
              ))}
            </select>
          </label>
        </div>
        {confusionTotal(vs) ? (
          <ConfusionTable
            m={vs}
            labels={labels}
            colors={colors}
            rowHead={t('dash.cm.rowsAnnotator')}
            colHead={t('dash.cm.colsConsensus')}
            help={t('dash.cm.vsConsensusHelp')}
            testId="confusion-consensus"
            t={t}
            lang={lang}
          />
        ) : (
          <p className="muted small" data-testid="confusion-consensus-empty">
            {who ? t('dash.cm.noDataFor', { user: whoName }) : t('dash.cm.noData')}
          </p>
        )}
      </div>
    </div>
  );
}
