/**
 * FHIR R4 export for the EPJ (issue 11 item 7): every resource of the bundle validates
 * against the official FHIR R4 JSON schema (from an npm package, read from node_modules),
 * references resolve inside the bundle, no national identity number appears unless an
 * entitled caller supplies the matching one, and only health personnel taking part export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CareTeam, Consultation, ErrorBody, isNationalId } from '@samkons/shared';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import { loadFhirR4Schema } from '../support/fhir-schema.js';

logDrivers('lkt-fhir');

const h = (token: string) => ({ authorization: `Bearer ${token}` });
function nationalId(first9: string): string {
  for (let k = 0; k < 100; k++) {
    const c = `${first9}${String(k).padStart(2, '0')}`;
    if (isNationalId(c)) return c;
  }
  throw new Error('none');
}
const KARI = nationalId('150587100');
const OTHER = nationalId('010150100');

interface Entry {
  fullUrl: string;
  resource: { resourceType: string; id: string } & Record<string, unknown>;
}
type Bundle = {
  resourceType: string;
  type: string;
  entry: Entry[];
};

/** Every `reference` string anywhere in a value. */
function references(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => references(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.push(x);
      else references(x, out);
    }
  }
  return out;
}

describe.each(testDrivers)('FHIR export on %s', (driver) => {
  const schema = loadFhirR4Schema();
  let t: TestApp;
  let spec: StaffLogin;
  let gp: StaffLogin;
  let w: World;
  let withNumber: Consultation;

  beforeAll(async () => {
    t = await buildTestApp(driver, {
      INVITE_OPENS_MINUTES_BEFORE: '100000',
      PATIENT_OIDC_ISSUER: 'https://idp.samkons.invalid',
      PATIENT_OIDC_CLIENT_ID: 'samkons-patient',
      IDENTITY_HASH_SECRET: 'identity-hash-secret-for-tests-0123456789',
    });
    spec = await staffLogin(t, 'specialist', 'Dr. Ingrid Spesialist');
    gp = await staffLogin(t, 'gp', 'Dr. Ola Fastlege');
    w = await createWorld(
      t,
      { specialist: spec, gp, municipal: await staffLogin(t, 'municipal') },
      new Date(Date.now() + 86400_000),
    );
    const base = `/api/consultations/${w.consultation.id}`;
    // A full picture: consent with sharing, a care team with a coordinator, a plan with a note.
    await t.app.inject({
      method: 'POST',
      url: `${base}/consents`,
      headers: h(w.tokens.patient),
      payload: {
        method: 'in_app',
        coveredParticipantIds: w.consultation.participants.map((p) => p.id),
        shareHealthInfo: true,
      },
    });
    for (const m of [
      {
        role: 'gp',
        name: 'Dr. Ola Fastlege',
        accountId: gp.accountId,
        isCoordinator: true,
        phone: '+47 56 00 00 00',
      },
      { role: 'next_of_kin', name: 'Anne Nordmann', title: 'Dotter', email: 'anne@example.no' },
      { role: 'other', name: 'Fysioterapeut Berg', organisation: 'Berg fysio' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `${base}/care-team/members`,
        headers: h(spec.accessToken),
        payload: m,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const team = CareTeam.parse(
      (
        await t.app.inject({
          method: 'GET',
          url: `${base}/care-team`,
          headers: h(spec.accessToken),
        })
      ).json(),
    );
    const item = await t.app.inject({
      method: 'POST',
      url: `${base}/plan/items`,
      headers: h(spec.accessToken),
      payload: {
        what: 'Justere medisin',
        owner: { kind: 'care_team_member', memberId: team.members[0]!.id },
        dueDate: '2030-01-15',
      },
    });
    await t.app.inject({
      method: 'POST',
      url: `${base}/plan/items`,
      headers: h(spec.accessToken),
      payload: { what: 'Gå tur', owner: { kind: 'patient' }, dueDate: null },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/plan/items/${(item.json() as { id: string }).id}/progress`,
      headers: h(gp.accessToken),
      payload: { status: 'done', note: 'Gjort.' },
    });
    const startsAt = new Date(Date.now() + 3 * 86400_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(spec.accessToken),
      payload: {
        kind: 'follow_up',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: [
          {
            role: 'patient',
            name: 'Kari Nordmann',
            joinsFrom: 'home',
            travelDistanceKm: 5,
            birthDate: '1987-05-15',
            nationalId: KARI,
          },
        ],
      },
    });
    withNumber = Consultation.parse(res.json());
  });
  afterAll(() => t.close());

  const exportOf = async (id: string, token: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${id}/fhir`,
      headers: h(token),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    return res.json<Bundle>();
  };

  it(`uses the official R4 schema (${'http://hl7.org/fhir/json-schema/4.0'})`, () => {
    expect(schema.id).toBe('http://hl7.org/fhir/json-schema/4.0');
    // The validator does reject what R4 forbids.
    expect(
      schema.validate({ resourceType: 'Appointment', id: 'x', status: 'done', participant: [] }),
    ).not.toEqual([]);
    expect(
      schema.validate({ resourceType: 'Patient', id: 'x', nationalId: '1' } as never),
    ).not.toEqual([]);
    // The first validations compile the R4 schema's resource definitions (seconds on a
    // quiet machine, most of a minute on a loaded one).
  }, 120_000);

  it('exports Appointment, Patient, Practitioner, RelatedPerson, Consent, CareTeam and CarePlan, all valid R4', async () => {
    const bundle = await exportOf(w.consultation.id, spec.accessToken);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const types = bundle.entry.map((e) => e.resource.resourceType);
    for (const type of [
      'Appointment',
      'Patient',
      'Practitioner',
      'RelatedPerson',
      'Consent',
      'CareTeam',
      'CarePlan',
    ]) {
      expect(types).toContain(type);
    }
    for (const e of bundle.entry) {
      expect(schema.validate(e.resource), JSON.stringify(e.resource)).toEqual([]);
      expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);
    }
    expect(schema.validate(bundle)).toEqual([]);
    // Every reference points at a resource in the bundle.
    const urls = new Set(bundle.entry.map((e) => e.fullUrl));
    for (const r of references(bundle)) expect(urls.has(r), r).toBe(true);

    const byType = (type: string) =>
      bundle.entry.filter((e) => e.resource.resourceType === type).map((e) => e.resource);
    const appointment = byType('Appointment')[0]!;
    expect(appointment).toMatchObject({ status: 'booked', start: w.consultation.startsAt });
    expect((appointment.participant as unknown[]).length).toBe(w.consultation.participants.length);
    const consent = byType('Consent')[0]!;
    expect(consent.status).toBe('active');
    expect(JSON.stringify(consent.provision)).toContain(
      '"type":"permit","action":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentaction","code":"disclose"',
    );
    const careTeam = byType('CareTeam')[0]!;
    expect(JSON.stringify(careTeam)).toContain('"code":"coordinator"');
    const plan = byType('CarePlan')[0]!;
    const activities = plan.activity as {
      detail: { status: string; description: string };
      progress?: unknown[];
    }[];
    expect(activities.map((a) => [a.detail.description, a.detail.status])).toEqual([
      ['Justere medisin', 'completed'],
      ['Gå tur', 'not-started'],
    ]);
    expect(activities[0]!.progress).toHaveLength(1);
  });

  it('never carries a national identity number unless the entitled caller supplies the matching one', async () => {
    const plain = JSON.stringify(await exportOf(withNumber.id, spec.accessToken));
    expect(plain).not.toContain(KARI);
    expect(plain).not.toContain('2.16.578.1.12.4.1.4.1');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${withNumber.id}/fhir`,
      headers: h(spec.accessToken),
      payload: { patientNationalId: KARI },
    });
    expect(res.statusCode, res.body).toBe(200);
    const bundle = res.json<Bundle>();
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
    expect(patient.identifier).toContainEqual({
      use: 'official',
      system: 'urn:oid:2.16.578.1.12.4.1.4.1',
      value: KARI,
    });
    for (const e of bundle.entry) expect(schema.validate(e.resource)).toEqual([]);
    // Another number, or one for a patient booked without a number: refused, nothing leaks.
    for (const [id, nid] of [
      [withNumber.id, OTHER],
      [w.consultation.id, KARI],
    ] as const) {
      const refused = await t.app.inject({
        method: 'POST',
        url: `/api/consultations/${id}/fhir`,
        headers: h(spec.accessToken),
        payload: { patientNationalId: nid },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain(nid);
    }
  });

  it('only health personnel taking part, by staff login, export; others of A 403, B and outsiders 404', async () => {
    for (const token of [w.tokens.patient, w.tokens.next_of_kin, w.tokens.interpreter]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/consultations/${w.consultation.id}/fhir`,
        headers: h(token),
      });
      expect(res.statusCode).toBe(403);
    }
    const outsider = await staffLogin(t, 'specialist');
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}/fhir`,
      headers: h(outsider.accessToken),
    });
    expect(res.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/consultations/${w.consultation.id}/fhir` }))
        .statusCode,
    ).toBe(401);
    const audit = await t.db.query<{ action: string; detail: string | null }>(
      "SELECT action, detail FROM audit_log WHERE consultation_id = $1 AND action LIKE '%fhir.export' ORDER BY seq",
      [w.consultation.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['fhir.export', 'denied:fhir.export']),
    );
  });

  it('bad input: a malformed id, a number that is not one, extra fields', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/consultations/nope/fhir', undefined],
      ['POST', `/api/consultations/${withNumber.id}/fhir`, { patientNationalId: '12345678901' }],
      ['POST', `/api/consultations/${withNumber.id}/fhir`, {}],
      ['POST', `/api/consultations/${withNumber.id}/fhir`, { patientNationalId: KARI, also: 1 }],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: h(spec.accessToken),
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode).toBe(400);
      expect(ErrorBody.safeParse(res.json()).success).toBe(true);
    }
  });
});
