import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { fetchMe } from '../api/auth.ts';
import { ApiError, reportSessionLoss } from '../api/http.ts';
import { connectSocket, type LabelworkSocket } from '../api/socket.ts';

const SocketContext = createContext<LabelworkSocket | null>(null);

/** Holds one realtime connection for as long as it is mounted (i.e. while signed in). */
export function SocketProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const [socket, setSocket] = useState<LabelworkSocket | null>(null);
  useEffect(() => {
    const s = connectSocket();
    // The server ends a socket with its session (signed out elsewhere, password or role changed,
    // account disabled): ask who we are; a 401 takes the app back to sign-in, else reconnect.
    const onDisconnect = (reason: string) => {
      if (reason !== 'io server disconnect') return;
      fetchMe()
        .then(() => s.connect())
        .catch((e: unknown) => {
          if (e instanceof ApiError) reportSessionLoss(e);
        });
    };
    s.on('disconnect', onDisconnect);
    setSocket(s);
    return () => {
      s.off('disconnect', onDisconnect);
      s.disconnect();
      setSocket(null);
    };
  }, [userId]);
  return <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>;
}

/** The realtime connection, or null before it exists. */
export function useSocket(): LabelworkSocket | null {
  return useContext(SocketContext);
}
