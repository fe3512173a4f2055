import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Lang, User } from '@labelwork/core';
import { fetchMe, login, logout, updateMyLang } from '../api/auth.ts';
import { onSessionLost, setCsrfToken } from '../api/http.ts';
import { useI18n } from '../i18n/index.tsx';
import { storedLang, storeLang } from '../i18n/lang.ts';

export type SessionState = { status: 'loading' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; user: User };

interface SessionValue {
  state: SessionState;
  /** Rejects with ApiError (BAD_CREDENTIALS, LOCKED_OUT, RATE_LIMITED, …). */
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Saves the UI language to the user's profile (when signed in). */
  saveLang: (lang: Lang) => void;
}

const SessionContext = createContext<SessionValue | null>(null);

/** The profile now has `lang`: if the device still shows it, it no longer counts as a pending hand choice. */
function markSaved(lang: Lang): void {
  if (storedLang() === lang) storeLang(lang);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const { lang, adoptLang, chosenByHand } = useI18n();

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken(null);
      setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', expired: true } : s));
    });
    return () => onSessionLost(null);
  }, []);

  /**
   * The language rule after sign-in: a language picked by hand on this device (on the sign-in page,
   * or one whose save did not reach the server) is kept and saved to the profile; otherwise the
   * profile's language is used and remembered on the device.
   */
  const settleLang = useCallback(
    (user: User) => {
      if (chosenByHand() && user.lang !== lang) {
        setState({ status: 'signed-in', user: { ...user, lang } });
        updateMyLang(lang).then(
          (r) => {
            markSaved(r.user.lang);
            setState((s) => (s.status === 'signed-in' ? { status: 'signed-in', user: r.user } : s));
          },
          () => undefined,
        );
      } else {
        adoptLang(user.lang);
        setState({ status: 'signed-in', user });
      }
    },
    [lang, adoptLang, chosenByHand],
  );
  const settleRef = useRef(settleLang);
  settleRef.current = settleLang;

  useEffect(() => {
    let live = true;
    fetchMe().then(
      ({ user, csrfToken }) => {
        if (!live) return;
        setCsrfToken(csrfToken);
        settleRef.current(user);
      },
      () => {
        if (live) setState({ status: 'signed-out', expired: false });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const { user, csrfToken } = await login(username, password);
      setCsrfToken(csrfToken);
      settleLang(user);
    },
    [settleLang],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } catch {
      // Signed out locally either way; the server session expires on its own.
    }
    setCsrfToken(null);
    setState({ status: 'signed-out', expired: false });
  }, []);

  const saveLang = useCallback((next: Lang) => {
    setState((s) => (s.status === 'signed-in' ? { status: 'signed-in', user: { ...s.user, lang: next } } : s));
    updateMyLang(next).then(
      (r) => {
        markSaved(r.user.lang);
        setState((s) => (s.status === 'signed-in' ? { status: 'signed-in', user: r.user } : s));
      },
      () => undefined,
    );
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, saveLang }), [state, signIn, signOut, saveLang]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in user; only for components rendered inside the signed-in shell. */
export function useUser(): User {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser while not signed in');
  return state.user;
}

/** Admins and leads create and configure projects. */
export function canManageProjects(user: User): boolean {
  return user.role === 'admin' || user.role === 'lead';
}
