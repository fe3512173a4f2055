import { useEffect, useState } from 'react';
import {
  SERVER_EVENTS,
  type DatasetFormatId,
  type DatasetProgressPayload,
  type ExportRecord,
  type ExportSelection,
  type Project,
  type SnapshotChangelog,
  type SnapshotRecord,
} from '@labelwork/core';
import {
  cancelExport,
  createSnapshot,
  diffSnapshots,
  exportDownloadUrl,
  listExports,
  listSnapshots,
  startExport,
} from '../../api/datasets.ts';
import { useSocket } from '../../app/socket.tsx';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { SnapshotBranch } from './snapshot-branch.tsx';
import './datasets-tab.css';

const FORMATS_BY_KIND: Record<Project['kind'], readonly DatasetFormatId[]> = {
  image: ['coco', 'yolo', 'voc', 'cvat', 'labelstudio', 'jsonl', 'csv'],
  text: ['jsonl', 'conll', 'labelstudio', 'csv'],
};
const SELECTIONS: readonly ExportSelection[] = ['consensus', 'all', 'accepted', 'gold'];
const ACTIVE = new Set(['queued', 'running', 'building']);

/**
 * The project's Datasets tab (managers): start an export (format, what goes out, images, from the
 * project now or a snapshot) with a live progress bar (`dataset:progress` over the socket, the list
 * polled as a fallback while something runs), cancel, download; freeze snapshots with a release
 * note, see each one's changelog and compare two. See docs/datasets.md.
 */
export function DatasetsTab({ project }: { project: Project }) {
  const t = useT();
  const socket = useSocket();
  const [exports, reloadExports, replaceExports] = useLoad((signal) => listExports(project.id, signal), [project.id]);
  const [snapshots, reloadSnapshots] = useLoad((signal) => listSnapshots(project.id, signal), [project.id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formats = FORMATS_BY_KIND[project.kind];
  const [format, setFormat] = useState<DatasetFormatId>(formats[0]!);
  const [selection, setSelection] = useState<ExportSelection>('consensus');
  const [images, setImages] = useState<'reference' | 'include'>('reference');
  const [from, setFrom] = useState('');
  const [note, setNote] = useState('');
  const [diff, setDiff] = useState<{ a: SnapshotRecord; b: SnapshotRecord; log: SnapshotChangelog } | null>(null);
  const [pick, setPick] = useState<string[]>([]);

  const running = (exports.data ?? []).some((e) => ACTIVE.has(e.status)) || (snapshots.data ?? []).some((s) => ACTIVE.has(s.status));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      reloadExports();
      reloadSnapshots();
    }, 2000);
    return () => clearInterval(timer);
  }, [running, reloadExports, reloadSnapshots]);

  // Live progress: patch the export in the list; a finished one or a snapshot reloads its list.
  useEffect(() => {
    if (!socket) return;
    const onProgress = (p: DatasetProgressPayload) => {
      if (p.projectId !== project.id || p.kind === 'import' || p.kind === 'restore') return;
      if (p.kind === 'snapshot') {
        if (!ACTIVE.has(p.status)) reloadSnapshots();
        return;
      }
      if (!ACTIVE.has(p.status)) return reloadExports();
      if (exports.data)
        replaceExports(
          exports.data.map((e) => (e.id === p.id ? { ...e, status: p.status as ExportRecord['status'], done: p.done, total: p.total } : e)),
        );
    };
    socket.on(SERVER_EVENTS.datasetProgress, onProgress);
    return () => {
      socket.off(SERVER_EVENTS.datasetProgress, onProgress);
    };
  }, [socket, project.id, exports.data, replaceExports, reloadExports, reloadSnapshots]);

  const act = async (f: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      after();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const complete = (snapshots.data ?? []).filter((s) => s.status === 'complete');

  return (
    <div className="datasets" data-testid="datasets-tab">
      {error !== null && <ErrorAlert error={error} testId="datasets-error" />}
      <h2 className="section-title">{t('datasets.exports')}</h2>
      <div className="datasets__options">
        <label>
          {t('datasets.format')}{' '}
          <select value={format} onChange={(e) => setFormat(e.target.value as DatasetFormatId)} data-testid="export-format">
            {formats.map((f) => (
              <option key={f} value={f}>
                {t(`datasetImport.format.${f}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('datasets.annotations')}{' '}
          <select value={selection} onChange={(e) => setSelection(e.target.value as ExportSelection)} data-testid="export-selection">
            {SELECTIONS.map((s) => (
              <option key={s} value={s}>
                {t(`datasets.sel.${s}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        {project.kind === 'image' && (
          <label>
            {t('datasets.images')}{' '}
            <select value={images} onChange={(e) => setImages(e.target.value as 'reference' | 'include')} data-testid="export-images">
              <option value="reference">{t('datasets.images.reference')}</option>
              <option value="include">{t('datasets.images.include')}</option>
            </select>
          </label>
        )}{' '}
        <label>
          {t('datasets.from')}{' '}
          <select value={from} onChange={(e) => setFrom(e.target.value)} data-testid="export-from">
            <option value="">{t('datasets.from.live')}</option>
            {complete.map((s) => (
              <option key={s.id} value={s.id}>
                #{s.number} v{s.version}
              </option>
            ))}
          </select>
        </label>{' '}
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy}
          data-testid="export-start"
          onClick={() =>
            void act(
              () => startExport(project.id, { format, annotations: selection, images, ...(from ? { snapshotId: from } : {}) }),
              reloadExports,
            )
          }
        >
          {t('datasets.start')}
        </button>
      </div>
      {exports.status === 'error' && <ErrorAlert error={exports.error} onRetry={reloadExports} />}
      {exports.data && exports.data.length === 0 && (
        <p className="muted" data-testid="exports-empty">
          {t('datasets.noExports')}
        </p>
      )}
      <ul className="datasets__list">
        {exports.data?.map((e) => (
          <ExportRow
            key={e.id}
            record={e}
            projectId={project.id}
            snapshot={snapshots.data?.find((s) => s.id === e.snapshotId) ?? null}
            onCancel={() => void act(() => cancelExport(project.id, e.id), reloadExports)}
          />
        ))}
      </ul>

      <h2 className="section-title">{t('datasets.snapshots')}</h2>
      <div className="datasets__options">
        <label className="datasets__note">
          {t('datasets.note')}
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={5000} data-testid="snapshot-note" />
        </label>
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy}
          data-testid="snapshot-freeze"
          onClick={() =>
            void act(
              () => createSnapshot(project.id, note.trim()),
              () => {
                setNote('');
                reloadSnapshots();
              },
            )
          }
        >
          {t('datasets.freeze')}
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy || pick.length !== 2}
          data-testid="snapshot-compare"
          onClick={() => {
            const [a, b] = pick.map((id) => complete.find((s) => s.id === id)!).sort((x, y) => x.number - y.number);
            void act(
              async () => setDiff({ a: a!, b: b!, log: await diffSnapshots(project.id, a!.id, b!.id) }),
              () => undefined,
            );
          }}
        >
          {t('datasets.diff')}
        </button>
      </div>
      {snapshots.data && snapshots.data.length === 0 && (
        <p className="muted" data-testid="snapshots-empty">
          {t('datasets.noSnapshots')}
        </p>
      )}
      <ul className="datasets__list">
        {snapshots.data?.map((s) => (
          <li key={s.id} className="datasets__row" data-testid="snapshot-row" data-status={s.status} data-version={s.version ?? ''}>
            <div>
              {s.status === 'complete' && (
                <input
                  type="checkbox"
                  checked={pick.includes(s.id)}
                  onChange={(e) => setPick((p) => (e.target.checked ? [...p, s.id].slice(-2) : p.filter((x) => x !== s.id)))}
                  data-testid="snapshot-pick"
                />
              )}{' '}
              <strong>
                #{s.number} {s.version ? `v${s.version}` : ''}
              </strong>{' '}
              <span className={`badge datasets__status datasets__status--${s.status}`}>{t(`datasets.status.${s.status}`)}</span>{' '}
              {s.counts && (
                <span className="muted small" data-testid="snapshot-counts">
                  {t('datasets.counts', { items: s.counts.items, regions: s.counts.regions })}
                  {(s.counts.goldRegions ?? 0) + (s.counts.consensusRegions ?? 0) > 0 && (
                    <>
                      {' · '}
                      {t('datasets.counts.frozenToo', { gold: s.counts.goldRegions ?? 0, consensus: s.counts.consensusRegions ?? 0 })}
                    </>
                  )}
                </span>
              )}
              {s.hash && <code className="muted small datasets__hash"> {s.hash.slice(0, 12)}</code>}
              {s.note && <div className="datasets__release-note">{s.note}</div>}
              {s.status === 'complete' && <SnapshotBranch project={project} snapshot={s} />}
              {s.changelog && (
                <details>
                  <summary>{t('datasets.changelog')}</summary>
                  <Changelog log={s.changelog} />
                </details>
              )}
            </div>
          </li>
        ))}
      </ul>
      {diff && (
        <section className="datasets__diff" data-testid="snapshot-diff">
          <h3>{t('datasets.diffOf', { a: `v${diff.a.version}`, b: `v${diff.b.version}` })}</h3>
          <Changelog log={diff.log} />
        </section>
      )}
    </div>
  );
}

function ExportRow({
  record: e,
  projectId,
  snapshot,
  onCancel,
}: {
  record: ExportRecord;
  projectId: string;
  snapshot: SnapshotRecord | null;
  onCancel(): void;
}) {
  const t = useT();
  const pct = e.total > 0 ? Math.min(100, Math.round((e.done / e.total) * 100)) : 0;
  return (
    <li className="datasets__row" data-testid="export-row" data-status={e.status} data-format={e.format}>
      <div>
        <strong>{t(`datasetImport.format.${e.format as DatasetFormatId}`)}</strong>{' '}
        <span className="muted small">
          {t(`datasets.sel.${e.options.annotations}`)}
          {snapshot ? ` · #${snapshot.number} v${snapshot.version}` : ''}
        </span>{' '}
        <span className={`badge datasets__status datasets__status--${e.status}`} data-testid="export-status">
          {t(`datasets.status.${e.status}`)}
        </span>
        {ACTIVE.has(e.status) && (
          <progress className="datasets__progress" max={100} value={pct} data-testid="export-progress" aria-label={`${pct}%`} />
        )}
        {e.error && <div className="muted small">{e.error}</div>}
      </div>
      <div className="datasets__actions">
        {ACTIVE.has(e.status) && (
          <button type="button" className="btn btn--small" onClick={onCancel} data-testid="export-cancel">
            {t('datasets.cancel')}
          </button>
        )}
        {e.status === 'complete' && (
          <a
            className="btn btn--small"
            href={exportDownloadUrl(projectId, e.id)}
            download={e.fileName ?? undefined}
            data-testid="export-download"
          >
            {t('datasets.download')}
          </a>
        )}
      </div>
    </li>
  );
}

const counts = (c: { added: number; changed: number; removed: number }) => ({ added: c.added, changed: c.changed, removed: c.removed });

function Changelog({ log }: { log: SnapshotChangelog }) {
  const t = useT();
  return (
    <div className="small" data-testid="changelog">
      <div>{t('datasets.items', counts(log.items))}</div>
      <div>{t('datasets.regions', counts(log.regions))}</div>
      {(log.labels.added.length > 0 || log.labels.removed.length > 0 || log.labels.changed.length > 0) && (
        <div>
          {t('datasets.labels', {
            added: log.labels.added.join(', ') || '—',
            removed: log.labels.removed.join(', ') || '—',
            changed: log.labels.changed.join(', ') || '—',
          })}
        </div>
      )}
      <ul>
        {Object.entries(log.regionsByLabel).map(([label, c]) => (
          <li key={label}>{t('datasets.byLabel', { label, added: c.added, changed: c.changed, removed: c.removed })}</li>
        ))}
      </ul>
    </div>
  );
}
