import { useEffect, useState, type FormEvent } from 'react';
import { isApiError } from '../../api/http.ts';
import { LanguageSwitch } from '../../app/language-switch.tsx';
import { useSession } from '../../app/session.tsx';
import { useT } from '../../i18n/index.tsx';
import { errorText, retryAfterSeconds } from '../../i18n/errors.ts';
import { Alert } from '../../ui/alert.tsx';
import { Field } from '../../ui/field.tsx';

/** Seconds left until `until` (ms since epoch), ticking once a second; 0 when past or null. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function SignInPage({ expired }: { expired: boolean }) {
  const t = useT();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(err);
      setPassword('');
      const wait = isApiError(err) && (err.code === 'LOCKED_OUT' || err.code === 'RATE_LIMITED') ? retryAfterSeconds(err.details) : null;
      setLockedUntil(wait === null ? null : Date.now() + wait * 1000);
      setBusy(false);
    }
  };

  let message: string | null = null;
  if (error) {
    message =
      isApiError(error) && error.code === 'LOCKED_OUT' && lockedUntil !== null
        ? secondsLeft > 0
          ? t('error.LOCKED_OUT', { seconds: secondsLeft })
          : null
        : errorText(t, error);
  }

  return (
    <div className="sign-in">
      <div className="sign-in__lang">
        <LanguageSwitch />
      </div>
      <form className="sign-in__card" onSubmit={(e) => void submit(e)} noValidate data-testid="sign-in-form">
        <h1 className="sign-in__title">{t('signIn.title')}</h1>
        <p className="sign-in__subtitle">{t('signIn.subtitle')}</p>
        {expired && !error && <Alert tone="info">{t('signIn.sessionExpired')}</Alert>}
        {message && (
          <Alert tone="error" testId="sign-in-error">
            {message}
          </Alert>
        )}
        <Field label={t('signIn.username')}>
          {(p) => (
            <input
              {...p}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              data-testid="login-username"
            />
          )}
        </Field>
        <Field label={t('signIn.password')}>
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          )}
        </Field>
        <button
          type="submit"
          className="btn btn--primary btn--block"
          disabled={busy || username.trim() === '' || password === '' || secondsLeft > 0}
          data-testid="login-submit"
        >
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </div>
  );
}
