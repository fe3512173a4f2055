import type { AnnotatorCounts } from '@labelwork/core';
import { listUsers } from '../../api/users.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { useLoad } from '../../ui/use-load.ts';
import './shadow.css';

/** The queue tab's "working now" list: annotators holding tasks, each with a link to watch them live. */
export function LeaseList({ projectId, annotators }: { projectId: string; annotators: readonly AnnotatorCounts[] }) {
  const t = useT();
  const [users] = useLoad((signal) => listUsers(signal), []);
  const names = new Map((users.data ?? []).map((u) => [u.id, u.displayName || u.username]));
  const working = annotators.filter((a) => a.leased > 0);
  return (
    <section className="lease-list" data-testid="queue-leases">
      <h2 className="section-title">{t('shadow.leases')}</h2>
      {working.length === 0 ? (
        <p className="muted small">{t('shadow.noLeases')}</p>
      ) : (
        <ul className="lease-list__rows">
          {working.map((a) => {
            const name = names.get(a.userId) ?? (users.status === 'loading' ? '…' : a.userId.slice(-6));
            return (
              <li key={a.userId} className="lease-list__row" data-testid="queue-lease-row" data-user-id={a.userId}>
                <span className="lease-list__name">{name}</span>
                <span className="muted small">{t('shadow.leaseRow', { leased: a.leased, done: a.done })}</span>
                <Link
                  className="btn btn--small"
                  to={paths.watch(projectId, a.userId)}
                  aria-label={t('shadow.watchOf', { name })}
                  data-testid="watch-annotator"
                >
                  {t('shadow.watch')}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
