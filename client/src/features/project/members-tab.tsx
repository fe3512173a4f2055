import { useId, useState } from 'react';
import type { Project, User } from '@labelwork/core';
import { addMembers, removeMember } from '../../api/projects.ts';
import { listUsers } from '../../api/users.ts';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';

function userLabel(u: User): string {
  return u.displayName && u.displayName !== u.username ? `${u.displayName} (${u.username})` : u.username;
}

export function MembersTab({ project, onChanged }: { project: Project; onChanged: (p: Project) => void }) {
  const t = useT();
  const filterId = useId();
  const [users, reloadUsers] = useLoad((signal) => listUsers(signal), []);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const members = new Set(project.memberIds);
  const needle = filter.trim().toLowerCase();
  const candidates = (users.data ?? []).filter(
    (u) =>
      !members.has(u.id) &&
      !u.disabled &&
      (needle === '' || u.username.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle)),
  );

  const run = async (action: () => Promise<Project>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await action());
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    const ids = [...selected].filter((id) => !members.has(id));
    if (ids.length === 0) return;
    if (await run(() => addMembers(project.id, ids))) setSelected(new Set());
  };

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <div className="members">
      {users.status === 'error' && <ErrorAlert error={users.error} onRetry={reloadUsers} />}
      {error !== null && <ErrorAlert error={error} />}
      <div className="members__columns">
        <section aria-labelledby={`${filterId}-members`}>
          <h2 className="section-title" id={`${filterId}-members`}>
            {t('members.title')} ({project.memberIds.length})
          </h2>
          {project.memberIds.length === 0 && <p className="muted">{t('members.empty')}</p>}
          <ul className="member-list" data-testid="member-list">
            {project.memberIds.map((id) => {
              const u = byId.get(id);
              const name = u ? userLabel(u) : t('members.unknownUser', { id });
              return (
                <li key={id} className="member-list__row" data-testid="member-row" data-user-id={id}>
                  <span className="member-list__name">{name}</span>
                  {u && <span className="muted small">{`${t(`role.${u.role}`)} · ${u.level}`}</span>}
                  {id === project.ownerId && <span className="badge">{t('members.owner')}</span>}
                  <button
                    type="button"
                    className="btn btn--small"
                    disabled={busy}
                    aria-label={t('members.remove', { name })}
                    onClick={() => void run(() => removeMember(project.id, id))}
                    data-testid="member-remove"
                  >
                    {t('common.remove')}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
        <section aria-labelledby={`${filterId}-add`}>
          <h2 className="section-title" id={`${filterId}-add`}>
            {t('members.add')}
          </h2>
          <label htmlFor={filterId} className="visually-hidden">
            {t('members.filter')}
          </label>
          <input
            id={filterId}
            type="search"
            placeholder={t('members.filter')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            data-testid="member-filter"
          />
          {users.data && candidates.length === 0 && needle === '' && <p className="muted">{t('members.noCandidates')}</p>}
          <ul className="candidate-list" data-testid="member-candidates">
            {candidates.map((u) => (
              <li key={u.id}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={selected.has(u.id)}
                    onChange={(e) => toggle(u.id, e.target.checked)}
                    data-testid="member-candidate"
                    data-user-id={u.id}
                  />
                  <span>{userLabel(u)}</span>
                  <span className="muted small">{`${t(`role.${u.role}`)} · ${u.level}`}</span>
                </label>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="btn btn--primary"
            disabled={busy || selected.size === 0}
            onClick={() => void add()}
            data-testid="member-add"
          >
            {t('members.addSelected', { count: selected.size })}
          </button>
        </section>
      </div>
    </div>
  );
}
