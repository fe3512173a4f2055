import { useEffect, useState } from 'react';
import { useSocket } from '../../app/socket.tsx';
import {
  DATASET_FORMATS,
  SERVER_EVENTS,
  type DatasetProgressPayload,
  type DatasetFormatId,
  type DatasetImportView,
  type ImportAnnotators,
  type ImportAs,
  type LabelDecision,
  type LabelMapping,
  type Project,
} from '@labelwork/core';
import {
  cancelDatasetImport,
  confirmDatasetImport,
  getDatasetImport,
  planDatasetImport,
  previewDatasetImport,
} from '../../api/dataset-imports.ts';
import { ApiError, isApiError } from '../../api/http.ts';
import { useT, type Translate } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import { Alert } from '../../ui/alert.tsx';
import { FileDrop } from './file-drop.tsx';
import { AnnotatorMapping, ImportResultView } from './dataset-import-annotators.tsx';
import './dataset-import.css';

const EXTENSIONS = ['.json', '.zip', '.xml', '.txt', '.jsonl', '.ndjson', '.csv', '.conll', '.tsv', '.bio', '.iob'] as const;
const FORMATS_BY_KIND: Record<Project['kind'], readonly DatasetFormatId[]> = {
  image: ['coco', 'yolo', 'voc', 'cvat', 'labelstudio', 'csv'],
  text: ['jsonl', 'conll', 'labelstudio', 'csv'],
};

type Phase =
  | { phase: 'idle' }
  | { phase: 'uploading'; percent: number }
  | { phase: 'preview'; view: DatasetImportView; mapping: LabelMapping; annotators: ImportAnnotators; busy: boolean; error: unknown }
  | { phase: 'storing'; view: DatasetImportView }
  | { phase: 'done'; view: DatasetImportView }
  | { phase: 'failed'; error: unknown }
  | { phase: 'cancelled' };

/** Where a malformed file went wrong, from BAD_IMPORT's `details.error` (file, and line or element). */
function errorPlace(error: unknown): string | null {
  if (!isApiError(error) || typeof error.details !== 'object' || error.details === null || !('error' in error.details)) return null;
  const e = error.details.error as { file?: unknown; line?: unknown; element?: unknown; message?: unknown };
  if (typeof e.file !== 'string') return null;
  const at = typeof e.line === 'number' ? `:${e.line}` : typeof e.element === 'string' ? ` (${e.element})` : '';
  return `${e.file}${at}${typeof e.message === 'string' ? ` — ${e.message}` : ''}`;
}

const decisionValue = (d: LabelDecision) => (d.action === 'map' ? `map:${d.to}` : d.action);
const decisionOf = (v: string): LabelDecision =>
  v.startsWith('map:') ? { action: 'map', to: v.slice(4) } : v === 'add' ? { action: 'add' } : { action: 'drop' };

function ImportError({ t, error }: { t: Translate; error: unknown }) {
  const place = errorPlace(error);
  return (
    <Alert tone="error" testId="dataset-import-error">
      {errorText(t, error)}
      {place && <div data-testid="dataset-import-error-place">{place}</div>}
    </Alert>
  );
}

/**
 * Existing annotations into the project (leads): a dataset file or a zip of images and annotations,
 * in any registered format, as predictions, gold answers or finished annotations of members. The server answers with a preview
 * (label mapping, counts, refusals); nothing is stored until Confirm.
 */
export function DatasetImport({ project, onImported }: { project: Project; onImported: () => void }) {
  const t = useT();
  const formats = FORMATS_BY_KIND[project.kind].filter((f) => DATASET_FORMATS.includes(f));
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<DatasetFormatId>(formats[0]!);
  const [as, setAs] = useState<ImportAs>('predictions');
  const [state, setState] = useState<Phase>({ phase: 'idle' });
  const archived = project.status === 'archived';
  const socket = useSocket();
  const storingId = state.phase === 'storing' ? state.view.id : null;

  // Live progress of the workers' dataset-import job (the 1 s poll stays as the fallback and says when it ends).
  useEffect(() => {
    if (!socket || !storingId) return;
    const onProgress = (p: DatasetProgressPayload) => {
      if (p.kind !== 'import' || p.id !== storingId) return;
      setState((s) =>
        s.phase === 'storing' && s.view.id === p.id ? { phase: 'storing', view: { ...s.view, done: p.done, total: p.total } } : s,
      );
    };
    socket.on(SERVER_EVENTS.datasetProgress, onProgress);
    return () => {
      socket.off(SERVER_EVENTS.datasetProgress, onProgress);
    };
  }, [socket, storingId]);

  const preview = () => {
    if (!file) return;
    const form = new FormData();
    form.append('format', format);
    form.append('as', as);
    form.append('file', file, file.name);
    setState({ phase: 'uploading', percent: 0 });
    const up = previewDatasetImport(project.id, form, (p) =>
      setState({ phase: 'uploading', percent: Math.round((100 * p.loaded) / p.total) }),
    );
    up.result.then(
      (r) => setState({ phase: 'preview', view: r.import, mapping: {}, annotators: { bySource: {} }, busy: false, error: null }),
      (error: unknown) => setState({ phase: 'failed', error }),
    );
  };

  const remap = (label: string, value: string) => {
    if (state.phase !== 'preview') return;
    const mapping = { ...state.mapping, [label]: decisionOf(value) };
    setState({ ...state, mapping, busy: true, error: null });
    planDatasetImport(project.id, state.view.id, mapping).then(
      (view) => setState({ phase: 'preview', view, mapping, annotators: state.annotators, busy: false, error: null }),
      (error: unknown) => setState({ ...state, mapping, busy: false, error }),
    );
  };

  const confirm = () => {
    if (state.phase !== 'preview') return;
    setState({ ...state, busy: true, error: null });
    const finished = (view: DatasetImportView) => {
      if (view.status === 'cancelled') {
        setState({ phase: 'cancelled' });
        return;
      }
      if (view.status === 'failed') {
        setState({ phase: 'failed', error: new ApiError(500, 'BAD_IMPORT', view.error?.message ?? '') });
        return;
      }
      setState({ phase: 'done', view });
      setFile(null);
      onImported();
    };
    // A large import is stored after the confirm answers (status running): follow its progress.
    const follow = (view: DatasetImportView) => {
      if (view.status !== 'running') return finished(view);
      setState({ phase: 'storing', view });
      setTimeout(() => {
        getDatasetImport(project.id, view.id).then(follow, (error: unknown) => setState({ phase: 'failed', error }));
      }, 1000);
    };
    const annotators = state.view.as === 'annotations' ? state.annotators : undefined;
    confirmDatasetImport(project.id, state.view.id, state.mapping, annotators).then(follow, (error: unknown) =>
      setState({ ...state, busy: false, error }),
    );
  };

  const busy = state.phase === 'uploading' || state.phase === 'storing' || (state.phase === 'preview' && state.busy);
  return (
    <div className="import dataset-import" data-testid="dataset-import">
      <h2 className="section-title">{t('datasetImport.title')}</h2>
      <p className="muted">{t('datasetImport.hint')}</p>
      <FileDrop
        extensions={EXTENSIONS}
        multiple={false}
        disabled={archived || busy}
        chooseLabel={t('datasetImport.choose')}
        dropLabel={t('datasetImport.dropzone')}
        hint={t('datasetImport.fileHint')}
        testId="dataset-import-input"
        onFiles={(accepted) => {
          setFile(accepted[0] ?? null);
          setState({ phase: 'idle' });
        }}
      />
      {file && <div data-testid="dataset-import-file">{file.name}</div>}
      <div className="dataset-import__options">
        <label>
          {t('datasetImport.format')}{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as DatasetFormatId)}
            disabled={busy}
            data-testid="dataset-import-format"
          >
            {formats.map((f) => (
              <option key={f} value={f}>
                {t(`datasetImport.format.${f}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('datasetImport.as')}{' '}
          <select value={as} onChange={(e) => setAs(e.target.value as ImportAs)} disabled={busy} data-testid="dataset-import-as">
            <option value="predictions">{t('datasetImport.as.predictions')}</option>
            <option value="gold">{t('datasetImport.as.gold')}</option>
            <option value="annotations">{t('datasetImport.as.annotations')}</option>
          </select>
        </label>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={preview} disabled={!file || busy || archived} data-testid="dataset-import-preview">
          {t('datasetImport.preview')}
        </button>
      </div>
      {state.phase === 'uploading' && <div data-testid="dataset-import-uploading">{t('import.uploading', { percent: state.percent })}</div>}
      {state.phase === 'failed' && <ImportError t={t} error={state.error} />}
      {state.phase === 'storing' && (
        <div data-testid="dataset-import-storing">
          <progress max={Math.max(1, state.view.total)} value={state.view.done} />{' '}
          {t('datasetImport.storing', { done: state.view.done, total: state.view.total })}{' '}
          <button
            type="button"
            className="btn btn--small"
            disabled={state.view.cancelRequested === true}
            onClick={() => {
              const view = state.view;
              cancelDatasetImport(project.id, view.id).then(
                (v) => setState({ phase: 'storing', view: v }),
                (error: unknown) => setState({ phase: 'failed', error }),
              );
            }}
            data-testid="dataset-import-cancel"
          >
            {t('datasetImport.cancel')}
          </button>
        </div>
      )}
      {state.phase === 'cancelled' && (
        <Alert tone="info" testId="dataset-import-cancelled">
          {t('datasetImport.cancelled')}
        </Alert>
      )}
      {state.phase === 'done' && (
        <Alert
          tone={state.view.result && state.view.as === 'annotations' && state.view.result.stored === 0 ? 'warning' : 'success'}
          testId="dataset-import-done"
        >
          {/* Imported as annotations, the result says what was stored and skipped; the preview's region count would overstate it. */}
          {state.view.result && state.view.as === 'annotations' ? (
            <ImportResultView t={t} result={state.view.result} />
          ) : (
            t('datasetImport.done', { regions: state.view.preview.regions.accepted, items: state.view.done })
          )}
        </Alert>
      )}
      {state.phase === 'preview' && (
        <PreviewView
          t={t}
          project={project}
          view={state.view}
          mapping={state.mapping}
          busy={state.busy}
          onRemap={remap}
          onConfirm={confirm}
          annotators={state.annotators}
          onAnnotators={(annotators) => setState({ ...state, annotators })}
          error={state.error}
        />
      )}
    </div>
  );
}

function PreviewView(props: {
  t: Translate;
  project: Project;
  view: DatasetImportView;
  mapping: LabelMapping;
  busy: boolean;
  error: unknown;
  onRemap: (label: string, value: string) => void;
  onConfirm: () => void;
  annotators: ImportAnnotators;
  onAnnotators: (a: ImportAnnotators) => void;
}) {
  const { t, project, view, busy } = props;
  const p = view.preview;
  // Importing as annotations: every annotator of the file needs a member.
  const unmapped =
    view.as === 'annotations' &&
    (p.annotators ?? []).some(
      (a) =>
        !(props.annotators.placeholders ?? []).includes(a.name) &&
        !(a.name === '' ? props.annotators.default : props.annotators.bySource[a.name]),
    );
  return (
    <div className="dataset-import__preview" data-testid="dataset-import-summary">
      <p data-testid="dataset-import-counts">
        {t('datasetImport.counts', {
          items: p.items.total,
          matched: p.items.matched,
          new: p.items.new,
          missing: p.items.missing,
          regions: p.regions.total,
          accepted: p.regions.accepted,
          refused: p.regions.refused,
          dropped: p.regions.dropped,
        })}
      </p>
      <table className="table" data-testid="dataset-import-labels">
        <thead>
          <tr>
            <th>{t('datasetImport.col.label')}</th>
            <th>{t('datasetImport.col.status')}</th>
            <th>{t('datasetImport.col.regions')}</th>
            <th>{t('datasetImport.col.decision')}</th>
          </tr>
        </thead>
        <tbody>
          {p.labels.map((l) => (
            <tr key={l.name} data-testid={`dataset-import-label-${l.name}`}>
              <td>{l.name}</td>
              <td data-testid="dataset-import-label-status">{t(`datasetImport.status.${l.status}`)}</td>
              <td>{t('datasetImport.labelCounts', { regions: l.regions, accepted: l.accepted, refused: l.refused })}</td>
              <td>
                <select
                  value={decisionValue(l.decision)}
                  disabled={busy}
                  onChange={(e) => props.onRemap(l.name, e.target.value)}
                  data-testid="dataset-import-label-decision"
                  aria-label={t('datasetImport.col.decision')}
                >
                  {project.labelSchema.labels.map((s) => (
                    <option key={s.name} value={`map:${s.name}`}>
                      {t('datasetImport.decision.map', { label: s.name })}
                    </option>
                  ))}
                  {l.status !== 'matched' && <option value="add">{t('datasetImport.decision.add')}</option>}
                  <option value="drop">{t('datasetImport.decision.drop')}</option>
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.mappingIssues.length > 0 && (
        <Alert tone="error" testId="dataset-import-mapping-issues">
          <ul>
            {p.mappingIssues.map((i) => (
              <li key={`${i.label}:${i.reason}`}>{t('datasetImport.mappingIssue', { label: i.label, message: i.message })}</li>
            ))}
          </ul>
        </Alert>
      )}
      {p.refusals.length > 0 && (
        <details data-testid="dataset-import-refusals">
          <summary>{t('datasetImport.refused', { n: p.regions.refused + p.items.missing + p.items.ambiguous })}</summary>
          <ul>
            {p.refusals.map((r, i) => (
              <li key={i}>
                {r.item}
                {r.region !== undefined ? ` #${r.region + 1}` : ''}: {r.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      {view.as === 'annotations' && (
        <AnnotatorMapping
          t={t}
          project={project}
          sources={p.annotators ?? []}
          fileName={view.fileName}
          value={props.annotators}
          disabled={busy}
          onChange={props.onAnnotators}
        />
      )}
      {props.error !== null && <ImportError t={t} error={props.error} />}
      <div className="form-actions">
        <button
          type="button"
          className="btn btn--primary"
          onClick={props.onConfirm}
          disabled={busy || p.mappingIssues.length > 0 || unmapped}
          data-testid="dataset-import-confirm"
        >
          {t('datasetImport.confirm')}
        </button>
      </div>
    </div>
  );
}
