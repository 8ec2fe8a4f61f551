import type { FastifyInstance } from 'fastify';
import type {
  AuditEntry,
  Consent,
  Consultation,
  GiveConsentRequest,
  NewParticipant,
  SessionTokenResponse,
  StaffRole,
} from '@samkons/shared';
import type { DomainServices } from '../../server/src/booking/services.js';

/**
 * Sets up consultations, tokens and consent through the REST API, the way a client does
 * (`app.inject()`); only staff accounts are created directly (there is no signup API).
 */
export interface Staff {
  accountId: string;
  name: string;
  organisation: string;
  accessToken: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;

async function call<T>(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  token: string | null,
  payload?: unknown,
): Promise<T> {
  const res = await app.inject({
    method,
    url,
    ...(token ? { headers: bearer(token) } : {}),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

export async function createStaff(
  app: FastifyInstance,
  services: DomainServices,
  role: StaffRole,
  opts: { name?: string; organisation?: string } = {},
): Promise<Staff> {
  const n = ++counter;
  const username = `${role}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `pw-${username}`;
  const name = opts.name ?? `${role} ${n}`;
  const organisation = opts.organisation ?? 'Helse Bergen';
  const accountId = await services.db.transaction((tx) =>
    services.auth.createAccount(tx, { username, password, name, role, organisation }),
  );
  const login = await call<{ accessToken: string }>(app, 'POST', '/api/auth/login', null, {
    username,
    password,
  });
  return { accountId, name, organisation, accessToken: login.accessToken };
}

/** Books a consultation starting in 10 minutes (invite links are already open). */
export function book(
  app: FastifyInstance,
  organiser: Staff,
  participants: NewParticipant[],
): Promise<Consultation> {
  const start = Date.now() + 10 * 60_000;
  return call<Consultation>(app, 'POST', '/api/consultations', organiser.accessToken, {
    kind: 'co_consultation',
    title: 'Samkonsultasjon',
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 45 * 60_000).toISOString(),
    documentingOrganisation: 'Helse Bergen',
    participants,
  });
}

/** A staff participant's session token (login + POST /session). */
export async function staffSessionToken(
  app: FastifyInstance,
  staff: Staff,
  consultationId: string,
): Promise<string> {
  const res = await call<SessionTokenResponse>(
    app,
    'POST',
    `/api/consultations/${consultationId}/session`,
    staff.accessToken,
  );
  return res.sessionToken;
}

/** An invited participant's session token: the organiser's link, exchanged like a browser. */
export async function inviteSessionToken(
  app: FastifyInstance,
  organiser: Staff,
  consultationId: string,
  participantId: string,
): Promise<string> {
  const link = await call<{ token: string }>(
    app,
    'POST',
    `/api/consultations/${consultationId}/participants/${participantId}/invite`,
    organiser.accessToken,
  );
  const res = await call<SessionTokenResponse>(app, 'POST', '/api/invites/exchange', null, {
    token: link.token,
  });
  return res.sessionToken;
}

export function giveConsent(
  app: FastifyInstance,
  sessionToken: string,
  consultationId: string,
  body: GiveConsentRequest,
): Promise<Consent> {
  return call<Consent>(
    app,
    'POST',
    `/api/consultations/${consultationId}/consents`,
    sessionToken,
    body,
  );
}

export function withdrawConsent(
  app: FastifyInstance,
  sessionToken: string,
  consultationId: string,
  consentId: string,
): Promise<Consent> {
  return call<Consent>(
    app,
    'POST',
    `/api/consultations/${consultationId}/consents/${consentId}/withdraw`,
    sessionToken,
    {},
  );
}

/** The access log as the patient (or guardian) reads it. */
export async function auditEntries(
  app: FastifyInstance,
  holderToken: string,
  consultationId: string,
): Promise<AuditEntry[]> {
  const res = await call<{ entries: AuditEntry[] }>(
    app,
    'GET',
    `/api/consultations/${consultationId}/audit`,
    holderToken,
  );
  return res.entries;
}

/** Who a participant is: a staff member (matched by name), or an invitee by role or name. */
export type Attendee = { staff: Staff } | { role?: string; name?: string };

/**
 * Each attendee's participant id and session token, issued in the order given: staff log in
 * themselves, invitees exchange the organiser's invite link.
 */
export async function attendees<K extends string>(
  app: FastifyInstance,
  organiser: Staff,
  c: Consultation,
  who: Record<K, Attendee>,
): Promise<{ ids: Record<K, string>; tokens: Record<K, string> }> {
  const ids = {} as Record<K, string>;
  const tokens = {} as Record<K, string>;
  for (const key of Object.keys(who) as K[]) {
    const a = who[key];
    if ('staff' in a) {
      ids[key] = participantId(c, { name: a.staff.name });
      tokens[key] = await staffSessionToken(app, a.staff, c.id);
    } else {
      ids[key] = participantId(c, a);
      tokens[key] = await inviteSessionToken(app, organiser, c.id, ids[key]);
    }
  }
  return { ids, tokens };
}

/** Participant id by role (first match) or by name. */
export function participantId(c: Consultation, match: { role?: string; name?: string }): string {
  const p = c.participants.find(
    (x) =>
      (match.role === undefined || x.role === match.role) &&
      (match.name === undefined || x.name === match.name),
  );
  if (!p) throw new Error(`no participant ${JSON.stringify(match)}`);
  return p.id;
}
