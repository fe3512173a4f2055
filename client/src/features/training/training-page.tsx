import { useState } from 'react';
import type { User } from '@labelwork/core';
import { certificationApi, type MyCertification, type PartStanding } from '../../api/certification.ts';
import { gradingApi } from '../../api/certification-grading.ts';
import { Link } from '../../app/link.tsx';
import { navigate, paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { localText, partName, pct } from './training-text.ts';
import { MentoringSummary } from './mentoring-summary.tsx';
import './training.css';

/** A trainee's page: level, the exam parts of that level with their standing and retake times, practice, attempts and certificates. */
export function TrainingPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const [me, reload] = useLoad((s) => certificationApi.me(s), [user.id]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const data = me.data;
  if (!data)
    return (
      <div className="page">
        {me.status === 'error' ? <ErrorAlert error={me.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const guideline = data.guidelines.find((g) => `${g.slug}@${g.version}` === choice) ?? data.guidelines[0];

  const start = async (part: PartStanding['part']) => {
    if (part === 'comprehensive') return navigate(paths.panel('new'));
    if (!guideline) return;
    setError(null);
    try {
      if (part === 'specification') {
        const spec = await gradingApi.startSpecification({ slug: guideline.slug, version: guideline.version });
        return navigate(paths.specification(spec.id));
      }
      const attempt = await certificationApi.start(part, { slug: guideline.slug, version: guideline.version });
      navigate(paths.attempt(attempt.id));
    } catch (e) {
      setError(e);
      reload();
    }
  };

  return (
    <div className="page training">
      <h1 className="page__title">{t('training.title')}</h1>
      <p className="training__level">
        {t('training.yourLevel')} <strong data-testid="training-level">{data.level}</strong>
        {data.nextLevel && <span className="muted"> · {t('training.nextLevel', { level: data.nextLevel })}</span>}
      </p>
      {error !== null && <ErrorAlert error={error} testId="training-error" />}
      {data.pauses.length > 0 && (
        <section className="training__section training__pauses" data-testid="training-pauses" aria-labelledby="pauses-h">
          <h2 id="pauses-h">{t('training.pauses')}</h2>
          <ul className="training__list">
            {data.pauses.map((p) => (
              <li key={p.projectId} data-testid="training-pause" data-project-id={p.projectId}>
                {t('training.pause', {
                  project: p.projectName,
                  accuracy: pct(p.accuracy),
                  answers: p.answers,
                  threshold: pct(p.threshold),
                })}
              </li>
            ))}
          </ul>
        </section>
      )}
      <MentoringSummary user={user} />
      <label className="field">
        <span className="field__label">{t('training.guideline')}</span>
        <select
          data-testid="training-guideline"
          value={guideline ? `${guideline.slug}@${guideline.version}` : ''}
          onChange={(e) => setChoice(e.target.value)}
        >
          {data.guidelines.map((g) => (
            <option key={`${g.slug}@${g.version}`} value={`${g.slug}@${g.version}`}>
              {localText(g.title, lang)} ({g.version})
            </option>
          ))}
        </select>
      </label>

      <section className="training__section" aria-labelledby="exam-h">
        <h2 id="exam-h">{t('training.exam', { level: data.level })}</h2>
        <table className="table" data-testid="exam-parts">
          <thead>
            <tr>
              <th>{t('training.part')}</th>
              <th>{t('training.best')}</th>
              <th>{t('training.passMark')}</th>
              <th>{t('training.limits')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.parts.map((p) => (
              <tr key={p.part} data-testid="exam-part" data-part={p.part}>
                <td>{partName(t, p.part)}</td>
                <td>
                  {p.best === null ? '—' : p.best}
                  {p.passed && <span className="badge badge--ok"> {t('training.passed')}</span>}
                </td>
                <td>{p.passMark}</td>
                <td>
                  {p.questions !== undefined && t('training.questionsIn', { n: p.questions, minutes: p.timeLimitMinutes ?? 0 })}
                  {p.items !== undefined && t('training.itemsIn', { n: p.items, minutes: p.timeLimitMinutes ?? 0 })}
                </td>
                <td>
                  {p.available && p.canStart && (
                    <button type="button" className="btn btn--primary" data-testid={`start-${p.part}`} onClick={() => void start(p.part)}>
                      {t('training.start')}
                    </button>
                  )}
                  {!p.available && <span className="muted">{t('training.notOnline')}</span>}
                  {p.openAttemptId && (
                    <Link
                      to={p.part === 'specification' ? paths.specification(p.openAttemptId) : paths.panel(p.openAttemptId)}
                      data-testid={`open-${p.part}`}
                    >
                      {t('training.openPart')}
                    </Link>
                  )}
                  {p.available && !p.canStart && !p.openAttemptId && <Refusal part={p} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.ready && <p data-testid="training-ready">{t('training.ready')}</p>}
      </section>

      {guideline && <PracticeSection me={data} slug={guideline.slug} version={guideline.version} />}

      <section className="training__section" aria-labelledby="attempts-h">
        <h2 id="attempts-h">{t('training.attempts')}</h2>
        {data.attempts.length === 0 ? (
          <p className="muted">{t('training.noAttempts')}</p>
        ) : (
          <ul className="training__list">
            {data.attempts.map((a) => (
              <li key={a.id} data-testid="attempt-row">
                <Link
                  to={
                    a.part === 'specification'
                      ? paths.specification(a.id)
                      : a.part === 'comprehensive'
                        ? paths.panel(a.id)
                        : paths.attempt(a.id)
                  }
                >
                  {partName(t, a.part)} · {new Date(a.startedAt).toLocaleString(lang)} ·{' '}
                  {a.status === 'awaiting'
                    ? t('spec.status.awaiting')
                    : a.status === 'running'
                      ? t('training.running')
                      : `${a.score ?? 0} ${a.passed ? t('training.passed') : t('training.failed')}`}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="training__section" aria-labelledby="certs-h">
        <h2 id="certs-h">{t('training.certificates')}</h2>
        {data.certificates.length === 0 ? (
          <p className="muted">{t('training.noCertificates')}</p>
        ) : (
          <ul className="training__list">
            {data.certificates.map((c) => (
              <li key={c.id}>
                <Link to={paths.certificate(c.id)} data-testid="certificate-link">
                  {c.number} · {c.level} → {c.promotedTo ?? c.level}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Refusal({ part }: { part: PartStanding }) {
  const { t, lang } = useI18n();
  if (part.refusal === 'cooldown' && part.earliest)
    return (
      <span data-testid="retake-at" data-earliest={part.earliest}>
        {t('training.retakeAt', { time: new Date(part.earliest).toLocaleString(lang) })}
      </span>
    );
  return <span className="muted">{t(`training.refusal.${part.refusal ?? 'in_progress'}` as 'training.refusal.in_progress')}</span>;
}

function PracticeSection({ me, slug, version }: { me: MyCertification; slug: string; version: string }) {
  const { t } = useI18n();
  const [list, reload] = useLoad((s) => certificationApi.practice(slug, version, s), [slug, version]);
  return (
    <section className="training__section" aria-labelledby="practice-h">
      <h2 id="practice-h">{t('training.practice')}</h2>
      <p data-testid="practice-progress">
        {me.practice.answered === 0
          ? t('training.practiceNone')
          : t('training.practiceProgress', {
              n: me.practice.answered,
              score: me.practice.meanScore === null ? '—' : pct(me.practice.meanScore),
            })}
        {me.practice.weakLabels.length > 0 && <> · {t('training.weakLabels', { labels: me.practice.weakLabels.join(', ') })}</>}
      </p>
      {list.status === 'error' && <ErrorAlert error={list.error} onRetry={reload} />}
      <ul className="training__items">
        {(list.data?.items ?? []).map((it) => (
          <li key={it.id}>
            <Link to={paths.practice(slug, version, it.id)} data-testid="practice-item" data-item-id={it.id}>
              {it.id} · {'★'.repeat(it.difficulty)}
              {it.firstScore !== null && <span className="muted"> · {pct(it.firstScore)}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
