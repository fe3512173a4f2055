import { useCallback, useEffect, useState } from 'react';
import { isAbortError } from '../api/http.ts';

export type Load<T> =
  { status: 'loading'; data: T | undefined } | { status: 'ready'; data: T } | { status: 'error'; error: unknown; data: T | undefined };

/**
 * Loads data for a view and reloads when `deps` change or `reload()` is called.
 * Keeps the previous data while reloading so lists don't flash empty. Aborts stale requests.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void, (data: T) => void] {
  const [state, setState] = useState<Load<T>>({ status: 'loading', data: undefined });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data }));
    load(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted && !isAbortError(error)) setState((s) => ({ status: 'error', error, data: s.data }));
      },
    );
    return () => ctl.abort();
    // The caller lists what `load` depends on in `deps`.
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const replace = useCallback((data: T) => setState({ status: 'ready', data }), []);
  return [state, reload, replace];
}
