import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Consultation, Participant, ReportResponse } from '@samkons/shared';
import { loadConfig } from '../../server/src/config.js';
import { buildApp } from '../../server/src/app.js';
import { migrate, openPglite, type Database } from '../../server/src/db/index.js';
import { openPg } from '../../server/src/db/pg-driver.js';
import { consultationsRepo } from '../../server/src/db/consultations-repo.js';
import { createDomainServices, type DomainServices } from '../../server/src/booking/services.js';
import { createReports, type ReportsService } from '../../server/src/reports/index.js';

/** Every test runs on PGlite, and on PostgreSQL too when SAMKONS_TEST_PG_URL is set. */
const pgUrl = process.env.SAMKONS_TEST_PG_URL;
const drivers: [string, () => Promise<{ db: Database; drop: () => Promise<void> }>][] = [
  ['pglite', async () => ({ db: await openPglite('memory://'), drop: async () => undefined })],
];
if (pgUrl) {
  drivers.push([
    'pg',
    async () => {
      const schema = `reports_${randomUUID().replace(/-/g, '')}`;
      const admin = await openPg({ url: pgUrl, max: 1 });
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const db = await openPg({ url: pgUrl, schema, max: 4 });
      return {
        db,
        drop: async () => {
          await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
          await admin.close();
        },
      };
    },
  ]);
}

// Status changes stamp the real time: consultations and the period are around now.
const NOW = Date.now();
const osloDay = (t: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(t));
const FROM = osloDay(NOW - 2 * 86400_000);
const TO = osloDay(NOW + 2 * 86400_000);
const PERIOD = `from=${FROM}&to=${TO}`;
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);
const PATIENT_NAME = 'Kari Nordmann-Testesen';

describe.each(drivers)('reports on %s', (_name, open) => {
  let db: Database;
  let drop: () => Promise<void>;
  let app: FastifyInstance;
  let services: DomainServices;
  let reports: ReportsService;
  const ids = { specialist: '', nurse: '', analyst: '', outsider: '' };
  const tokens = { specialist: '', nurse: '', analyst: '', outsider: '', patient: '', other: '' };
  let consultation: Consultation;
  let other: Consultation;
  let patient: Participant;
  let nurseP: Participant;

  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  const summary = async (token = tokens.analyst, q = PERIOD) => {
    const r = await app.inject({
      method: 'GET',
      url: `/api/reports/summary?${q}`,
      headers: auth(token),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<ReportResponse>();
  };

  async function book(
    organiser: string,
    participants: Omit<Participant, 'id' | 'consultationId'>[],
    startsAt = minutesAgo(30).toISOString(),
  ): Promise<Consultation> {
    const id = randomUUID();
    await consultationsRepo.insert(db, {
      id,
      kind: 'co_consultation',
      status: 'booked',
      title: null,
      startsAt,
      endsAt: new Date(Date.parse(startsAt) + 3600_000).toISOString(),
      organiserId: organiser,
      documentingOrganisation: 'Helse Bergen',
      cancelReason: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    for (const p of participants) {
      await consultationsRepo.insertParticipant(db, { ...p, id: randomUUID(), consultationId: id });
    }
    return (await consultationsRepo.byId(db, id))!;
  }

  const person = (
    role: Participant['role'],
    name: string,
    joinsFrom: Participant['joinsFrom'],
    km: number,
    accountId: string | null = null,
  ): Omit<Participant, 'id' | 'consultationId'> => ({
    role,
    name,
    organisation: null,
    email: null,
    mobile: null,
    joinsFrom,
    travelDistanceKm: km,
    birthDate: role === 'patient' ? '1940-05-17' : null,
    isGuardian: false,
    strongIdentification: false,
    accountId,
  });

  beforeAll(async () => {
    ({ db, drop } = await open());
    await migrate(db);
    reports = await createReports(db);
    // Applying the reports schema again is a no-op.
    await createReports(db);
    const config = loadConfig({ LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) });
    services = createDomainServices(config, db);
    for (const [key, role] of [
      ['specialist', 'specialist'],
      ['nurse', 'municipal'],
      ['analyst', 'specialist'],
      ['outsider', 'gp'],
    ] as const) {
      ids[key] = await services.auth.createAccount(db, {
        username: key,
        name: `Test ${key}`,
        role,
        organisation: 'Test',
        password: 'secret-password',
      });
      const t = await services.auth.login(key, 'secret-password', { clientAddress: null });
      tokens[key] = t.accessToken;
    }
    await reports.grantReporting(ids.analyst);
    app = await buildApp({
      config,
      reports: { reports, authenticate: (h) => services.auth.authenticate(h) },
    });

    consultation = await book(ids.specialist, [
      person('specialist', 'Dr. Spesialist', 'hospital', 0, ids.specialist),
      person('patient', PATIENT_NAME, 'home', 90),
      person('municipal', 'Heimesjukepleiar', 'home', 90, ids.nurse),
    ]);
    patient = consultation.participants.find((p) => p.role === 'patient')!;
    nurseP = consultation.participants.find((p) => p.role === 'municipal')!;
    other = await book(ids.outsider, [
      person('gp', 'Fastlege', 'gp_office', 0, ids.outsider),
      person('patient', 'Ola Annan', 'home', 30),
    ]);
    const session = async (c: Consultation, p: Participant) =>
      (await services.auth.issueSessionToken(c, p, 'low', { accountId: null, inviteId: null }))
        .sessionToken;
    tokens.patient = await session(consultation, patient);
    tokens.other = await session(
      other,
      other.participants.find((p) => p.role === 'patient')!,
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await drop?.();
  });

  it('needs a login, and a reporting grant to read reports', async () => {
    const none = await app.inject({ method: 'GET', url: `/api/reports/summary?${PERIOD}` });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthenticated');
    for (const t of [tokens.specialist, tokens.nurse, tokens.patient]) {
      for (const url of [
        `/api/reports/summary?${PERIOD}`,
        `/api/reports/export.csv?${PERIOD}`,
        `/api/reports/consultations/${consultation.id}`,
      ]) {
        const r = await app.inject({ method: 'GET', url, headers: auth(t) });
        expect(r.statusCode, url).toBe(403);
        expect(r.json().error.code).toBe('forbidden');
      }
    }
    expect((await summary()).total.sessions).toBe(0);
  });

  it('refuses bad periods and ids with 400', async () => {
    for (const q of [
      'from=2024-03-31&to=2024-03-01',
      'from=2024-13-01&to=2024-12-31',
      'from=2024-01-01',
      'from=2020-01-01&to=2024-01-01',
    ]) {
      const r = await app.inject({
        method: 'GET',
        url: `/api/reports/summary?${q}`,
        headers: auth(tokens.analyst),
      });
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.code).toBe('bad_request');
    }
    const r = await app.inject({
      method: 'GET',
      url: '/api/reports/consultations/not-a-uuid',
      headers: auth(tokens.analyst),
    });
    expect(r.statusCode).toBe(400);
  });

  it('the survey is closed before the session', async () => {
    const status = await app.inject({
      method: 'GET',
      url: `/api/surveys/${consultation.id}`,
      headers: auth(tokens.patient),
    });
    expect(status.json()).toMatchObject({
      audience: 'patient_relative',
      answered: false,
      open: false,
    });
    const r = await app.inject({
      method: 'POST',
      url: `/api/surveys/${consultation.id}`,
      headers: auth(tokens.patient),
      payload: { audience: 'patient_relative', scores: patientScores },
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('invalid_state');
  });

  it('counts a completed consultation: 360 km, time, CO2 and cost from the status changes', async () => {
    await consultationsRepo.update(db, consultation.id, { status: 'in_progress' });
    await consultationsRepo.update(db, consultation.id, { status: 'completed' });
    const r = await summary();
    expect(r.total).toMatchObject({
      sessions: 1,
      participants: 3,
      trips: 2,
      km: 360,
      travelHours: 6,
      kgCo2: 43.2,
      costNok: 900,
    });
    expect(r.explanation.km.nn).toContain('= 360 km');
    expect(r.breakdowns.role.find((x) => x.key === 'specialist')).toMatchObject({
      km: 0,
      participants: 1,
    });
    expect(r.breakdowns.kind).toEqual([
      expect.objectContaining({ key: 'co_consultation', sessions: 1 }),
    ]);
    expect(r.factors.find((f) => f.mode === 'car')!.sources.join(' ')).toContain(
      'Helse Møre og Romsdal',
    );
    // The other consultation is not completed: not counted. Another period: nothing.
    const later = `from=${osloDay(NOW + 3 * 86400_000)}&to=${osloDay(NOW + 9 * 86400_000)}`;
    expect((await summary(tokens.analyst, later)).total.sessions).toBe(0);

    const detail = await app.inject({
      method: 'GET',
      url: `/api/reports/consultations/${consultation.id}`,
      headers: auth(tokens.analyst),
    });
    expect(detail.statusCode).toBe(200);
    const d = detail.json();
    expect(d.startedAt).not.toBeNull();
    expect(Date.parse(d.endedAt)).toBeGreaterThanOrEqual(Date.parse(d.startedAt));
    expect(d.attendanceSource).toBe('status');
    const nurseRow = d.participants.find(
      (p: { participantId: string }) => p.participantId === nurseP.id,
    );
    expect(nurseRow.explanation.km.nb).toContain('90 km × 2 (tur-retur) = 180 km');
    expect(JSON.stringify(d)).not.toContain(PATIENT_NAME);
  });

  it('takes one survey answer per participant; aggregates carry no names', async () => {
    const post = (token: string, payload: unknown, id = consultation.id) =>
      app.inject({
        method: 'POST',
        url: `/api/surveys/${id}`,
        headers: auth(token),
        payload: payload as object,
      });

    const bad = await post(tokens.patient, {
      audience: 'patient_relative',
      scores: { ...patientScores, felt_safe: 6 },
    });
    expect(bad.statusCode).toBe(400);
    const wrongSet = await post(tokens.patient, { audience: 'staff', scores: staffScores });
    expect(wrongSet.statusCode).toBe(400);
    // A participant answers for their own consultation only.
    const foreign = await post(tokens.other, {
      audience: 'patient_relative',
      scores: patientScores,
    });
    expect(foreign.statusCode).toBe(403);
    const outsider = await post(tokens.outsider, { audience: 'staff', scores: staffScores });
    expect(outsider.statusCode).toBe(403);

    const ok = await post(tokens.patient, {
      audience: 'patient_relative',
      scores: patientScores,
      freeText: 'Slapp den lange turen til Bergen.',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const again = await post(tokens.patient, {
      audience: 'patient_relative',
      scores: patientScores,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
    // Staff taking part answer with their login.
    const nurse = await post(tokens.nurse, { audience: 'staff', scores: staffScores });
    expect(nurse.statusCode, nurse.body).toBe(201);

    const status = await app.inject({
      method: 'GET',
      url: `/api/surveys/${consultation.id}`,
      headers: auth(tokens.patient),
    });
    expect(status.json()).toMatchObject({ answered: true, open: true, participantId: patient.id });

    const r = await summary();
    expect(r.total.surveyAnswers).toBe(2);
    expect(r.total.scores.easy_to_join).toBe(4.5);
    expect(r.breakdowns.role.find((x) => x.key === 'patient')!.scores.felt_safe).toBe(5);
    expect(r.comments).toEqual([
      {
        month: r.breakdowns.month[0]!.key,
        audience: 'patient_relative',
        text: 'Slapp den lange turen til Bergen.',
      },
    ]);
    const body = JSON.stringify(r);
    for (const secret of [PATIENT_NAME, 'Heimesjukepleiar', patient.id, nurseP.id]) {
      expect(body).not.toContain(secret);
    }
  });

  it('exports the same rows as CSV', async () => {
    const r = await app.inject({
      method: 'GET',
      url: `/api/reports/export.csv?${PERIOD}`,
      headers: auth(tokens.analyst),
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.headers['content-disposition']).toContain(`samkons-evaluering-${FROM}_${TO}.csv`);
    const lines = r.body.trimEnd().split('\r\n');
    const s = await summary();
    const rowCount = 1 + Object.values(s.breakdowns).reduce((n, rows) => n + rows.length, 0);
    expect(lines).toHaveLength(1 + rowCount);
    expect(lines[0]!.startsWith('dimension,key,sessions,')).toBe(true);
    expect(lines[1]!.startsWith(`total,all,1,`)).toBe(true);
    expect(lines[1]).toContain(',360,6,43.2,900,2,');
    expect(r.body).not.toContain(PATIENT_NAME);
  });

  it('travel entered for the report replaces the booking distance', async () => {
    const url = `/api/reports/consultations/${consultation.id}/participants/${patient.id}/travel`;
    const put = (token: string, payload: unknown) =>
      app.inject({ method: 'PUT', url, headers: auth(token), payload: payload as object });
    const plan = { origin: { kind: 'place', placeId: 'fedje' }, mode: 'boat' };
    expect((await put(tokens.patient, plan)).statusCode).toBe(403);
    expect((await put(tokens.outsider, plan)).statusCode).toBe(403);
    expect(
      (await put(tokens.specialist, { ...plan, origin: { kind: 'place', placeId: 'oslo' } }))
        .statusCode,
    ).toBe(400);
    expect((await put(tokens.specialist, { ...plan, mode: 'helicopter' })).statusCode).toBe(400);
    expect((await put(tokens.specialist, plan)).statusCode).toBe(204);

    const r = await summary();
    expect(r.breakdowns.municipality.map((m) => m.key)).toEqual(['Fedje']);
    // Fedje 80 km by boat for the patient + the nurse's 180 km by car.
    expect(r.total.km).toBe(160 + 180);
    expect(r.total.kgCo2).toBeCloseTo(160 * 0.25 + 180 * 0.12, 2);
    // Reporting staff may correct it too.
    expect(
      (await put(tokens.analyst, { origin: { kind: 'km', oneWayKm: 90 }, mode: 'car' })).statusCode,
    ).toBe(204);
    expect((await summary()).total.km).toBe(360);
  });

  it('reads back the saved travel plans, authorised like saving them', async () => {
    const url = (id = consultation.id) => `/api/reports/consultations/${id}/travel`;
    const get = (token: string, id?: string) =>
      app.inject({ method: 'GET', url: url(id), headers: auth(token) });
    const nursePlan = {
      origin: { kind: 'place', placeId: 'fedje' },
      mode: 'boat',
      accompanying: true,
    };
    const saved = await app.inject({
      method: 'PUT',
      url: `/api/reports/consultations/${consultation.id}/participants/${nurseP.id}/travel`,
      headers: auth(tokens.specialist),
      payload: nursePlan,
    });
    expect(saved.statusCode, saved.body).toBe(204);

    for (const t of [tokens.specialist, tokens.analyst]) {
      const r = await get(t);
      expect(r.statusCode, r.body).toBe(200);
      // Only participants with a saved plan; the specialist has none.
      expect(r.json()).toEqual({
        consultationId: consultation.id,
        plans: {
          [patient.id]: { origin: { kind: 'km', oneWayKm: 90 }, mode: 'car', accompanying: false },
          [nurseP.id]: nursePlan,
        },
      });
    }
    const empty = await get(tokens.outsider, other.id);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json()).toEqual({ consultationId: other.id, plans: {} });

    for (const t of [tokens.patient, tokens.outsider]) {
      const r = await get(t);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
    }
    expect((await app.inject({ method: 'GET', url: url() })).statusCode).toBe(401);
    const unknown = await get(tokens.analyst, randomUUID());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect((await get(tokens.analyst, 'not-a-uuid')).statusCode).toBe(400);

    const audit = await db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE consultation_id = $1 ORDER BY seq',
      [consultation.id],
    );
    expect(audit.rows.filter((a) => a.action === 'report.travel.read')).toHaveLength(2);
  });

  it('uses attendance from the live session once recorded', async () => {
    const start = minutesAgo(55);
    await reports.recordSessionTimes(consultation.id, {
      startedAt: start,
      endedAt: minutesAgo(10),
    });
    await reports.recordAttendance(consultation.id, patient.id, start, minutesAgo(25));
    const spec = consultation.participants.find((p) => p.role === 'specialist')!;
    await reports.recordAttendance(consultation.id, spec.id, start, null);
    const r = await summary();
    // The nurse never joined: her trip does not count.
    expect(r.total).toMatchObject({
      participants: 2,
      km: 180,
      sessionHours: 0.75,
      attendanceHours: 1.25,
    });
    const detail = await app.inject({
      method: 'GET',
      url: `/api/reports/consultations/${consultation.id}`,
      headers: auth(tokens.analyst),
    });
    expect(detail.json()).toMatchObject({ attendanceSource: 'live', durationMinutes: 45 });
  });

  it('publishes the place table to any logged-in user', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/reports/places' })).statusCode).toBe(401);
    const r = await app.inject({
      method: 'GET',
      url: '/api/reports/places',
      headers: auth(tokens.nurse),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().places.map((p: { municipality: string }) => p.municipality)).toEqual(
      expect.arrayContaining([
        'Alver',
        'Austrheim',
        'Fedje',
        'Gulen',
        'Masfjorden',
        'Modalen',
        'Osterøy',
        'Vaksdal',
      ]),
    );
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/reports/summary',
        '/api/reports/export.csv',
        '/api/reports/consultations/{consultationId}/travel',
        '/api/surveys/{consultationId}',
      ]),
    );
  });
});

const patientScores = {
  easy_to_join: 5,
  sound_and_picture: 4,
  felt_safe: 5,
  felt_included: 4,
  would_choose_video_again: 5,
};
const staffScores = {
  easy_to_join: 4,
  sound_and_picture: 3,
  felt_included: 5,
  useful_for_collaboration: 5,
  would_choose_video_again: null,
};
