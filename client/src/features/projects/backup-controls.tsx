import { useRef, useState } from 'react';
import type { User } from '@labelwork/core';
import { downloadBackup, restoreBackup, type RestoreSummary } from '../../api/backups.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';

/** Backups are for admins only: a backup holds every annotator's work and every image. */
export const canBackUp = (user: User) => user.role === 'admin';

/** The project page's Backup button: downloads the whole project as one zip. */
export function BackupButton({ projectId }: { projectId: string }) {
  const t = useT();
  const [state, setState] = useState<
    { status: 'idle' | 'running' } | { status: 'done'; bytes: number } | { status: 'error'; error: unknown }
  >({
    status: 'idle',
  });
  const run = () => {
    setState({ status: 'running' });
    downloadBackup(projectId).then(
      (r) => setState({ status: 'done', bytes: r.bytes }),
      (error: unknown) => setState({ status: 'error', error }),
    );
  };
  return (
    <>
      <button type="button" className="btn" onClick={run} disabled={state.status === 'running'} data-testid="project-backup">
        {state.status === 'running' ? t('backup.running') : t('backup.download')}
      </button>
      {state.status === 'done' && (
        <span className="muted small" role="status" data-testid="project-backup-done">
          {t('backup.done', { mb: (state.bytes / 1024 / 1024).toFixed(1) })}
        </span>
      )}
      {state.status === 'error' && <ErrorAlert error={state.error} testId="project-backup-error" />}
    </>
  );
}

/** The projects page's "Restore a backup": uploads a backup zip, which becomes a new project. */
export function RestoreBackupButton({ onRestored }: { onRestored: () => void }) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [result, setResult] = useState<{ ok: RestoreSummary } | { error: unknown } | null>(null);
  const pick = (file: File | undefined) => {
    if (!file) return;
    setResult(null);
    setPercent(0);
    restoreBackup(file, (p) => setPercent(Math.round((p.loaded / Math.max(1, p.total)) * 100))).result.then(
      (ok) => {
        setPercent(null);
        setResult({ ok });
        onRestored();
      },
      (error: unknown) => {
        setPercent(null);
        setResult({ error });
      },
    );
    if (input.current) input.current.value = '';
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".zip,application/zip"
        hidden
        onChange={(e) => pick(e.target.files?.[0])}
        data-testid="restore-backup-input"
      />
      <button type="button" className="btn" onClick={() => input.current?.click()} disabled={percent !== null} data-testid="restore-backup">
        {percent === null ? t('backup.restore') : t('backup.restoring', { percent })}
      </button>
      {result && 'ok' in result && (
        <Alert tone="success" onDismiss={() => setResult(null)} testId="restore-backup-done">
          {t('backup.restored', { name: result.ok.project.name, items: result.ok.counts.items ?? 0 })}{' '}
          <Link to={paths.project(result.ok.project.id)} data-testid="restore-backup-open">
            {t('backup.open')}
          </Link>
          {result.ok.placeholders.length > 0 && <> {t('backup.placeholders', { names: result.ok.placeholders.join(', ') })}</>}{' '}
          {t('backup.notQueued')}
        </Alert>
      )}
      {result && 'error' in result && <ErrorAlert error={result.error} testId="restore-backup-error" />}
    </>
  );
}
