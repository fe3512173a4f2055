import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { assist, assistBackends } from '../../api/ml.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';

type AssistNote = { kind: 'added'; count: number } | { kind: 'none' } | { kind: 'error'; error: unknown };

/**
 * Model assistance in the workspace: when the project has an interactive model backend attached,
 * the editor offers the Assist tool; a click or rough box on the item becomes a request to
 * `POST /api/tasks/:leaseId/assist`, and the regions that come back are added to the editor as
 * ordinary regions (undoable, autosaved and submitted like drawn ones). `enable` is called with
 * each task's editor store.
 */
export function useAssist(
  projectId: string,
  kind: 'image' | 'text' | undefined,
  store: RefObject<EditorStore | null>,
  leaseId: string | null,
) {
  const [backends, setBackends] = useState<{ id: string; name: string }[]>([]);
  const [note, setNote] = useState<AssistNote | null>(null);
  const leaseRef = useRef(leaseId);
  leaseRef.current = leaseId;

  useEffect(() => {
    if (kind !== 'image') return;
    const ac = new AbortController();
    assistBackends(projectId, ac.signal).then(setBackends, () => setBackends([]));
    return () => ac.abort();
  }, [projectId, kind]);

  const enable = useCallback(
    (s: EditorStore | null) => {
      if (!s) return;
      const backend = backends[0];
      if (!backend) return s.setAssist(null);
      s.setAssist((hint, label) => {
        const lease = leaseRef.current;
        if (!lease) return;
        s.setAssistBusy(true);
        setNote(null);
        assist(lease, { label, hint, backendId: backend.id })
          .then(
            (r) => {
              // The answer to an earlier task's hint is dropped.
              if (store.current !== s || leaseRef.current !== lease) return;
              const added = s.addAssisted(r.regions);
              setNote(added.length ? { kind: 'added', count: added.length } : { kind: 'none' });
            },
            (error: unknown) => {
              if (store.current === s) setNote({ kind: 'error', error });
            },
          )
          .finally(() => s.setAssistBusy(false));
      });
    },
    [backends, store],
  );

  useEffect(() => enable(store.current), [enable, store, leaseId]);
  // A new task starts without the last one's note.
  useEffect(() => setNote(null), [leaseId]);

  return { enable, note, dismiss: useCallback(() => setNote(null), []) };
}

/** What the last Assist request gave: regions added, nothing found, or why it failed. */
export function AssistNotice({ note, onDismiss }: { note: AssistNote | null; onDismiss: () => void }) {
  const t = useT();
  useEffect(() => {
    if (!note || note.kind === 'error') return;
    const id = setTimeout(onDismiss, 4000);
    return () => clearTimeout(id);
  }, [note, onDismiss]);
  if (!note) return null;
  if (note.kind === 'error') return <ErrorAlert error={note.error} testId="assist-notice" />;
  return (
    <Alert tone={note.kind === 'added' ? 'success' : 'info'} testId="assist-notice" onDismiss={onDismiss}>
      {note.kind === 'added' ? t('editor.assist.added', { count: note.count }) : t('editor.assist.none')}
    </Alert>
  );
}
