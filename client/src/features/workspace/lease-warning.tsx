import { useSyncExternalStore } from 'react';
import { useT } from '../../i18n/index.tsx';
import type { LeaseKeeper } from './lease-keeper.ts';

/** Shown when less than half the lease is left: away (heartbeats paused) or the server out of reach; announced once. */
export function LeaseWarning({ keeper }: { keeper: LeaseKeeper }) {
  const t = useT();
  const snap = useSyncExternalStore(keeper.subscribe, keeper.snapshot);
  if (snap.health === 'live') return null;
  const seconds = Math.max(0, Math.ceil((snap.until - Date.now()) / 1000));
  return (
    <div className={`alert alert--warning lease-warning`} role="alert" data-testid="lease-warning" data-health={snap.health}>
      <div className="alert__body">
        {snap.health === 'lapsed' ? t('work.lease.lapsed') : snap.away ? t('work.lease.away') : t('work.lease.unreachable')}
        {snap.health === 'warning' && (
          // Seen, not read out every second.
          <strong className="lease-warning__count" aria-hidden="true" data-testid="lease-countdown">
            {t('work.lease.left', { seconds })}
          </strong>
        )}
      </div>
      <button
        type="button"
        className="btn btn--small"
        data-testid="lease-keep"
        onClick={() => {
          keeper.activity();
          void keeper.heartbeat();
        }}
      >
        {t('work.lease.keep')}
      </button>
    </div>
  );
}
