import { useEffect, useState } from 'react';
import type { MlRunView, MlWebhookView, Project, User } from '@labelwork/core';
import {
  attachBackend,
  cancelRun,
  checkHealth,
  detachBackend,
  getProjectMl,
  registerBackend,
  removeBackend,
  setWebhook,
  startRun,
  trainBackend,
  type ProjectBackend,
  type ProjectMl,
} from '../../api/ml.ts';
import { useI18n, useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { logLineText } from './log-line.ts';
import './models-tab.css';

const ACTIVE: ReadonlySet<MlRunView['status']> = new Set(['queued', 'running']);

/**
 * A project's Models panel (managers): every registered model backend with its health and model
 * version, attach/detach, "run pre-annotation" with the run's progress and log. Admins also
 * register and remove backends here. Progress is polled while a run is active.
 */
export function ModelsTab({ project, user }: { project: Project; user: User }) {
  const t = useT();
  const [load, reload, replace] = useLoad((signal) => getProjectMl(project.id, signal), [project.id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const data = load.data;
  const running = data?.runs.some((r) => ACTIVE.has(r.status)) ?? false;

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [running, reload]);

  /** Runs an action; true when it worked (errors are shown above the panel). */
  const act = async (f: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const out = await f();
      if (out && typeof out === 'object' && 'backends' in out) replace(out as ProjectMl);
      else reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="models" data-testid="ml-tab">
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {error !== null && <ErrorAlert error={error} testId="ml-error" />}
      <h2 className="section-title">{t('ml.backends')}</h2>
      {data && data.backends.length === 0 && <p className="muted">{t('ml.none')}</p>}
      <ul className="models__list">
        {data?.backends.map((b) => (
          <BackendRow
            key={b.id}
            backend={b}
            admin={user.role === 'admin'}
            busy={busy}
            onAttach={() => void act(() => attachBackend(project.id, b.id))}
            onDetach={() => void act(() => detachBackend(project.id, b.id))}
            onRun={() => void act(() => startRun(project.id, b.id))}
            onTrain={() => void act(() => trainBackend(project.id, b.id))}
            onWebhook={(enabled) => void act(() => setWebhook(project.id, b.id, enabled))}
            onCheck={() => void act(() => checkHealth(b.id))}
            onRemove={() => void act(() => removeBackend(b.id))}
          />
        ))}
      </ul>
      {user.role === 'admin' && <AddBackend busy={busy} onAdd={(input) => act(() => registerBackend(input))} />}
      <h2 className="section-title">{t('ml.runs')}</h2>
      {data && data.runs.length === 0 && <p className="muted">{t('ml.noRuns')}</p>}
      <ul className="models__runs">
        {data?.runs.map((r) => (
          <RunRow
            key={r.id}
            run={r}
            backendName={data.backends.find((b) => b.id === r.backendId)?.name ?? '?'}
            onCancel={() => void act(() => cancelRun(project.id, r.id))}
          />
        ))}
      </ul>
    </div>
  );
}

interface BackendRowProps {
  backend: ProjectBackend;
  admin: boolean;
  busy: boolean;
  onAttach(): void;
  onDetach(): void;
  onRun(): void;
  onTrain(): void;
  onWebhook(enabled: boolean): void;
  onCheck(): void;
  onRemove(): void;
}

function BackendRow({ backend: b, admin, busy, onAttach, onDetach, onRun, onTrain, onWebhook, onCheck, onRemove }: BackendRowProps) {
  const t = useT();
  const version = b.attached?.modelVersion ?? b.health.modelVersion;
  return (
    <li className="models__backend" data-testid="ml-backend" data-backend-name={b.name}>
      <div>
        <strong>{b.name}</strong> <span className="muted small">{t(`ml.protocol.${b.protocol}`)}</span>{' '}
        <span
          className={`badge models__health models__health--${b.health.status}`}
          data-testid="ml-health"
          data-status={b.health.status}
          title={b.health.error ?? ''}
        >
          {t(`ml.health.${b.health.status}`)}
        </span>
        {b.attached && <span className="badge">{t('ml.attached')}</span>}
        {b.interactive && (
          <span className="badge" data-testid="ml-interactive">
            {t('ml.interactiveBadge')}
          </span>
        )}
        {b.breaker.phase !== 'closed' && (
          <div className="small models__breaker" data-testid="ml-breaker" data-phase={b.breaker.phase}>
            {b.breaker.phase === 'open'
              ? t('ml.breaker.open', { failures: b.breaker.failures, time: new Date(b.breaker.reopenAt!).toLocaleTimeString() })
              : t('ml.breaker.halfOpen', { failures: b.breaker.failures })}
          </div>
        )}
        {version && (
          <div className="muted small" data-testid="ml-model-version">
            {t('ml.modelVersion', { version })}
          </div>
        )}
        {admin && <div className="muted small">{b.url}</div>}
        {b.attached && <WebhookControl webhook={b.attached.webhook} busy={busy} onChange={onWebhook} />}
      </div>
      <div className="models__actions">
        {b.attached ? (
          <>
            <button type="button" className="btn btn--primary btn--small" disabled={busy} onClick={onRun} data-testid="ml-run">
              {t('ml.run')}
            </button>
            <button
              type="button"
              className="btn btn--small"
              disabled={busy}
              onClick={onTrain}
              data-testid="ml-train"
              title={t('ml.trainHint')}
            >
              {t('ml.train')}
            </button>
            <button type="button" className="btn btn--small" disabled={busy} onClick={onDetach} data-testid="ml-detach">
              {t('ml.detach')}
            </button>
          </>
        ) : (
          <button type="button" className="btn btn--small" disabled={busy} onClick={onAttach} data-testid="ml-attach">
            {t('ml.attach')}
          </button>
        )}
        {admin && (
          <>
            <button type="button" className="btn btn--small" disabled={busy} onClick={onCheck} data-testid="ml-check">
              {t('ml.check')}
            </button>
            <button type="button" className="btn btn--small" disabled={busy} onClick={onRemove} data-testid="ml-remove">
              {t('ml.remove')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** The attachment's annotation webhook: the lead's switch, and how the sends went (with the log of attempts). */
function WebhookControl({ webhook: w, busy, onChange }: { webhook: MlWebhookView; busy: boolean; onChange(enabled: boolean): void }) {
  const { t, lang } = useI18n();
  return (
    <div className="models__webhook small" data-testid="ml-webhook">
      <label title={t('ml.webhookHint')}>
        <input
          type="checkbox"
          checked={w.enabled}
          disabled={busy}
          onChange={(e) => onChange(e.target.checked)}
          data-testid="ml-webhook-toggle"
        />{' '}
        {t('ml.webhook')}
      </label>
      {(w.enabled || w.sent > 0 || w.failed > 0) && (
        <span className={w.lastError ? 'models__refused' : 'muted'} data-testid="ml-webhook-stats" title={w.lastError ?? ''}>
          {' '}
          {t('ml.webhookStats', { sent: w.sent, failed: w.failed })}
        </span>
      )}
      {w.log.length > 0 && (
        <details>
          <summary>{t('ml.webhookLog')}</summary>
          <ol className="models__log" data-testid="ml-webhook-log">
            {w.log.map((l, i) => (
              <li key={i} className={l.level === 'error' ? 'models__log-error' : ''}>
                <time>{new Date(l.at).toLocaleTimeString(lang)}</time> {logLineText(t, lang, l)}
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

function RunRow({ run, backendName, onCancel }: { run: MlRunView; backendName: string; onCancel(): void }) {
  const { t, lang } = useI18n();
  return (
    <li className="models__run" data-testid="ml-run-row" data-status={run.status}>
      <div className="models__run-head">
        <strong>{backendName}</strong>
        <span className="badge" data-testid="ml-run-status">
          {t(`ml.status.${run.status}`)}
        </span>
        <span className="muted small">{new Date(run.createdAt).toLocaleString()}</span>
        {ACTIVE.has(run.status) && (
          <button type="button" className="btn btn--small" onClick={onCancel} data-testid="ml-run-cancel">
            {t('ml.cancel')}
          </button>
        )}
      </div>
      <div className="import-progress">
        <progress max={Math.max(1, run.total)} value={run.done} />
        <span className="small" data-testid="ml-run-progress">
          {t('ml.progress', { done: run.done, total: run.total, stored: run.stored })}
        </span>
        {run.refusedBatches > 0 && <span className="small models__refused">{t('ml.refused', { count: run.refusedBatches })}</span>}
      </div>
      {run.modelVersion && <div className="muted small">{t('ml.modelVersion', { version: run.modelVersion })}</div>}
      <details>
        <summary>{t('ml.log')}</summary>
        <ol className="models__log" data-testid="ml-run-log">
          {run.log.map((l, i) => (
            <li key={i} className={l.level === 'error' ? 'models__log-error' : ''}>
              <time>{new Date(l.at).toLocaleTimeString(lang)}</time> {logLineText(t, lang, l)}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

function AddBackend({
  busy,
  onAdd,
}: {
  busy: boolean;
  onAdd(input: {
    name: string;
    url: string;
    protocol: 'labelstudio' | 'labelwork';
    allowPrivate: boolean;
    interactive: boolean;
  }): Promise<boolean>;
}) {
  const t = useT();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [protocol, setProtocol] = useState<'labelstudio' | 'labelwork'>('labelstudio');
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [interactive, setInteractive] = useState(false);
  return (
    <form
      className="models__add"
      data-testid="ml-add"
      onSubmit={(e) => {
        e.preventDefault();
        void onAdd({ name: name.trim(), url: url.trim(), protocol, allowPrivate, interactive }).then((ok) => {
          if (!ok) return;
          setName('');
          setUrl('');
        });
      }}
    >
      <h3 className="section-title">{t('ml.add')}</h3>
      <label>
        {t('ml.name')} <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} data-testid="ml-add-name" />
      </label>
      <label>
        {t('ml.url')} <input value={url} onChange={(e) => setUrl(e.target.value)} required type="url" data-testid="ml-add-url" />
      </label>
      <label>
        {t('ml.protocol')}{' '}
        <select value={protocol} onChange={(e) => setProtocol(e.target.value as 'labelstudio' | 'labelwork')} data-testid="ml-add-protocol">
          <option value="labelstudio">{t('ml.protocol.labelstudio')}</option>
          <option value="labelwork">{t('ml.protocol.labelwork')}</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={allowPrivate} onChange={(e) => setAllowPrivate(e.target.checked)} data-testid="ml-add-private" />{' '}
        {t('ml.allowPrivate')}
      </label>
      <label>
        <input type="checkbox" checked={interactive} onChange={(e) => setInteractive(e.target.checked)} data-testid="ml-add-interactive" />{' '}
        {t('ml.interactive')}
      </label>
      <button type="submit" className="btn" disabled={busy} data-testid="ml-add-submit">
        {t('ml.add')}
      </button>
    </form>
  );
}
