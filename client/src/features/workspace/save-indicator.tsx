import { useEffect, useState, useSyncExternalStore } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import type { Autosaver } from './autosaver.ts';
import type { Outbox, OutboxStatus } from './offline-queue.ts';

const NONE = () => () => undefined;
const IDLE: OutboxStatus = { edits: 0, submits: 0, sending: false, reachable: true, lastSavedAt: null, retryAt: null };

export type SaveState = 'saved' | 'saving' | 'device' | 'unsaved' | 'offline';

/** The browser's own idea of being online (`navigator.onLine`), live. */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/**
 * Where the annotator's work is: `unsaved` while a change's write to the device has not committed
 * (milliseconds), `device` once every change is committed on this device but not yet on the
 * server, `saving` while sending, `saved` when the server has it all, `offline` without the
 * server (changes kept on this device). `data-edits` counts edits the server has not confirmed
 * (written or not); `data-unwritten` those not yet committed on the device.
 */
export function SaveIndicator({
  outbox,
  autosaver,
  hasTask = true,
}: {
  outbox: Outbox | null;
  autosaver: Autosaver | null;
  hasTask?: boolean;
}) {
  const { t, lang } = useI18n();
  const online = useOnline();
  const status = useSyncExternalStore(outbox?.subscribe ?? NONE, outbox?.status ?? (() => IDLE));
  const unwritten = useSyncExternalStore(autosaver?.subscribe ?? NONE, () => autosaver?.unwritten() ?? 0);
  const edits = status.edits + unwritten;
  const state: SaveState =
    unwritten > 0
      ? 'unsaved'
      : !online || !status.reachable
        ? 'offline'
        : status.sending
          ? 'saving'
          : edits + status.submits > 0
            ? 'device'
            : 'saved';
  // Without a task in hand, "All changes saved" says nothing (e.g. on the level-too-low page): only what is pending shows.
  if (!hasTask && state === 'saved') return null;
  const time = status.lastSavedAt ? new Intl.DateTimeFormat(lang, { timeStyle: 'medium' }).format(status.lastSavedAt) : null;
  const n = (count: number) => (count === 1 ? 'one' : 'other');
  let text: string;
  if (state === 'unsaved') text = t('work.save.writing');
  else if (state === 'offline') text = edits > 0 ? t(`work.save.offlineUnsaved.${n(edits)}`, { count: edits }) : t('work.save.offline');
  else if (state === 'saving') text = t('work.save.saving');
  else if (state === 'device' && edits > 0) text = t(`work.save.device.${n(edits)}`, { count: edits });
  else text = state === 'device' ? t('work.save.saving') : t('work.save.saved');
  return (
    <span
      className={`save-indicator save-indicator--${state}`}
      role="status"
      data-testid="save-indicator"
      data-state={state}
      data-edits={edits}
      data-unwritten={unwritten}
      data-submits={status.submits}
      title={time ? t('work.save.lastSaved', { time }) : undefined}
    >
      <span className="save-indicator__dot" aria-hidden="true" />
      {text}
      {status.submits > 0 && (
        <span data-testid="save-indicator-submits"> · {t(`work.save.submitsWaiting.${n(status.submits)}`, { count: status.submits })}</span>
      )}
    </span>
  );
}
