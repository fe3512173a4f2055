import { useCallback, useMemo, useState } from 'react';
import type { Lang, Project } from '@labelwork/core';
import {
  getAnnotatorHistory,
  getDashboard,
  type AnnotatorHistory,
  type AnnotatorHistoryItem,
  type AnnotatorRow,
  type Dashboard,
} from '../../api/dashboard.ts';
import { isAbortError } from '../../api/http.ts';
import { getProject } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n, type Translate } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { formatNumber, formatPercent, formatTime } from '../review/format.ts';
import { seriesColor, TimeChart } from './chart.tsx';
import { confusionTotal, ConfusionTable, matrixLabels, singleClassLabels } from './confusion.tsx';
import './dashboard.css';

/** History rows shown before "show all". */
const FIRST_ROWS = 100;
const DAY = 86_400_000;
/** The activity chart covers at least a week and at most this many days. */
const MAX_DAYS = 60;

interface Loaded {
  project: Project;
  history: AnnotatorHistory;
  /** The project's dashboard, for the team's medians, pairs and confusion (null if it failed). */
  dashboard: Dashboard | null;
}

/**
 * One annotator's page for the lead: their figures beside the team's median, activity over time
 * (submissions per day, gold score), agreement with each colleague, their choices against
 * consensus, and their item history (newest first) with links to the lead's item view.
 */
export function AnnotatorPage({ projectId, userId }: { projectId: string; userId: string }) {
  const { t, lang } = useI18n();
  const [load, reload] = useLoad<Loaded>(
    async (signal) => {
      const [project, history, dashboard] = await Promise.all([
        getProject(projectId, signal),
        getAnnotatorHistory(projectId, userId, signal),
        getDashboard(projectId, signal).catch((e: unknown) => {
          if (isAbortError(e)) throw e;
          return null;
        }),
      ]);
      return { project, history, dashboard };
    },
    [projectId, userId],
  );

  const back = (
    <Link to={paths.project(projectId, 'dashboard')} data-testid="annotator-back">
      ← {t('annotator.back')}
    </Link>
  );
  if (!load.data) {
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('annotator.loading')}</p>}
        {back}
      </div>
    );
  }
  const { project, history, dashboard } = load.data;
  return (
    <div className="page annotator" data-testid="annotator-page" data-user-id={history.userId}>
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(project.id)}>{project.name}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(project.id, 'dashboard')}>{t('project.tab.dashboard')}</Link>
        <span aria-hidden="true"> / </span>
        <span>{history.username}</span>
      </nav>
      <div className="page__head">
        <div>
          <h1 className="page__title" data-testid="annotator-name">
            {history.username}
          </h1>
          <p className="muted small">{t('annotator.subtitle', { project: project.name })}</p>
        </div>
        <div className="page__actions">
          <Link to={paths.watch(project.id, history.userId)} className="btn btn--primary" data-testid="annotator-watch">
            {t('annotator.watch')}
          </Link>
          <Link to={paths.project(project.id, 'dashboard')} className="btn" data-testid="annotator-back-button">
            {t('annotator.back')}
          </Link>
        </div>
      </div>
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}

      <Figures
        history={history}
        team={dashboard?.annotators ?? null}
        outliers={dashboard?.outliers.filter((o) => o.userId === history.userId) ?? []}
        t={t}
        lang={lang}
      />

      <div className="dash__grid">
        <section className="card dash__card">
          <h2 className="section-title">{t('annotator.activity')}</h2>
          <Activity items={history.items} t={t} lang={lang} />
        </section>
        <section className="card dash__card">
          <h2 className="section-title">{t('annotator.pairs')}</h2>
          <Pairs userId={history.userId} dashboard={dashboard} t={t} lang={lang} />
          {dashboard && singleClassLabels(project.labelSchema).length > 0 && (
            <>
              <h2 className="section-title">{t('annotator.vsConsensus')}</h2>
              <TheirConfusion
                project={project}
                dashboard={dashboard}
                userId={history.userId}
                username={history.username}
                t={t}
                lang={lang}
              />
            </>
          )}
        </section>
      </div>

      <section className="card dash__card">
        <div className="dash__head">
          <h2 className="section-title">{t('annotator.history')}</h2>
          <span className="muted small">{t('annotator.historyCount', { n: formatNumber(lang, history.items.length) })}</span>
        </div>
        <History projectId={project.id} items={history.items} t={t} lang={lang} />
      </section>
    </div>
  );
}

function median(v: number[]): number | null {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type FigureKey = 'submitted' | 'secondsPerItem' | 'goldAccuracy' | 'rejectionRate' | 'agreement';
const FIGURES: FigureKey[] = ['submitted', 'secondsPerItem', 'goldAccuracy', 'rejectionRate', 'agreement'];

function Figures({
  history,
  team,
  outliers,
  t,
  lang,
}: {
  history: AnnotatorHistory;
  team: AnnotatorRow[] | null;
  outliers: Dashboard['outliers'];
  t: Translate;
  lang: Lang;
}) {
  const f = history.figures;
  const text = (k: FigureKey, v: number | null | undefined): string => {
    if (v === null || v === undefined) return '—';
    if (k === 'goldAccuracy' || k === 'rejectionRate') return formatPercent(lang, v);
    if (k === 'agreement') return formatNumber(lang, v, 3);
    if (k === 'secondsPerItem') return formatNumber(lang, v, 1);
    return formatNumber(lang, v);
  };
  return (
    <div className="dash__tiles" data-testid="annotator-figures">
      {FIGURES.map((k) => {
        const v = f?.[k] ?? null;
        const med = team ? median(team.map((r) => r[k]).filter((x): x is number => typeof x === 'number')) : null;
        const extra =
          k === 'goldAccuracy' && f && f.goldN > 0
            ? t('annotator.goldN', { n: formatNumber(lang, f.goldN) })
            : k === 'rejectionRate' && f && f.reviewed > 0
              ? t('annotator.rejectedOf', { rejected: formatNumber(lang, f.rejected), reviewed: formatNumber(lang, f.reviewed) })
              : null;
        const outlier = outliers.find((o) => o.figure === k);
        return (
          <div
            key={k}
            className={`card dash__tile${outlier ? ' dash__tile--outlier' : ''}`}
            data-testid={`annotator-fig-${k}`}
            data-value={v ?? ''}
            data-outlier={outlier ? 'true' : undefined}
          >
            <div className="dash__tile-title small muted">{t(`annotator.fig.${k}`)}</div>
            <div className="dash__tile-big">{text(k, v)}</div>
            {extra && <div className="small muted">{extra}</div>}
            {med !== null && <div className="small muted">{t('annotator.teamMedian', { value: text(k, med) })}</div>}
            {outlier && <div className="small dash__outlier-note">{t('annotator.outlier', { z: formatNumber(lang, outlier.z, 1) })}</div>}
          </div>
        );
      })}
    </div>
  );
}

/** Local midnight of a time (the activity chart counts per calendar day in the viewer's time zone). */
function dayStart(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function Activity({ items, t, lang }: { items: AnnotatorHistoryItem[]; t: Translate; lang: Lang }) {
  const perDay = useMemo(() => {
    const today = dayStart(Date.now());
    const first = items.length ? dayStart(Math.min(...items.map((i) => Date.parse(i.at)))) : today;
    const days = Math.min(MAX_DAYS, Math.max(7, Math.round((today - first) / DAY) + 1));
    const x: number[] = [];
    for (let i = days - 1; i >= 0; i--) {
      // Stepping by calendar day keeps midnight across daylight-saving changes.
      const d = new Date(today);
      d.setDate(d.getDate() - i);
      x.push(d.getTime());
    }
    const counts = new Map(x.map((d) => [d, 0]));
    for (const i of items) {
      const d = dayStart(Date.parse(i.at));
      if (counts.has(d)) counts.set(d, counts.get(d)! + 1);
    }
    return {
      x: x.map((d) => d / 1000),
      series: [{ label: t('annotator.perDay'), color: seriesColor(0), values: x.map((d) => counts.get(d)!) }],
    };
  }, [items, t]);
  const gold = useMemo(() => {
    const scored = items.filter((i) => i.goldScore !== null).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return {
      n: scored.length,
      first: scored[0]?.goldScore ?? null,
      x: scored.map((i) => Date.parse(i.at) / 1000),
      series: [{ label: t('annotator.goldOverTime'), color: seriesColor(2), values: scored.map((i) => i.goldScore) }],
    };
  }, [items, t]);
  const count = useCallback((v: number) => formatNumber(lang, v, 1), [lang]);
  const percent = useCallback((v: number) => formatPercent(lang, v, 0), [lang]);
  const total = perDay.series[0]!.values.reduce((s, v) => s + (v ?? 0), 0);
  return (
    <>
      <h3 className="small">{t('annotator.perDay')}</h3>
      <div data-testid="annotator-activity" data-total={total}>
        <TimeChart
          x={perDay.x}
          series={perDay.series}
          bars
          days
          height={150}
          yMin={0}
          format={count}
          lang={lang}
          label={t('annotator.perDay')}
          testId="annotator-per-day"
        />
      </div>
      <h3 className="small">{t('annotator.goldOverTime')}</h3>
      {gold.n >= 2 ? (
        <TimeChart
          x={gold.x}
          series={gold.series}
          height={150}
          yMin={0}
          yMax={1}
          format={percent}
          lang={lang}
          label={t('annotator.goldOverTime')}
          testId="annotator-gold-chart"
        />
      ) : (
        <p className="muted small" data-testid="annotator-gold-none">
          {gold.n === 1 && gold.first !== null ? t('annotator.fewGold', { score: formatPercent(lang, gold.first) }) : t('annotator.noGold')}
        </p>
      )}
    </>
  );
}

function Pairs({ userId, dashboard, t, lang }: { userId: string; dashboard: Dashboard | null; t: Translate; lang: Lang }) {
  if (!dashboard) return <p className="muted small">—</p>;
  const names = new Map(dashboard.annotators.map((a) => [a.userId, a.username]));
  const rows = dashboard.pairs
    .filter((p) => p.a === userId || p.b === userId)
    .map((p) => ({ other: p.a === userId ? p.b : p.a, value: p.value, items: p.items }))
    .sort((a, b) => (a.value ?? 2) - (b.value ?? 2));
  if (!rows.length) return <p className="muted small">{t('annotator.noPairs')}</p>;
  return (
    <table className="table dash__table" data-testid="annotator-pairs">
      <thead>
        <tr>
          <th>{t('annotator.colleague')}</th>
          <th className="num">{t('dash.col.agreement')}</th>
          <th className="num">{t('annotator.sharedItems')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.other} data-user-id={r.other}>
            <td>
              <Link to={paths.annotator(dashboard.projectId, r.other)}>{names.get(r.other) ?? r.other.slice(-6)}</Link>
            </td>
            <td className="num">{r.value === null ? '—' : formatNumber(lang, r.value, 3)}</td>
            <td className="num">{formatNumber(lang, r.items)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TheirConfusion({
  project,
  dashboard,
  userId,
  username,
  t,
  lang,
}: {
  project: Project;
  dashboard: Dashboard;
  userId: string;
  username: string;
  t: Translate;
  lang: Lang;
}) {
  const m = dashboard.confusion.vsConsensusBy?.[userId] ?? {};
  const colors = useMemo(() => new Map(project.labelSchema.labels.map((l) => [l.name, l.color])), [project.labelSchema]);
  if (!confusionTotal(m)) return <p className="muted small">{t('dash.cm.noDataFor', { user: username })}</p>;
  return (
    <ConfusionTable
      m={m}
      labels={matrixLabels(project.labelSchema, dashboard.confusion.vsConsensus)}
      colors={colors}
      rowHead={t('dash.cm.rowsAnnotator')}
      colHead={t('dash.cm.colsConsensus')}
      help={t('dash.cm.vsConsensusHelp')}
      testId="annotator-confusion"
      t={t}
      lang={lang}
    />
  );
}

function History({ projectId, items, t, lang }: { projectId: string; items: AnnotatorHistoryItem[]; t: Translate; lang: Lang }) {
  const [all, setAll] = useState(false);
  if (!items.length) return <p className="muted small">{t('annotator.empty')}</p>;
  const shown = all ? items : items.slice(0, FIRST_ROWS);
  return (
    <>
      <table className="table dash__table" data-testid="annotator-history">
        <thead>
          <tr>
            <th>{t('annotator.col.item')}</th>
            <th>{t('annotator.col.at')}</th>
            <th className="num">{t('annotator.col.duration')}</th>
            <th className="num">{t('annotator.col.gold')}</th>
            <th>{t('annotator.col.verdicts')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((i) => (
            <tr key={i.annotationId} data-testid="history-row" data-item-id={i.itemId} data-annotation-id={i.annotationId}>
              <td>
                <Link
                  to={paths.item(projectId, i.itemId)}
                  className="table__primary-link"
                  data-testid="history-item-link"
                  aria-label={t('dash.openItem', { id: i.seq === null ? i.itemId : `#${i.seq}` })}
                >
                  {i.seq === null ? `…${i.itemId.slice(-6)}` : `#${formatNumber(lang, i.seq)}`}
                </Link>
                {i.name && <span className="muted small dash__item-name"> {i.name}</span>}
                {i.gold && <span className="badge badge--gold dash__item-name">{t('annotator.goldBadge')}</span>}
              </td>
              <td className="nowrap">{formatTime(lang, i.at)}</td>
              <td className="num">{i.durationMs === null ? '—' : t('dash.seconds', { n: formatNumber(lang, i.durationMs / 1000, 1) })}</td>
              <td className="num" data-value={i.goldScore ?? ''}>
                {i.goldScore === null ? '—' : formatPercent(lang, i.goldScore)}
              </td>
              <td data-testid="history-verdicts" data-verdicts={i.verdicts.join(' ')}>
                {i.verdicts.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  i.verdicts.map((v, k) => (
                    <span key={k} className={`dash__verdict dash__verdict--${v}`}>
                      {t(`annotator.verdict.${v}`)}
                    </span>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!all && items.length > FIRST_ROWS && (
        <button type="button" className="btn btn--small" onClick={() => setAll(true)} data-testid="history-more">
          {t('annotator.showAll', { n: formatNumber(lang, items.length) })}
        </button>
      )}
    </>
  );
}
