import { useEffect, useState, type RefObject } from 'react';
import type { Region } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT, type Translate } from '../../i18n/index.tsx';
import { fieldProblemList, problemText } from '../../ui/field-errors.ts';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import type { useWorkSession } from './use-work-session.ts';

type Session = ReturnType<typeof useWorkSession>;

/** VALIDATION_FAILED details of a refused submit, as `path message` lines (message in the UI language). */
function issuesOf(t: Translate, error: unknown): { path: string; message: string }[] {
  if (!isApiError(error)) return [];
  return fieldProblemList(error.details).map(({ path, problem }) => ({ path, message: problemText(t, problem) }));
}

function regionAt(path: string, regions: readonly Region[]): Region | undefined {
  const m = /regions\[(\d+)\]/.exec(path);
  return m ? regions[Number(m[1])] : undefined;
}

/** One line above the editor: what just happened (submitted, skipped, refused) or where the work came from. */
export function WorkNotice({ session, store }: { session: Session; store: RefObject<EditorStore | null> }) {
  const t = useT();
  const { notice, phase, dismissNotice } = session;
  const [seen, setSeen] = useState<string | null>(null);

  // Success notes fade on their own; problems stay until dismissed.
  useEffect(() => {
    if (notice?.kind !== 'submitted' && notice?.kind !== 'skipped') return;
    const id = setTimeout(dismissNotice, 4000);
    return () => clearTimeout(id);
  }, [notice, dismissNotice]);

  if (notice?.kind === 'submitted') {
    return (
      <Alert tone="success" testId="work-notice">
        {notice.offline ? t('work.notice.submittedLater') : t('work.notice.submitted')}
      </Alert>
    );
  }
  if (notice?.kind === 'skipped') {
    return (
      <Alert tone="success" testId="work-notice">
        {t('work.notice.skipped')}
      </Alert>
    );
  }
  if (notice?.kind === 'invalid') {
    const issues = issuesOf(t, notice.error);
    return (
      <Alert tone="error" onDismiss={dismissNotice} testId="work-invalid">
        <p className="workspace__issues-title">{t('work.notice.invalid')}</p>
        <ul className="workspace__issues">
          {issues.map((i, n) => {
            const r = regionAt(i.path, notice.regions);
            return (
              <li key={n}>
                <code>{i.path}</code> {i.message}{' '}
                {r && (
                  <button type="button" className="btn btn--small" onClick={() => store.current?.select([r.id])}>
                    {t('editor.region.select', { name: r.label })}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </Alert>
    );
  }
  if (notice?.kind === 'error') return <ErrorAlert error={notice.error} testId="work-error" />;
  if (phase.kind === 'working' && seen !== phase.work.task.leaseId && (phase.offline || phase.from === 'local')) {
    const leaseId = phase.work.task.leaseId;
    return (
      <Alert tone="info" testId="work-restored" onDismiss={() => setSeen(leaseId)}>
        {phase.offline ? t('work.notice.offlineCopy') : t('work.notice.restored')}
      </Alert>
    );
  }
  return null;
}
