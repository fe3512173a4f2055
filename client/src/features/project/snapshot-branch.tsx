import { useState } from 'react';
import type { Project, RestoreSnapshotInput, SnapshotRecord, SnapshotRestoreResult } from '@labelwork/core';
import { restoreSnapshot } from '../../api/datasets.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';

const GROUND_TRUTH: readonly RestoreSnapshotInput['groundTruth'][] = ['gold', 'annotations', 'none'];

/**
 * "New project from this snapshot" on a complete snapshot (a branch from a known version): the lead
 * names the project and chooses how the snapshot's ground truth comes along; the new project records
 * the snapshot it came from.
 */
export function SnapshotBranch({ project, snapshot }: { project: Project; snapshot: SnapshotRecord }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(`${project.name} v${snapshot.version ?? snapshot.number}`);
  const [groundTruth, setGroundTruth] = useState<RestoreSnapshotInput['groundTruth']>('gold');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<SnapshotRestoreResult | null>(null);
  const create = () => {
    setBusy(true);
    setError(null);
    restoreSnapshot(project.id, snapshot.id, { name, groundTruth }).then(
      (r) => {
        setBusy(false);
        setDone(r);
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
      {!open && (
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
