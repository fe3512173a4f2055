import type { ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';
import { errorText } from '../i18n/errors.ts';

type Tone = 'error' | 'info' | 'success' | 'warning';

interface AlertProps {
  tone: Tone;
  children: ReactNode;
  onDismiss?: () => void;
  testId?: string;
}

/** A message box; errors are announced to screen readers at once, others politely. */
export function Alert({ tone, children, onDismiss, testId }: AlertProps) {
  const t = useT();
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <div className="alert__body">{children}</div>
      {onDismiss && (
        <button type="button" className="btn btn--ghost btn--small" onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      )}
    </div>
  );
}

/** An API or other failure in the person's language, with an optional retry. */
export function ErrorAlert({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  const t = useT();
  return (
    <Alert tone="error" testId={testId ?? 'error'}>
      {errorText(t, error)}
      {onRetry && (
        <>
          {' '}
          <button type="button" className="btn btn--small" onClick={onRetry}>
            {t('common.retry')}
          </button>
        </>
      )}
    </Alert>
  );
}
