import { useState } from 'react';
import type { RubricCriterion, RubricResult } from '../../api/certification-grading.ts';
import { useI18n } from '../../i18n/index.tsx';
import { localText } from './training-text.ts';

/** The published rubric: criteria, what earns their points, and the pass mark. */
export function RubricTable({
  rubric,
  passMark,
  result,
  comments,
}: {
  rubric: RubricCriterion[];
  passMark: number;
  result?: RubricResult | undefined;
  comments?: Record<string, string> | undefined;
}) {
  const { t, lang } = useI18n();
  return (
    <table className="table rubric" data-testid="rubric">
      <caption>{t('spec.rubric', { passMark })}</caption>
      <thead>
        <tr>
          <th>{t('spec.criterion')}</th>
          <th>{t('spec.points')}</th>
          {comments && <th>{t('spec.comment')}</th>}
        </tr>
      </thead>
      <tbody>
        {rubric.map((c) => (
          <tr key={c.id} data-criterion={c.id}>
            <td>
              <strong>{localText(c.title, lang)}</strong>
              <div className="muted">{localText(c.description, lang)}</div>
            </td>
            <td data-testid="rubric-points">{result ? `${result.points[c.id] ?? 0} / ${c.points}` : c.points}</td>
            {comments && <td>{comments[c.id] ?? ''}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface RubricScores {
  points: Record<string, number>;
  comments: Record<string, string>;
  comment: string;
}

/** A grader's form: points per criterion (0…max, halves allowed), a comment per criterion and an overall comment. */
export function RubricForm({
  rubric,
  extra,
  submitLabel,
  onSubmit,
  busy,
}: {
  rubric: RubricCriterion[];
  /** A further required text (the panel's defense note). */
  extra?: { label: string; testId: string } | undefined;
  submitLabel: string;
  onSubmit: (scores: RubricScores, extra: string) => void;
  busy: boolean;
}) {
  const { t, lang } = useI18n();
  const [points, setPoints] = useState<Record<string, string>>({});
  const [comments, setComments] = useState<Record<string, string>>({});
  const [comment, setComment] = useState('');
  const [extraText, setExtraText] = useState('');
  const complete =
    rubric.every((c) => points[c.id] !== undefined && points[c.id] !== '') && comment.trim() !== '' && (!extra || extraText.trim() !== '');
  const total = rubric.reduce((s, c) => s + (Number(points[c.id]) || 0), 0);
  const max = rubric.reduce((s, c) => s + c.points, 0);
  return (
    <form
      className="rubric-form"
      data-testid="rubric-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ points: Object.fromEntries(rubric.map((c) => [c.id, Number(points[c.id])])), comments, comment }, extraText);
      }}
    >
      {rubric.map((c) => (
        <fieldset key={c.id} className="rubric-form__criterion">
          <legend>
            {localText(c.title, lang)} <span className="muted">({t('spec.of', { max: c.points })})</span>
          </legend>
          <p className="muted">{localText(c.description, lang)}</p>
          <label className="field">
            <span className="field__label">{t('spec.points')}</span>
            <input
              type="number"
              min={0}
              max={c.points}
              step={0.5}
              required
              data-testid={`points-${c.id}`}
              value={points[c.id] ?? ''}
              onChange={(e) => setPoints({ ...points, [c.id]: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('spec.comment')}</span>
            <input
              type="text"
              data-testid={`comment-${c.id}`}
              value={comments[c.id] ?? ''}
              onChange={(e) => setComments({ ...comments, [c.id]: e.target.value })}
            />
          </label>
        </fieldset>
      ))}
      {extra && (
        <label className="field">
          <span className="field__label">{extra.label}</span>
          <textarea data-testid={extra.testId} rows={3} required value={extraText} onChange={(e) => setExtraText(e.target.value)} />
        </label>
      )}
      <label className="field">
        <span className="field__label">{t('spec.overall')}</span>
        <textarea data-testid="overall-comment" rows={3} required value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <p data-testid="rubric-total">
        {total} / {max}
      </p>
      <button type="submit" className="btn btn--primary" data-testid="rubric-submit" disabled={!complete || busy}>
        {submitLabel}
      </button>
    </form>
  );
}
