import { useEffect, useMemo, useRef, useState } from 'react';
import { SERVER_EVENTS, type ShadowUser, type ShadowWatchersPayload } from '@labelwork/core';
import { publishShadow, sendShadowState, unpublishShadow, type LabelworkSocket } from '../../api/socket.ts';
import { ShadowPublisher } from './publisher.ts';

/**
 * The annotator's workspace as a shadowing source: registers with the server for the project
 * (again after every reconnect), learns who watches (`shadow:watchers`) and sends the editor state
 * through a {@link ShadowPublisher} only while someone does. Attach the editor of the item in hand
 * with `publisher.attach(store, item)`.
 */
export function useShadowSource(socket: LabelworkSocket | null, projectId: string): { watchers: ShadowUser[]; publisher: ShadowPublisher } {
  const socketRef = useRef(socket);
  socketRef.current = socket;
  const publisher = useMemo(
    () =>
      new ShadowPublisher(projectId, {
        send: (state) => {
          const s = socketRef.current;
          // Frames are a live picture: while disconnected they are dropped, not queued.
          if (s?.connected) sendShadowState(s, state);
        },
      }),
    [projectId],
  );
  const [watchers, setWatchers] = useState<ShadowUser[]>([]);

  useEffect(() => () => publisher.dispose(), [publisher]);

  useEffect(() => {
    if (!socket) return;
    let live = true;
    const apply = (list: ShadowUser[]) => {
      if (!live) return;
      setWatchers(list);
      publisher.setWatched(list.length > 0);
      // Someone new may have joined: they get the whole state at once.
      if (list.length > 0) publisher.refresh();
    };
    const hello = () => {
      publishShadow(socket, projectId).then(apply, () => undefined);
    };
    const onWatchers = (p: ShadowWatchersPayload) => {
      if (p.projectId === projectId) apply(p.watchers);
    };
    const onDisconnect = () => apply([]);
    if (socket.connected) hello();
    socket.on('connect', hello);
    socket.on('disconnect', onDisconnect);
    socket.on(SERVER_EVENTS.shadowWatchers, onWatchers);
    return () => {
      live = false;
      socket.off('connect', hello);
      socket.off('disconnect', onDisconnect);
      socket.off(SERVER_EVENTS.shadowWatchers, onWatchers);
      if (socket.connected) void unpublishShadow(socket, projectId).catch(() => undefined);
      publisher.setWatched(false);
      setWatchers([]);
    };
  }, [socket, projectId, publisher]);

  return { watchers, publisher };
}
