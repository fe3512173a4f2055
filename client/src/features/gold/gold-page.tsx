import { useCallback, useEffect, useRef, useState } from 'react';
import type { Item, Project, Region } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { getItem, setItemGold } from '../../api/items.ts';
import { getProject } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT, type Translate } from '../../i18n/index.tsx';
import { fieldProblemList, problemText } from '../../ui/field-errors.ts';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import type { EditorStore } from '../../editor/store.ts';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import './gold-page.css';

interface Issue {
  path: string;
  message: string;
}

/** The region an issue path such as `gold.regions[3].points[1]` is about. */
function regionOf(issue: Issue, sent: readonly Region[]): Region | undefined {
  const m = /regions\[(\d+)\]/.exec(issue.path);
  return m ? sent[Number(m[1])] : undefined;
}

/** VALIDATION_FAILED details as a list (messages in the UI language); anything else yields []. */
function issuesOf(t: Translate, error: unknown): Issue[] {
  if (!isApiError(error) || error.code !== 'VALIDATION_FAILED') return [];
  return fieldProblemList(error.details).map(({ path, problem }) => ({ path, message: problemText(t, problem) }));
}

/** A lead's page for writing an item's gold answer with the annotation editor. */
export function GoldPage({ projectId, itemId }: { projectId: string; itemId: string }) {
  const t = useT();
  const [load, reload] = useLoad(
    async (signal) => {
      const [project, item] = await Promise.all([getProject(projectId, signal), getItem(itemId, signal)]);
      return { project, item };
    },
    [projectId, itemId],
  );

  if (!load.data) {
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('app.loading')}</p>}
        <Link to={paths.project(projectId, 'items')}>{t('gold.back')}</Link>
      </div>
    );
  }
  return <GoldEditor key={load.data.item.id} project={load.data.project} initial={load.data.item} />;
}

function GoldEditor({ project, initial }: { project: Project; initial: Item }) {
  const t = useT();
  const [item, setItem] = useState(initial);
  const [regions, setRegions] = useState<Region[]>(() => initial.gold?.regions ?? []);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'saved' | 'cleared' } | { kind: 'error'; error: unknown; sent: readonly Region[] } | null>(
    null,
  );
  const latest = useRef(regions);
  latest.current = regions;
  const store = useRef<EditorStore | null>(null);
  const onReady = useCallback((s: EditorStore) => {
    store.current = s;
  }, []);

  const onChange = useCallback((next: Region[]) => {
    setRegions(next);
    setDirty(true);
    setResult(null);
  }, []);

  const save = useCallback(
    async (clear = false) => {
      setBusy(true);
      setResult(null);
      const sent = latest.current;
      try {
        const updated = await setItemGold(item.id, clear ? null : { regions: sent });
        setItem(updated);
        setDirty(false);
        setResult({ kind: clear ? 'cleared' : 'saved' });
      } catch (error) {
        setResult({ kind: 'error', error, sent });
      } finally {
        setBusy(false);
      }
    },
    [item.id],
  );

  // Ctrl/Cmd+S saves; leaving the page with unsaved changes asks first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (!busy) void save();
      }
    };
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (dirty) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, [busy, dirty, save]);

  const issues = result?.kind === 'error' ? issuesOf(t, result.error) : [];
  const actions = (
    <>
      {dirty && (
        <span className="badge badge--unsaved" data-testid="gold-unsaved">
          {t('gold.unsaved')}
        </span>
      )}
      {item.gold && (
        <button
          type="button"
          className="btn btn--small btn--ghost"
          disabled={busy}
          data-testid="clear-gold"
          onClick={() => {
            if (window.confirm(t('gold.clearConfirm'))) void save(true);
          }}
        >
          {t('gold.clear')}
        </button>
      )}
      <button
        type="button"
        className="btn btn--small btn--primary"
        disabled={busy}
        data-testid="save-gold"
        title="Ctrl+S"
        onClick={() => void save()}
      >
        {busy ? t('common.saving') : t('gold.save')}
      </button>
    </>
  );

  return (
    <div className="gold-page">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(project.id, 'items')}>{project.name}</Link>
        <span aria-hidden="true"> / </span>
        <span>{t('gold.item', { seq: item.seq })}</span>
      </nav>
      <div className="gold-page__head">
        <h1 className="page__title">
          {t('gold.title')} <span className="muted">· {t('gold.item', { seq: item.seq })}</span>
        </h1>
        <span className="muted small" data-testid="gold-status">
          {item.gold ? t('gold.hasGold') : t('gold.noGold')}
        </span>
      </div>
      {result?.kind === 'saved' && (
        <Alert tone="success" onDismiss={() => setResult(null)} testId="gold-saved">
          {t('gold.saved')}
        </Alert>
      )}
      {result?.kind === 'cleared' && (
        <Alert tone="success" onDismiss={() => setResult(null)} testId="gold-saved">
          {t('gold.cleared')}
        </Alert>
      )}
      {result?.kind === 'error' && issues.length > 0 && (
        <Alert tone="error" testId="gold-errors">
          <p className="gold-page__issues-title">{t('gold.invalid')}</p>
          <ul className="gold-page__issues">
            {issues.map((i, n) => {
              const r = result.kind === 'error' ? regionOf(i, result.sent) : undefined;
              return (
                <li key={n}>
                  <code>{i.path}</code> {i.message}
                  {r && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="btn btn--small"
                        data-testid="gold-error-select"
                        onClick={() => store.current?.select([r.id])}
                      >
                        {t('editor.region.select', { name: r.label })}
                      </button>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </Alert>
      )}
      {result?.kind === 'error' && issues.length === 0 && <ErrorAlert error={result.error} testId="gold-errors" />}
      <div className="gold-page__editor">
        <AnnotationEditor
          project={project}
          item={item}
          initialRegions={initial.gold?.regions ?? []}
          onChange={onChange}
          onReady={onReady}
          actions={actions}
        />
      </div>
    </div>
  );
}
