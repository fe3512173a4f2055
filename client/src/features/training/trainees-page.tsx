import { useState } from 'react';
import { certificationApi } from '../../api/certification.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { partName, pct } from './training-text.ts';
import { MentoringCells, useMentoringOverview } from './mentoring-summary.tsx';
import './training.css';

/** The lead's view of the cohort: each person's level, exam attempts, certificates and practice. */
export function TraineesPage() {
  const { t, lang } = useI18n();
  const [load, reload] = useLoad((s) => certificationApi.trainees(s), []);
  const rows = load.data;
  const mentoring = useMentoringOverview();
  return (
    <div className="page">
      <h1 className="page__title">{t('trainees.title')}</h1>
      <p>
        <Link to={paths.questionBank()} data-testid="trainees-question-banks">
          {t('bank.link')}
        </Link>
      </p>
      <Pauses />
      <Contests />
      <p>
        <Link to={paths.grading()} data-testid="trainees-grading">
          {t('grading.link')}
        </Link>
      </p>
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {!rows ? (
        <p className="muted">{t('app.loading')}</p>
      ) : (
        <table className="table" data-testid="trainees-table">
          <thead>
            <tr>
              <th>{t('trainees.person')}</th>
              <th>{t('trainees.level')}</th>
              <th>{t('trainees.attempts')}</th>
              <th>{t('trainees.practice')}</th>
              <th>{t('training.certificates')}</th>
              <th>{t('mentoring.column')}</th>
              <th>{t('mentoring.goalsColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="trainee-row" data-user-id={r.id}>
                <td>
                  {r.displayName} <span className="muted">({r.username})</span>
                </td>
                <td data-testid="trainee-level">{r.level}</td>
                <td>
                  {r.attempts.length === 0
                    ? '—'
                    : r.attempts
                        .slice(0, 4)
                        .map(
                          (a) =>
                            `${a.level} ${partName(t, a.part)} ${a.status === 'running' ? t('training.running') : (a.score ?? 0)}${a.timedOut ? '⏱' : ''}`,
                        )
                        .join(' · ')}
                </td>
                <td>
                  {r.practice.answered} {r.practice.meanScore === null ? '' : `· ${pct(r.practice.meanScore)}`}
                </td>
                <td>
                  {r.certificates.map((c) => (
                    <Link key={c.id} to={paths.certificate(c.id)}>
                      {c.number} ({new Date(c.issuedAt).toLocaleDateString(lang)})
                    </Link>
                  ))}
                </td>
                <MentoringCells overview={mentoring} traineeId={r.id} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Active gold-accuracy pauses on the caller's projects, each with a Lift button (audited on the server). */
function Pauses() {
  const { t } = useI18n();
  const [load, reload] = useLoad((s) => certificationApi.pauses(s), []);
  const [error, setError] = useState<unknown>(null);
  const lift = async (projectId: string, userId: string) => {
    setError(null);
    try {
      await certificationApi.lift(projectId, userId);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="training__section" data-testid="trainees-pauses" aria-labelledby="tp-h">
      <h2 id="tp-h">{t('trainees.pauses')}</h2>
      {(error ?? (load.status === 'error' ? load.error : null)) !== null && (
        <ErrorAlert error={error ?? (load.status === 'error' ? load.error : null)} />
      )}
      {load.data && load.data.length === 0 && <p className="muted">{t('trainees.noPauses')}</p>}
      <ul className="training__list">
        {(load.data ?? []).map((p) => (
          <li key={`${p.projectId}:${p.userId}`} data-testid="trainee-pause" data-user-id={p.userId} data-project-id={p.projectId}>
            {t('trainees.pause', {
              user: p.username,
              project: p.projectName,
              accuracy: pct(p.accuracy),
              answers: p.answers,
              threshold: pct(p.threshold),
            })}{' '}
            <button type="button" className="btn" data-testid="trainee-pause-lift" onClick={() => void lift(p.projectId, p.userId)}>
              {t('trainees.lift')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Open "the gold answer is wrong" contests on the caller's projects: accept (then fix the gold on the item's page) or reject. */
function Contests() {
  const { t } = useI18n();
  const [load, reload] = useLoad((s) => certificationApi.contests(s), []);
  const [error, setError] = useState<unknown>(null);
  const resolve = async (id: string, accept: boolean) => {
    setError(null);
    try {
      await certificationApi.resolveContest(id, accept);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="training__section" data-testid="trainees-contests" aria-labelledby="tc-h">
      <h2 id="tc-h">{t('trainees.contests')}</h2>
      {error !== null && <ErrorAlert error={error} />}
      {load.data && load.data.length === 0 && <p className="muted">{t('trainees.noContests')}</p>}
      <ul className="training__list">
        {(load.data ?? []).map((c) => (
          <li key={c.id} data-testid="trainee-contest" data-contest-id={c.id}>
            {t('trainees.contest', { user: c.username, project: c.projectName, note: c.note })}{' '}
            <Link to={paths.itemGold(c.projectId, c.itemId)}>{t('trainees.contestItem')}</Link>{' '}
            <button type="button" className="btn" data-testid="contest-accept" onClick={() => void resolve(c.id, true)}>
              {t('trainees.contestAccept')}
            </button>{' '}
            <button type="button" className="btn" data-testid="contest-reject" onClick={() => void resolve(c.id, false)}>
              {t('trainees.contestReject')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
