import type { ShadowUser } from '@labelwork/core';
import { useT } from '../../i18n/index.tsx';
import { Icon } from '../editor/icons.tsx';
import './shadow.css';

/**
 * Shown in the annotator's workspace while a lead watches their canvas: the person being watched
 * always knows it, and by whom.
 */
export function WatchedChip({ watchers }: { watchers: readonly ShadowUser[] }) {
  const t = useT();
  if (watchers.length === 0) return null;
  const names = watchers.map((w) => w.displayName || w.username).join(t('shadow.listSeparator'));
  return (
    <span className="watched-chip" role="status" title={t('shadow.watchedHint')} data-testid="shadow-watched" data-count={watchers.length}>
      <Icon name="eye" />
      <span>{t('shadow.watchedBy', { names })}</span>
    </span>
  );
}
