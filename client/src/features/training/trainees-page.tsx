import { certificationApi } from '../../api/certification.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { partName, pct } from './training-text.ts';
import './training.css';

/** The lead's view of the cohort: each person's level, exam attempts, certificates and practice. */
export function TraineesPage() {
  const { t, lang } = useI18n();
  const [load, reload] = useLoad((s) => certificationApi.trainees(s), []);
  const rows = load.data;
  return (
    <div className="page">
      <h1 className="page__title">{t('trainees.title')}</h1>
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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
