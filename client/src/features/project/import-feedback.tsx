import { isApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import type { ImportPhase } from './use-import.ts';

const MAX_LISTED = 200;

interface LineError {
  line: number;
  message: string;
}

interface FileError {
  file: string;
  code?: string;
  message: string;
}

/** `details.errors` of BAD_IMPORT (per line) or of an image import (per file). */
function detailErrors(details: unknown): (LineError | FileError)[] {
  if (typeof details !== 'object' || details === null || !('errors' in details) || !Array.isArray(details.errors)) return [];
  const out: (LineError | FileError)[] = [];
  for (const e of details.errors as unknown[]) {
    if (typeof e !== 'object' || e === null || !('message' in e)) continue;
    const message = String(e.message);
    if ('line' in e && typeof e.line === 'number') out.push({ line: e.line, message });
    else if ('file' in e) out.push({ file: String(e.file), message, ...('code' in e ? { code: String(e.code) } : {}) });
  }
  return out;
}

function percent(n: number, of: number): number {
  return of > 0 ? Math.min(100, Math.round((n / of) * 100)) : 0;
}

/** Progress bar and outcome of an import, with the server's per-line or per-file errors. */
export function ImportFeedback({ state, onCancel }: { state: ImportPhase; onCancel: () => void }) {
  const t = useT();
  switch (state.phase) {
    case 'idle':
      return null;
    case 'uploading': {
      const pct = percent(state.loaded, state.total);
      return (
        <div className="import-progress" data-testid="import-status" data-phase="uploading">
          <progress max={100} value={pct} aria-label={t('import.progressLabel')} data-testid="import-progress" />
          <span aria-live="polite">{t('import.uploading', { percent: pct })}</span>
          <button type="button" className="btn btn--small" onClick={onCancel} data-testid="import-cancel">
            {t('import.cancel')}
          </button>
        </div>
      );
    }
    case 'processing':
      return (
        <div className="import-progress" data-testid="import-status" data-phase="processing">
          {state.done !== null && state.total !== null ? (
            <>
              <progress max={state.total || 1} value={state.done} aria-label={t('import.progressLabel')} data-testid="import-progress" />
              <span aria-live="polite">{t('import.processing', { done: state.done, total: state.total })}</span>
            </>
          ) : (
            <>
              <progress aria-label={t('import.progressLabel')} data-testid="import-progress" />
              <span aria-live="polite">{t('import.processingUnknown')}</span>
            </>
          )}
        </div>
      );
    case 'done':
      return (
        <div className="alert alert--success" role="status" data-testid="import-status" data-phase="done">
          {t('import.done', { created: state.created })}
        </div>
      );
    case 'cancelled':
      return (
        <div className="alert alert--info" role="status" data-testid="import-status" data-phase="cancelled">
          {t('import.cancelled')}
        </div>
      );
    case 'failed': {
      const errors = isApiError(state.error) ? detailErrors(state.error.details) : [];
      const own = state.error === null ? t('import.failed') : errorText(t, state.error);
      const server = isApiError(state.error) && state.error.message !== own ? state.error.message : null;
      return (
        <div className="alert alert--error" role="alert" data-testid="import-status" data-phase="failed">
          <div>{own}</div>
          {server && <div className="small">{server}</div>}
          {errors.length > 0 && (
            <ul className="error-list" data-testid="import-errors">
              {errors.slice(0, MAX_LISTED).map((e, i) => (
                <li key={i}>{'line' in e ? t('import.lineError', { line: e.line, message: e.message }) : t('import.fileError', { file: e.file, message: e.message })}</li>
              ))}
              {errors.length > MAX_LISTED && <li>…</li>}
            </ul>
          )}
        </div>
      );
    }
  }
}
