import {
  AuthProviders,
  ConsentList,
  Consultation,
  ConsultationList,
  IceServers,
  InviteLink,
  InviteState,
  MeResponse,
  OidcStartResponse,
  PatientConsultationList,
  PatientLoginResponse,
  PatientSessionResponse,
  SessionTokenResponse,
  StaffSearchResponse,
  TokenResponse,
  Participant,
  type CancelRequest,
  type StaffRole,
  type CreateConsultationRequest,
  type LoginRequest,
  type RescheduleRequest,
} from '@samkons/shared';
import type { ApiClient, Refresher, Tokens } from './client';
import { errorFromResponse, isApiError } from './errors';

/*
 * The routes the app shell and most pages call. A feature whose routes only its own pages
 * use keeps them beside it (features/{consent,reports,survey}/api.ts, bound with
 * `useFeatureApi`), so a patient's first load does not carry the staff pages' schemas.
 */

export const toTokens = (r: TokenResponse): Tokens => ({
  accessToken: r.accessToken,
  refreshToken: r.refreshToken,
});

/** Used by ApiClient on a 401: plain fetch, no bearer, so it cannot loop. */
export const refreshTokens: Refresher = async (refreshToken, fetchFn) => {
  const res = await fetchFn('/api/auth/refresh', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });
  const text = await res.text();
  if (!res.ok) throw errorFromResponse(res.status, text);
  return toTokens(TokenResponse.parse(JSON.parse(text)));
};

export function endpoints(api: ApiClient) {
  return {
    login: (body: LoginRequest) =>
      api.post('/auth/login', { body, schema: TokenResponse, auth: false }),
    logout: () => api.post('/auth/logout'),
    me: () => api.get('/auth/me', { schema: MeResponse }),
    /** A server without the route offers passwords only. */
    providers: async (): Promise<AuthProviders> => {
      try {
        return await api.get('/auth/providers', { schema: AuthProviders, auth: false });
      } catch (e) {
        if (isApiError(e) && e.code === 'not_found') {
          return { password: true, oidc: false, patientOidc: false };
        }
        throw e;
      }
    },
    oidcStart: () => api.get('/auth/oidc/start', { schema: OidcStartResponse, auth: false }),
    /** Completes the OIDC login with the provider's redirect query (code, state...). */
    oidcCallback: (search: string) =>
      api.get(`/auth/oidc/callback${search.startsWith('?') ? search : `?${search}`}`, {
        schema: TokenResponse,
        auth: false,
      }),

    listConsultations: (from: Date, to: Date, signal?: AbortSignal) =>
      api.get('/consultations', {
        query: { from: from.toISOString(), to: to.toISOString() },
        schema: ConsultationList,
        signal,
      }),
    getConsultation: (id: string, signal?: AbortSignal) =>
      api.get(`/consultations/${encodeURIComponent(id)}`, { schema: Consultation, signal }),
    createConsultation: (body: CreateConsultationRequest) =>
      api.post('/consultations', { body, schema: Consultation }),
    reschedule: (id: string, body: RescheduleRequest) =>
      api.post(`/consultations/${encodeURIComponent(id)}/reschedule`, {
        body,
        schema: Consultation,
      }),
    cancel: (id: string, body: CancelRequest) =>
      api.post(`/consultations/${encodeURIComponent(id)}/cancel`, { body, schema: Consultation }),
    consents: (id: string, signal?: AbortSignal) =>
      api.get(`/consultations/${encodeURIComponent(id)}/consents`, { schema: ConsentList, signal }),
    inviteLink: (id: string, participantId: string) =>
      api.post(
        `/consultations/${encodeURIComponent(id)}/participants/${encodeURIComponent(participantId)}/invite`,
        { schema: InviteLink },
      ),
    ics: (id: string, participantId: string) =>
      api.blob(
        `/consultations/${encodeURIComponent(id)}/participants/${encodeURIComponent(participantId)}/invite.ics`,
      ),

    /** A staff participant's session token for the live session. */
    staffSession: (id: string) =>
      api.post(`/consultations/${encodeURIComponent(id)}/session`, {
        schema: SessionTokenResponse,
      }),
    /** Staff accounts to book by name (the booking form's search field). */
    searchStaff: (q: string, role?: StaffRole, signal?: AbortSignal) =>
      api.get('/staff/search', {
        query: { q, ...(role ? { role } : {}) },
        schema: StaffSearchResponse,
        signal,
      }),
    /** The organiser names (or un-names) a staff participant as delegate. */
    setDelegate: (id: string, participantId: string, delegate: boolean) =>
      api.patch(
        `/consultations/${encodeURIComponent(id)}/participants/${encodeURIComponent(participantId)}`,
        { body: { delegate }, schema: Participant },
      ),
    /** What an invite link leads to (cancelled, ended, not yet open...), opening nothing. */
    inviteState: (token: string) =>
      api.post('/invites/state', { body: { token }, schema: InviteState, auth: false }),
    exchangeInvite: (token: string) =>
      api.post('/invites/exchange', { body: { token }, schema: SessionTokenResponse, auth: false }),
    /** Begins the eID (ID-porten) login for the person an invite link names. */
    inviteEidStart: (token: string) =>
      api.post('/invites/oidc/start', { body: { token }, schema: OidcStartResponse, auth: false }),
    /** Completes it with the provider's redirect query; the session is the invitee's. */
    inviteEidCallback: (search: string) =>
      api.get(`/invites/oidc/callback${search.startsWith('?') ? search : `?${search}`}`, {
        schema: SessionTokenResponse,
        auth: false,
      }),
    /** The patient's own entry: begin the eID (ID-porten) login on the login page. */
    patientEidStart: () =>
      api.post('/patient/oidc/start', { schema: OidcStartResponse, auth: false }),
    /** Completes it with the provider's redirect query: the patient token and the list. */
    patientEidCallback: (search: string) =>
      api.get(`/patient/oidc/callback${search.startsWith('?') ? search : `?${search}`}`, {
        schema: PatientLoginResponse,
        auth: false,
      }),
    /** The consultations booked under the patient token's person, fresh. */
    patientConsultations: (patientToken: string, signal?: AbortSignal) =>
      api.get('/patient/consultations', {
        schema: PatientConsultationList,
        token: patientToken,
        signal,
      }),
    /** A session for one of the person's own participants, and its invite token. */
    patientSession: (patientToken: string, participantId: string) =>
      api.post(`/patient/consultations/${encodeURIComponent(participantId)}/session`, {
        schema: PatientSessionResponse,
        token: patientToken,
      }),
    iceServers: async (sessionToken: string): Promise<IceServers['iceServers']> => {
      try {
        return (await api.get('/ice-servers', { schema: IceServers, token: sessionToken }))
          .iceServers;
      } catch (e) {
        if (isApiError(e) && e.code === 'not_found') return [];
        throw e;
      }
    },
    /** Cheap request for the reachability and round-trip check; any HTTP answer counts. */
    ping: async (signal?: AbortSignal): Promise<void> => {
      try {
        await api.get('/health', { auth: false, signal });
      } catch (e) {
        if (isApiError(e) && e.code !== 'network_error') return;
        throw e;
      }
    },
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
