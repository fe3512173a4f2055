import { useState } from 'react';
import { LEVELS, ROLES, type Level, type Role, type User, type UserPatch } from '@labelwork/core';
import { updateUser } from '../../api/users.ts';
import { useT } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import { AccountActions } from './account-actions.tsx';

interface UserRowProps {
  user: User;
  isSelf: boolean;
  onSaved: (user: User) => void;
}

/** One user; role, level and reviewer save as soon as they change; deactivation and a new password ask first. */
export function UserRow({ user: saved, isSelf, onSaved }: UserRowProps) {
  const t = useT();
  const [pending, setPending] = useState<UserPatch | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Show the change at once; it reverts if the server refuses it.
  const user = { ...saved, ...pending };
  const busy = pending !== null;
  const name = user.displayName || user.username;

  const save = async (patch: UserPatch) => {
    setPending(patch);
    setError(null);
    try {
      onSaved(await updateUser(saved.id, patch));
    } catch (err) {
      setError(err);
    } finally {
      setPending(null);
    }
  };

  const errorId = `user-${user.id}-error`;
  return (
    <tr data-testid="user-row" data-user-id={user.id} className={user.disabled ? 'is-disabled' : undefined} aria-busy={busy}>
      <td>
        <span className="mono">{user.username}</span> {isSelf && <span className="muted small">{t('users.you')}</span>}
        {error !== null && (
          <div className="field__error" id={errorId} role="alert">
            {errorText(t, error)}
          </div>
        )}
      </td>
      <td>{user.displayName}</td>
      <td>
        <select
          aria-label={t('users.roleOf', { name })}
          value={user.role}
          disabled={busy || isSelf}
          onChange={(e) => void save({ role: e.target.value as Role })}
          data-testid="user-role"
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={t('users.reviewerOf', { name })}
          checked={user.reviewer}
          disabled={busy}
          onChange={(e) => void save({ reviewer: e.target.checked })}
          data-testid="user-reviewer"
        />
      </td>
      <td>
        <select
          aria-label={t('users.levelOf', { name })}
          value={user.level}
          disabled={busy}
          onChange={(e) => void save({ level: e.target.value as Level })}
          data-testid="user-level"
        >
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </td>
      <td>
        <AccountActions user={user} isSelf={isSelf} onSaved={onSaved} />
      </td>
    </tr>
  );
}
