import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api.js';
import type { Session } from './types.js';

interface SessionState {
  /** undefined while the first GET /v1/session is in flight; null when nobody is logged in. */
  session: Session | null | undefined;
  login(apiKey: string): Promise<Session>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** The session lives in the HttpOnly cookie; the page keeps only what the server said about it, in memory. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    api<Session>('GET', '/v1/session').then(adopt, (error: unknown) => {
      if (!(error instanceof ApiError) || error.status !== 401) console.warn(error);
      adopt(null);
    });
  }, [adopt]);

  const login = useCallback(
    async (apiKey: string) => {
      const next = await api<Session>('POST', '/v1/session', { apiKey });
      adopt(next);
      return next;
    },
    [adopt],
  );

  const logout = useCallback(async () => {
    try {
      await api('DELETE', '/v1/session');
    } finally {
      adopt(null);
    }
  }, [adopt]);

  return <SessionContext value={{ session, login, logout }}>{children}</SessionContext>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The logged-in session; pages under RequireSession only. */
export function useCurrentSession(): Session {
  const { session } = useSession();
  if (!session) throw new Error('no session');
  return session;
}
