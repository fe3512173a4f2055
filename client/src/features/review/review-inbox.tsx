import { useCallback, useEffect, useRef, useState } from 'react';
import {
  SERVER_EVENTS,
  type InboxEntry,
  type InboxReadPayload,
  type ReviewCommentPayload,
  type ReviewVerdictPayload,
  type User,
} from '@labelwork/core';
import { listInbox, markInboxAllRead, markInboxRead } from '../../api/review.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import { useT, type Translate } from '../../i18n/index.tsx';
import { itemLabel } from './format.ts';
import { addToasts, fromComment, fromVerdict, mergeEntries, SeenEntries, type Toast } from './inbox-merge.ts';
import './review.css';

const TOAST_MS = 8000;
const PAGE_SIZE = 20;

export function entryText(t: Translate, e: InboxEntry): string {
  const item = itemLabel({ id: e.itemId, name: e.itemName });
  if (e.kind === 'comment') return t('inbox.comment', { item, comment: e.text });
  return t(`inbox.verdict.${e.verdict ?? 'accept'}`, { item, comment: e.text });
}

const needsRework = (e: InboxEntry) => e.verdict === 'reject' || e.kind === 'comment';

/**
 * The signed-in user's inbox of verdicts and comments on their work, kept on the server with read
 * state (GET /api/inbox, read on load and after every reconnect, so what happened while offline
 * shows). Live `review:verdict` / `review:comment` events add to the same list and toast once;
 * `inbox:read` (another tab or device) updates read state. Accepts toast as one group.
 */
export function ReviewInbox({ user }: { user: User }) {
  const t = useT();
  const socket = useSocket();
  const seen = useRef(new SeenEntries());
  const loaded = useRef(false);
  const [entries, setEntries] = useState<InboxEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [pages, setPages] = useState(1);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);

  const toast = useCallback((fresh: InboxEntry[]) => {
    if (fresh.length) setToasts((l) => addToasts(l, fresh, Date.now(), TOAST_MS));
  }, []);

  // Toasts go by themselves (a group lives on while accepts keep joining it).
  useEffect(() => {
    if (!toasts.length) return;
    const next = Math.min(...toasts.map((x) => x.until)) - Date.now();
    const id = window.setTimeout(() => setToasts((l) => l.filter((x) => x.until > Date.now())), Math.max(50, next + 10));
    return () => window.clearTimeout(id);
  }, [toasts]);

  /** Reads page `n` (page 1 on load and after every reconnect; there, unread entries not seen yet toast). */
  const reload = useCallback(
    (n: number) => {
      listInbox(n, PAGE_SIZE).then(
        (page) => {
          const fresh = seen.current.fresh(page.entries);
          if (loaded.current && n === 1) toast(fresh.filter((e) => !e.read).reverse());
          loaded.current = true;
          setEntries((l) => mergeEntries(l, page.entries));
          setTotal(page.total);
          setUnread(page.unread);
        },
        () => undefined,
      );
    },
    [toast],
  );

  useEffect(() => {
    if (!socket) return;
    const onConnect = () => reload(1);
    const live = (e: InboxEntry) => {
      if (!seen.current.fresh([e]).length) return;
      setEntries((l) => mergeEntries(l, [e]));
      setTotal((n) => n + 1);
      setUnread((n) => n + 1);
      toast([e]);
    };
    const onVerdict = (v: ReviewVerdictPayload) => live(fromVerdict(v));
    const onComment = (c: ReviewCommentPayload) => {
      if (c.authorId !== user.id) live(fromComment(c));
    };
    const onRead = (p: InboxReadPayload) => {
      setEntries((l) =>
        mergeEntries(
          l,
          l.filter((e) => p.all || p.ids.includes(e.id)).map((e) => ({ ...e, read: true })),
        ),
      );
      setUnread(p.unread);
    };
    if (socket.connected) onConnect();
    socket.on('connect', onConnect);
    socket.on(SERVER_EVENTS.reviewVerdict, onVerdict);
    socket.on(SERVER_EVENTS.reviewComment, onComment);
    socket.on(SERVER_EVENTS.inboxRead, onRead);
    return () => {
      socket.off('connect', onConnect);
      socket.off(SERVER_EVENTS.reviewVerdict, onVerdict);
      socket.off(SERVER_EVENTS.reviewComment, onComment);
      socket.off(SERVER_EVENTS.inboxRead, onRead);
    };
  }, [socket, user.id, reload, toast]);

  const markRead = (e: InboxEntry) => {
    if (e.read) return;
    setEntries((l) => mergeEntries(l, [{ ...e, read: true }]));
    setUnread((n) => Math.max(0, n - 1));
    markInboxRead(e.id).then(
      (r) => setUnread(r.unread),
      () => reload(1),
    );
  };
  const markAll = () => {
    setEntries((l) => l.map((e) => ({ ...e, read: true })));
    setUnread(0);
    markInboxAllRead().then(
      (r) => setUnread(r.unread),
      () => reload(1),
    );
  };
  const more = () => {
    setPages(pages + 1);
    reload(pages + 1);
  };

  return (
    <div className="inbox">
      <button
        type="button"
        className="btn btn--ghost btn--small"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="inbox-button"
      >
        {t('inbox.badge')}
        {unread > 0 && (
          <span className="inbox__count" data-testid="inbox-badge">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="inbox__panel" data-testid="inbox-panel" aria-label={t('inbox.title', { unread })}>
          {entries.length === 0 ? (
            <p className="muted small">{t('inbox.empty')}</p>
          ) : (
            <>
              <div className="inbox__head">
                <span className="small muted">{t('inbox.title', { unread })}</span>
                {unread > 0 && (
                  <button type="button" className="btn btn--small" onClick={markAll} data-testid="inbox-mark-all">
                    {t('inbox.markRead')}
                  </button>
                )}
              </div>
              <ul>
                {entries.map((e) => (
                  <li
                    key={e.id}
                    className={e.read ? 'is-read' : 'is-unread'}
                    data-testid="inbox-entry"
                    data-kind={e.kind}
                    data-verdict={e.verdict}
                    data-read={String(e.read)}
                    data-entry-id={e.id}
                  >
                    {!e.read && <span className="inbox__dot" title={t('inbox.unreadMark')} aria-label={t('inbox.unreadMark')} />}
                    {entryText(t, e)}{' '}
                    {needsRework(e) && (
                      <Link
                        to={paths.rework(e.projectId)}
                        onClick={() => {
                          markRead(e);
                          setOpen(false);
                        }}
                      >
                        {t('inbox.openRework')}
                      </Link>
                    )}
                    {!e.read && (
                      <button
                        type="button"
                        className="btn btn--small inbox__read"
                        onClick={() => markRead(e)}
                        data-testid="inbox-mark-read"
                      >
                        {t('inbox.markOneRead')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              {total > entries.length && (
                <button type="button" className="btn btn--small" onClick={more} data-testid="inbox-more">
                  {t('inbox.more')}
                </button>
              )}
            </>
          )}
        </div>
      )}
      <div className="toasts" aria-live="polite">
        {toasts.map((x) => {
          const first = x.entries[0]!;
          const dismiss = () => setToasts((l) => l.filter((y) => y.key !== x.key));
          return (
            <div
              key={x.key}
              className={`toast toast--${first.verdict ?? 'comment'}`}
              data-testid="review-toast"
              data-kind={x.kind === 'accepted' ? 'accepted' : first.kind}
              data-verdict={first.verdict}
              data-count={x.entries.length}
            >
              {x.kind === 'accepted' ? (
                <span>
                  {t('inbox.accepted', { n: x.entries.length })}{' '}
                  <button
                    type="button"
                    className="toast__link"
                    onClick={() => {
                      setOpen(true);
                      dismiss();
                    }}
                    data-testid="toast-open-inbox"
                  >
                    {t('inbox.openInbox')}
                  </button>
                </span>
              ) : (
                <span>
                  {entryText(t, first)}{' '}
                  {needsRework(first) && (
                    <Link to={paths.rework(first.projectId)} onClick={() => markRead(first)}>
                      {t('inbox.openRework')}
                    </Link>
                  )}
                </span>
              )}
              <button type="button" aria-label={t('common.dismiss')} onClick={dismiss}>
                ×
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}
