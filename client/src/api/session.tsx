import { createContext, useContext, useMemo, useState, useCallback, type ReactNode } from 'react';
import {
  StaffAccount,
  SessionTokenResponse,
  type LoginRequest,
  type TokenResponse,
} from '@samkons/shared';
import { z } from 'zod';
import { ApiClient, type TokenStore, type Tokens } from './client';
import { endpoints, refreshTokens, toTokens, type Endpoints } from './endpoints';

const STAFF_KEY = 'samkons.session';
const ROOM_KEY_PREFIX = 'samkons.room.';
/** The invite link (its token) an eID login was started from, for the way back. */
const EID_PENDING_KEY = 'samkons.eid.pending';
/** An invite's session token obtained by eID login, keyed by the invite token. */
const EID_SESSION_KEY_PREFIX = 'samkons.eid.';
/** The patient entry's token (/pasient), after an eID login on the login page. */
const PATIENT_KEY = 'samkons.patient';

const StoredStaffSession = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  account: StaffAccount,
});
type StoredStaffSession = z.infer<typeof StoredStaffSession>;

/**
 * sessionStorage: survives a reload, not a closed tab, and is not shared with other tabs,
 * so a shared computer in a nursing home does not keep someone logged in.
 */
function read<T>(key: string, schema: z.ZodType<T>): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
/** `read` for values with an `expiresAt`: an expired one is removed and reads as null. */
function readUnexpired<T extends { expiresAt: string }>(
  key: string,
  schema: z.ZodType<T>,
  now: Date,
): T | null {
  const value = read(key, schema);
  if (value && !(Date.parse(value.expiresAt) > now.getTime())) {
    write(key, null);
    return null;
  }
  return value;
}
function write(key: string, value: unknown): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage disabled: the session lives in memory only.
  }
}

/**
 * The session token for a live room (from an invite exchange, or later a staff join):
 * the call page reads it with this function.
 */
export function getRoomSession(consultationId: string): SessionTokenResponse | null {
  return read(ROOM_KEY_PREFIX + consultationId, SessionTokenResponse);
}
export function saveRoomSession(session: SessionTokenResponse): void {
  write(ROOM_KEY_PREFIX + session.participant.consultationId, session);
}

/**
 * Before leaving for the eID (ID-porten): which invite link to return to. The provider
 * sends the browser back to /join/callback, which does not name the invite.
 */
export function rememberEidInvite(inviteToken: string): void {
  write(EID_PENDING_KEY, inviteToken);
}
export function pendingEidInvite(): string | null {
  return read(EID_PENDING_KEY, z.string().min(1));
}

/** The session token an eID login gave for an invite link, used instead of the exchange. */
export function saveIdentifiedSession(inviteToken: string, session: SessionTokenResponse): void {
  write(EID_SESSION_KEY_PREFIX + inviteToken, session);
  write(EID_PENDING_KEY, null);
}
/** That session token while it is valid; an expired one is removed. */
export function getIdentifiedSession(
  inviteToken: string,
  now: Date = new Date(),
): SessionTokenResponse | null {
  return readUnexpired(EID_SESSION_KEY_PREFIX + inviteToken, SessionTokenResponse, now);
}

const StoredPatientLogin = z.object({ patientToken: z.string().min(1), expiresAt: z.string() });
export type StoredPatientLogin = z.infer<typeof StoredPatientLogin>;

/**
 * The patient entry's token: only the token and when it ends (it carries a keyed hash of
 * the number, never the number). Same storage rules as the staff session.
 */
export function savePatientLogin(login: StoredPatientLogin): void {
  write(PATIENT_KEY, { patientToken: login.patientToken, expiresAt: login.expiresAt });
}
/** That token while it is valid; an expired one is removed. */
export function getPatientLogin(now: Date = new Date()): StoredPatientLogin | null {
  return readUnexpired(PATIENT_KEY, StoredPatientLogin, now);
}
export function clearPatientLogin(): void {
  write(PATIENT_KEY, null);
}

interface SessionValue {
  account: StaffAccount | null;
  api: Endpoints;
  /** The HTTP client under `api`, for a feature's own endpoints (`useFeatureApi`). */
  client: ApiClient;
  login(body: LoginRequest): Promise<void>;
  /** Stores tokens from another login path (OIDC callback). */
  acceptTokens(r: TokenResponse): void;
  logout(): Promise<void>;
  /** True after a 401 the client could not recover from; cleared on the next login. */
  expired: boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({
  children,
  fetchFn,
}: {
  children: ReactNode;
  fetchFn?: typeof fetch;
}) {
  const [session, setSession] = useState<StoredStaffSession | null>(() =>
    read(STAFF_KEY, StoredStaffSession),
  );
  const [expired, setExpired] = useState(false);

  const client = useMemo(() => {
    // The store reads storage each time so a refresh inside ApiClient is seen at once.
    const tokens: TokenStore = {
      get: () => read(STAFF_KEY, StoredStaffSession),
      set: (t: Tokens | null) => {
        const current = read(STAFF_KEY, StoredStaffSession);
        const next = t && current ? { ...current, ...t } : null;
        write(STAFF_KEY, next);
        setSession(next);
      },
    };
    return new ApiClient({
      tokens,
      refresh: refreshTokens,
      onSessionExpired: () => setExpired(true),
      ...(fetchFn ? { fetch: fetchFn } : {}),
    });
  }, [fetchFn]);
  const api = useMemo(() => endpoints(client), [client]);

  const acceptTokens = useCallback((r: TokenResponse) => {
    const next = { ...toTokens(r), account: r.account };
    write(STAFF_KEY, next);
    setSession(next);
    setExpired(false);
  }, []);

  const login = useCallback(
    async (body: LoginRequest) => acceptTokens(await api.login(body)),
    [api, acceptTokens],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Logging out locally matters more than telling the server; the token expires anyway.
    }
    write(STAFF_KEY, null);
    setSession(null);
  }, [api]);

  const value = useMemo<SessionValue>(
    () => ({
      account: session?.account ?? null,
      api,
      client,
      login,
      acceptTokens,
      logout,
      expired,
    }),
    [session, api, client, login, acceptTokens, logout, expired],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The session where there is one (the call page also runs alone, without the provider). */
export function useOptionalSession(): SessionValue | null {
  return useContext(SessionContext);
}

/** The endpoints, for hooks that fetch. */
export const useApi = (): Endpoints => useSession().api;

/**
 * A feature's own endpoints (e.g. `reportsEndpoints`) on the session's client; `bind` is a
 * module-level function, so the object is made once per client.
 */
export function useFeatureApi<T>(bind: (client: ApiClient) => T): T {
  const { client } = useSession();
  return useMemo(() => bind(client), [bind, client]);
}
