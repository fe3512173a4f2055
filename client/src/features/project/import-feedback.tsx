import { isApiError } from '../../api/http.ts';
import { isMessageKey, useT, type Translate } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import type { ImportDuplicate, ImportPhase } from './use-import.ts';

const MAX_LISTED = 200;

type Params = Record<string, string | number>;

interface LineError {
  line: number;
  message: string;
  code?: string;
  params?: Params;
}

interface FileError {
  file: string;
  code?: string;
  reason?: string;
  message: string;
}

const paramsOf = (v: unknown): Params | undefined => {
  if (typeof v !== 'object' || v === null) return undefined;
  const out: Params = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = x;
  return out;
};

/** `details.errors` of BAD_IMPORT (per line) or of an image import (per file). */
function detailErrors(details: unknown): (LineError | FileError)[] {
  if (typeof details !== 'object' || details === null || !('errors' in details) || !Array.isArray(details.errors)) return [];
  const out: (LineError | FileError)[] = [];
  for (const e of details.errors as unknown[]) {
    if (typeof e !== 'object' || e === null || !('message' in e)) continue;
    const message = String(e.message);
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    if ('line' in e && typeof e.line === 'number') {
      const params = 'params' in e ? paramsOf(e.params) : undefined;
      out.push({ line: e.line, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
    } else if ('file' in e) {
      const reason = 'reason' in e && typeof e.reason === 'string' ? e.reason : undefined;
      out.push({ file: String(e.file), message, ...(code ? { code } : {}), ...(reason ? { reason } : {}) });
    }
  }
  return out;
}

/** A line's problem in the person's language, from the server's reason code (its English message otherwise). */
function lineReason(t: Translate, e: LineError): string {
  const p = e.params ?? {};
  const candidates = [
    e.code === 'INVALID_JSON' && p.column !== undefined ? 'import.reason.INVALID_JSON_at' : null,
    e.code === 'INVALID_FIELD' && p.issue !== undefined ? `import.reason.INVALID_FIELD.${p.issue}` : null,
    e.code === 'CSV_SYNTAX' && p.reason !== undefined ? `import.reason.CSV_SYNTAX.${p.reason}` : null,
    e.code ? `import.reason.${e.code}` : null,
  ];
  for (const key of candidates) if (key && isMessageKey(key)) return t(key, p);
  return e.message;
}

function fileReason(t: Translate, e: FileError): string {
  for (const key of [e.reason ? `import.fileReason.${e.reason}` : null, e.code ? `import.fileReason.${e.code}` : null]) {
    if (key && isMessageKey(key)) return t(key);
  }
  return e.message;
}

const numberAt = (details: unknown, key: string): number | null =>
  typeof details === 'object' && details !== null && key in details && typeof (details as Record<string, unknown>)[key] === 'number'
    ? ((details as Record<string, number>)[key] ?? null)
    : null;
const stringAt = (details: unknown, key: string): string | null =>
  typeof details === 'object' && details !== null && key in details && typeof (details as Record<string, unknown>)[key] === 'string'
    ? String((details as Record<string, unknown>)[key])
    : null;

function formatLimit(n: number): string {
  return n >= 1024 * 1024 * 1024 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.round(n / 1024 / 1024)} MB`;
}

/** The headline of a failed import, in the person's language. */
function failureSummary(t: Translate, error: unknown, lines: number, files: number): string {
  if (!isApiError(error)) return error === null ? t('import.failed') : errorText(t, error);
  const reason = stringAt(error.details, 'reason');
  const count = numberAt(error.details, 'count') ?? lines;
  if (error.code === 'EMPTY_IMPORT') return t('import.summary.EMPTY');
  if (error.code === 'BAD_IMPORT' && reason === 'NOT_UTF8') return t('import.summary.NOT_UTF8');
  if (error.code === 'BAD_IMPORT' && reason === 'GOLD') return t('import.summary.GOLD', { count });
  if (error.code === 'BAD_IMPORT' && lines > 0) return t('import.summary.LINES', { count });
  if (error.code === 'PAYLOAD_TOO_LARGE') {
    const limit = numberAt(error.details, 'limit');
    return reason === 'total' && limit !== null
      ? t('import.summary.tooLargeTotal', { size: formatLimit(limit) })
      : t('import.summary.tooLargeFile');
  }
  if (files > 0) return t('import.summary.files', { count: files });
  return errorText(t, error);
}

function DuplicateList({ duplicates }: { duplicates: ImportDuplicate[] }) {
  const t = useT();
  return (
    <ul className="error-list" data-testid="import-duplicates">
      {duplicates.slice(0, MAX_LISTED).map((d, i) => {
        const what = d.file ?? t('import.lineLabel', { line: d.line ?? 0 });
        return (
          <li key={i}>{d.seq !== undefined ? t('import.duplicateOf', { what, seq: d.seq }) : t('import.duplicateInUpload', { what })}</li>
        );
      })}
      {duplicates.length > MAX_LISTED && <li>…</li>}
    </ul>
  );
}

function percent(n: number, of: number): number {
  return of > 0 ? Math.min(100, Math.round((n / of) * 100)) : 0;
}

/** Progress bar and outcome of an import, with the server's per-line or per-file errors. */
export function ImportFeedback({
  state,
  onCancel,
  keptSelection = false,
}: {
  state: ImportPhase;
  onCancel: () => void;
  keptSelection?: boolean;
}) {
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
          <div className="alert__body">
            <div>{state.created > 0 ? t('import.done', { created: state.created }) : t('import.nothingNew')}</div>
            {state.duplicates.length > 0 && (
              <>
                <div data-testid="import-duplicate-notice">
                  {state.forced
                    ? t('import.duplicatesImported', { n: state.duplicates.length })
                    : t('import.duplicatesSkipped', { n: state.skipped })}
                </div>
                <DuplicateList duplicates={state.duplicates} />
              </>
            )}
          </div>
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
      const lines = errors.filter((e): e is LineError => 'line' in e);
      const own = failureSummary(t, state.error, lines.length, errors.length - lines.length);
      return (
        <div className="alert alert--error" role="alert" data-testid="import-status" data-phase="failed">
          {/* One body: the alert is a flex row, and title, summary and list must stack. */}
          <div className="alert__body">
            <div className="import-failure__title" data-testid="import-summary">
              {own}
            </div>
            {errors.length > 0 && (
              <ul className="error-list" data-testid="import-errors">
                {errors.slice(0, MAX_LISTED).map((e, i) => (
                  <li key={i}>
                    {'line' in e
                      ? t('import.lineError', { line: e.line, message: lineReason(t, e) })
                      : t('import.fileError', { file: e.file, message: fileReason(t, e) })}
                  </li>
                ))}
                {errors.length > MAX_LISTED && <li>…</li>}
              </ul>
            )}
            {keptSelection && <div className="small">{t('import.keptSelection')}</div>}
          </div>
        </div>
      );
    }
  }
}
