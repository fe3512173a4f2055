import { gradingApi } from '../../api/certification-grading.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import './training.css';
import './grading.css';

/** The leads' grading queue: specification exercises to claim and grade, comprehensive reviews to convene or score. */
export function GradingPage() {
  const { t, lang } = useI18n();
  const [load, reload] = useLoad((s) => gradingApi.queue(s), []);
  const q = load.data;
  if (!q)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(lang) : '—');
  return (
    <div className="page training" data-testid="grading-page">
      <h1 className="page__title">{t('grading.title')}</h1>
      <p data-testid="grading-counts">
        {t('grading.counts', {
          open: q.counts.specificationsOpen,
          mine: q.counts.specificationsMine,
          claimed: q.counts.specificationsClaimed,
          convene: q.counts.panelsToConvene,
          mine2: q.counts.panelsAwaitingMyScore,
        })}
      </p>
      <section className="training__section" aria-labelledby="gq-spec-h">
        <h2 id="gq-spec-h">{t('grading.specifications')}</h2>
        {q.specifications.length === 0 ? (
          <p className="muted">{t('grading.none')}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('grading.candidate')}</th>
                <th>{t('grading.level')}</th>
                <th>{t('grading.submitted')}</th>
                <th>{t('grading.holder')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.specifications.map((s) => (
                <tr key={s.id} data-testid="grading-spec" data-id={s.id}>
                  <td>{s.candidate}</td>
                  <td>{s.level}</td>
                  <td>{when(s.submittedAt)}</td>
                  <td>{s.claimedByMe ? t('grading.you') : (s.claimedBy ?? '—')}</td>
                  <td>
                    <Link to={paths.specification(s.id)} data-testid="grading-open">
                      {t('grading.open')}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="training__section" aria-labelledby="gq-panel-h">
        <h2 id="gq-panel-h">{t('grading.panels')}</h2>
        {q.panels.length === 0 ? (
          <p className="muted">{t('grading.none')}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('grading.candidate')}</th>
                <th>{t('grading.level')}</th>
                <th>{t('grading.submitted')}</th>
                <th>{t('grading.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.panels.map((p) => (
                <tr key={p.id} data-testid="grading-panel" data-id={p.id}>
                  <td>{p.candidate}</td>
                  <td>{p.level}</td>
                  <td>{when(p.submittedAt)}</td>
                  <td>
                    {p.convened ? t('grading.scoredOf', { scored: p.scored, members: p.members }) : t('grading.toConvene')}
                    {p.awaitingMyScore && <strong> · {t('grading.yourTurn')}</strong>}
                  </td>
                  <td>
                    <Link to={paths.panel(p.id)} data-testid="grading-open">
                      {t('grading.open')}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
