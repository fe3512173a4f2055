import { useCallback, useEffect, useRef, useState } from 'react';
import { SERVER_EVENTS, type ImportProgressPayload } from '@labelwork/core';
import { isAbortError } from '../../api/http.ts';
import { uploadForm, type Upload } from '../../api/upload.ts';
import { useSocket } from '../../app/socket.tsx';

export type ImportPhase =
  | { phase: 'idle' }
  | { phase: 'uploading'; loaded: number; total: number }
  | { phase: 'processing'; done: number | null; total: number | null }
  | { phase: 'done'; created: number; skipped: number; duplicates: ImportDuplicate[]; forced: boolean }
  | { phase: 'failed'; error: unknown }
  | { phase: 'cancelled' };

/** A file or line the project already had (`seq` of the twin), or that repeated within the upload. */
export interface ImportDuplicate {
  file?: string;
  line?: number;
  itemId?: string;
  seq?: number;
}

interface ImportAnswer {
  importId: string | null;
  created: number;
  skipped?: number;
  duplicates?: ImportDuplicate[];
}

const doneOf = (created: number, answer: ImportAnswer | null): ImportPhase => ({
  phase: 'done',
  created,
  skipped: answer?.skipped ?? 0,
  duplicates: answer?.duplicates ?? [],
  forced: (answer?.duplicates?.length ?? 0) > 0 && (answer?.skipped ?? 0) === 0,
});

/**
 * One import at a time: upload progress from XMLHttpRequest, then the server's own progress
 * from `import:progress`. The import id is only known once the upload answers, so events for
 * this project that arrive while the request is open are taken as ours; after that only ours.
 */
export function useImport(projectId: string, onImported: () => void) {
  const socket = useSocket();
  const [state, setState] = useState<ImportPhase>({ phase: 'idle' });
  const upload = useRef<Upload<ImportAnswer> | null>(null);
  const importId = useRef<string | null>(null);
  const pending = useRef(false);
  const lastEvent = useRef<ImportProgressPayload | null>(null);
  const lastAnswer = useRef<ImportAnswer | null>(null);
  const [requestOpen, setRequestOpen] = useState(false);
  const onImportedRef = useRef(onImported);
  useEffect(() => {
    onImportedRef.current = onImported;
  }, [onImported]);

  useEffect(() => {
    if (!socket) return;
    const onProgress = (p: ImportProgressPayload) => {
      if (p.projectId !== projectId) return;
      if (importId.current !== null ? p.importId !== importId.current : !pending.current) return;
      lastEvent.current = p;
      if (pending.current) {
        // The request is still open: show server progress once the bytes are all sent.
        setState((s) => (s.phase === 'uploading' && s.loaded < s.total ? s : { phase: 'processing', done: p.done, total: p.total }));
        return;
      }
      if (p.status === 'running') setState({ phase: 'processing', done: p.done, total: p.total });
      else if (p.status === 'complete') {
        setState((s) => (s.phase === 'done' ? s : doneOf(p.done, lastAnswer.current)));
        onImportedRef.current();
      } else setState({ phase: 'failed', error: null });
    };
    socket.on(SERVER_EVENTS.importProgress, onProgress);
    return () => {
      socket.off(SERVER_EVENTS.importProgress, onProgress);
    };
  }, [socket, projectId]);

  useEffect(() => () => upload.current?.abort(), []);

  const start = useCallback((path: string, form: FormData) => {
    upload.current?.abort();
    importId.current = null;
    lastEvent.current = null;
    lastAnswer.current = null;
    pending.current = true;
    setRequestOpen(true);
    setState({ phase: 'uploading', loaded: 0, total: 1 });
    const u = uploadForm<ImportAnswer>(path, form, ({ loaded, total }) => {
      setState(loaded >= total ? { phase: 'processing', done: null, total: null } : { phase: 'uploading', loaded, total });
    });
    upload.current = u;
    u.result.then(
      (answer) => {
        if (upload.current !== u) return;
        pending.current = false;
        setRequestOpen(false);
        upload.current = null;
        importId.current = answer.importId;
        lastAnswer.current = answer;
        const last = lastEvent.current;
        if (last && last.importId === answer.importId && last.status === 'running' && last.done < last.total) {
          setState({ phase: 'processing', done: last.done, total: last.total });
        } else {
          setState(doneOf(answer.created, answer));
        }
        onImportedRef.current();
      },
      (error: unknown) => {
        if (upload.current !== u) return;
        pending.current = false;
        setRequestOpen(false);
        upload.current = null;
        setState(isAbortError(error) ? { phase: 'cancelled' } : { phase: 'failed', error });
      },
    );
  }, []);

  const cancel = useCallback(() => upload.current?.abort(), []);
  const reset = useCallback(() => setState({ phase: 'idle' }), []);
  return { state, start, cancel, reset, busy: requestOpen };
}
