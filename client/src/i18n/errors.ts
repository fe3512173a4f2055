import { isApiError } from '../api/http.ts';
import { fieldProblemList, problemText } from '../ui/field-errors.ts';
import { isMessageKey, type Translate } from './index.tsx';

/** `details.retryAfterS` of a LOCKED_OUT / RATE_LIMITED answer, when present. */
export function retryAfterSeconds(details: unknown): number | null {
  if (typeof details === 'object' && details !== null && 'retryAfterS' in details) {
    const v = details.retryAfterS;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.ceil(v);
  }
  return null;
}

/**
 * What to tell the person about a failed call: our own text for codes we know (so it is in
 * their language), else the server's message.
 */
export function errorText(t: Translate, error: unknown): string {
  if (isApiError(error)) {
    if (error.code === 'LOCKED_OUT') {
      const s = retryAfterSeconds(error.details);
      return s === null ? t('error.LOCKED_OUT_noTime') : t('error.LOCKED_OUT', { seconds: s });
    }
    if (error.code === 'VALIDATION_FAILED') {
      // Say what is wrong, in the UI language, when the answer names one problem.
      const [first, ...rest] = fieldProblemList(error.details);
      if (first && rest.length === 0) return `${t('error.VALIDATION_FAILED')} ${problemText(t, first.problem)}`;
    }
    const key = `error.${error.code}`;
    if (isMessageKey(key)) return t(key);
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
