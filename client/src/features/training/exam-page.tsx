import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabelSchema, ProjectKind, Region } from '@labelwork/core';
import { certificationApi, type Attempt, type PracticeList } from '../../api/certification.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { TrainingItemEditor } from './item-editor.tsx';
import { clock, partName, typeHint } from './training-text.ts';
import { ExamReport } from './exam-report.tsx';
import './training.css';

type Answers = Record<string, number[] | Region[] | string[]>;

/** An exam attempt: questions or items with a timer, answers saved as the candidate goes, one submit; then the report. */
export function ExamPage({ attemptId }: { attemptId: string }) {
  const { t } = useI18n();
  const [load, reload, replace] = useLoad((s) => certificationApi.attempt(attemptId, s), [attemptId]);
  const attempt = load.data;
  if (!attempt)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  return (
    <div className="page training-exam">
      <p>
        <Link to={paths.training()}>{t('training.back')}</Link>
      </p>
      <h1 className="page__title">
        {t('exam.title', { level: attempt.level })} · {partName(t, attempt.part)}
      </h1>
      {attempt.status === 'running' ? (
        <RunningExam attempt={attempt} onClosed={replace} onExpired={reload} />
      ) : (
        <ExamReport attempt={attempt} />
      )}
    </div>
  );
}

function RunningExam({ attempt, onClosed, onExpired }: { attempt: Attempt; onClosed: (a: Attempt) => void; onExpired: () => void }) {
  const { t } = useI18n();
  const [answers, setAnswers] = useState<Answers>(attempt.answers);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The server's clock decides; the offset keeps the countdown honest when the device's clock is off.
  const offset = useRef(new Date(attempt.serverNow).getTime() - Date.now());
  const [left, setLeft] = useState(() => new Date(attempt.deadline).getTime() - (Date.now() + offset.current));
  useEffect(() => {
    const timer = window.setInterval(() => {
      const ms = new Date(attempt.deadline).getTime() - (Date.now() + offset.current);
      setLeft(ms);
      if (ms <= 0) {
        window.clearInterval(timer);
        onExpired();
      }
    }, 500);
    return () => window.clearInterval(timer);
  }, [attempt.deadline, onExpired]);

  // Save a moment after the last change, so a timed-out attempt is graded with what was done.
  const pending = useRef<number | null>(null);
  const change = useCallback(
    (next: Answers) => {
      setAnswers(next);
      if (pending.current !== null) window.clearTimeout(pending.current);
      pending.current = window.setTimeout(() => {
        certificationApi.save(attempt.id, next).catch((e: unknown) => setError(e));
      }, 800);
    },
    [attempt.id],
  );
  useEffect(
    () => () => {
      if (pending.current !== null) window.clearTimeout(pending.current);
    },
    [],
  );

  const submit = async () => {
    if (pending.current !== null) window.clearTimeout(pending.current);
    setBusy(true);
    setError(null);
    try {
      onClosed(await certificationApi.submit(attempt.id, answers));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <>
      <p className="training-exam__timer" role="timer" aria-live="off">
        {t('exam.timeLeft')} <strong data-testid="exam-timer">{clock(left)}</strong>
      </p>
      {error !== null && <ErrorAlert error={error} testId="exam-error" />}
      {attempt.part === 'theory' ? (
        <TheoryPaper attempt={attempt} answers={answers} onChange={change} />
      ) : attempt.part === 'review' ? (
        <ReviewItems attempt={attempt} answers={answers} onChange={change} />
      ) : (
        <PracticalItems attempt={attempt} answers={answers} onChange={change} />
      )}
      <p>
        <button type="button" className="btn btn--primary" data-testid="exam-submit" disabled={busy} onClick={() => void submit()}>
          {t('exam.submit')}
        </button>
      </p>
    </>
  );
}

function TheoryPaper({ attempt, answers, onChange }: { attempt: Attempt; answers: Answers; onChange: (a: Answers) => void }) {
  const { t } = useI18n();
  return (
    <ol className="training-exam__questions">
      {(attempt.questions ?? []).map((q) => {
        const picked = (answers[q.ref] as number[] | undefined) ?? [];
        const multi = q.type === 'multiple';
        return (
          <li key={q.ref} data-testid="exam-question" data-ref={q.ref}>
            <fieldset>
              <legend>
                {q.question} <span className="muted">{typeHint(t, q.type)}</span>
              </legend>
              {q.options.map((o, i) => (
                <label key={i} className="training-exam__option">
                  <input
                    type={multi ? 'checkbox' : 'radio'}
                    name={q.ref}
                    data-testid="exam-option"
                    data-index={i}
                    checked={picked.includes(i)}
                    onChange={(e) => {
                      const next = multi ? (e.target.checked ? [...picked, i].sort((a, b) => a - b) : picked.filter((x) => x !== i)) : [i];
                      onChange({ ...answers, [q.ref]: next });
                    }}
                  />{' '}
                  {o}
                </label>
              ))}
            </fieldset>
          </li>
        );
      })}
    </ol>
  );
}

/** An attempt's items one at a time, with the guideline's practice list (its label schema and kind). */
function useAttemptItems(attempt: Attempt) {
  const items = attempt.items ?? [];
  const [current, setCurrent] = useState(0);
  const [list] = useLoad<PracticeList>(
    (s) => certificationApi.practice(attempt.guideline.slug, attempt.guideline.version, s),
    [attempt.guideline.slug, attempt.guideline.version],
  );
  return { items, current, setCurrent, item: items[current], guideline: list.data?.guideline };
}

/** The numbered item tabs of an attempt (a ✓ on the answered ones when `answered` is given). */
function ItemTabs({
  items,
  current,
  onPick,
  answered,
}: {
  items: readonly { id: string }[];
  current: number;
  onPick: (i: number) => void;
  answered?: (id: string) => boolean;
}) {
  const { t } = useI18n();
  return (
    <nav className="training-exam__tabs" aria-label={t('exam.items')}>
      {items.map((it, i) => (
        <button
          key={it.id}
          type="button"
          className={`btn btn--small${i === current ? ' btn--primary' : ''}`}
          data-testid="exam-item-tab"
          data-item-id={it.id}
          aria-current={i === current ? 'step' : undefined}
          onClick={() => onPick(i)}
        >
          {i + 1}
          {answered?.(it.id) ? ' ✓' : ''}
        </button>
      ))}
    </nav>
  );
}

function PracticalItems({ attempt, answers, onChange }: { attempt: Attempt; answers: Answers; onChange: (a: Answers) => void }) {
  const { t } = useI18n();
  // The label schema comes with the guideline's practice list (the same guideline the attempt draws from).
  const { items, current, setCurrent, item, guideline } = useAttemptItems(attempt);
  if (!guideline || !item) return <p className="muted">{t('app.loading')}</p>;
  const schema: LabelSchema = guideline.labelSchema;
  const kind: ProjectKind = guideline.kind;
  return (
    <div className="training-exam__practical">
      <ItemTabs items={items} current={current} onPick={setCurrent} answered={(id) => Boolean(answers[id])} />
      <div data-testid="exam-item" data-item-id={item.id}>
        <TrainingItemEditor
          itemId={item.id}
          media={item.media}
          imageUrl={certificationApi.attemptImageUrl(attempt.id, item.id)}
          labelSchema={schema}
          kind={kind}
          initialRegions={(answers[item.id] as Region[] | undefined) ?? []}
          onChange={(regions) => onChange({ ...answers, [item.id]: regions })}
        />
      </div>
      <p className="muted">{t('exam.itemsHint', { done: items.filter((it) => answers[it.id]).length, total: items.length })}</p>
    </div>
  );
}

/** The review exercise: someone's annotations, read-only in the editor; the candidate flags wrong regions, or that one is missing. */
function ReviewItems({ attempt, answers, onChange }: { attempt: Attempt; answers: Answers; onChange: (a: Answers) => void }) {
  const { t } = useI18n();
  const { items, current, setCurrent, item, guideline } = useAttemptItems(attempt);
  if (!guideline || !item) return <p className="muted">{t('app.loading')}</p>;
  const regions = attempt.shown?.[item.id] ?? [];
  const flags = (answers[item.id] as string[] | undefined) ?? [];
  const toggle = (flag: string, on: boolean) =>
    onChange({ ...answers, [item.id]: on ? [...flags.filter((f) => f !== flag), flag] : flags.filter((f) => f !== flag) });
  return (
    <div className="training-exam__practical">
      <p className="muted">{t('exam.reviewHint')}</p>
      <ItemTabs items={items} current={current} onPick={setCurrent} />
      <div data-testid="exam-item" data-item-id={item.id}>
        <TrainingItemEditor
          itemId={item.id}
          media={item.media}
          imageUrl={certificationApi.attemptImageUrl(attempt.id, item.id)}
          labelSchema={guideline.labelSchema}
          kind={guideline.kind}
          initialRegions={regions}
          readOnly
        />
      </div>
      <ul className="training__list" data-testid="review-flags">
        {regions.map((r, i) => (
          <li key={r.id}>
            <label>
              <input
                type="checkbox"
                data-testid="review-flag"
                data-region-id={r.id}
                checked={flags.includes(r.id)}
                onChange={(e) => toggle(r.id, e.target.checked)}
              />{' '}
              {t('exam.reviewRegion', { n: i + 1, label: r.label })}
            </label>
          </li>
        ))}
        <li>
          <label>
            <input
              type="checkbox"
              data-testid="review-flag-missing"
              checked={flags.includes('missing')}
              onChange={(e) => toggle('missing', e.target.checked)}
            />{' '}
            {t('exam.reviewMissing')}
          </label>
        </li>
      </ul>
    </div>
  );
}
