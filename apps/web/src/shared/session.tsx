import type { SessionTokens, StaffSessionResponse } from '@jab/contracts';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { API, ApiError, apiRequest, type RequestOptions } from './api';

/**
 * Who is signed in, held in memory only: tokens never reach localStorage, where any
 * injected script could read them. A reload signs the person out; a citizen's access
 * token is renewed with the (single-use, rotated) refresh token when it expires.
 */
interface Sessions {
  citizen: SessionTokens | undefined;
  staff: StaffSessionResponse | undefined;
  setCitizen: (tokens: SessionTokens | undefined) => void;
  setStaff: (session: StaffSessionResponse | undefined) => void;
}

const SessionContext = createContext<Sessions | undefined>(undefined);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: { citizen?: SessionTokens; staff?: StaffSessionResponse } }) {
  const [citizen, setCitizen] = useState<SessionTokens | undefined>(initial?.citizen);
  const [staff, setStaff] = useState<StaffSessionResponse | undefined>(initial?.staff);
  const value = useMemo(() => ({ citizen, staff, setCitizen, setStaff }), [citizen, staff]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessions(): Sessions {
  const sessions = useContext(SessionContext);
  if (!sessions) throw new Error('useSessions outside <SessionProvider>');
  return sessions;
}

/** Claims of a Jab access token, read for display only (the services verify it). */
export interface TokenClaims {
  sub: string;
  role: string;
  exp: number;
  centerId?: string;
  region?: string;
}

export function claimsOf(token: string): TokenClaims | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(json))) as TokenClaims;
  } catch {
    return undefined;
  }
}

export type AuthedRequest = <T>(path: string, options?: Omit<RequestOptions, 'token'>) => Promise<T>;

/**
 * A request function carrying the citizen's token; on a 401 it renews the tokens once
 * with the refresh token and retries, and signs the citizen out if that fails too.
 */
export function useCitizenRequest(): AuthedRequest {
  const { citizen, setCitizen } = useSessions();
  const current = useRef(citizen);
  current.current = citizen;
  const renewing = useRef<Promise<SessionTokens> | undefined>(undefined);

  return useCallback(
    async <T,>(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> => {
      const tokens = current.current;
      if (!tokens) throw new ApiError(401, 'Signed out', undefined, []);
      try {
        return await apiRequest<T>(path, { ...options, token: tokens.accessToken });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        renewing.current ??= apiRequest<SessionTokens>(`${API.registration}/sessions/refresh`, {
          method: 'POST',
          body: { refreshToken: tokens.refreshToken },
        }).finally(() => {
          renewing.current = undefined;
        });
        let renewed: SessionTokens;
        try {
          renewed = await renewing.current;
        } catch {
          setCitizen(undefined);
          throw error;
        }
        current.current = renewed;
        setCitizen(renewed);
        return apiRequest<T>(path, { ...options, token: renewed.accessToken });
      }
    },
    [setCitizen],
  );
}

/** A request function carrying the staff member's token (staff sign in again when it expires). */
export function useStaffRequest(): AuthedRequest {
  const { staff, setStaff } = useSessions();
  return useCallback(
    async <T,>(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> => {
      if (!staff) throw new ApiError(401, 'Signed out', undefined, []);
      try {
        return await apiRequest<T>(path, { ...options, token: staff.accessToken });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) setStaff(undefined);
        throw error;
      }
    },
    [staff, setStaff],
  );
}
