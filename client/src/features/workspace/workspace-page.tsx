import { useCallback, useEffect, useRef, useState } from 'react';
import { SERVER_EVENTS, type LeaseAssignedPayload, type LeaseEndedPayload, type User } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { leaseHeartbeat } from '../../api/socket.ts';
import { heartbeatTask } from '../../api/tasks.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import { isMac } from '../editor/keyboard.ts';
import { GuidelineDocument } from '../project/guideline-tab.tsx';
import { useShadowSource } from '../shadow/use-shadow-source.ts';
import { WatchedChip } from '../shadow/watched-chip.tsx';
import { afterNextFrame, Autosaver } from './autosaver.ts';
import { LeaseKeeper, type BeatAnswer } from './lease-keeper.ts';
import { LeaseWarning } from './lease-warning.tsx';
import { SaveIndicator } from './save-indicator.tsx';
import { SkipDialog } from './skip-dialog.tsx';
import { TaskTimer } from './task-timer.tsx';
import { AssistNotice, useAssist } from './use-assist.tsx';
import { useWorkSession } from './use-work-session.ts';
import { WorkNotice } from './work-notice.tsx';
import { WorkStatus } from './work-status.tsx';
import './workspace.css';

const GUIDE_KEY = 'labelwork.workspace.guideline';
const MOD = isMac ? '⌘' : 'Ctrl+';

function storedGuideOpen(): boolean {
  try {
    return localStorage.getItem(GUIDE_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * The annotator's page (/projects/:id/work): next task → edit → submit, skip or release, with
 * autosave to the device and the server, a lease heartbeat, a timer and the guideline at hand.
 */
export function WorkspacePage({ projectId, user }: { projectId: string; user: User }) {
  const t = useT();
  const session = useWorkSession(user.id, projectId);
  const { phase, project, outbox } = session;
  const socket = useSocket();
  const [guideOpen, setGuideOpen] = useState(storedGuideOpen);
  const [skipOpen, setSkipOpen] = useState(false);
  const store = useRef<EditorStore | null>(null);
  const work = phase.kind === 'working' ? phase.work : null;
  const task = work?.task ?? null;
  const leaseId = task?.leaseId ?? null;
  // Shadowing: a lead may watch this canvas (read-only); the chip says so while they do.
  const shadow = useShadowSource(socket, projectId);
  const taskRef = useRef(task);
  taskRef.current = task;

  // The latest of everything the long-lived listeners below need, without re-subscribing them.
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const socketRef = useRef(socket);
  socketRef.current = socket;

  // One autosaver and one lease keeper per lease, made and ended by effects (so StrictMode's
  // mount–unmount–mount never leaves a disposed one in use).
  const [autosaver, setAutosaver] = useState<Autosaver | null>(null);
  useEffect(() => {
    if (!task || !outbox) return setAutosaver(null);
    const a = new Autosaver(outbox, { projectId, leaseId: task.leaseId, itemId: task.item.id }, task.draft?.savedAt ?? null, {
      afterPaint: afterNextFrame,
    });
    setAutosaver(a);
    return () => void a.dispose(true);
    // The task object is replaced when the same lease is confirmed again; the lease is what counts.
  }, [leaseId, outbox]);

  const [keeper, setKeeper] = useState<LeaseKeeper | null>(null);
  useEffect(() => {
    if (!task) return setKeeper(null);
    const beat = async (id: string): Promise<BeatAnswer> => {
      const s = socketRef.current;
      if (s?.connected) {
        try {
          await leaseHeartbeat(s, id);
          return { ok: true };
        } catch (e) {
          // The server's answer counts; no answer (TIMEOUT, status 0) falls back to HTTP.
          if (isApiError(e) && e.status !== 0) return { ok: false, code: e.code };
        }
      }
      try {
        await heartbeatTask(id);
        return { ok: true };
      } catch (e) {
        return { ok: false, code: isApiError(e) ? e.code : 'NETWORK' };
      }
    };
    const k = new LeaseKeeper(task, beat, (reason) => sessionRef.current.leaseEnded(reason));
    k.start();
    setKeeper(k);
    let lastMove = 0;
    const active = () => k.activity();
    const moved = () => {
      const now = Date.now();
      if (now - lastMove > 1000) {
        lastMove = now;
        k.activity();
      }
    };
    window.addEventListener('keydown', active, true);
    window.addEventListener('pointerdown', active, true);
    window.addEventListener('wheel', active, { capture: true, passive: true });
    window.addEventListener('pointermove', moved, { capture: true, passive: true });
    return () => {
      k.stop();
      window.removeEventListener('keydown', active, true);
      window.removeEventListener('pointerdown', active, true);
      window.removeEventListener('wheel', active, true);
      window.removeEventListener('pointermove', moved, true);
    };
  }, [leaseId]);

  // Saved drafts count as heartbeats and tell the autosaver what the server has.
  useEffect(() => {
    if (!outbox || !autosaver || !keeper || !leaseId) return;
    return outbox.onOutcome((o) => {
      if (o.kind !== 'draft-saved' || o.entry.leaseId !== leaseId) return;
      autosaver.confirmed(o.savedAt);
      keeper.extended(Date.now() - 1000);
    });
  }, [outbox, autosaver, keeper, leaseId]);

  // Autosave when the page is hidden or closed.
  useEffect(() => {
    if (!autosaver) return;
    const hidden = () => document.visibilityState === 'hidden' && autosaver.exit();
    const exit = () => autosaver.exit();
    document.addEventListener('visibilitychange', hidden);
    window.addEventListener('pagehide', exit);
    return () => {
      document.removeEventListener('visibilitychange', hidden);
      window.removeEventListener('pagehide', exit);
    };
  }, [autosaver]);

  const leaseIdRef = useRef(leaseId);
  leaseIdRef.current = leaseId;
  const keeperRef = useRef(keeper);
  keeperRef.current = keeper;

  // Realtime: the lease ended elsewhere, a lead assigned a task, the connection came back.
  useEffect(() => {
    if (!socket) return;
    const ended = (p: LeaseEndedPayload) => {
      if (p.leaseId === leaseIdRef.current) keeperRef.current?.ended(p.reason);
    };
    const assigned = (p: LeaseAssignedPayload) => {
      if (p.projectId === projectId && sessionRef.current.phase.kind !== 'working') void sessionRef.current.next();
    };
    const connected = () => sessionRef.current.reconnected();
    socket.on(SERVER_EVENTS.leaseEnded, ended);
    socket.on(SERVER_EVENTS.leaseAssigned, assigned);
    socket.on('connect', connected);
    window.addEventListener('online', connected);
    return () => {
      socket.off(SERVER_EVENTS.leaseEnded, ended);
      socket.off(SERVER_EVENTS.leaseAssigned, assigned);
      socket.off('connect', connected);
      window.removeEventListener('online', connected);
    };
  }, [socket, projectId]);

  const submit = useCallback(async () => {
    const s = store.current;
    if (!s || !autosaver || sessionRef.current.busy) return;
    await autosaver.discardPending();
    await sessionRef.current.submit(s.answer());
  }, [autosaver]);

  const toggleGuide = useCallback(() => {
    setGuideOpen((open) => {
      try {
        localStorage.setItem(GUIDE_KEY, open ? '0' : '1');
      } catch {
        // The choice then lasts for this page only.
      }
      return !open;
    });
  }, []);

  // Workspace keys. Capture phase, so they work wherever focus is (dialogs keep their own keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || document.querySelector('dialog[open]')) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      const plainAlt = e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey;
      const working = sessionRef.current.phase.kind === 'working';
      if (mod && !e.altKey && !e.shiftKey && e.key === 'Enter' && working) {
        e.preventDefault();
        void submit();
      } else if (mod && !e.altKey && !e.shiftKey && e.code === 'KeyS') {
        e.preventDefault();
        void autosaver?.send();
      } else if (plainAlt && e.code === 'KeyS' && working) {
        e.preventDefault();
        setSkipOpen(true);
      } else if (plainAlt && e.code === 'KeyG') {
        e.preventDefault();
        toggleGuide();
      } else if (plainAlt && e.code === 'KeyN' && !working) {
        e.preventDefault();
        void sessionRef.current.next();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [submit, autosaver, toggleGuide]);

  // A new task: keys go straight to its image or text.
  useEffect(() => {
    if (!leaseId) return;
    const id = requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>('.workspace [data-testid="editor-stage"], .workspace [data-testid="text-content"]');
      el?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(id);
  }, [leaseId]);

  const assist = useAssist(projectId, project?.kind, store, leaseId);
  const enableAssist = assist.enable;
  const onReady = useCallback(
    (s: EditorStore) => {
      store.current = s;
      enableAssist(s);
      const item = taskRef.current?.item;
      shadow.publisher.attach(s, item ? { id: item.id, kind: item.kind } : null);
    },
    [shadow.publisher, enableAssist],
  );
  // No task in hand: watchers see the annotator idle.
  useEffect(() => {
    if (!leaseId) shadow.publisher.attach(null, null);
  }, [leaseId, shadow.publisher]);

  const busy = session.busy;
  const actions = work && (
    <>
      <button
        type="button"
        className="btn btn--small"
        disabled={busy !== null}
        onClick={() => setSkipOpen(true)}
        data-testid="skip-task"
        aria-keyshortcuts="Alt+S"
        title={`${t('work.skip')} (Alt+S)`}
      >
        {t('work.skip')}
      </button>
      <button
        type="button"
        className="btn btn--small"
        disabled={busy !== null}
        onClick={() => void session.release()}
        data-testid="release-task"
        title={t('work.releaseHint')}
      >
        {t('work.release')}
      </button>
      <button
        type="button"
        className="btn btn--small btn--primary"
        disabled={busy !== null}
        onClick={() => void submit()}
        data-testid="submit-task"
        aria-keyshortcuts={isMac ? 'Meta+Enter' : 'Control+Enter'}
        title={`${t('work.submit')} (${MOD}Enter)`}
      >
        {busy === 'submit' ? t('work.submitting') : t('work.submit')}{' '}
        <kbd className="kbd-hint" aria-hidden="true">
          {MOD}↵
        </kbd>
      </button>
    </>
  );

  return (
    <div className="workspace" data-testid="workspace" data-phase={phase.kind}>
      <div className="workspace__head">
        <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
          <Link to={paths.projects()}>{t('nav.projects')}</Link>
          <span aria-hidden="true"> / </span>
          {project ? <Link to={paths.project(projectId)}>{project.name}</Link> : <span>…</span>}
          <span aria-hidden="true"> / </span>
          <span>{t('work.title')}</span>
        </nav>
        <div className="workspace__bar">
          <h1 className="workspace__title">
            {t('work.title')}
            {task?.item.image && <span className="muted small workspace__item">{task.item.image.name}</span>}
          </h1>
          {work && <TaskTimer key={work.task.leaseId} startedAt={work.startedAt} />}
          <WatchedChip watchers={shadow.watchers} />
          <SaveIndicator outbox={outbox} autosaver={autosaver} hasTask={work !== null} />
          {project?.guideline && (
            <button
              type="button"
              className={`btn btn--small${guideOpen ? ' is-active' : ''}`}
              aria-expanded={guideOpen}
              aria-controls="workspace-guideline"
              aria-keyshortcuts="Alt+G"
              onClick={toggleGuide}
              data-testid="toggle-guideline"
              title={`${t('work.guideline')} (Alt+G)`}
            >
              {t('work.guideline')}
            </button>
          )}
        </div>
      </div>
      {/* Notices float over the page (never in the flow): one appearing or fading must not move the stage under the pointer. */}
      <div className="workspace__notices" data-testid="work-notices">
        {keeper && <LeaseWarning keeper={keeper} />}
        <WorkNotice session={session} store={store} />
        <AssistNotice note={assist.note} onDismiss={assist.dismiss} />
      </div>
      <div className="workspace__body">
        <div className="workspace__main">
          {work && project && phase.kind === 'working' ? (
            <AnnotationEditor
              project={project}
              item={work.task.item}
              initialRegions={phase.initialRegions}
              prefilledRegions={work.task.prediction?.regions}
              onChange={autosaver?.change}
              onReady={onReady}
              actions={actions}
            />
          ) : (
            phase.kind !== 'working' && (
              <WorkStatus
                phase={phase}
                busy={busy !== null}
                onNext={() => void session.next()}
                onRetry={session.retryNow}
                projectId={projectId}
              />
            )
          )}
        </div>
        {guideOpen && project?.guideline && (
          <aside className="workspace__guide" id="workspace-guideline" aria-label={t('work.guideline')} data-testid="workspace-guideline">
            <GuidelineDocument guideline={project.guideline} compact />
          </aside>
        )}
      </div>
      <SkipDialog open={skipOpen} busy={busy === 'skip'} onClose={() => setSkipOpen(false)} onSkip={session.skip} />
    </div>
  );
}
