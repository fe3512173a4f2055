import type { User } from '@labelwork/core';
import { mentoringApi, type Goal, type MentoringOverviewRow } from '../../api/certification-bank.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useLoad, type Load } from '../../ui/use-load.ts';

function Goals({ goals }: { goals: Goal[] }) {
  const { t } = useI18n();
  if (goals.length === 0) return <span className="muted">{t('mentoring.noGoals')}</span>;
  return (
    <ul className="training__list" data-testid="open-goals">
      {goals.map((g) => (
        <li key={g.id} data-testid="open-goal">
          {g.text} <span className="muted">· {t('mentoring.due', { due: g.due })}</span>
        </li>
      ))}
    </ul>
  );
}

/** On the Training page: the caller's mentor and open goals, and the people they mentor. */
export function MentoringSummary({ user }: { user: User }) {
  const { t } = useI18n();
  const [load] = useLoad((s) => mentoringApi.me(s), [user.id]);
  const m = load.data;
  if (!m || (m.mentor === null && m.mentees.length === 0)) return null;
  return (
    <section className="training__section" data-testid="training-mentoring" aria-labelledby="mentoring-h">
      <h2 id="mentoring-h">{t('mentoring.heading')}</h2>
      {m.mentor && (
        <div>
          <p>
            {t('mentoring.yourMentor')}:{' '}
            <strong data-testid="training-mentor">
              {m.mentor.displayName} ({m.mentor.username})
            </strong>{' '}
            · <Link to={paths.mentoring(user.id)}>{t('mentoring.open')}</Link>
          </p>
          <Goals goals={m.openGoals} />
        </div>
      )}
      {m.mentees.length > 0 && (
        <div>
          <h3>{t('mentoring.yourMentees')}</h3>
          <ul className="training__list">
            {m.mentees.map((p) => (
              <li key={p.id} data-testid="training-mentee" data-user-id={p.id}>
                <Link to={paths.mentoring(p.id)}>
                  {p.displayName} ({p.username}, {p.level})
                </Link>
                <Goals goals={p.openGoals} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The Trainees view's mentoring columns: loaded once for the table. */
export function useMentoringOverview(): Load<MentoringOverviewRow[]> {
  return useLoad((s) => mentoringApi.overview(s), [])[0];
}

/** The mentor cell (links to the trainee's mentoring record, where leads assign) and the open-goals cell of one trainee. */
export function MentoringCells({ overview, traineeId }: { overview: Load<MentoringOverviewRow[]>; traineeId: string }) {
  const { t } = useI18n();
  const row = overview.data?.find((r) => r.traineeId === traineeId);
  if (!row)
    return (
      <>
        <td>—</td>
        <td>—</td>
      </>
    );
  return (
    <>
      <td data-testid="trainee-mentor">
        <Link to={paths.mentoring(traineeId)}>{row.mentor ? row.mentor.username : t('mentoring.assign')}</Link>
      </td>
      <td data-testid="trainee-goals">
        <Goals goals={row.openGoals} />
      </td>
    </>
  );
}
