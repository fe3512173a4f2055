import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReviewComment, ReviewVerdictPayload, User } from '@labelwork/core';
import { reviewInbox } from '../../api/review.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import { useT, type Translate } from '../../i18n/index.tsx';
import { fromComment, fromVerdict, inboxEntries, SeenEntries, type InboxEntry } from './inbox-merge.ts';
import './review.css';

const TOAST_MS = 8000;
const sinceKey = (userId: string) => `labelwork.inbox.since.${userId}`;

export function entryText(t: Translate, e: InboxEntry): string {
  const item = e.itemId.slice(-6);
  if (e.kind === 'comment') return t('inbox.comment', { item, comment: e.text });
  return t(`inbox.verdict.${e.verdict ?? 'accept'}`, { item, comment: e.text });
}

/**
 * Verdict and comment toasts plus an unread badge for the signed-in annotator. Live from the
 * user room (`review:verdict`, `review:comment`); after every (re)connect it catches up with
 * GET /api/review/inbox?since=<last seen>, de-duplicating by id so nothing toasts twice.
 */
export function ReviewInbox({ user }: { user: User }) {
  const t = useT();
  const socket = useSocket();
  const seen = useRef(new SeenEntries());
  const [entries, setEntries] = useState<InboxEntry[]>([]);
  const [toasts, setToasts] = useState<InboxEntry[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);

  const add = useCallback(
    (list: InboxEntry[]) => {
      const fresh = seen.current.fresh(list);
      if (!fresh.length) return;
      const newest = fresh.reduce((m, e) => (e.at > m ? e.at : m), localStorage.getItem(sinceKey(user.id)) ?? '');
      localStorage.setItem(sinceKey(user.id), newest);
      setEntries((l) => [...fresh.slice().reverse(), ...l].slice(0, 50));
      setToasts((l) => [...l, ...fresh].slice(-4));
      setUnread((n) => n + fresh.length);
      for (const e of fresh) window.setTimeout(() => setToasts((l) => l.filter((x) => x.id !== e.id)), TOAST_MS);
    },
    [user.id],
  );

  useEffect(() => {
    if (!socket) return;
    // Without a stored time, start from now: the first visit does not replay old history as toasts.
    if (!localStorage.getItem(sinceKey(user.id))) localStorage.setItem(sinceKey(user.id), new Date().toISOString());
    const catchUp = () => {
      const since = localStorage.getItem(sinceKey(user.id));
      reviewInbox(since).then(
        (inbox) => add(inboxEntries(inbox, since)),
        () => undefined,
      );
    };
    const onVerdict = (v: ReviewVerdictPayload) => add([fromVerdict(v)]);
    const onComment = (c: ReviewComment) => {
      if (c.authorId !== user.id) add([fromComment(c)]);
    };
    if (socket.connected) catchUp();
    socket.on('connect', catchUp);
    socket.on('review:verdict', onVerdict);
    socket.on('review:comment', onComment);
    return () => {
      socket.off('connect', catchUp);
      socket.off('review:verdict', onVerdict);
      socket.off('review:comment', onComment);
    };
  }, [socket, user.id, add]);

  return (
    <div className="inbox">
      <button
        type="button"
        className="btn btn--ghost btn--small"
        aria-expanded={open}
        onClick={() => {
          setOpen((o) => !o);
          setUnread(0);
        }}
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
        <div className="inbox__panel" data-testid="inbox-panel">
          {entries.length === 0 ? (
            <p className="muted small">{t('inbox.empty')}</p>
          ) : (
            <ul>
              {entries.map((e) => (
                <li key={e.id} data-testid="inbox-entry" data-kind={e.kind} data-verdict={e.verdict}>
                  {entryText(t, e)}{' '}
                  {(e.verdict === 'reject' || e.kind === 'comment') && (
                    <Link to={paths.rework(e.projectId)} onClick={() => setOpen(false)}>
                      {t('inbox.openRework')}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="toasts" aria-live="polite">
        {toasts.map((e) => (
          <div key={e.id} className={`toast toast--${e.verdict ?? 'comment'}`} data-testid="review-toast" data-kind={e.kind} data-verdict={e.verdict}>
            <span>
              {entryText(t, e)}{' '}
              {(e.verdict === 'reject' || e.kind === 'comment') && <Link to={paths.rework(e.projectId)}>{t('inbox.openRework')}</Link>}
            </span>
            <button type="button" aria-label={t('common.dismiss')} onClick={() => setToasts((l) => l.filter((x) => x.id !== e.id))}>
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
