import { useState, type FormEvent } from 'react';
import type { User } from '@labelwork/core';
import { updateUser } from '../../api/users.ts';
import { useT } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import { Field } from '../../ui/field.tsx';
import { Modal } from '../editor/modal.tsx';
import '../editor/editor.css';
import './users.css';

const MIN_PASSWORD = 10;

interface AccountActionsProps {
  user: User;
  isSelf: boolean;
  onSaved: (user: User) => void;
}

/**
 * An admin's account actions on one user: deactivate / reactivate (soft: the account and its work
 * stay; a deactivated user cannot sign in and is signed out at once) and setting a new password
 * (the user's sessions end). Both ask first, in a dialog.
 */
export function AccountActions({ user, isSelf, onSaved }: AccountActionsProps) {
  const t = useT();
  const [dialog, setDialog] = useState<'status' | 'password' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [password, setPassword] = useState('');
  const [short, setShort] = useState(false);
  const [done, setDone] = useState(false);
  const name = user.displayName || user.username;

  const close = () => {
    setDialog(null);
    setError(null);
    setPassword('');
    setShort(false);
  };
  const run = async (patch: { disabled: boolean } | { password: string }, after: () => void) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await updateUser(user.id, patch));
      after();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    if (Array.from(password).length < MIN_PASSWORD) {
      setShort(true);
      return;
    }
    setShort(false);
    void run({ password }, () => {
      close();
      setDone(true);
    });
  };

  return (
    <div className="account-actions">
      <span
        className={`badge ${user.disabled ? 'badge--archived' : 'badge--active'}`}
        data-testid="user-status"
        data-disabled={String(user.disabled)}
      >
        {user.disabled ? t('users.deactivated') : t('users.active')}
      </span>
      {user.imported && (
        <span className="badge badge--archived" data-testid="user-imported" title={t('users.imported.hint')}>
          {t('users.imported')}
        </span>
      )}
      {!isSelf && !user.imported && (
        <button
          type="button"
          className="btn btn--small"
          onClick={() => setDialog('status')}
          data-testid={user.disabled ? 'user-reactivate' : 'user-deactivate'}
        >
          {user.disabled ? t('users.reactivate') : t('users.deactivate')}
        </button>
      )}
      <button
        type="button"
        className="btn btn--small"
        onClick={() => {
          setDone(false);
          setDialog('password');
        }}
        data-testid="user-reset-password"
      >
        {t('users.resetPassword')}
      </button>
      {done && (
        <span className="muted small" role="status" data-testid="user-reset-done">
          {t('users.resetDone', { name })}
        </span>
      )}
      {dialog === 'status' && (
        <Modal
          open
          onClose={close}
          title={t(user.disabled ? 'users.reactivateTitle' : 'users.deactivateTitle', { name })}
          testId="user-status-dialog"
        >
          <p>{t(user.disabled ? 'users.reactivateBody' : 'users.deactivateBody', { name })}</p>
          {error !== null && (
            <p className="field__error" role="alert">
              {errorText(t, error)}
            </p>
          )}
          <div className="modal__actions">
            <button type="button" className="btn" onClick={close} data-testid="user-status-cancel">
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className={`btn ${user.disabled ? 'btn--primary' : 'btn--danger'}`}
              disabled={busy}
              onClick={() => void run({ disabled: !user.disabled }, close)}
              data-testid="user-status-confirm"
            >
              {user.disabled ? t('users.reactivate') : t('users.deactivate')}
            </button>
          </div>
        </Modal>
      )}
      {dialog === 'password' && (
        <Modal open onClose={close} title={t('users.resetTitle', { name })} testId="user-password-dialog">
          <form onSubmit={submitPassword} noValidate>
            <Field
              label={t('users.password')}
              hint={t('users.resetHint', { name })}
              error={short ? t('users.passwordHint') : error !== null ? errorText(t, error) : undefined}
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  data-testid="user-new-password"
                />
              )}
            </Field>
            <div className="modal__actions">
              <button type="button" className="btn" onClick={close}>
                {t('common.cancel')}
              </button>
              <button type="submit" className="btn btn--primary" disabled={busy} data-testid="user-password-submit">
                {t('users.resetSubmit')}
              </button>
            </div>
          </form>
        </Modal>
      )}
    </div>
  );
}
