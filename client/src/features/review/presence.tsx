import { useEffect, useState } from 'react';
import { SERVER_EVENTS, type PresenceUser } from '@labelwork/core';
import { joinItem, leaveItem } from '../../api/socket.ts';
import { useSocket } from '../../app/socket.tsx';
import { useT } from '../../i18n/index.tsx';

/**
 * Who is on an item right now (every server process): joins the item's room while mounted (again
 * after a reconnect) and follows `item:presence`. Being in the room also brings live comments on it.
 */
export function usePresence(projectId: string, itemId: string | null): PresenceUser[] {
  const socket = useSocket();
  const [users, setUsers] = useState<PresenceUser[]>([]);
  useEffect(() => {
    if (!socket || !itemId) return;
    let live = true;
    const join = () => {
      joinItem(socket, projectId, itemId).then(
        (list) => live && setUsers(list),
        () => undefined,
      );
    };
    const onPresence = (p: { itemId: string; users: PresenceUser[] }) => {
      if (p.itemId === itemId) setUsers(p.users);
    };
    if (socket.connected) join();
    socket.on('connect', join);
    socket.on(SERVER_EVENTS.itemPresence, onPresence);
    return () => {
      live = false;
      socket.off('connect', join);
      socket.off(SERVER_EVENTS.itemPresence, onPresence);
      if (socket.connected) void leaveItem(socket, projectId, itemId).catch(() => undefined);
      setUsers([]);
    };
  }, [socket, projectId, itemId]);
  return users;
}

function initials(name: string): string {
  const chars = Array.from(name.trim());
  // Chinese names read best by their last two characters (the given name); Latin ones by the first.
  return /[\u3400-\u9fff]/u.test(name) ? chars.slice(-2).join('') : (chars[0] ?? '?').toUpperCase();
}

/** The people on the item as chips (others first, then me), so nobody works on it unawares. */
export function PresenceChips({ users, me }: { users: readonly PresenceUser[]; me: string }) {
  const t = useT();
  const others = users.filter((u) => u.userId !== me);
  const self = users.find((u) => u.userId === me);
  return (
    <div className="presence" role="status" aria-label={t('presence.label')} data-testid="presence" data-count={users.length}>
      {others.length > 0 && <span className="small muted">{t('presence.alsoHere')}</span>}
      {[...others, ...(self ? [self] : [])].map((u) => (
        <span
          key={u.userId}
          className={`presence__chip${u.userId === me ? ' is-me' : ''}`}
          title={u.userId === me ? t('presence.you', { name: u.username }) : u.username}
          data-testid="presence-chip"
          data-user-id={u.userId}
        >
          <span className="presence__avatar" aria-hidden="true">
            {initials(u.username)}
          </span>
          <span className="presence__name">{u.userId === me ? t('presence.you', { name: u.username }) : u.username}</span>
        </span>
      ))}
    </div>
  );
}
