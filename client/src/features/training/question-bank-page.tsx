import { useEffect, useState } from 'react';
import type { QuizQuestionType, User } from '@labelwork/core';
import { certificationApi } from '../../api/certification.ts';
import { questionBankApi, type BankQuestion, type QuestionBank } from '../../api/certification-bank.ts';
import { navigate, paths } from '../../app/router.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { QuestionEditor } from './question-editor.tsx';
import { localText, typeHint } from './training-text.ts';
import './training.css';
import './question-bank.css';

const TYPES: QuizQuestionType[] = ['true-false', 'single', 'multiple'];

/** The leads' exam-bank editor: a guideline version's questions, filtered; create, edit, retire, bring back, history, import. */
export function QuestionBankPage({ slug, version, user }: { slug: string | null; version: string | null; user: User }) {
  const { t, lang } = useI18n();
  const [guidelines] = useLoad(async (s) => (await certificationApi.me(s)).guidelines, [user.id]);
  const first = guidelines.data?.[0];
  useEffect(() => {
    if (slug === null && first) navigate(paths.questionBank(first.slug, first.version), { replace: true });
  }, [slug, first]);
  const [filter, setFilter] = useState<{ type: string; topic: string; status: string }>({ type: '', topic: '', status: '' });
  const [bank, reload] = useLoad(
    (s) => (slug && version ? questionBankApi.list(slug, version, filter, s) : Promise.resolve(null)),
    [slug, version, filter.type, filter.topic, filter.status],
  );
  const [editing, setEditing] = useState<BankQuestion | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const data = bank.data;

  const act = async (f: () => Promise<string | null>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await f());
      reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="page training">
      <h1 className="page__title">{t('bank.title')}</h1>
      <div className="question-editor__row">
        <label className="field">
          <span className="field__label">{t('bank.guideline')}</span>
          <select
            data-testid="bank-guideline"
            value={slug && version ? `${slug}@${version}` : ''}
            onChange={(e) => {
              const [s, v] = e.target.value.split('@');
              if (s && v) navigate(paths.questionBank(s, v));
            }}
          >
            {(guidelines.data ?? []).map((g) => (
              <option key={`${g.slug}@${g.version}`} value={`${g.slug}@${g.version}`}>
                {localText(g.title, lang)} ({g.version})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('bank.filterType')}</span>
          <select data-testid="bank-filter-type" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value })}>
            <option value="">{t('bank.all')}</option>
            {TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`bank.type.${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('bank.filterTopic')}</span>
          <select data-testid="bank-filter-topic" value={filter.topic} onChange={(e) => setFilter({ ...filter, topic: e.target.value })}>
            <option value="">{t('bank.all')}</option>
            {(data?.topics ?? []).map((topic) => (
              <option key={topic} value={topic}>
                {topic}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('bank.filterStatus')}</span>
          <select data-testid="bank-filter-status" value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })}>
            <option value="">{t('bank.all')}</option>
            <option value="active">{t('bank.status.active')}</option>
            <option value="retired">{t('bank.status.retired')}</option>
          </select>
        </label>
      </div>
      {data && <Counts bank={data} />}
      <p>
        <button type="button" className="btn btn--primary" data-testid="bank-new" onClick={() => setEditing('new')}>
          {t('bank.new')}
        </button>{' '}
        <button
          type="button"
          className="btn"
          data-testid="bank-import"
          onClick={() =>
            void act(async () => {
              const r = await questionBankApi.importFile(slug!, version!);
              return t('bank.imported', r);
            })
          }
        >
          {t('bank.import')}
        </button>
      </p>
      {notice !== null && (
        <Alert tone="success" testId="bank-notice">
          {notice}
        </Alert>
      )}
      {error !== null && <ErrorAlert error={error} testId="bank-error" />}
      {bank.status === 'error' && <ErrorAlert error={bank.error} onRetry={reload} />}
      {editing !== null && data && slug && version && (
        <QuestionEditor
          key={editing === 'new' ? 'new' : `${editing.id}@${editing.version}`}
          langs={data.guideline.languages}
          question={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSave={async (input) => {
            const saved =
              editing === 'new'
                ? await questionBankApi.create(slug, version, input)
                : await questionBankApi.update(slug, version, editing.id, editing.version, input);
            setEditing(null);
            setNotice(t('bank.saved', { version: saved.version }));
            reload();
          }}
        />
      )}
      {!data ? (
        <p className="muted">{t('app.loading')}</p>
      ) : data.questions.length === 0 ? (
        <p className="muted">{t('bank.none')}</p>
      ) : (
        <ol className="bank__questions" data-testid="bank-questions">
          {data.questions.map((q) => (
            <QuestionRow
              key={q.ref}
              q={q}
              slug={slug!}
              version={version!}
              onEdit={() => setEditing(q)}
              onStatus={(retire) =>
                void act(async () => {
                  await (retire ? questionBankApi.retire : questionBankApi.restore)(slug!, version!, q.id, q.version);
                  return null;
                })
              }
            />
          ))}
        </ol>
      )}
    </div>
  );
}

/** Active questions per type beside what each level's paper takes of them (retiring below that is refused). */
function Counts({ bank }: { bank: QuestionBank }) {
  const { t } = useI18n();
  return (
    <table className="table bank__counts" data-testid="bank-counts">
      <thead>
        <tr>
          <th>{t('bank.filterType')}</th>
          <th>{t('bank.activeColumn')}</th>
          {bank.needs.map((n) => (
            <th key={n.level}>{t('bank.paperOf', { level: n.level })}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {TYPES.map((ty) => (
          <tr key={ty}>
            <td>{t(`bank.type.${ty}`)}</td>
            <td>
              <strong>{bank.active[ty]}</strong>
            </td>
            {bank.needs.map((n) => (
              <td key={n.level} className={n.needs[ty] > bank.active[ty] ? 'training__wrong' : undefined}>
                {n.needs[ty]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function QuestionRow({
  q,
  slug,
  version,
  onEdit,
  onStatus,
}: {
  q: BankQuestion;
  slug: string;
  version: string;
  onEdit: () => void;
  onStatus: (retire: boolean) => void;
}) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [history] = useLoad((s) => (open ? questionBankApi.history(slug, version, q.id, s) : Promise.resolve(null)), [open, q.version]);
  return (
    <li
      className={`bank__question${q.status === 'retired' ? ' bank__question--retired' : ''}`}
      data-testid="bank-row"
      data-id={q.id}
      data-status={q.status}
    >
      <p>
        <strong data-testid="bank-stem">{localText(q.question, lang)}</strong> <span className="muted">{typeHint(t, q.type)}</span>
      </p>
      <ol className="bank__options">
        {q.options.map((o, i) => (
          <li key={i} className={q.answer.includes(i) ? 'training__right' : undefined}>
            {localText(o, lang)}
          </li>
        ))}
      </ol>
      <p className="muted">
        {q.topic} · {t(`bank.difficulty.${q.difficulty as 1 | 2 | 3}`)} · {t(`bank.status.${q.status}`)} ·{' '}
        {t('bank.version', { version: q.version })} · {t(`bank.source.${q.source}`)}
      </p>
      <p>
        <button type="button" className="btn" data-testid="bank-edit" onClick={onEdit}>
          {t('bank.edit')}
        </button>{' '}
        {q.status === 'active' ? (
          <button type="button" className="btn" data-testid="bank-retire" onClick={() => onStatus(true)}>
            {t('bank.retire')}
          </button>
        ) : (
          <button type="button" className="btn" data-testid="bank-restore" onClick={() => onStatus(false)}>
            {t('bank.restore')}
          </button>
        )}{' '}
        <button type="button" className="btn" data-testid="bank-history" onClick={() => setOpen(!open)}>
          {open ? t('bank.hideHistory') : t('bank.history')}
        </button>
      </p>
      {open && history.data && (
        <ul className="training__list" data-testid="bank-versions">
          {history.data.map((v) => (
            <li key={v.version}>
              {t('bank.versionBy', {
                version: v.version,
                at: new Date(v.at).toLocaleString(lang),
                by: v.by ?? t('bank.byFile'),
                status: t(`bank.status.${v.status}`),
              })}
              : {localText(v.question, lang)}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
