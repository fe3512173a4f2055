import { useState } from 'react';
import type { User } from '@labelwork/core';
import { certificationApi } from '../../api/certification.ts';
import { mentoringApi, type CoachingNote, type Goal, type MentoringRecord } from '../../api/certification-bank.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { partName, pct } from './training-text.ts';
import './training.css';
import './question-bank.css';

const LEVELS = ['L5', 'L4', 'L3', 'L2', 'L1'];
const today = () => new Date().toISOString().slice(0, 10);

/** A trainee's mentoring record: the mentor (leads assign), dated coaching notes linked to attempts and practice, goals. */
export function MentoringPage({ userId, user }: { userId: string; user: User }) {
  const { t } = useI18n();
  const [load, reload] = useLoad((s) => mentoringApi.record(userId, s), [userId]);
  const [error, setError] = useState<unknown>(null);
  const r = load.data;
  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      reload();
    } catch (e) {
      setError(e);
    }
  };
  if (!r)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  return (
    <div className="page training" data-testid="mentoring-page">
      <h1 className="page__title">{t('mentoring.title', { name: r.trainee.displayName || r.trainee.username })}</h1>
      <p>
        {r.trainee.level} · {t('mentoring.mentor')}:{' '}
        <strong data-testid="mentoring-mentor">
          {r.mentor ? `${r.mentor.displayName} (${r.mentor.username}, ${r.mentor.level})` : t('mentoring.noMentor')}
        </strong>
      </p>
      {error !== null && <ErrorAlert error={error} testId="mentoring-error" />}
      {r.canAssign && (
        <AssignMentor
          record={r}
          onAssign={(id) => void act(() => (id ? mentoringApi.assign(userId, id) : mentoringApi.unassign(userId)))}
        />
      )}
      <section className="training__section" aria-labelledby="goals-h">
        <h2 id="goals-h">{t('mentoring.goals')}</h2>
        {r.goals.length === 0 && <p className="muted">{t('mentoring.noGoals')}</p>}
        <ul className="training__list">
          {r.goals.map((g) => (
            <GoalRow key={g.id} goal={g} canWrite={r.canWrite} onDone={(done) => void act(() => mentoringApi.done(userId, g.id, done))} />
          ))}
        </ul>
        {r.canWrite && <GoalForm onAdd={(goal) => act(() => mentoringApi.goal(userId, goal))} />}
      </section>
      <section className="training__section" aria-labelledby="notes-h">
        <h2 id="notes-h">{t('mentoring.notes')}</h2>
        {r.notes.length === 0 && <p className="muted">{t('mentoring.noNotes')}</p>}
        <ul className="training__list">
          {r.notes.map((n) => (
            <NoteRow key={n.id} note={n} record={r} own={user.id === r.trainee.id} />
          ))}
        </ul>
        {r.canWrite ? (
          <NoteForm record={r} onAdd={(note) => act(() => mentoringApi.note(userId, note))} />
        ) : (
          <p className="muted">{t('mentoring.readOnly')}</p>
        )}
      </section>
    </div>
  );
}

function AssignMentor({ record, onAssign }: { record: MentoringRecord; onAssign: (mentorId: string | null) => void }) {
  const { t } = useI18n();
  // Leads and people above the trainee's level (the server checks again).
  const [people] = useLoad((s) => certificationApi.trainees(s), []);
  const [pick, setPick] = useState('');
  const rank = LEVELS.indexOf(record.trainee.level);
  const candidates = (people.data ?? []).filter((p) => p.id !== record.trainee.id && (p.role === 'lead' || LEVELS.indexOf(p.level) > rank));
  return (
    <p>
      <label className="field">
        <span className="field__label">{t('mentoring.assignPick')}</span>
        <select data-testid="mentoring-pick" value={pick} onChange={(e) => setPick(e.target.value)}>
          <option value="" />
          {candidates.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName} ({p.username}, {p.role === 'lead' ? p.role : p.level})
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="button" className="btn" data-testid="mentoring-assign" disabled={pick === ''} onClick={() => onAssign(pick)}>
        {t('mentoring.assign')}
      </button>{' '}
      {record.mentor && (
        <button type="button" className="btn" data-testid="mentoring-unassign" onClick={() => onAssign(null)}>
          {t('mentoring.unassign')}
        </button>
      )}
    </p>
  );
}

function GoalRow({ goal, canWrite, onDone }: { goal: Goal; canWrite: boolean; onDone: (done: boolean) => void }) {
  const { t } = useI18n();
  return (
    <li data-testid="mentoring-goal" data-done={goal.done ? 'yes' : 'no'}>
      <label>
        <input
          type="checkbox"
          data-testid="mentoring-goal-done"
          checked={goal.done}
          disabled={!canWrite}
          onChange={(e) => onDone(e.target.checked)}
        />{' '}
        {goal.text} <span className="muted">· {goal.done ? t('mentoring.done') : t('mentoring.due', { due: goal.due })}</span>
      </label>
    </li>
  );
}

function GoalForm({ onAdd }: { onAdd: (goal: { text: string; due: string }) => Promise<void> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [due, setDue] = useState(today());
  return (
    <p className="question-editor__row">
      <label className="field">
        <span className="field__label">{t('mentoring.goalText')}</span>
        <input data-testid="mentoring-goal-text" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <label className="field">
        <span className="field__label">{t('mentoring.goalDue')}</span>
        <input type="date" data-testid="mentoring-goal-due" value={due} onChange={(e) => setDue(e.target.value)} />
      </label>
      <button
        type="button"
        className="btn"
        data-testid="mentoring-goal-add"
        disabled={text.trim() === ''}
        onClick={() => void onAdd({ text, due }).then(() => setText(''))}
      >
        {t('mentoring.addGoal')}
      </button>
    </p>
  );
}

function linkText(t: ReturnType<typeof useI18n>['t'], lang: string, r: MentoringRecord, l: CoachingNote['links'][number]): string {
  if (l.kind === 'attempt') {
    const a = r.attempts.find((x) => x.id === l.id);
    if (!a) return l.id;
    return t('mentoring.attempt', {
      level: a.level,
      part: partName(t, a.part),
      date: new Date(a.startedAt).toLocaleDateString(lang),
      score: a.score ?? '—',
    });
  }
  const p = r.practice.find((x) => x.id === l.id);
  return t('mentoring.practice', { item: l.id.split(':').pop() ?? l.id, score: p ? pct(p.score) : '—' });
}

function NoteRow({ note, record, own }: { note: CoachingNote; record: MentoringRecord; own: boolean }) {
  const { t, lang } = useI18n();
  return (
    <li data-testid="mentoring-note">
      <strong>{note.date}</strong> <span className="muted">{note.author ?? ''}</span>
      <p data-testid="mentoring-note-text">{note.text}</p>
      {note.links.length > 0 && (
        <p className="muted">
          {note.links.map((l, i) => (
            <span key={i}>
              {i > 0 && ' · '}
              {own && l.kind === 'attempt' ? (
                <Link to={paths.attempt(l.id)}>{linkText(t, lang, record, l)}</Link>
              ) : (
                linkText(t, lang, record, l)
              )}
            </span>
          ))}
        </p>
      )}
    </li>
  );
}

function NoteForm({
  record,
  onAdd,
}: {
  record: MentoringRecord;
  onAdd: (n: { date: string; text: string; links: CoachingNote['links'] }) => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const [date, setDate] = useState(today());
  const [text, setText] = useState('');
  const [links, setLinks] = useState<string[]>([]);
  const options = [
    ...record.attempts.map((a) => ({ key: `attempt:${a.id}`, link: { kind: 'attempt' as const, id: a.id } })),
    ...record.practice.map((p) => ({ key: `practice:${p.id}`, link: { kind: 'practice' as const, id: p.id } })),
  ];
  const submit = async () => {
    await onAdd({ date, text, links: options.filter((o) => links.includes(o.key)).map((o) => o.link) });
    setText('');
    setLinks([]);
  };
  return (
    <div className="training__section" data-testid="mentoring-note-form">
      <label className="field">
        <span className="field__label">{t('mentoring.noteDate')}</span>
        <input type="date" data-testid="mentoring-note-date" value={date} onChange={(e) => setDate(e.target.value)} />
      </label>
      <label className="field">
        <span className="field__label">{t('mentoring.noteText')}</span>
        <textarea data-testid="mentoring-note-input" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {options.length > 0 && (
        <label className="field">
          <span className="field__label">{t('mentoring.noteLinks')}</span>
          <select
            multiple
            data-testid="mentoring-note-links"
            value={links}
            onChange={(e) => setLinks([...e.target.selectedOptions].map((o) => o.value))}
          >
            {options.map((o) => (
              <option key={o.key} value={o.key}>
                {linkText(t, lang, record, o.link)}
              </option>
            ))}
          </select>
        </label>
      )}
      <button
        type="button"
        className="btn btn--primary"
        data-testid="mentoring-note-add"
        disabled={text.trim() === ''}
        onClick={() => void submit()}
      >
        {t('mentoring.addNote')}
      </button>
    </div>
  );
}
