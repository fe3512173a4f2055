import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SERVER_EVENTS, type Project, type ReviewComment, type ReworkTask, type User } from '@labelwork/core';
import { getProject } from '../../api/projects.ts';
import { listRework, submitRework } from '../../api/review.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import type { EditorStore } from '../../editor/store.ts';
import { useI18n, useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import { isMac } from '../editor/keyboard.ts';
import { anchorText, formatTime, pinsOf, taskItemLabel } from './format.ts';
import { PresenceChips, usePresence } from './presence.tsx';
import { CommentList } from './comments.tsx';
import './review.css';

/** The annotator's rejected work in a project: the list, and one item opened with the reviewer's comments at their regions. */
export function ReworkPage({ projectId, user }: { projectId: string; user: User }) {
  const t = useT();
  const { lang } = useI18n();
  const socket = useSocket();
  const [project] = useLoad((signal) => getProject(projectId, signal), [projectId]);
  const [list, reload] = useLoad((signal) => listRework(projectId, signal), [projectId]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  // A new verdict or comment on my work: the list may have changed.
  useEffect(() => {
    if (!socket) return;
    const on = (p: { projectId: string }) => {
      if (p.projectId === projectId) reload();
    };
    socket.on(SERVER_EVENTS.reviewVerdict, on);
    socket.on(SERVER_EVENTS.reviewComment, on);
    // Verdicts and comments given while disconnected: read the list again on reconnect.
    socket.on('connect', reload);
    return () => {
      socket.off(SERVER_EVENTS.reviewVerdict, on);
      socket.off(SERVER_EVENTS.reviewComment, on);
      socket.off('connect', reload);
    };
  }, [socket, projectId, reload]);

  const tasks = list.data ?? [];
  const open = tasks.find((x) => x.taskId === openId) ?? null;
  return (
    <div className="page page--wide" data-testid="rework-page">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(projectId)}>{project.data?.name ?? '…'}</Link>
        <span aria-hidden="true"> / </span>
        <span>{t('rework.title')}</span>
      </nav>
      <h1 className="page__title">{t('rework.title')}</h1>
      {done && (
        <Alert tone="success" onDismiss={() => setDone(false)} testId="rework-done">
          {t('rework.submitted')}
        </Alert>
      )}
      {list.status === 'error' && <ErrorAlert error={list.error} onRetry={reload} />}
      {open && project.data ? (
        <ReworkItem
          key={open.taskId}
          project={project.data}
          task={open}
          user={user}
          onBack={() => setOpenId(null)}
          onSubmitted={() => {
            setOpenId(null);
            setDone(true);
            reload();
          }}
        />
      ) : list.data === undefined ? (
        <p className="muted">{t('rework.loading')}</p>
      ) : tasks.length === 0 ? (
        <p className="empty" data-testid="rework-empty">
          {t('rework.empty')}
        </p>
      ) : (
        <ul className="rework__list" data-testid="rework-list">
          {tasks.map((x) => (
            <li key={x.taskId} className="card rework__row" data-testid="rework-row" data-task-id={x.taskId} data-item-id={x.itemId}>
              <div>
                <div className="mono small">
                  {t('rework.item', { id: taskItemLabel(x.itemId, x.item), time: formatTime(lang, x.rejectedAt) })}
                </div>
                {x.comments.map((c) => (
                  <div key={c.id} className="small">
                    <span className="review__anchor">{anchorText(t, c.anchor, x.regions)}</span>: {c.text}
                  </div>
                ))}
              </div>
              <button type="button" className="btn btn--primary" onClick={() => setOpenId(x.taskId)} data-testid="rework-open">
                {t('rework.edit')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReworkItem({
  project,
  task,
  user,
  onBack,
  onSubmitted,
}: {
  project: Project;
  task: ReworkTask;
  user: User;
  onBack: () => void;
  onSubmitted: () => void;
}) {
  const t = useT();
  const present = usePresence(task.projectId, task.itemId);
  // The reviewer's comments as numbered pins on their boxes and spans; new ones arrive live (the list reloads).
  const pins = useMemo(() => pinsOf(task.comments), [task.comments]);
  useEffect(() => store.current?.setPins(pins), [pins]);
  const store = useRef<EditorStore | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const regionIds = new Set(task.regions.map((r) => r.id));

  const show = (c: ReviewComment) => {
    const s = store.current;
    if (!s) return;
    if (c.anchor.kind === 'region' && regionIds.has(c.anchor.regionId)) s.select([c.anchor.regionId]);
    else if (c.anchor.kind === 'span') s.setTextSelection({ anchor: c.anchor.start, focus: c.anchor.end });
  };
  const onReady = useCallback(
    (s: EditorStore) => {
      store.current = s;
      s.setPins(pinsOf(task.comments));
      // Open at the first comment's region so the reviewer's point is in view.
      const first = task.comments.find((c) => c.anchor.kind === 'region' && regionIds.has(c.anchor.regionId));
      if (first && first.anchor.kind === 'region') s.select([first.anchor.regionId]);
    },
    // The editor is rebuilt for a new task only (the region ids and pins it reads belong to it).
    [task],
  );

  const busyRef = useRef(false);
  const submit = async () => {
    if (busyRef.current || !task.item) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    try {
      await submitRework(task.projectId, task.taskId, task.version, store.current?.answer() ?? task.regions);
      onSubmitted();
    } catch (e) {
      setError(e);
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };
  const submitRef = useRef(submit);
  submitRef.current = submit;

  // Ctrl+Enter (⌘↵) submits, as in the workspace, wherever focus is (capture phase; dialogs keep their keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || document.querySelector('dialog[open]')) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      if (!mod || e.altKey || e.shiftKey || e.key !== 'Enter') return;
      e.preventDefault();
      void submitRef.current();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  return (
    <div className="review" data-testid="rework-item" data-task-id={task.taskId}>
      <div className="review__meta small">
        <PresenceChips users={present} me={user.id} />
      </div>
      <div className="review__body">
        <div className="review__editor">
          {task.item ? (
            <AnnotationEditor project={project} item={task.item} initialRegions={task.regions} onReady={onReady} />
          ) : (
            <Alert tone="warning">{t('rework.noItem')}</Alert>
          )}
        </div>
        <aside className="review__side">
          <section className="card review__section">
            <h2 className="section-title">{t('review.comments')}</h2>
            <CommentList comments={task.comments} t={t} regions={task.regions} onShow={show} />
          </section>
          {error !== null && <ErrorAlert error={error} />}
          <div className="review__verdicts">
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy || !task.item}
              onClick={() => void submit()}
              data-testid="rework-submit"
              aria-keyshortcuts={isMac ? 'Meta+Enter' : 'Control+Enter'}
              title={`${t('rework.submit')} (${isMac ? '⌘' : 'Ctrl+'}Enter)`}
            >
              {t('rework.submit')}{' '}
              <kbd className="kbd-hint" aria-hidden="true">
                {isMac ? '⌘' : 'Ctrl+'}↵
              </kbd>
            </button>
            <button type="button" className="btn" onClick={onBack} data-testid="rework-back">
              {t('rework.back')}
            </button>
          </div>
        </aside>
      </div>
    </div>
  );
}
