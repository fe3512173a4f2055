import { useCallback, useEffect, useRef, useState } from 'react';
import {
  SERVER_EVENTS,
  isNewerFrame,
  type Item,
  type Lang,
  type ShadowFrame,
  type ShadowRevokedPayload,
  type ShadowStatusPayload,
  type ShadowUser,
} from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { getItem } from '../../api/items.ts';
import { getProject } from '../../api/projects.ts';
import { unwatchShadow, watchShadow } from '../../api/socket.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import type { EditorStore } from '../../editor/store.ts';
import { useI18n, useT, type MessageKey, type Translate } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import { applyFrame, shownRegions } from './apply-frame.ts';
import './shadow.css';

type Conn =
  { kind: 'connecting' } | { kind: 'error'; code: string; message: string } | { kind: 'ready'; annotator: ShadowUser; online: boolean };

/** The parts of the latest frame the page shows outside the canvas (changes re-render; region edits do not). */
interface FrameMeta {
  itemId: string | null;
  itemKind: 'image' | 'text' | null;
  tool: ShadowFrame['tool'];
  activeLabel: string | null;
  truncated: boolean;
}

const sameMeta = (a: FrameMeta | null, b: FrameMeta) =>
  a !== null &&
  a.itemId === b.itemId &&
  a.itemKind === b.itemKind &&
  a.tool === b.tool &&
  a.activeLabel === b.activeLabel &&
  a.truncated === b.truncated;

const ERROR_KEYS: Record<string, MessageKey> = { FORBIDDEN: 'shadow.forbidden', NOT_FOUND: 'shadow.notFound' };

/**
 * A lead watching an annotator's canvas live, read-only (/projects/:id/watch/:userId): the item in
 * the annotator's hands in the read-only editor, following every edit, selection and item change.
 */
export function WatchPage({ projectId, userId }: { projectId: string; userId: string }) {
  const t = useT();
  const socket = useSocket();
  const [load] = useLoad((signal) => getProject(projectId, signal), [projectId]);
  const [conn, setConn] = useState<Conn>({ kind: 'connecting' });
  const [meta, setMeta] = useState<FrameMeta | null>(null);
  const frameRef = useRef<ShadowFrame | null>(null);
  /** When the last frame arrived (local clock). */
  const receivedRef = useRef<number | null>(null);
  const editorRef = useRef<{ store: EditorStore; itemId: string } | null>(null);

  const take = useCallback(
    (f: ShadowFrame, receivedAt: number) => {
      if (f.projectId !== projectId || f.userId !== userId || !isNewerFrame(frameRef.current, f)) return;
      frameRef.current = f;
      receivedRef.current = receivedAt;
      const ed = editorRef.current;
      if (ed && ed.itemId === f.itemId) applyFrame(ed.store, f);
      const m: FrameMeta = {
        itemId: f.itemId,
        itemKind: f.itemKind,
        tool: f.tool,
        activeLabel: f.activeLabel,
        truncated: f.truncated === true,
      };
      setMeta((cur) => (sameMeta(cur, m) ? cur : m));
    },
    [projectId, userId],
  );

  // Watch (again after every reconnect); frames and the annotator's comings and goings.
  useEffect(() => {
    if (!socket) return;
    let live = true;
    const watch = () => {
      watchShadow(socket, { projectId, userId }).then(
        (a) => {
          if (!live) return;
          setConn({ kind: 'ready', annotator: a.annotator, online: a.online });
          if (a.frame) take(a.frame, Math.min(Date.now(), Date.parse(a.frame.at)));
        },
        (e: unknown) =>
          live && setConn({ kind: 'error', code: isApiError(e) ? e.code : 'TIMEOUT', message: e instanceof Error ? e.message : String(e) }),
      );
    };
    const onFrame = (f: ShadowFrame) => {
      take(f, Date.now());
      // A frame means the workspace is there, even if its status event was missed.
      if (f.projectId === projectId && f.userId === userId) setConn((c) => (c.kind === 'ready' && !c.online ? { ...c, online: true } : c));
    };
    const onStatus = (p: ShadowStatusPayload) => {
      if (p.projectId === projectId && p.userId === userId) setConn((c) => (c.kind === 'ready' ? { ...c, online: p.online } : c));
    };
    const onDisconnect = () => setConn((c) => (c.kind === 'error' ? c : { kind: 'connecting' }));
    // Access changed while watching (removed from the project, demoted…): the server stopped the frames.
    const onRevoked = (p: ShadowRevokedPayload) => {
      if (p.projectId === projectId && p.userId === userId) setConn({ kind: 'error', code: p.code, message: p.message });
    };
    if (socket.connected) watch();
    socket.on('connect', watch);
    socket.on('disconnect', onDisconnect);
    socket.on(SERVER_EVENTS.shadowFrame, onFrame);
    socket.on(SERVER_EVENTS.shadowStatus, onStatus);
    socket.on(SERVER_EVENTS.shadowRevoked, onRevoked);
    return () => {
      socket.off(SERVER_EVENTS.shadowRevoked, onRevoked);
      live = false;
      socket.off('connect', watch);
      socket.off('disconnect', onDisconnect);
      socket.off(SERVER_EVENTS.shadowFrame, onFrame);
      socket.off(SERVER_EVENTS.shadowStatus, onStatus);
      if (socket.connected) void unwatchShadow(socket, { projectId, userId }).catch(() => undefined);
    };
  }, [socket, projectId, userId, take]);

  // The item in the annotator's hands (leads may read every item of their project).
  const itemId = meta?.itemId ?? null;
  const [item, setItem] = useState<{ item: Item } | { error: unknown } | null>(null);
  useEffect(() => {
    if (!itemId) return;
    const ctl = new AbortController();
    getItem(itemId, ctl.signal).then(
      (it) => !ctl.signal.aborted && setItem({ item: it }),
      (error: unknown) => !ctl.signal.aborted && setItem({ error }),
    );
    return () => ctl.abort();
  }, [itemId]);
  const shownItem = item && 'item' in item && item.item.id === itemId ? item.item : null;

  const shownItemIdRef = useRef<string | null>(null);
  shownItemIdRef.current = shownItem?.id ?? null;
  // The editor of a new item is ready: catch it up with the newest frame (it may be newer than its start).
  const onReady = useCallback((store: EditorStore) => {
    const id = shownItemIdRef.current;
    if (!id) return;
    editorRef.current = { store, itemId: id };
    const f = frameRef.current;
    if (f && f.itemId === id) applyFrame(store, f);
  }, []);

  const project = load.data;
  const name = conn.kind === 'ready' ? conn.annotator.displayName || conn.annotator.username : '…';
  const initial = shownItem && frameRef.current?.itemId === shownItem.id ? shownRegions(frameRef.current) : [];
  return (
    <div className="page page--wide shadow-page" data-testid="watch-page" data-user-id={userId}>
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(projectId, 'queue')}>{project?.name ?? '…'}</Link>
        <span aria-hidden="true"> / </span>
        <span>{t('shadow.crumb')}</span>
      </nav>
      <div className="page__head shadow-page__head">
        <h1 className="page__title">{t('shadow.title', { name })}</h1>
        <Link className="btn btn--small" to={paths.project(projectId, 'queue')} data-testid="watch-back">
          {t('shadow.back')}
        </Link>
      </div>
      {load.status === 'error' && <ErrorAlert error={load.error} />}
      {conn.kind === 'error' &&
        (ERROR_KEYS[conn.code] ? (
          <Alert tone="warning" testId="watch-error">
            {t(ERROR_KEYS[conn.code]!)}
          </Alert>
        ) : (
          <Alert tone="error" testId="watch-error">
            {conn.message}
          </Alert>
        ))}
      {conn.kind !== 'error' && (
        <>
          <StatusLine conn={conn} meta={meta} name={name} itemName={shownItem ? itemLabel(shownItem) : null} receivedRef={receivedRef} />
          <p className="muted small shadow-page__note">{t('shadow.readOnly', { name })}</p>
        </>
      )}
      {meta?.truncated && (
        <Alert tone="info" testId="watch-truncated">
          {t('shadow.truncated')}
        </Alert>
      )}
      {item && 'error' in item && itemId && <ErrorAlert error={item.error} />}
      {project && shownItem && meta?.itemId === shownItem.id ? (
        <div
          className={`shadow-page__canvas${conn.kind === 'ready' && conn.online ? '' : ' is-stale'}`}
          data-testid="watch-canvas"
          data-item-id={shownItem.id}
        >
          <AnnotationEditor key={shownItem.id} project={project} item={shownItem} initialRegions={initial} readOnly onReady={onReady} />
        </div>
      ) : (
        conn.kind === 'ready' && (
          <div className="empty shadow-page__empty" data-testid="watch-empty">
            <p className="muted">
              {meta?.itemId ? t('app.loading') : conn.online ? t('shadow.nothingInHand', { name }) : t('shadow.nothingYet', { name })}
            </p>
          </div>
        )
      )}
    </div>
  );
}

function itemLabel(item: Item): string {
  return item.image?.name ?? item.externalId ?? `#${item.seq}`;
}

type StatusState = 'connecting' | 'offline' | 'waiting' | 'idle' | 'working';

/** "Annotating street-001.png · updated 2 s ago", re-read every second (frames themselves do not re-render it). */
function StatusLine({
  conn,
  meta,
  name,
  itemName,
  receivedRef,
}: {
  conn: Conn;
  meta: FrameMeta | null;
  name: string;
  itemName: string | null;
  receivedRef: { current: number | null };
}) {
  const t = useT();
  const { lang } = useI18n();
  const [, tick] = useState(0);
  useEffect(() => {
    const id = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(id);
  }, []);
  const at = receivedRef.current;
  const ago = at === null ? '' : agoText(t, lang, Date.now() - at);
  let state: StatusState;
  let text: string;
  if (conn.kind !== 'ready') {
    state = 'connecting';
    text = t('shadow.connecting');
  } else if (!conn.online) {
    state = 'offline';
    text = at === null ? t('shadow.status.offline', { name }) : t('shadow.status.offlineSince', { name, ago });
  } else if (!meta) {
    state = 'waiting';
    text = t('shadow.status.waiting', { name });
  } else if (!meta.itemId) {
    state = 'idle';
    text = t('shadow.status.idle', { name, ago });
  } else {
    state = 'working';
    text = t('shadow.status.working', { name, item: itemName ?? t('shadow.item', { id: meta.itemId.slice(-6) }), ago });
  }
  return (
    <div
      className={`shadow-status shadow-status--${state}`}
      data-testid="shadow-status"
      data-state={state}
      data-item-id={meta?.itemId ?? ''}
      aria-live="polite"
    >
      <span className="shadow-status__dot" aria-hidden="true" />
      <span data-testid="shadow-status-text">{text}</span>
      {state === 'working' && meta && (
        <span className="muted small" data-testid="shadow-tool">
          {t('shadow.tool', { tool: t(`editor.tool.${meta.tool}`), label: meta.activeLabel ?? '—' })}
        </span>
      )}
    </div>
  );
}

function agoText(t: Translate, lang: Lang, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return t('shadow.justNow');
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always', style: 'short' });
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  return rtf.format(-Math.floor(s / 3600), 'hour');
}
