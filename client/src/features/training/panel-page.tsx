import { useState } from 'react';
import { gradingApi, type PanelView } from '../../api/certification-grading.ts';
import { Link } from '../../app/link.tsx';
import { navigate, paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { RubricForm, RubricTable } from './rubric-form.tsx';
import { pct } from './training-text.ts';
import './training.css';
import './grading.css';

/** The candidate hands in a portfolio for the comprehensive review. */
export function PortfolioPage() {
  const { t } = useI18n();
  const [statement, setStatement] = useState('');
  const [links, setLinks] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="page training">
      <h1 className="page__title">{t('panel.new')}</h1>
      <p>{t('panel.newHelp')}</p>
      {error !== null && <ErrorAlert error={error} testId="panel-error" />}
      <form
        data-testid="portfolio-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          const list = links
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l !== '');
          gradingApi.submitPortfolio(statement, list).then(
            (p) => navigate(paths.panel(p.id), { replace: true }),
            (err: unknown) => {
              setError(err);
              setBusy(false);
            },
          );
        }}
      >
        <label className="field">
          <span className="field__label">{t('panel.statement')}</span>
          <textarea data-testid="portfolio-statement" rows={6} required value={statement} onChange={(e) => setStatement(e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">{t('panel.links')}</span>
          <textarea data-testid="portfolio-links" rows={2} value={links} onChange={(e) => setLinks(e.target.value)} />
        </label>
        <button type="submit" className="btn btn--primary" data-testid="portfolio-submit" disabled={busy || statement.trim() === ''}>
          {t('panel.submit')}
        </button>
      </form>
    </div>
  );
}

/** A comprehensive review: the portfolio, convening the panel (leads), a member's scoring, and the decision once every member scored. */
export function PanelPage({ id }: { id: string }) {
  const { t } = useI18n();
  const [load, reload, set] = useLoad((s) => gradingApi.panel(id, s), [id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const v = load.data;
  if (!v)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const act = async (f: () => Promise<PanelView>) => {
    setError(null);
    setBusy(true);
    try {
      set(await f());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const ruleText = t(`panel.rule.${v.rule.rule}` as 'panel.rule.majority', { passMark: v.rule.passMark, floor: v.rule.floor });
  return (
    <div className="page training panel" data-testid="panel-page" data-decided={v.decision ? 'yes' : 'no'}>
      <h1 className="page__title">{t('panel.title')}</h1>
      <p>{t('panel.candidate', { name: v.candidate.displayName ?? '—', level: v.level })}</p>
      {error !== null && <ErrorAlert error={error} testId="panel-error" />}
      {v.decision && (
        <section className="training__section" data-testid="panel-decision" data-passed={v.decision.passed ? 'yes' : 'no'}>
          <p>
            <strong>
              {v.decision.passed
                ? t('panel.decision.passed', { mean: v.decision.mean ?? 0 })
                : t('panel.decision.failed', { mean: v.decision.mean ?? 0 })}
            </strong>
          </p>
          <ul>
            {v.decision.reasons.map((r) => (
              <li key={r}>{t(`panel.reason.${r}` as 'panel.reason.no-majority')}</li>
            ))}
          </ul>
          {v.mine && <Link to={paths.training()}>{t('training.title')}</Link>}
        </section>
      )}
      <section className="training__section">
        <h2>{t('panel.statement')}</h2>
        <p className="panel__statement" data-testid="panel-statement">
          {v.portfolio.statement}
        </p>
        {v.portfolio.links.length > 0 && (
          <ul>
            {v.portfolio.links.map((l) => (
              <li key={l}>
                <a href={l} rel="noopener noreferrer" target="_blank">
                  {l}
                </a>
              </li>
            ))}
          </ul>
        )}
        <h2>{t('panel.stats')}</h2>
        <ul data-testid="panel-stats">
          <li>
            {t('panel.stat.gold', { value: v.stats.goldAccuracy === null ? '—' : pct(v.stats.goldAccuracy), n: v.stats.goldAnswers })}
          </li>
          <li>
            {t('panel.stat.review', {
              value: v.stats.reviewAcceptance === null ? '—' : pct(v.stats.reviewAcceptance),
              n: v.stats.reviewedAnnotations,
            })}
          </li>
          <li>{t('panel.stat.reviewsGiven', { n: v.stats.reviewsGiven })}</li>
          <li>
            {t('panel.stat.practice', {
              n: v.stats.practiceAnswered,
              value: v.stats.practiceMean === null ? '—' : pct(v.stats.practiceMean),
            })}
          </li>
          <li>{t('panel.stat.certificates', { list: v.stats.certificates.join(', ') || '—' })}</li>
          {v.stats.mentored !== null && <li>{t('panel.stat.mentored', { n: v.stats.mentored })}</li>}
        </ul>
      </section>
      <RubricTable rubric={v.rubric} passMark={v.rule.passMark} />
      <p>{ruleText}</p>

      <section className="training__section" aria-labelledby="members-h">
        <h2 id="members-h">{t('panel.members')}</h2>
        {!v.convened && !v.eligible && <p data-testid="panel-wait-convene">{t('panel.waitConvene')}</p>}
        {v.convened && (
          <ul data-testid="panel-members">
            {v.members.map((m) => (
              <li key={m.id} data-testid="panel-member" data-member-id={m.id} data-scored={m.scored ? 'yes' : 'no'}>
                {m.displayName} ({m.level}) · {m.scored ? t('panel.scored') : t('panel.notScored')}
              </li>
            ))}
          </ul>
        )}
        {v.convened && !v.decision && !v.isMember && <p data-testid="panel-wait-scores">{t('panel.waitScores')}</p>}
        {v.eligible && (
          <div data-testid="panel-convene">
            <p>{t('panel.conveneHelp', { n: v.rule.minPanel })}</p>
            {v.eligible.map((e) => (
              <label key={e.id} className="spec__check">
                <input
                  type="checkbox"
                  data-testid="panel-choose"
                  data-user-id={e.id}
                  checked={chosen.includes(e.id)}
                  onChange={(ev) => setChosen(ev.target.checked ? [...chosen, e.id] : chosen.filter((x) => x !== e.id))}
                />{' '}
                {e.displayName} ({e.level}, {e.role})
              </label>
            ))}
            <p>
              <button
                type="button"
                className="btn btn--primary"
                data-testid="panel-convene-submit"
                disabled={busy || chosen.length < v.rule.minPanel}
                onClick={() => void act(() => gradingApi.convene(v.id, chosen))}
              >
                {t('panel.convene')}
              </button>
            </p>
          </div>
        )}
      </section>

      {v.isMember && !v.decision && !v.myScore && (
        <section className="training__section" aria-labelledby="score-h" data-testid="panel-score">
          <h2 id="score-h">{t('panel.yourScore')}</h2>
          <p className="muted">{t('panel.hiddenScores')}</p>
          <RubricForm
            rubric={v.rubric}
            busy={busy}
            extra={{ label: t('panel.defenseNote'), testId: 'defense-note' }}
            submitLabel={t('panel.submitScore')}
            onSubmit={(s, defenseNote) => void act(() => gradingApi.score(v.id, { ...s, defenseNote }))}
          />
        </section>
      )}
      {v.myScore && !v.decision && (
        <section className="training__section" data-testid="panel-my-score">
          <h2>{t('panel.yourScore')}</h2>
          <p>{v.myScore.result.score} / 100</p>
          <p className="muted">{t('panel.hiddenScores')}</p>
        </section>
      )}
      {v.scores && (
        <section className="training__section" aria-labelledby="scores-h" data-testid="panel-scores">
          <h2 id="scores-h">{t('panel.scores')}</h2>
          {v.scores.map((s) => (
            <article key={s.member.id} className="panel__score" data-testid="panel-score-row" data-member-id={s.member.id}>
              <h3>
                {s.member.displayName}: {s.result.score} / 100
              </h3>
              <RubricTable rubric={v.rubric} passMark={v.rule.passMark} result={s.result} comments={s.comments} />
              <p>
                <strong>{t('panel.defenseNote')}:</strong> {s.defenseNote}
              </p>
              <p>
                <strong>{t('spec.overall')}:</strong> {s.comment}
              </p>
            </article>
          ))}
        </section>
      )}
    </div>
  );
}
