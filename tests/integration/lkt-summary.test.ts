/**
 * The summary after a session (issue 11 item 5): for each participant as they may see it;
 * tariff hints only for the GP, marked as guidance with their source; nothing for others.
 * The patient entry's token (eID login) reads one's own summaries, and nobody else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsultationSummary, TARIFF_SOURCE, isNationalId } from '@samkons/shared';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import { TokenSigner } from '../../server/src/auth/tokens.js';
import { IdentityHasher } from '../../server/src/auth/identity-hash.js';

logDrivers('lkt-summary');
const h = (token: string) => ({ authorization: `Bearer ${token}` });
const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';
const HASH_SECRET = 'identity-hash-secret-for-tests-0123456789';
function nationalId(first9: string): string {
  for (let k = 0; k < 100; k++) {
    const candidate = `${first9}${String(k).padStart(2, '0')}`;
    if (isNationalId(candidate)) return candidate;
  }
  throw new Error(`no valid number starts with ${first9}`);
}
const KARI = nationalId('150587100');
const NOBODY = nationalId('311299400');

describe.each(testDrivers)('summary on %s', (driver) => {
  let t: TestApp;
  let spec: StaffLogin;
  let gp: StaffLogin;
  let w: World;
  let next: string;

  beforeAll(async () => {
    t = await buildTestApp(driver, {
      INVITE_OPENS_MINUTES_BEFORE: '100000',
      JWT_SECRET,
      // The patient entry (its provider is never called here: discovery is lazy).
      PATIENT_OIDC_ISSUER: 'https://idp.samkons.invalid',
      PATIENT_OIDC_CLIENT_ID: 'samkons-patient',
      IDENTITY_HASH_SECRET: HASH_SECRET,
    });
    spec = await staffLogin(t, 'specialist');
    gp = await staffLogin(t, 'gp');
    w = await createWorld(
      t,
      { specialist: spec, gp, municipal: await staffLogin(t, 'municipal') },
      new Date(Date.now() + 3600_000),
    );
    const base = `/api/consultations/${w.consultation.id}`;
    await t.app.inject({
      method: 'PUT',
      url: `${base}/story`,
      headers: h(w.tokens.patient),
      payload: { whatMatters: 'Katten', goodDay: 'Sol', sharing: 'health_personnel' },
    });
    await t.app.inject({
      method: 'POST',
      url: `${base}/plan/items`,
      headers: h(spec.accessToken),
      payload: { what: 'Gå tur', owner: { kind: 'patient' }, dueDate: null },
    });
    const startsAt = new Date(Date.now() + 20 * 86400_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(spec.accessToken),
      payload: {
        kind: 'follow_up',
        title: 'Neste kontroll',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: [
          {
            role: 'patient',
            name: 'Pasient',
            joinsFrom: 'home',
            travelDistanceKm: 5,
            birthDate: '1950-05-05',
          },
        ],
        continuesFrom: w.consultation.id,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    next = startsAt.toISOString();
  });
  afterAll(() => t.close());

  const get = (token: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}/summary`,
      headers: h(token),
    });

  it('the GP gets the participants, the shared story, the plan, the next meeting and tariff hints', async () => {
    const res = await get(gp.accessToken);
    expect(res.statusCode, res.body).toBe(200);
    const s = ConsultationSummary.parse(res.json());
    expect(s.participants).toHaveLength(w.consultation.participants.length);
    expect(s.story?.state).toBe('shown');
    expect(s.nextMeeting).toEqual({ startsAt: next, title: 'Neste kontroll' });
    // GP at the other care level without shared health information: the plan is withheld.
    expect(s.plan).toHaveLength(0);
    expect(s.planWithheld).toBe(1);
    expect(s.tariffHints.map((x) => x.code)).toEqual(['2ae', '2af', '14', '7']);
    expect(TARIFF_SOURCE.url).toMatch(/^https:\/\//);
    expect(s.surveyPath).toBe(`/survey/${w.consultation.id}`);
  });

  it('others get no tariff hints; the story as the patient shared it; the interpreter no plan', async () => {
    const patient = ConsultationSummary.parse((await get(w.tokens.patient)).json());
    expect(patient.tariffHints).toEqual([]);
    expect(patient.plan.map((x) => x.what)).toEqual(['Gå tur']);
    const kin = ConsultationSummary.parse((await get(w.tokens.next_of_kin)).json());
    expect(kin.story?.state).toBe('not_shared');
    const interpreter = ConsultationSummary.parse((await get(w.tokens.interpreter)).json());
    expect(interpreter.plan).toEqual([]);
    expect(ConsultationSummary.parse((await get(spec.accessToken)).json()).tariffHints).toEqual([]);
  });

  it('outsiders 404, no token 401, a bad id 400; reads are audited', async () => {
    const outsider = await staffLogin(t, 'gp');
    expect((await get(outsider.accessToken)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/consultations/${w.consultation.id}/summary`,
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/consultations/x/summary',
          headers: h(gp.accessToken),
        })
      ).statusCode,
    ).toBe(400);
    const rows = await t.db.query(
      "SELECT 1 FROM audit_log WHERE consultation_id = $1 AND action = 'summary.read'",
      [w.consultation.id],
    );
    expect(rows.rows.length).toBeGreaterThanOrEqual(5);
  });

  it("the patient entry's token reads one's own summary only", async () => {
    const signer = new TokenSigner(JWT_SECRET);
    const hasher = new IdentityHasher(HASH_SECRET);
    const entry = (pid: string) =>
      signer.sign('patient', { sub: hasher.hash(pid), asr: 'high' }, 1800);
    const startsAt = new Date(Date.now() + 30 * 86400_000);
    const booked = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(spec.accessToken),
      payload: {
        kind: 'follow_up',
        title: 'Kontroll for Kari',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: [
          {
            role: 'patient',
            name: 'Kari Nordmann',
            nationalId: KARI,
            birthDate: '1987-05-15',
            joinsFrom: 'home',
            travelDistanceKm: 40,
          },
        ],
      },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const id = (booked.json() as { id: string }).id;
    const read = (token: string, consultationId = id) =>
      t.app.inject({
        method: 'GET',
        url: `/api/consultations/${consultationId}/summary`,
        headers: h(token),
      });
    const own = await read(entry(KARI));
    expect(own.statusCode, own.body).toBe(200);
    const s = ConsultationSummary.parse(own.json());
    expect(s.title).toBe('Kontroll for Kari');
    expect(s.you.role).toBe('patient');
    expect(s.tariffHints).toEqual([]);
    // Someone else's eID, and Kari's for a consultation she is not booked in (by number).
    expect((await read(entry(NOBODY))).statusCode).toBe(404);
    expect((await read(entry(KARI), w.consultation.id)).statusCode).toBe(404);
    const rows = await t.db.query<{ actor_type: string }>(
      "SELECT actor_type FROM audit_log WHERE consultation_id = $1 AND action = 'summary.read'",
      [id],
    );
    expect(rows.rows.map((r) => r.actor_type)).toEqual(['participant']);
  });
});
