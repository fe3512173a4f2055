import { useState } from 'react';
import { certificationApi } from '../../api/certification.ts';
import { gradingApi, type SpecDraft, type SpecificationProblem, type SpecificationView } from '../../api/certification-grading.ts';
import { isApiError } from '../../api/http.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { Translate } from '../../i18n/translate.ts';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { RubricForm, RubricTable } from './rubric-form.tsx';
import { localText } from './training-text.ts';
import './training.css';
import './grading.css';

/** The specification exercise: the candidate writes and hands it in; an examining lead claims and grades it; both see the grade. */
export function SpecificationPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const [load, reload, set] = useLoad((s) => gradingApi.specification(id, s), [id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const v = load.data;
  if (!v)
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  const act = async (f: () => Promise<SpecificationView | unknown>) => {
    setError(null);
    setBusy(true);
    try {
      const out = await f();
      if (out && typeof out === 'object' && 'rubric' in out) set(out as SpecificationView);
      else reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const editable = v.mine && v.status === 'running';
  return (
    <div className="page training spec" data-testid="specification-page" data-status={v.status}>
      <h1 className="page__title">{t('spec.title')}</h1>
      <p>
        {t('spec.candidate', { name: v.candidate.displayName ?? '—', level: v.level })} ·{' '}
        <strong data-testid="spec-status">{t(`spec.status.${v.status}` as 'spec.status.running')}</strong>
        {v.timedOut && <span className="muted"> · {t('spec.timedOut')}</span>}
      </p>
      <p>
        {t('spec.brief', {
          guideline: `${localText(v.guideline.title, lang)} ${v.guideline.version}`,
          cases: v.requirements.minEdgeCases,
          examples: v.requirements.minExamples,
        })}
      </p>
      {v.status === 'running' && <p className="muted">{t('spec.deadline', { time: new Date(v.deadline).toLocaleString(lang) })}</p>}
      <RubricTable rubric={v.rubric} passMark={v.passMark} result={v.grade?.result} comments={v.grade ? v.grade.comments : undefined} />
      {v.grade && (
        <section className="training__section" data-testid="spec-grade">
          <p>
            <strong data-testid="spec-score">
              {t('spec.gradedBy', {
                name: v.grade.by ?? '—',
                score: v.grade.result.score,
                result: v.passed ? t('training.passed') : t('training.failed'),
              })}
            </strong>
          </p>
          <p data-testid="spec-overall">{v.grade.comment}</p>
          {v.mine && <Link to={paths.training()}>{t('training.title')}</Link>}
        </section>
      )}
      {error !== null && <ErrorAlert error={error} testId="spec-error" />}
      {error !== null && <Problems error={error} />}
      {saved && editable && (
        <p className="muted" data-testid="spec-saved">
          {t('spec.saved')}
        </p>
      )}
      <Sample v={v} />
      {editable ? (
        <SpecEditor
          v={v}
          busy={busy}
          onSave={(d) =>
            void act(async () => {
              const r = await gradingApi.saveSpecification(v.id, d);
              setSaved(true);
              return r;
            })
          }
          onSubmit={(d) => void act(() => gradingApi.submitSpecification(v.id, d))}
        />
      ) : (
        <SpecReadOnly spec={v.spec} />
      )}
      {!v.mine && v.status === 'awaiting' && (
        <section className="training__section" data-testid="spec-grading">
          {!v.claimedBy && (
            <button
              type="button"
              className="btn btn--primary"
              data-testid="spec-claim"
              disabled={busy}
              onClick={() => void act(() => gradingApi.claim(v.id))}
            >
              {t('spec.claim')}
            </button>
          )}
          {v.claimedBy && !v.claimedBy.me && (
            <p data-testid="spec-claimed-by">{t('spec.claimedBy', { name: v.claimedBy.displayName ?? '—' })}</p>
          )}
          {v.claimedBy?.me && (
            <>
              <p>
                {t('spec.claimedByMe')}{' '}
                <button
                  type="button"
                  className="btn"
                  data-testid="spec-release"
                  disabled={busy}
                  onClick={() => void act(() => gradingApi.release(v.id))}
                >
                  {t('spec.release')}
                </button>
              </p>
              <RubricForm
                rubric={v.rubric}
                busy={busy}
                submitLabel={t('spec.grade')}
                onSubmit={(s) => void act(() => gradingApi.grade(v.id, s))}
              />
            </>
          )}
        </section>
      )}
    </div>
  );
}

/** The problems a hand-in was refused for, in the UI language. */
function Problems({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!isApiError(error) || error.code !== 'SPECIFICATION_INCOMPLETE') return null;
  const problems = (error.details as { problems?: SpecificationProblem[] } | undefined)?.problems ?? [];
  return (
    <ul data-testid="spec-problems">
      {problems.map((p, i) => (
        <li key={i}>{problemText(t, p)}</li>
      ))}
    </ul>
  );
}

function problemText(t: Translate, p: SpecificationProblem): string {
  const params = { label: p.label ?? '', n: (p.index ?? 0) + 1, have: p.have ?? 0, need: p.need ?? 0, item: p.itemId ?? '' };
  switch (p.kind) {
    case 'scope-missing':
      return t('spec.problem.scope-missing');
    case 'label-undefined':
      return t('spec.problem.label-undefined', params);
    case 'label-unknown':
      return t('spec.problem.label-unknown', params);
    case 'label-duplicate':
      return t('spec.problem.label-duplicate', params);
    case 'too-few-edge-cases':
      return t('spec.problem.too-few-edge-cases', params);
    case 'edge-case-incomplete':
      return t('spec.problem.edge-case-incomplete', params);
    case 'too-few-examples':
      return t('spec.problem.too-few-examples', params);
    case 'example-incomplete':
      return t('spec.problem.example-incomplete', params);
    default:
      return t('spec.problem.item-not-in-sample', params);
  }
}

function Sample({ v }: { v: SpecificationView }) {
  const { t } = useI18n();
  return (
    <section className="training__section" aria-labelledby="sample-h">
      <h2 id="sample-h">{t('spec.sample')}</h2>
      <ul className="spec__sample">
        {v.sample.map((it) => (
          <li key={it.id} data-testid="spec-sample-item" data-item-id={it.id}>
            <div className="muted">{it.id}</div>
            {it.media.kind === 'image' ? (
              <img src={certificationApi.practiceImageUrl(v.guideline.slug, v.guideline.version, it.id)} alt={it.id} loading="lazy" />
            ) : (
              <blockquote>{it.media.text}</blockquote>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SpecEditor({
  v,
  busy,
  onSave,
  onSubmit,
}: {
  v: SpecificationView;
  busy: boolean;
  onSave: (d: SpecDraft) => void;
  onSubmit: (d: SpecDraft) => void;
}) {
  const { t } = useI18n();
  const [d, setD] = useState<SpecDraft>(v.spec);
  const labels = v.guideline.labels.map((l) => l.name);
  const ids = v.sample.map((s) => s.id);
  const patchLabel = (i: number, p: Partial<SpecDraft['labels'][number]>) =>
    setD({ ...d, labels: d.labels.map((l, k) => (k === i ? { ...l, ...p } : l)) });
  const patchCase = (i: number, p: Partial<SpecDraft['edgeCases'][number]>) =>
    setD({ ...d, edgeCases: d.edgeCases.map((c, k) => (k === i ? { ...c, ...p } : c)) });
  const patchExample = (i: number, p: Partial<SpecDraft['examples'][number]>) =>
    setD({ ...d, examples: d.examples.map((x, k) => (k === i ? { ...x, ...p } : x)) });
  return (
    <form
      className="spec__form"
      data-testid="spec-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (window.confirm(t('spec.confirmSubmit'))) onSubmit(d);
      }}
    >
      <label className="field">
        <span className="field__label">{t('spec.scope')}</span>
        <textarea data-testid="spec-scope" rows={2} value={d.scope} onChange={(e) => setD({ ...d, scope: e.target.value })} />
      </label>
      <h2>{t('spec.labels')}</h2>
      {d.labels.map((l, i) => (
        <fieldset key={l.name} className="spec__label" data-testid="spec-label" data-label={l.name}>
          <legend>{l.name}</legend>
          <label className="field">
            <span className="field__label">{t('spec.definition')}</span>
            <textarea
              data-testid="spec-definition"
              rows={2}
              value={l.definition}
              onChange={(e) => patchLabel(i, { definition: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('spec.includes')}</span>
            <input type="text" value={l.includes ?? ''} onChange={(e) => patchLabel(i, { includes: e.target.value })} />
          </label>
          <label className="field">
            <span className="field__label">{t('spec.excludes')}</span>
            <input type="text" value={l.excludes ?? ''} onChange={(e) => patchLabel(i, { excludes: e.target.value })} />
          </label>
        </fieldset>
      ))}
      <h2>{t('spec.edgeCases')}</h2>
      {d.edgeCases.map((c, i) => (
        <fieldset key={i} className="spec__case" data-testid="spec-case">
          <legend>#{i + 1}</legend>
          <label className="field">
            <span className="field__label">{t('spec.situation')}</span>
            <input
              type="text"
              data-testid="spec-situation"
              value={c.situation}
              onChange={(e) => patchCase(i, { situation: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('spec.rule')}</span>
            <textarea data-testid="spec-rule" rows={2} value={c.rule} onChange={(e) => patchCase(i, { rule: e.target.value })} />
          </label>
          <div className="field">
            <span className="field__label">{t('spec.items')}</span>
            {ids.map((sid) => (
              <label key={sid} className="spec__check">
                <input
                  type="checkbox"
                  checked={c.itemIds.includes(sid)}
                  onChange={(e) => patchCase(i, { itemIds: e.target.checked ? [...c.itemIds, sid] : c.itemIds.filter((x) => x !== sid) })}
                />{' '}
                {sid}
              </label>
            ))}
          </div>
          <button type="button" className="btn" onClick={() => setD({ ...d, edgeCases: d.edgeCases.filter((_, k) => k !== i) })}>
            {t('spec.remove')}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        className="btn"
        data-testid="spec-add-case"
        onClick={() => setD({ ...d, edgeCases: [...d.edgeCases, { situation: '', rule: '', itemIds: [] }] })}
      >
        {t('spec.addEdgeCase')}
      </button>
      <h2>{t('spec.examples')}</h2>
      {d.examples.map((x, i) => (
        <fieldset key={i} className="spec__example" data-testid="spec-example">
          <label className="field">
            <span className="field__label">{t('spec.item')}</span>
            <select data-testid="spec-example-item" value={x.itemId} onChange={(e) => patchExample(i, { itemId: e.target.value })}>
              {ids.map((sid) => (
                <option key={sid} value={sid}>
                  {sid}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field__label">{t('spec.label')}</span>
            <select data-testid="spec-example-label" value={x.label} onChange={(e) => patchExample(i, { label: e.target.value })}>
              {labels.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field__label">{t('spec.note')}</span>
            <input type="text" data-testid="spec-example-note" value={x.note} onChange={(e) => patchExample(i, { note: e.target.value })} />
          </label>
          <button type="button" className="btn" onClick={() => setD({ ...d, examples: d.examples.filter((_, k) => k !== i) })}>
            {t('spec.remove')}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        className="btn"
        data-testid="spec-add-example"
        onClick={() => setD({ ...d, examples: [...d.examples, { itemId: ids[0] ?? '', label: labels[0] ?? '', note: '' }] })}
      >
        {t('spec.addExample')}
      </button>
      <p className="spec__actions">
        <button type="button" className="btn" data-testid="spec-save" disabled={busy} onClick={() => onSave(d)}>
          {t('spec.save')}
        </button>{' '}
        <button type="submit" className="btn btn--primary" data-testid="spec-submit" disabled={busy}>
          {t('spec.submit')}
        </button>
      </p>
    </form>
  );
}

function SpecReadOnly({ spec }: { spec: SpecDraft }) {
  const { t } = useI18n();
  return (
    <section className="training__section" data-testid="spec-readonly">
      <h2>{t('spec.scope')}</h2>
      <p>{spec.scope}</p>
      <h2>{t('spec.labels')}</h2>
      <dl>
        {spec.labels.map((l) => (
          <div key={l.name}>
            <dt>
              <strong>{l.name}</strong>
            </dt>
            <dd>
              {l.definition}
              {l.includes && (
                <div>
                  {t('spec.includes')}: {l.includes}
                </div>
              )}
              {l.excludes && (
                <div>
                  {t('spec.excludes')}: {l.excludes}
                </div>
              )}
            </dd>
          </div>
        ))}
      </dl>
      <h2>{t('spec.edgeCases')}</h2>
      <ol>
        {spec.edgeCases.map((c, i) => (
          <li key={i} data-testid="spec-case-read">
            <strong>{c.situation}</strong> → {c.rule}
            {c.itemIds.length > 0 && <span className="muted"> ({c.itemIds.join(', ')})</span>}
          </li>
        ))}
      </ol>
      <h2>{t('spec.examples')}</h2>
      <ul>
        {spec.examples.map((x, i) => (
          <li key={i}>
            {x.itemId} · {x.label}: {x.note}
          </li>
        ))}
      </ul>
    </section>
  );
}
