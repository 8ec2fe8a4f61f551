/**
 * The patient eID (ID-porten) on an invite link, against a real oidc-provider started
 * here: a patient booked with a national identity number is admitted only after logging
 * in as that person, and the session token then carries the eID's assurance level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthProviders,
  Consultation,
  InviteLink,
  SessionTokenResponse,
  type NewParticipant,
} from '@samkons/shared';
import {
  buildTestApp,
  staffLogin,
  type StaffLogin,
  type TestApp,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import {
  ACR_HIGH,
  ACR_SUBSTANTIAL,
  followLogin,
  startLocalIdp,
  type IdpUser,
  type LocalIdp,
} from '../support/local-idp.js';

logDrivers('invite eID');

const PUBLIC_URL = 'https://samkons.test';
const REDIRECT = `${PUBLIC_URL}/join/callback`;
const PATIENT_PID = '15058710021';
const GUARDIAN_PID = '01015010033';
const SOMEONE_ELSE = '31039910007';
const HASH_SECRET = 'identity-hash-secret-for-tests-0123456789';

const h = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testDrivers)('invite identification with the patient eID on %s', (driver) => {
  let idp: LocalIdp;
  let t: TestApp;
  let specialist: StaffLogin;

  beforeAll(async () => {
    idp = await startLocalIdp([
      { clientId: 'samkons-patient', clientSecret: 'patient-secret', redirectUris: [REDIRECT] },
      {
        clientId: 'samkons-staff',
        clientSecret: 'staff-secret',
        redirectUris: [`${PUBLIC_URL}/login/callback`],
      },
    ]);
    t = await buildTestApp(driver, {
      // Staff HelseID on the same provider, to show the two login kinds stay apart.
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'samkons-staff',
      OIDC_CLIENT_SECRET: 'staff-secret',
      PATIENT_OIDC_ISSUER: idp.issuer,
      PATIENT_OIDC_CLIENT_ID: 'samkons-patient',
      PATIENT_OIDC_CLIENT_SECRET: 'patient-secret',
      IDENTITY_HASH_SECRET: HASH_SECRET,
    });
    specialist = await staffLogin(t, 'specialist');
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  /** Who organised each consultation: they fetch its invite links. */
  const organisers = new Map<string, StaffLogin>();
  /** Books a co-consultation starting now, organised by a fresh specialist (never double-booked). */
  async function book(participants: NewParticipant[]): Promise<Consultation> {
    const organiser = await staffLogin(t, 'specialist');
    const startsAt = new Date();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(organiser.accessToken),
      payload: {
        kind: 'co_consultation',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = Consultation.parse(res.json());
    organisers.set(c.id, organiser);
    return c;
  }

  const patient = (extra: Partial<NewParticipant> = {}): NewParticipant => ({
    role: 'patient',
    name: 'Kari Nordmann',
    joinsFrom: 'home',
    travelDistanceKm: 90,
    birthDate: '1987-05-15',
    nationalId: '150587 10021',
    ...extra,
  });

  async function inviteToken(c: Consultation, role: string): Promise<string> {
    const p = c.participants.find((x) => x.role === role)!;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${c.id}/participants/${p.id}/invite`,
      headers: h(organisers.get(c.id)!.accessToken),
    });
    expect(res.statusCode, res.body).toBe(200);
    return InviteLink.parse(res.json()).token;
  }

  const start = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/invites/oidc/start', payload: { token } });

  /** Opens the link's eID login and signs in as `user`; returns where the provider sent us. */
  async function loginAtProvider(token: string, user: IdpUser): Promise<URL> {
    const started = await start(token);
    expect(started.statusCode, started.body).toBe(200);
    const url = started.json<{ authorizationUrl: string }>().authorizationUrl;
    // Always a fresh login at the provider: the previous person's eID session is not reused.
    expect(new URL(url).searchParams.get('prompt')).toBe('login');
    idp.next = user;
    return followLogin(url, REDIRECT);
  }

  const callback = (back: URL, route = '/api/invites/oidc/callback') =>
    t.app.inject({ method: 'GET', url: `${route}${back.search}` });

  /** The whole eID round: start, provider login as `user`, callback. */
  async function identify(token: string, user: IdpUser) {
    const back = await loginAtProvider(token, user);
    return { back, res: await callback(back) };
  }

  const lastAudit = async (action: string) =>
    (
      await t.db.query<{ assurance_level: string; actor_id: string; detail: string | null }>(
        'SELECT assurance_level, actor_id, detail FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1',
        [action],
      )
    ).rows[0];

  it('offers the patient eID by name', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/providers' });
    expect(AuthProviders.parse(res.json())).toMatchObject({
      patientOidc: true,
      patientOidcName: 'ID-porten',
    });
  });

  it('stores no national identity number, only that the person must identify', async () => {
    const c = await book([patient()]);
    const p = c.participants.find((x) => x.role === 'patient')!;
    expect(p.strongIdentification).toBe(true);
    expect(JSON.stringify(c)).not.toContain(PATIENT_PID);
    const row = await t.db.query<{ identity_hash: string }>(
      'SELECT identity_hash FROM participants WHERE id = $1',
      [p.id],
    );
    expect(row.rows[0]?.identity_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row.rows[0]?.identity_hash).not.toContain(PATIENT_PID);
    const everything = await t.db.query<{ dump: string }>(
      "SELECT string_agg(p::text, ' ') AS dump FROM participants p",
    );
    expect(everything.rows[0]?.dump).not.toContain(PATIENT_PID);
  });

  it('refuses the bare link and admits the invited person after the eID login, at its level', async () => {
    const c = await book([patient()]);
    const token = await inviteToken(c, 'patient');
    const bare = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token },
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ error: { code: 'identification_required' } });

    const { res } = await identify(token, { sub: 'idp-kari', acr: ACR_HIGH, pid: PATIENT_PID });
    expect(res.statusCode, res.body).toBe(200);
    const session = SessionTokenResponse.parse(res.json());
    expect(session.assuranceLevel).toBe('high');
    expect(session.participant).toMatchObject({ consultationId: c.id, role: 'patient' });
    // The token works as a participant bearer, with the eID's level.
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: h(session.sessionToken),
    });
    expect(me.json()).toMatchObject({ kind: 'participant', assuranceLevel: 'high' });
    const audit = await lastAudit('invite.exchange.eid');
    expect(audit).toMatchObject({ assurance_level: 'high', actor_id: session.participant.id });
  });

  it('records substantial when the eID says so', async () => {
    const c = await book([patient()]);
    const { res } = await identify(await inviteToken(c, 'patient'), {
      sub: 'idp-kari',
      acr: ACR_SUBSTANTIAL,
      pid: PATIENT_PID,
    });
    expect(SessionTokenResponse.parse(res.json()).assuranceLevel).toBe('substantial');
  });

  it('refuses someone else, a login below the minimum level, and an eID without pid', async () => {
    const c = await book([patient()]);
    const token = await inviteToken(c, 'patient');
    const other = await identify(token, { sub: 'idp-ola', acr: ACR_HIGH, pid: SOMEONE_ELSE });
    expect(other.res.statusCode).toBe(403);
    expect(other.res.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/someone other/) },
    });
    const refused = await lastAudit('invite.eid_refused');
    expect(refused?.detail).toMatch(/someone other/);

    const weak = await identify(token, {
      sub: 'idp-kari',
      acr: 'idporten-loa-low',
      pid: PATIENT_PID,
    });
    expect(weak.res.statusCode).toBe(403);
    expect(weak.res.json()).toMatchObject({
      error: {
        code: 'identification_required',
        message: expect.stringMatching(/level substantial/),
      },
    });

    const nopid = await identify(token, { sub: 'idp-nopid', acr: ACR_HIGH });
    expect(nopid.res.statusCode).toBe(403);
    expect(nopid.res.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/national identity number/) },
    });
  });

  it('lets a guardian identify on their own link, for a patient under 16', async () => {
    const c = await book([
      patient({ name: 'Barn', birthDate: '2015-03-01', nationalId: undefined }),
      {
        role: 'next_of_kin',
        name: 'Forelder',
        joinsFrom: 'home',
        travelDistanceKm: 30,
        isGuardian: true,
        nationalId: GUARDIAN_PID,
      },
    ]);
    // The child was booked without a number: the link is enough, and the eID is not offered.
    const childToken = await inviteToken(c, 'patient');
    const child = await start(childToken);
    expect(child.statusCode).toBe(409);
    expect(child.json()).toMatchObject({ error: { code: 'invalid_state' } });
    const bare = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token: childToken },
    });
    expect(bare.statusCode).toBe(200);

    const { res } = await identify(await inviteToken(c, 'next_of_kin'), {
      sub: 'idp-parent',
      acr: ACR_HIGH,
      pid: GUARDIAN_PID,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(SessionTokenResponse.parse(res.json()).participant.role).toBe('next_of_kin');
  });

  it('uses each login state once, and checks the invite again on the way back', async () => {
    const c = await book([patient()]);
    const token = await inviteToken(c, 'patient');
    const first = await identify(token, { sub: 'idp-kari', acr: ACR_HIGH, pid: PATIENT_PID });
    expect(first.res.statusCode).toBe(200);
    const replay = await callback(first.back);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'unauthenticated' } });

    // The link is revoked while the person is away at the provider.
    const back = await loginAtProvider(token, { sub: 'idp-kari', acr: ACR_HIGH, pid: PATIENT_PID });
    const p = c.participants.find((x) => x.role === 'patient')!;
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${c.id}/participants/${p.id}/invite/revoke`,
      headers: h(organisers.get(c.id)!.accessToken),
    });
    expect(revoke.statusCode, revoke.body).toBe(200);
    const late = await callback(back);
    expect(late.statusCode).toBe(401);
    expect(late.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('keeps staff and invite logins apart: a state from one is unknown to the other', async () => {
    const c = await book([patient()]);
    const back = await loginAtProvider(await inviteToken(c, 'patient'), {
      sub: 'idp-kari',
      acr: ACR_HIGH,
      pid: PATIENT_PID,
    });
    // The invite's state at the staff callback: unknown there, and not used up by trying.
    const staff = await callback(back, '/api/auth/oidc/callback');
    expect(staff.statusCode).toBe(401);
    expect(staff.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const invite = await callback(back);
    expect(invite.statusCode, invite.body).toBe(200);
    expect(SessionTokenResponse.parse(invite.json()).assuranceLevel).toBe('high');
  });

  it('rejects bad national identity numbers and bad start requests with clear 4xx', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ token: 'not-a-jwt' }, 401, 'unauthenticated'],
      [{}, 400, 'bad_request'],
      [{ token: 'x'.repeat(5000) }, 400, 'bad_request'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/invites/oidc/start', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json()).toMatchObject({ error: { code } });
    }
    for (const nationalId of ['15058710022', '1505871002', 'abcdefghijk']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/consultations',
        headers: h(specialist.accessToken),
        payload: {
          kind: 'co_consultation',
          startsAt: new Date(Date.now() + 500 * 3600_000).toISOString(),
          endsAt: new Date(Date.now() + 501 * 3600_000).toISOString(),
          documentingOrganisation: 'Helse Bergen',
          participants: [patient({ nationalId })],
        },
      });
      expect(res.statusCode, nationalId).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    // Staff identify through HelseID, not with a national identity number on the booking.
    const gp = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(specialist.accessToken),
      payload: {
        kind: 'guidance',
        startsAt: new Date(Date.now() + 600 * 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 601 * 3600_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: [
          {
            role: 'gp',
            name: 'Fastlege',
            joinsFrom: 'gp_office',
            travelDistanceKm: 0,
            nationalId: PATIENT_PID,
          },
        ],
      },
    });
    expect(gp.statusCode).toBe(400);
  });
});

describe.each(testDrivers)('without the patient eID configured on %s', (driver) => {
  let t: TestApp;
  let specialist: StaffLogin;
  beforeAll(async () => {
    t = await buildTestApp(driver);
    specialist = await staffLogin(t, 'specialist');
  });
  afterAll(() => t.close());

  it('refuses to bind a number nobody could log in with, and offers no eID', async () => {
    const providers = await t.app.inject({ method: 'GET', url: '/api/auth/providers' });
    expect(AuthProviders.parse(providers.json()).patientOidc).toBe(false);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(specialist.accessToken),
      payload: {
        kind: 'co_consultation',
        startsAt: new Date(Date.now() + 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: [
          {
            role: 'patient',
            name: 'Kari',
            joinsFrom: 'home',
            travelDistanceKm: 10,
            birthDate: '1987-05-15',
            nationalId: PATIENT_PID,
          },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'bad_request', message: expect.stringMatching(/not configured/) },
    });
    const start = await t.app.inject({
      method: 'POST',
      url: '/api/invites/oidc/start',
      payload: { token: 'whatever' },
    });
    expect(start.statusCode).toBe(404);
  });
});
