import { useEffect, useState } from 'react';
import { SERVER_EVENTS, type Project, type QueueCounts } from '@labelwork/core';
import { updateProject } from '../../api/projects.ts';
import { getQueue, queueAllItems, setQueuePaused, updateQueueSettings, type QueueResult } from '../../api/tasks.ts';
import { useSocket } from '../../app/socket.tsx';
import { useT, type MessageKey } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { LeaseList } from '../shadow/lease-list.tsx';
import './queue-tab.css';

const COUNTS: readonly [MessageKey, (c: QueueCounts) => number, string][] = [
  ['queue.itemsQueued', (c) => c.itemsQueued, 'items-queued'],
  ['queue.itemsComplete', (c) => c.itemsComplete, 'items-complete'],
  ['queue.waiting', (c) => c.waiting, 'waiting'],
  ['queue.leased', (c) => c.leased, 'leased'],
  ['queue.done', (c) => c.done, 'done'],
  ['queue.skips', (c) => c.skips, 'skips'],
  ['queue.goldPool', (c) => c.gold.pool, 'gold-pool'],
  ['queue.goldDone', (c) => c.gold.done, 'gold-done'],
];

/** The lead's queue: put items up for annotation (with a priority), pause and resume, overlap for new items, live counts. */
export function QueueTab({ project, onProjectChanged }: { project: Project; onProjectChanged?: (p: Project) => void }) {
  const t = useT();
  const socket = useSocket();
  const [load, reload, replace] = useLoad((signal) => getQueue(project.id, signal), [project.id]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [queued, setQueued] = useState<QueueResult | null>(null);
  const [priority, setPriority] = useState(50);
  const [uncertainFirst, setUncertainFirst] = useState(false);
  const [overlap, setOverlap] = useState(project.overlap);
  useEffect(() => setOverlap(project.overlap), [project.overlap]);
  const data = load.data;

  // Live counts from the project's room (the project page has joined it).
  useEffect(() => {
    if (!socket || !data) return;
    const onCounts = (c: QueueCounts) => {
      if (c.projectId !== project.id) return;
      replace({ ...data, counts: c });
      // Someone took or gave back a task: the "working now" list is read again.
      if (c.leased !== data.counts.leased) reload();
    };
    socket.on(SERVER_EVENTS.queueCounts, onCounts);
    // After a reconnect the counts may have moved on: read them again.
    socket.on('connect', reload);
    return () => {
      socket.off(SERVER_EVENTS.queueCounts, onCounts);
      socket.off('connect', reload);
    };
  }, [socket, project.id, data, replace, reload]);

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!data)
    return load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>;
  const { counts, settings } = data;
  return (
    <div className="queue" data-testid="queue-tab">
      <div className="toolbar">
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy || project.status === 'archived'}
          data-testid="queue-all"
          onClick={() =>
            void run(async () => {
              setQueued(await queueAllItems(project.id, priority, uncertainFirst ? 'uncertainty' : 'given'));
              reload();
            })
          }
        >
          {t('queue.putAllUp')}
        </button>
        <label className="queue__field">
          <span className="small">{t('queue.priority')}</span>
          <input
            type="number"
            min={1}
            max={100}
            value={priority}
            onChange={(e) => setPriority(Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 50))))}
            title={t('queue.priorityHint')}
            data-testid="queue-priority"
          />
        </label>
        <label className="checkbox" title={t('queue.uncertaintyHint')}>
          <input
            type="checkbox"
            checked={uncertainFirst}
            onChange={(e) => setUncertainFirst(e.target.checked)}
            data-testid="queue-uncertainty"
          />
          <span className="small">{t('queue.uncertainty')}</span>
        </label>
        <button
          type="button"
          className="btn"
          disabled={busy}
          data-testid={counts.paused ? 'queue-resume' : 'queue-pause'}
          onClick={() => void run(async () => replace({ ...data, counts: await setQueuePaused(project.id, !counts.paused) }))}
        >
          {counts.paused ? t('queue.resume') : t('queue.pause')}
        </button>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.autoQueue}
            disabled={busy}
            data-testid="queue-auto"
            onChange={(e) => {
              const autoQueue = e.target.checked;
              void run(async () => replace({ ...data, settings: await updateQueueSettings(project.id, { autoQueue }) }));
            }}
          />
          {t('queue.autoQueue')}
        </label>
        <span className={`badge${counts.paused ? ' badge--archived' : ' badge--active'}`} data-testid="queue-state">
          {counts.paused ? t('queue.paused') : t('queue.running')}
        </span>
      </div>
      {error !== null && <ErrorAlert error={error} />}
      {queued && (
        <Alert tone="success" onDismiss={() => setQueued(null)} testId="queue-result">
          {t('queue.result', { queued: queued.queued, already: queued.already, gold: queued.gold })}
        </Alert>
      )}
      <div className="queue-counts" aria-live="polite">
        {COUNTS.map(([label, value, id]) => (
          <div key={id} className="queue-count">
            <span className="queue-count__value" data-testid={`queue-count-${id}`}>
              {value(counts)}
            </span>
            <span className="muted small">{t(label)}</span>
          </div>
        ))}
      </div>
      <form
        className="queue__overlap"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => onProjectChanged?.(await updateProject(project.id, { version: project.version, overlap })));
        }}
      >
        <label className="queue__field">
          <span className="small">{t('queue.overlapNew')}</span>
          <input
            type="number"
            min={1}
            max={20}
            value={overlap}
            onChange={(e) => setOverlap(Math.max(1, Math.min(20, Math.round(Number(e.target.value) || 1))))}
            data-testid="queue-overlap"
          />
        </label>
        <button
          type="submit"
          className="btn btn--small"
          disabled={busy || overlap === project.overlap || project.status === 'archived'}
          data-testid="queue-overlap-save"
        >
          {t('queue.overlapSave')}
        </button>
        <span className="muted small">{t('queue.overlapHint')}</span>
      </form>
      <p className="muted small">{t('queue.help', { overlap: project.overlap })}</p>
      <LeaseList projectId={project.id} annotators={data.annotators} />
    </div>
  );
}
