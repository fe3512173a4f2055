import { useEffect, useState } from 'react';
import type { Project, RestoreSnapshotInput, SnapshotRecord, SnapshotRestoreRecord, SnapshotRestoreResult } from '@labelwork/core';
import { getSnapshotRestore, restoreSnapshot } from '../../api/datasets.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';

const GROUND_TRUTH: readonly RestoreSnapshotInput['groundTruth'][] = ['gold', 'annotations', 'none'];

/** How often a running restore is asked for its progress. */
const POLL_MS = 1000;

/**
 * "New project from this snapshot" on a complete snapshot (a branch from a known version): the lead
 * names the project and chooses how the snapshot's ground truth comes along; the new project records
 * the snapshot it came from. The restore is a server job: its progress is shown until it ends, then a
 * link to the new project (or the error; nothing of a failed restore is kept).
 */
export function SnapshotBranch({ project, snapshot }: { project: Project; snapshot: SnapshotRecord }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(`${project.name} v${snapshot.version ?? snapshot.number}`);
  const [groundTruth, setGroundTruth] = useState<RestoreSnapshotInput['groundTruth']>('gold');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<SnapshotRestoreResult | null>(null);
  const [running, setRunning] = useState<SnapshotRestoreRecord | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const runningId = running?.id ?? null;
  useEffect(() => {
    if (!runningId) return;
    let stop = false;
    const timer = setInterval(() => {
      getSnapshotRestore(project.id, snapshot.id, runningId).then(
        (r) => {
          if (stop) return;
          if (r.status === 'complete' && r.result) {
            setRunning(null);
            setDone(r.result);
          } else if (r.status === 'failed') {
            setRunning(null);
            setFailed(r.error?.message ?? '');
          } else setRunning(r);
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [runningId, project.id, snapshot.id]);
  const create = () => {
    setBusy(true);
    setError(null);
    setFailed(null);
    restoreSnapshot(project.id, snapshot.id, { name, groundTruth }).then(
      (r) => {
        setBusy(false);
        setRunning(r);
        setOpen(false);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <div className="datasets__branch">
      {!open && !running && (
        <button type="button" className="btn btn--small" onClick={() => setOpen(true)} data-testid="snapshot-branch">
          {t('datasets.branch')}
        </button>
      )}
      {open && (
        <div role="dialog" aria-label={t('datasets.branch')} className="datasets__branch-dialog" data-testid="snapshot-branch-dialog">
          <label>
            {t('datasets.branch.name')}{' '}
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="snapshot-branch-name" />
          </label>{' '}
          <label>
            {t('datasets.branch.groundTruth')}{' '}
            <select
              value={groundTruth}
              onChange={(e) => setGroundTruth(e.target.value as RestoreSnapshotInput['groundTruth'])}
              data-testid="snapshot-branch-ground-truth"
            >
              {GROUND_TRUTH.map((g) => (
                <option key={g} value={g}>
                  {t(`datasets.branch.as.${g}`)}
                </option>
              ))}
            </select>
          </label>{' '}
          <button
            type="button"
            className="btn btn--primary btn--small"
            onClick={create}
            disabled={busy || name.trim() === ''}
            data-testid="snapshot-branch-create"
          >
            {busy ? t('datasets.branch.creating') : t('datasets.branch.create')}
          </button>{' '}
          <button type="button" className="btn btn--small" onClick={() => setOpen(false)} disabled={busy}>
            {t('datasets.branch.cancel')}
          </button>
        </div>
      )}
      {running && (
        <div className="datasets__branch-progress" data-testid="snapshot-branch-running">
          {t('datasets.branch.running', { done: running.done, total: running.total })}{' '}
          <progress
            max={Math.max(1, running.total)}
            value={running.done}
            aria-label={`${running.done}/${running.total}`}
            data-testid="snapshot-branch-progress"
          />{' '}
          {t('datasets.branch.background')}
        </div>
      )}
      {failed !== null && (
        <Alert tone="error" onDismiss={() => setFailed(null)} testId="snapshot-branch-failed">
          {t('datasets.branch.failed', { message: failed })}
        </Alert>
      )}
      {error !== null && <ErrorAlert error={error} testId="snapshot-branch-error" />}
      {done && (
        <Alert tone="success" onDismiss={() => setDone(null)} testId="snapshot-branch-done">
          {t('datasets.branch.done', { items: done.items, stored: done.groundTruth.stored })}{' '}
          {done.missing > 0 && <>{t('datasets.branch.missing', { n: done.missing })} </>}
          <Link to={paths.project(done.projectId)} data-testid="snapshot-branch-open">
            {t('datasets.branch.open')}
          </Link>
        </Alert>
      )}
    </div>
  );
}
