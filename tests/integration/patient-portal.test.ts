/**
 * The patient's own entry (/pasient) against a real oidc-provider started here: a patient
 * or next of kin logs in with the patient eID, sees exactly the consultations booked under
 * their national identity number, and gets a session for their own participant only, with
 * the invite link's rules and the eID's assurance level. Both database drivers.
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthProviders,
  Consultation,
  PatientConsultationList,
  PatientLoginResponse,
  PatientSessionResponse,
  isNationalId,
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

logDrivers('patient portal');

const PUBLIC_URL = 'https://samkons.test';
const REDIRECT = `${PUBLIC_URL}/pasient/callback`;
const INVITE_REDIRECT = `${PUBLIC_URL}/join/callback`;
const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';
const HASH_SECRET = 'identity-hash-secret-for-tests-0123456789';

/** A valid national identity number from 9 digits (the two control digits appended). */
function nationalId(first9: string): string {
  for (let k = 0; k < 100; k++) {
    const candidate = `${first9}${String(k).padStart(2, '0')}`;
    if (isNationalId(candidate)) return candidate;
  }
  throw new Error(`no valid number starts with ${first9}`);
}

const KARI = nationalId('150587100');
const OLA = nationalId('010150100');
const SIRI = nationalId('020360300');
const NOBODY = nationalId('311299400');
const LOW = nationalId('050505500');

const h = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testDrivers)('patient entry with the patient eID on %s', (driver) => {
  let idp: LocalIdp;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startLocalIdp([
      {
        clientId: 'samkons-patient',
        clientSecret: 'patient-secret',
        redirectUris: [REDIRECT, INVITE_REDIRECT],
      },
    ]);
    t = await buildTestApp(driver, {
      JWT_SECRET,
      PATIENT_OIDC_ISSUER: idp.issuer,
      PATIENT_OIDC_CLIENT_ID: 'samkons-patient',
      PATIENT_OIDC_CLIENT_SECRET: 'patient-secret',
      IDENTITY_HASH_SECRET: HASH_SECRET,
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const organisers = new Map<string, StaffLogin>();
  /** Books a consultation starting `inMinutes` from now, organised by a fresh specialist. */
  async function book(
    participants: NewParticipant[],
    inMinutes = 0,
    title = 'Oppfølging',
  ): Promise<Consultation> {
    const organiser = await staffLogin(t, 'specialist');
    const startsAt = new Date(Date.now() + inMinutes * 60_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(organiser.accessToken),
      payload: {
        kind: 'co_consultation',
        title,
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

  const patient = (pid: string | undefined, name = 'Kari Nordmann'): NewParticipant => ({
    role: 'patient',
    name,
    joinsFrom: 'home',
    travelDistanceKm: 90,
    birthDate: '1987-05-15',
    ...(pid ? { nationalId: pid } : {}),
  });
  const nextOfKin = (pid: string, name = 'Kari Nordmann'): NewParticipant => ({
    role: 'next_of_kin',
    name,
    joinsFrom: 'home',
    travelDistanceKm: 30,
    nationalId: pid,
  });
  const participantOf = (c: Consultation, role: string) =>
    c.participants.find((p) => p.role === role)!;

  /** Starts the patient entry's login and signs in at the provider as `user`. */
  async function loginAtProvider(user: IdpUser): Promise<URL> {
    const started = await t.app.inject({ method: 'POST', url: '/api/patient/oidc/start' });
    expect(started.statusCode, started.body).toBe(200);
    const url = new URL(started.json<{ authorizationUrl: string }>().authorizationUrl);
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    idp.next = user;
    return followLogin(url.href, REDIRECT);
  }
  const callback = (back: URL, route = '/api/patient/oidc/callback') =>
    t.app.inject({ method: 'GET', url: `${route}${back.search}` });
  async function login(user: IdpUser): Promise<PatientLoginResponse> {
    const res = await callback(await loginAtProvider(user));
    expect(res.statusCode, res.body).toBe(200);
    return PatientLoginResponse.parse(res.json());
  }
  const list = (token: string) =>
    t.app.inject({ method: 'GET', url: '/api/patient/consultations', headers: h(token) });
  const session = (token: string, participantId: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/patient/consultations/${participantId}/session`,
      headers: h(token),
    });

  const audit = async (action: string) =>
    (
      await t.db.query<{
        actor_type: string;
        actor_id: string | null;
        actor_role: string | null;
        assurance_level: string | null;
        consultation_id: string | null;
        detail: string | null;
      }>(
        `SELECT actor_type, actor_id, actor_role, assurance_level, consultation_id, detail
           FROM audit_log WHERE action = $1 ORDER BY seq`,
        [action],
      )
    ).rows;

  it('offers the entry by the eID name, with its own redirect and its index', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/providers' });
    expect(AuthProviders.parse(res.json())).toMatchObject({
      patientOidc: true,
      patientOidcName: 'ID-porten',
    });
    const index = await t.db.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'participants_identity_hash'",
    );
    expect(index.rows[0]?.indexdef).toMatch(/identity_hash IS NOT NULL/);
  });

  describe('one person booked in several consultations', () => {
    let asPatient: Consultation;
    let asNextOfKin: Consultation;
    let someoneElses: Consultation;
    let cancelled: Consultation;
    let longAgo: Consultation;
    let withoutNumber: Consultation;
    let kari: PatientLoginResponse;

    beforeAll(async () => {
      // Booked in this order so the start order differs from the booking order.
      asNextOfKin = await book(
        [patient(undefined, 'Barn Nordmann'), nextOfKin(KARI)],
        3 * 24 * 60,
        'Kontroll for barnet',
      );
      asPatient = await book([patient(KARI)], 0, 'Hjartesvikt');
      someoneElses = await book([patient(OLA, 'Ola Nordmann')]);
      cancelled = await book([patient(KARI)], 2 * 24 * 60, 'Avlyst');
      const cancel = await t.app.inject({
        method: 'POST',
        url: `/api/consultations/${cancelled.id}/cancel`,
        headers: h(organisers.get(cancelled.id)!.accessToken),
        payload: { reason: 'Sjuk' },
      });
      expect(cancel.statusCode, cancel.body).toBe(200);
      // A consultation that ended two days ago: moved there in the database (the API books
      // only ahead).
      longAgo = await book([patient(KARI)], 4 * 24 * 60, 'Gammal');
      await t.db.query(
        `UPDATE consultations SET starts_at = now() - interval '49 hours',
           ends_at = now() - interval '48 hours', status = 'completed' WHERE id = $1`,
        [longAgo.id],
      );
      // Booked without the number: the link is the only way in, nothing to find.
      withoutNumber = await book([patient(undefined)], 5 * 24 * 60, 'Utan nummer');
      kari = await login({ sub: 'idp-kari', acr: ACR_HIGH, pid: KARI });
    });

    it('lists exactly her consultations, in start order, with who organised them', () => {
      expect(kari.assuranceLevel).toBe('high');
      expect(kari.consultations.map((c) => c.consultationId)).toEqual([
        asPatient.id,
        asNextOfKin.id,
      ]);
      const [first, second] = kari.consultations;
      expect(first).toMatchObject({
        participantId: participantOf(asPatient, 'patient').id,
        role: 'patient',
        name: 'Kari Nordmann',
        title: 'Hjartesvikt',
        kind: 'co_consultation',
        status: 'booked',
        startsAt: asPatient.startsAt,
        endsAt: asPatient.endsAt,
        organiserName: organisers.get(asPatient.id)!.participantName,
        documentingOrganisation: 'Helse Bergen',
        // INVITE_OPENS_MINUTES_BEFORE's default: an hour before the start.
        joinableFrom: new Date(Date.parse(asPatient.startsAt) - 60 * 60_000).toISOString(),
      });
      expect(second).toMatchObject({
        participantId: participantOf(asNextOfKin, 'next_of_kin').id,
        role: 'next_of_kin',
        title: 'Kontroll for barnet',
      });
      const ids = kari.consultations.map((c) => c.consultationId);
      for (const c of [someoneElses, cancelled, longAgo, withoutNumber]) {
        expect(ids).not.toContain(c.id);
      }
    });

    it('never returns or signs the national identity number', () => {
      expect(JSON.stringify(kari)).not.toContain(KARI);
      const claims = jwt.decode(kari.patientToken) as Record<string, unknown>;
      expect(claims).toMatchObject({ aud: 'patient', asr: 'high' });
      expect(JSON.stringify(claims)).not.toContain(KARI);
      expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Thirty minutes.
      expect(Number(claims.exp) - Number(claims.iat)).toBe(30 * 60);
      expect(Date.parse(kari.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    });

    it('audits the list per consultation, as her participant there, at her level', async () => {
      const rows = await audit('patient.list');
      for (const c of kari.consultations) {
        expect(rows).toContainEqual(
          expect.objectContaining({
            actor_type: 'participant',
            actor_id: c.participantId,
            actor_role: c.role,
            assurance_level: 'high',
            consultation_id: c.consultationId,
          }),
        );
      }
      const before = rows.length;
      const again = await list(kari.patientToken);
      expect(again.statusCode, again.body).toBe(200);
      expect(PatientConsultationList.parse(again.json()).consultations).toEqual(kari.consultations);
      expect((await audit('patient.list')).length).toBe(before + 2);
    });

    it('admits her to her own participant, through its invite, at her eID level', async () => {
      const own = participantOf(asPatient, 'patient');
      const res = await session(kari.patientToken, own.id);
      expect(res.statusCode, res.body).toBe(200);
      const body = PatientSessionResponse.parse(res.json());
      expect(body.session.assuranceLevel).toBe('high');
      expect(body.session.participant).toMatchObject({
        id: own.id,
        consultationId: asPatient.id,
        role: 'patient',
        name: 'Kari Nordmann',
      });
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: h(body.session.sessionToken),
      });
      expect(me.json()).toMatchObject({ kind: 'participant', assuranceLevel: 'high' });
      // The invite token is the participant's real link: alone it still asks for the eID.
      const bare = await t.app.inject({
        method: 'POST',
        url: '/api/invites/exchange',
        payload: { token: body.inviteToken },
      });
      expect(bare.statusCode).toBe(403);
      expect(bare.json()).toMatchObject({ error: { code: 'identification_required' } });
      // The same invite the organiser sees (the token itself differs by its signing time).
      const link = await t.app.inject({
        method: 'POST',
        url: `/api/consultations/${asPatient.id}/participants/${own.id}/invite`,
        headers: h(organisers.get(asPatient.id)!.accessToken),
      });
      expect(jwt.decode(body.inviteToken)).toMatchObject({
        inv: link.json<{ inviteId: string }>().inviteId,
        sub: own.id,
        cid: asPatient.id,
      });
      const admitted = (await audit('invite.exchange.eid')).at(-1);
      expect(admitted).toMatchObject({
        actor_type: 'participant',
        actor_id: own.id,
        assurance_level: 'high',
        consultation_id: asPatient.id,
      });
    });

    it("gives 404 for anyone else's participant, and audits the attempt", async () => {
      const others = [
        participantOf(someoneElses, 'patient').id,
        participantOf(asPatient, 'specialist').id,
        participantOf(asNextOfKin, 'patient').id,
        participantOf(withoutNumber, 'patient').id,
        '00000000-0000-4000-8000-000000000000',
      ];
      const before = (await audit('patient.session_refused')).length;
      for (const id of others) {
        const res = await session(kari.patientToken, id);
        expect(res.statusCode, id).toBe(404);
        expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
      }
      const refused = await audit('patient.session_refused');
      expect(refused.length).toBe(before + others.length);
      expect(refused.at(-1)).toMatchObject({ actor_type: 'anonymous', assurance_level: 'high' });
    });

    it('keeps the invite window: not open yet is 403 with the opening time', async () => {
      const res = await session(kari.patientToken, participantOf(asNextOfKin, 'next_of_kin').id);
      expect(res.statusCode).toBe(403);
      const opens = kari.consultations[1]!.joinableFrom;
      expect(res.json()).toMatchObject({
        error: { code: 'forbidden', message: expect.stringContaining(opens) },
      });
    });

    it('refuses a cancelled consultation (cancelled after the list was fetched)', async () => {
      const c = await book([patient(KARI)], 10, 'Snart avlyst');
      const fresh = PatientConsultationList.parse((await list(kari.patientToken)).json());
      const entry = fresh.consultations.find((x) => x.consultationId === c.id)!;
      expect(entry.role).toBe('patient');
      await t.app.inject({
        method: 'POST',
        url: `/api/consultations/${c.id}/cancel`,
        headers: h(organisers.get(c.id)!.accessToken),
        payload: {},
      });
      const res = await session(kari.patientToken, entry.participantId);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_state' } });
      const after = PatientConsultationList.parse((await list(kari.patientToken)).json());
      expect(after.consultations.map((x) => x.consultationId)).not.toContain(c.id);
    });

    it('is not a bearer anywhere else in the API', async () => {
      const c = asPatient;
      const elsewhere: [string, string][] = [
        [
          'GET',
          `/api/consultations?from=${new Date(Date.now() - 86400_000).toISOString()}&to=${new Date(Date.now() + 86400_000).toISOString()}`,
        ],
        ['GET', '/api/auth/me'],
        ['GET', `/api/consultations/${c.id}`],
        ['POST', `/api/consultations/${c.id}/session`],
        ['GET', `/api/consultations/${c.id}/consents`],
      ];
      for (const [method, url] of elsewhere) {
        const res = await t.app.inject({
          method: method as 'GET' | 'POST',
          url,
          headers: h(kari.patientToken),
        });
        expect(res.statusCode, url).toBe(401);
        expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      }
    });
  });

  it('records substantial when the eID says so, on the list and the session', async () => {
    const c = await book([patient(SIRI, 'Siri Nordmann')]);
    const siri = await login({ sub: 'idp-siri', acr: ACR_SUBSTANTIAL, pid: SIRI });
    expect(siri.assuranceLevel).toBe('substantial');
    expect(siri.consultations.map((x) => x.consultationId)).toEqual([c.id]);
    const res = await session(siri.patientToken, siri.consultations[0]!.participantId);
    expect(res.statusCode, res.body).toBe(200);
    expect(PatientSessionResponse.parse(res.json()).session.assuranceLevel).toBe('substantial');
    expect((await audit('invite.exchange.eid')).at(-1)).toMatchObject({
      assurance_level: 'substantial',
      consultation_id: c.id,
    });
  });

  it('lists nothing for someone booked nowhere, and audits that once', async () => {
    const nobody = await login({ sub: 'idp-nobody', acr: ACR_HIGH, pid: NOBODY });
    expect(nobody.consultations).toEqual([]);
    expect((await audit('patient.list')).at(-1)).toMatchObject({
      actor_type: 'anonymous',
      actor_id: null,
      consultation_id: null,
      assurance_level: 'high',
      detail: expect.stringContaining('"consultations":0'),
    });
  });

  it('refuses a login below the minimum level and an eID without a number', async () => {
    await book([patient(LOW, 'Lav Nivå')]);
    const weak = await callback(
      await loginAtProvider({ sub: 'idp-low', acr: 'idporten-loa-low', pid: LOW }),
    );
    expect(weak.statusCode).toBe(403);
    expect(weak.json()).toMatchObject({
      error: { code: 'identification_required', message: expect.stringMatching(/substantial/) },
    });
    const nopid = await callback(await loginAtProvider({ sub: 'idp-nopid', acr: ACR_HIGH }));
    expect(nopid.statusCode).toBe(403);
    expect(nopid.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/national identity number/) },
    });
    const refused = await audit('patient.eid_refused');
    expect(refused.slice(-2).map((r) => r.assurance_level)).toEqual(['low', 'high']);
    expect(JSON.stringify(refused)).not.toContain(LOW);
  });

  it('uses a login state once, and only at the patient callback', async () => {
    const back = await loginAtProvider({ sub: 'idp-kari', acr: ACR_HIGH, pid: KARI });
    // The patient entry's state at the invite callback: unknown there, not used up.
    const atInvite = await callback(back, '/api/invites/oidc/callback');
    expect(atInvite.statusCode).toBe(401);
    const first = await callback(back);
    expect(first.statusCode, first.body).toBe(200);
    const replay = await callback(back);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('refuses tampered, expired, foreign and other kinds of tokens with 401', async () => {
    const kari = await login({ sub: 'idp-kari', acr: ACR_HIGH, pid: KARI });
    const [head, payload, sig] = kari.patientToken.split('.');
    const claims = jwt.decode(kari.patientToken) as { sub: string; asr: string };
    // Someone else's hash in the payload, the signature kept.
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'x'.repeat(43) })).toString(
      'base64url',
    );
    const sign = (body: object, secret = JWT_SECRET, audience = 'patient') =>
      jwt.sign(body, secret, { algorithm: 'HS256', issuer: 'samkons', audience });
    const expired = sign({
      sub: claims.sub,
      asr: 'high',
      iat: Math.floor(Date.now() / 1000) - 3600,
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    const staff = await staffLogin(t, 'gp');
    const bad = {
      tampered: `${head}.${forged}.${sig}`,
      'bad signature': `${head}.${payload}.${sig!.slice(0, -4)}AAAA`,
      expired,
      'other secret': sign({ sub: claims.sub, asr: 'high' }, 'another-secret-0123456789abcdef0123'),
      'session audience': sign({ sub: claims.sub, asr: 'high' }, JWT_SECRET, 'session'),
      'staff access token': staff.accessToken,
      'not a jwt': 'not-a-jwt',
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await list(token);
      expect(res.statusCode, what).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      const s = await session(token, '00000000-0000-4000-8000-000000000000');
      expect(s.statusCode, what).toBe(401);
    }
    const none = await t.app.inject({ method: 'GET', url: '/api/patient/consultations' });
    expect(none.statusCode).toBe(401);
  });

  it('answers bad input with 4xx JSON and a stable code', async () => {
    const kari = await login({ sub: 'idp-kari', acr: ACR_HIGH, pid: KARI });
    const cases: [string, 'GET' | 'POST', number, string][] = [
      ['/api/patient/consultations/not-a-uuid/session', 'POST', 400, 'bad_request'],
      ['/api/patient/oidc/callback', 'GET', 401, 'unauthenticated'],
      ['/api/patient/oidc/callback?state=made-up&code=x', 'GET', 401, 'unauthenticated'],
      [`/api/patient/oidc/callback?state=${'x'.repeat(5000)}`, 'GET', 400, 'bad_request'],
      ['/api/patient/consultations', 'POST', 404, 'not_found'],
    ];
    for (const [url, method, status, code] of cases) {
      const res = await t.app.inject({ method, url, headers: h(kari.patientToken) });
      expect(res.statusCode, url).toBe(status);
      expect(res.json(), url).toMatchObject({ error: { code } });
    }
  });
});

describe.each(testDrivers)('without the patient eID configured on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(driver);
  });
  afterAll(() => t.close());

  it('has no patient entry', async () => {
    for (const [method, url] of [
      ['POST', '/api/patient/oidc/start'],
      ['GET', '/api/patient/oidc/callback?state=x'],
      ['GET', '/api/patient/consultations'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
