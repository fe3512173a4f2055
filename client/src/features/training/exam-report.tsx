import type { Attempt } from '../../api/certification.ts';
import { certificationApi } from '../../api/certification.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { pct } from './training-text.ts';

/** The graded attempt: score against the pass mark, then per question (right answer, explanation) or per item; the earliest retake after a fail. */
export function ExamReport({ attempt }: { attempt: Attempt }) {
  const { t, lang } = useI18n();
  const [me] = useLoad((s) => certificationApi.me(s), [attempt.id]);
  const report = attempt.report ?? {};
  const part = me.data?.parts.find((p) => p.part === attempt.part);
  const promoted = me.data && me.data.level !== attempt.level ? me.data : null;
  return (
    <section data-testid="exam-report" aria-label={t('exam.report')}>
      <p className="training-exam__score">
        {t('exam.score')} <strong data-testid="exam-score">{attempt.score ?? 0}</strong> / 100 · {t('training.passMark')} {attempt.passMark}{' '}
        ·{' '}
        <strong data-testid="exam-result" data-passed={attempt.passed ? 'yes' : 'no'}>
          {attempt.passed ? t('training.passed') : t('training.failed')}
        </strong>
        {attempt.timedOut && <span className="muted"> · {t('exam.timedOut')}</span>}
      </p>
      {report.time && report.time.penalty > 0 && (
        <p>{t('exam.overtime', { minutes: report.time.overMinutes, points: report.time.penalty })}</p>
      )}
      {promoted && (
        <p data-testid="exam-promoted">
          {t('exam.promoted', { level: promoted.level })}{' '}
          {promoted.certificates[0] && (
            <Link to={paths.certificate(promoted.certificates[0].id)} data-testid="exam-certificate">
              {t('exam.certificate')}
            </Link>
          )}
        </p>
      )}
      {!attempt.passed && part?.earliest && (
        <p data-testid="retake-at" data-earliest={part.earliest}>
          {t('training.retakeAt', { time: new Date(part.earliest).toLocaleString(lang) })}
        </p>
      )}
      {attempt.part === 'theory' && (
        <ol className="training-exam__questions">
          {(attempt.questions ?? []).map((q) => {
            const graded = report.questions?.find((x) => x.ref === q.ref);
            return (
              <li key={q.ref} data-testid="report-question" data-credit={graded?.credit ?? 0}>
                <p>{q.question}</p>
                <ul>
                  {q.options.map((o, i) => (
                    <li
                      key={i}
                      className={graded?.answer.includes(i) ? 'training__right' : graded?.picked.includes(i) ? 'training__wrong' : ''}
                    >
                      {o}
                      {graded?.answer.includes(i) && ` ✓ ${t('exam.rightAnswer')}`}
                      {graded?.picked.includes(i) && ` · ${t('exam.yourPick')}`}
                    </li>
                  ))}
                </ul>
                <p className="muted">{report.explanations?.[q.ref]}</p>
              </li>
            );
          })}
        </ol>
      )}
      {attempt.part === 'review' && (
        <>
          <p data-testid="report-review">
            {t('exam.reviewFigures', {
              precision: report.precision === null || report.precision === undefined ? '—' : pct(report.precision),
              recall: report.recall === null || report.recall === undefined ? '—' : pct(report.recall),
            })}
          </p>
          <ul className="training__list">
            {(report.found ?? []).map((f, i) => (
              <li
                key={i}
                data-testid="report-planted"
                data-found={f.found ? 'yes' : 'no'}
                className={f.found ? 'training__right' : 'training__wrong'}
              >
                {f.itemId}: {t(`exam.planted.${f.kind}` as 'exam.planted.missing')} {f.found ? '✓' : '✗'}
              </li>
            ))}
          </ul>
        </>
      )}
      {attempt.part === 'practical' && (
        <table className="table">
          <thead>
            <tr>
              <th>{t('exam.item')}</th>
              <th>{t('exam.itemScore')}</th>
              <th>{t('practice.verdict')}</th>
            </tr>
          </thead>
          <tbody>
            {(report.items ?? []).map((it) => (
              <tr key={it.itemId} data-testid="report-item">
                <td>{it.itemId}</td>
                <td>{pct(it.score)}</td>
                <td>
                  {(['matched', 'wrong-label', 'missed', 'extra'] as const)
                    .map((v) => `${t(`practice.verdict.${v}`)} ${it.regions.filter((r) => r.verdict === v).length}`)
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <Link to={paths.training()} data-testid="exam-back">
          {t('training.back')}
        </Link>
      </p>
    </section>
  );
}
