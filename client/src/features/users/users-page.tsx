import type { User } from '@labelwork/core';
import { listUsers } from '../../api/users.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { CreateUserForm } from './create-user-form.tsx';
import { UserRow } from './user-row.tsx';

export function UsersPage({ user }: { user: User }) {
  const t = useT();
  const isAdmin = user.role === 'admin';
  const [load, reload, replace] = useLoad((signal) => (isAdmin ? listUsers(signal) : Promise.resolve([])), [isAdmin]);
  const users = load.data;

  if (!isAdmin) {
    return (
      <div className="page">
        <h1 className="page__title">{t('users.title')}</h1>
        <Alert tone="error">{t('users.forbidden')}</Alert>
      </div>
    );
  }

  const upsert = (u: User) => {
    const list = users ?? [];
    replace(list.some((x) => x.id === u.id) ? list.map((x) => (x.id === u.id ? u : x)) : [...list, u]);
  };

  return (
    <div className="page">
      <h1 className="page__title">{t('users.title')}</h1>
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {users && (
        <table className="table" data-testid="user-table">
          <thead>
            <tr>
              <th scope="col">{t('users.col.username')}</th>
              <th scope="col">{t('users.col.displayName')}</th>
              <th scope="col">{t('users.col.role')}</th>
              <th scope="col">{t('users.col.reviewer')}</th>
              <th scope="col">{t('users.col.level')}</th>
              <th scope="col">{t('users.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} isSelf={u.id === user.id} onSaved={upsert} />
            ))}
          </tbody>
        </table>
      )}
      {!users && load.status === 'loading' && <p className="muted">{t('app.loading')}</p>}
      <CreateUserForm onCreated={upsert} />
    </div>
  );
}
