import './question-bank.css';
import { useState } from 'react';
import type { Lang, LocalizedText, QuizQuestionType } from '@labelwork/core';
import { ApiError } from '../../api/http.ts';
import type { BankQuestion, BankQuestionInput } from '../../api/certification-bank.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { fieldProblemList, problemText } from '../../ui/field-errors.ts';
import { localText, typeHint } from './training-text.ts';

const TYPES: QuizQuestionType[] = ['single', 'multiple', 'true-false'];

const blank = (langs: readonly Lang[]): BankQuestionInput => {
  const text = () => Object.fromEntries(langs.map((l) => [l, ''])) as LocalizedText;
  return { type: 'single', question: text(), options: [text(), text()], answer: [0], explanation: text(), topic: 'general', difficulty: 2 };
};

/** Empty texts are left out, so the server names the missing language rather than an empty string. */
function cleaned(input: BankQuestionInput): BankQuestionInput {
  const clean = (t: LocalizedText) =>
    Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as LocalizedText;
  return { ...input, question: clean(input.question), options: input.options.map(clean), explanation: clean(input.explanation) };
}

/**
 * The form a lead writes a bank question in: type, topic, difficulty, the stem, options and
 * explanation in every language of the guideline, the right option(s); a preview as the exam shows it.
 */
export function QuestionEditor({
  langs,
  question,
  onSave,
  onCancel,
}: {
  langs: readonly Lang[];
  question: BankQuestion | null;
  onSave: (input: BankQuestionInput) => Promise<void>;
  onCancel: () => void;
}) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState<BankQuestionInput>(() =>
    question
      ? {
          type: question.type,
          question: question.question,
          options: question.options,
          answer: question.answer,
          explanation: question.explanation,
          topic: question.topic,
          difficulty: question.difficulty,
        }
      : blank(langs),
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const multi = q.type === 'multiple';
  const setText = (field: 'question' | 'explanation', l: Lang, v: string) => setQ({ ...q, [field]: { ...q[field], [l]: v } });
  const setOption = (i: number, l: Lang, v: string) => setQ({ ...q, options: q.options.map((o, j) => (j === i ? { ...o, [l]: v } : o)) });
  const toggleRight = (i: number, on: boolean) =>
    setQ({ ...q, answer: multi ? (on ? [...q.answer, i].sort((a, b) => a - b) : q.answer.filter((x) => x !== i)) : [i] });
  const removeOption = (i: number) =>
    setQ({ ...q, options: q.options.filter((_, j) => j !== i), answer: q.answer.filter((x) => x !== i).map((x) => (x > i ? x - 1 : x)) });
  const setType = (type: QuizQuestionType) => setQ({ ...q, type, answer: type === 'multiple' ? q.answer : q.answer.slice(0, 1) });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await onSave(cleaned(q));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const problems = error instanceof ApiError && error.code === 'VALIDATION_FAILED' ? fieldProblemList(error.details) : [];

  return (
    <section className="training__section question-editor" data-testid="question-editor" aria-labelledby="qe-h">
      <h2 id="qe-h">{question ? t('bank.editTitle', { id: question.id }) : t('bank.newTitle')}</h2>
      <div className="question-editor__row">
        <label className="field">
          <span className="field__label">{t('bank.filterType')}</span>
          <select data-testid="q-type" value={q.type} onChange={(e) => setType(e.target.value as QuizQuestionType)}>
            {TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`bank.type.${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('bank.topic')}</span>
          <input data-testid="q-topic" value={q.topic} onChange={(e) => setQ({ ...q, topic: e.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t('bank.difficulty')}</span>
          <select data-testid="q-difficulty" value={q.difficulty} onChange={(e) => setQ({ ...q, difficulty: Number(e.target.value) })}>
            {[1, 2, 3].map((d) => (
              <option key={d} value={d}>
                {t(`bank.difficulty.${d as 1 | 2 | 3}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {langs.map((l) => (
        <label key={l} className="field">
          <span className="field__label">{t('bank.stem', { lang: l })}</span>
          <textarea
            data-testid={`q-stem-${l}`}
            rows={2}
            value={q.question[l] ?? ''}
            onChange={(e) => setText('question', l, e.target.value)}
          />
        </label>
      ))}
      <fieldset className="question-editor__options">
        <legend>{t('bank.options')}</legend>
        {q.options.map((o, i) => (
          <div key={i} className="question-editor__option" data-testid="q-option" data-index={i}>
            <label>
              <input
                type={multi ? 'checkbox' : 'radio'}
                name="q-right"
                data-testid="q-option-right"
                checked={q.answer.includes(i)}
                onChange={(e) => toggleRight(i, e.target.checked)}
              />{' '}
              {t('bank.right')}
            </label>
            {langs.map((l) => (
              <input
                key={l}
                aria-label={t('bank.option', { n: i + 1, lang: l })}
                data-testid={`q-option-${l}`}
                value={o[l] ?? ''}
                onChange={(e) => setOption(i, l, e.target.value)}
              />
            ))}
            <button type="button" className="btn" aria-label={t('bank.removeOption', { n: i + 1 })} onClick={() => removeOption(i)}>
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn"
          data-testid="q-option-add"
          disabled={q.options.length >= 6}
          onClick={() => setQ({ ...q, options: [...q.options, Object.fromEntries(langs.map((l) => [l, ''])) as LocalizedText] })}
        >
          {t('bank.addOption')}
        </button>
      </fieldset>
      {langs.map((l) => (
        <label key={l} className="field">
          <span className="field__label">{t('bank.explanation', { lang: l })}</span>
          <textarea
            data-testid={`q-explanation-${l}`}
            rows={2}
            value={q.explanation[l] ?? ''}
            onChange={(e) => setText('explanation', l, e.target.value)}
          />
        </label>
      ))}
      <div className="question-editor__preview" data-testid="q-preview">
        <span className="muted">{t('bank.preview')}</span>
        <p>
          <strong>{localText(q.question, lang)}</strong> <span className="muted">{typeHint(t, q.type)}</span>
        </p>
        <ol>
          {q.options.map((o, i) => (
            <li key={i} className={q.answer.includes(i) ? 'training__right' : undefined}>
              {localText(o, lang)}
            </li>
          ))}
        </ol>
      </div>
      {problems.length > 0 ? (
        <div className="alert alert--error" role="alert" data-testid="q-problems">
          {t('bank.problems')}
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <code>{p.path}</code> {problemText(t, p.problem)}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        error !== null && <ErrorAlert error={error} testId="q-error" />
      )}
      <p>
        <button type="button" className="btn btn--primary" data-testid="q-save" disabled={busy} onClick={() => void save()}>
          {t('bank.save')}
        </button>{' '}
        <button type="button" className="btn" data-testid="q-cancel" onClick={onCancel}>
          {t('bank.cancel')}
        </button>
      </p>
    </section>
  );
}
