import { useRef, useState } from 'react';
import type { Region } from '@labelwork/core';
import { certificationApi, type PracticeResult } from '../../api/certification.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { SanitizedMarkdown } from '../../ui/markdown.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { TrainingItemEditor } from './item-editor.tsx';
import { pct } from './training-text.ts';
import './training.css';

/**
 * One practice item: the trainee labels it, submits, and sees their work beside the gold answer
 * (the gold drawn distinctly in the editor, every region's verdict with its IoU/OKS/overlap, per-label
 * scores, the guideline's hard case). Only the first answer counts; they may fix it and try again.
 */
export function PracticePage({ slug, version, itemId }: { slug: string; version: string; itemId: string }) {
  const { t, lang } = useI18n();
  const [list, reload] = useLoad((s) => certificationApi.practice(slug, version, s), [slug, version]);
  const [regions, setRegions] = useState<Region[]>([]);
  const [result, setResult] = useState<PracticeResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const opened = useRef(Date.now());
  const data = list.data;
  if (!data)
    return (
      <div className="page">
        {list.status === 'error' ? <ErrorAlert error={list.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const index = data.items.findIndex((i) => i.id === itemId);
  const item = data.items[index];
  if (!item) return <div className="page">{t('common.notFound')}</div>;
  const next = data.items[index + 1];

  const submit = async () => {
    setError(null);
    try {
      setResult(await certificationApi.answerPractice(slug, version, itemId, regions, Date.now() - opened.current));
    } catch (e) {
      setError(e);
    }
  };
  const retry = () => {
    setResult(null);
    opened.current = Date.now();
  };

  const editor = (
    <TrainingItemEditor
      itemId={item.id}
      media={item.media}
      imageUrl={certificationApi.practiceImageUrl(slug, version, item.id)}
      labelSchema={data.guideline.labelSchema}
      kind={data.guideline.kind}
      initialRegions={result ? result.answer : regions}
      {...(result ? { prefilledRegions: result.gold, readOnly: true } : { onChange: setRegions })}
      actions={
        result ? (
          <button type="button" className="btn" data-testid="practice-retry" onClick={retry}>
            {t('practice.retry')}
          </button>
        ) : (
          <button type="button" className="btn btn--primary" data-testid="practice-submit" onClick={() => void submit()}>
            {t('practice.submit')}
          </button>
        )
      }
    />
  );

  return (
    <div className="page training-practice">
      <p>
        <Link to={paths.training()}>{t('training.back')}</Link>
      </p>
      <h1 className="page__title">{t('practice.title', { item: item.id })}</h1>
      {error !== null && <ErrorAlert error={error} />}
      <div className="training-practice__editor" data-testid="practice-editor">
        {editor}
      </div>
      {result && (
        <section className="training__section" data-testid="practice-feedback" aria-label={t('practice.feedback')}>
          <h2>
            {t('practice.feedback')} · <span data-testid="practice-score">{pct(result.feedback.score)}</span>
          </h2>
          <p className="muted">{result.counted ? t('practice.counted') : t('practice.notCounted')}</p>
          <p className="muted">{t('practice.legend')}</p>
          <table className="table">
            <thead>
              <tr>
                <th>{t('practice.verdict')}</th>
                <th>{t('practice.gold')}</th>
                <th>{t('practice.yours')}</th>
                <th>{t('practice.similarity')}</th>
              </tr>
            </thead>
            <tbody>
              {result.feedback.regions.map((r, i) => (
                <tr key={i} data-testid="feedback-region" data-verdict={r.verdict} className={`verdict verdict--${r.verdict}`}>
                  <td>{t(`practice.verdict.${r.verdict}`)}</td>
                  <td>{r.goldLabel ?? '—'}</td>
                  <td>{r.candidateLabel ?? '—'}</td>
                  <td>{r.similarity === undefined ? '—' : `${r.metric.toUpperCase()} ${r.similarity.toFixed(2)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('practice.perLabel')}</h3>
          <ul className="training__list">
            {Object.entries(result.feedback.perLabel).map(([label, s]) => (
              <li key={label} data-testid="feedback-label">
                {label}: F1 {s.f1 === null ? '—' : s.f1.toFixed(2)} ({t('practice.counts', { tp: s.tp, fp: s.fp, fn: s.fn })})
              </li>
            ))}
          </ul>
          {result.hardCase && (
            <div className="training__hard-case" data-testid="practice-hard-case">
              <SanitizedMarkdown markdown={result.hardCase.markdown} lang={lang} />
            </div>
          )}
          {next && (
            <Link to={paths.practice(slug, version, next.id)} data-testid="practice-next">
              {t('practice.next')}
            </Link>
          )}
        </section>
      )}
    </div>
  );
}
