import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { connectSocket, type LabelworkSocket } from '../api/socket.ts';

const SocketContext = createContext<LabelworkSocket | null>(null);

/** Holds one realtime connection for as long as it is mounted (i.e. while signed in). */
export function SocketProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const [socket, setSocket] = useState<LabelworkSocket | null>(null);
  useEffect(() => {
    const s = connectSocket();
    setSocket(s);
    return () => {
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
