/**
 * LKT around the consultation (issue 11 items 2-4), through the real HTTP app on both
 * database drivers: the patient record across consultations (keyed by the keyed hash of
 * the national identity number, or continued explicitly), the care team, "min historie /
 * min gode dag" and the agreed plan, with who may read and change what, the audit trail,
 * and bad input. A participant of consultation B reads nothing of A's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CareTeam,
  CareTeamLookupResponse,
  CareTeamMember,
  Consultation,
  ErrorBody,
  MyPlanItems,
  PatientCareOverview,
  PlanItem,
  PlanView,
  StoryView,
  isNationalId,
  type NewParticipant,
} from '@samkons/shared';
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

logDrivers('lkt-care');

const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';
const HASH_SECRET = 'identity-hash-secret-for-tests-0123456789';
const h = (token: string) => ({ authorization: `Bearer ${token}` });

function nationalId(first9: string): string {
  for (let k = 0; k < 100; k++) {
    const candidate = `${first9}${String(k).padStart(2, '0')}`;
    if (isNationalId(candidate)) return candidate;
  }
  throw new Error(`no valid number starts with ${first9}`);
}
const KARI = nationalId('150587100');
const MOR = nationalId('010170200');
const NOBODY = nationalId('311299400');
const OLA = nationalId('010150100');

describe.each(testDrivers)('LKT care team, story and plan on %s', (driver) => {
  let t: TestApp;
  let spec: StaffLogin;
  let gp: StaffLogin;
  let municipal: StaffLogin;
  let outsider: StaffLogin;
  let a: World;
  let b: World;
  const signer = new TokenSigner(JWT_SECRET);
  const hasher = new IdentityHasher(HASH_SECRET);
  const patientToken = (pid: string) =>
    signer.sign('patient', { sub: hasher.hash(pid), asr: 'high' }, 1800);
  const planEvents: { consultationId: string; change: string }[] = [];

  beforeAll(async () => {
    t = await buildTestApp(driver, {
      JWT_SECRET,
      INVITE_OPENS_MINUTES_BEFORE: '100000',
      // Discovery is lazy: nothing calls the provider in this file.
      PATIENT_OIDC_ISSUER: 'https://idp.samkons.invalid',
      PATIENT_OIDC_CLIENT_ID: 'samkons-patient',
      IDENTITY_HASH_SECRET: HASH_SECRET,
    });
    spec = await staffLogin(t, 'specialist', 'Dr. Ingrid Spesialist');
    gp = await staffLogin(t, 'gp', 'Dr. Ola Fastlege');
    municipal = await staffLogin(t, 'municipal', 'Siv Sjukepleiar');
    outsider = await staffLogin(t, 'specialist', 'Dr. Utanfor');
    a = await createWorld(t, { specialist: spec, gp, municipal }, new Date(Date.now() + 86400_000));
    b = await createWorld(
      t,
      {
        specialist: outsider,
        gp: await staffLogin(t, 'gp'),
        municipal: await staffLogin(t, 'municipal'),
      },
      new Date(Date.now() + 2 * 86400_000),
    );
    t.services.events.on('plan.changed', (e) => planEvents.push(e));
  });
  afterAll(() => t.close());

  const req = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      ...(token ? { headers: h(token) } : {}),
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const A = () => `/api/consultations/${a.consultation.id}`;
  const codeOf = (res: { json: () => unknown }) => ErrorBody.parse(res.json()).error.code;
  const auditRows = async (consultationId: string, action: string) =>
    (
      await t.db.query<{ actor_id: string | null; detail: string | null }>(
        'SELECT actor_id, detail FROM audit_log WHERE consultation_id = $1 AND action = $2 ORDER BY seq',
        [consultationId, action],
      )
    ).rows;

  async function book(
    organiser: StaffLogin,
    participants: NewParticipant[],
    extra: Record<string, unknown> = {},
    days = 5,
  ): Promise<Consultation> {
    const startsAt = new Date(Date.now() + days * 86400_000 + Math.random() * 3600_000);
    const res = await req('POST', '/api/consultations', organiser.accessToken, {
      kind: 'co_consultation',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 30 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants,
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return Consultation.parse(res.json());
  }
  const patientP = (nid?: string, birthDate = '1950-05-05'): NewParticipant => ({
    role: 'patient',
    name: 'Kari Nordmann',
    joinsFrom: 'home',
    travelDistanceKm: 90,
    birthDate,
    ...(nid ? { nationalId: nid } : {}),
  });
  const gpP = (): NewParticipant => ({
    role: 'gp',
    name: gp.participantName,
    joinsFrom: 'gp_office',
    travelDistanceKm: 0,
    accountId: gp.accountId,
  });

  // --- care team ------------------------------------------------------------------------

  describe('care team', () => {
    let coordinator: CareTeamMember;
    let gpMember: CareTeamMember;

    it('health personnel taking part add members; one coordinator at a time', async () => {
      let res = await req('POST', `${A()}/care-team/members`, municipal.accessToken, {
        role: 'municipal',
        title: 'Koordinator i kommunen',
        name: 'Siv Sjukepleiar',
        organisation: 'Alver kommune',
        phone: '+47 56 37 50 00',
        accountId: municipal.accountId,
        isCoordinator: true,
      });
      expect(res.statusCode, res.body).toBe(201);
      coordinator = CareTeamMember.parse(res.json());
      res = await req('POST', `${A()}/care-team/members`, spec.accessToken, {
        role: 'gp',
        name: 'Dr. Ola Fastlege',
        organisation: 'Knarvik legesenter',
        accountId: gp.accountId,
        email: 'ola@example.no',
      });
      expect(res.statusCode, res.body).toBe(201);
      gpMember = CareTeamMember.parse(res.json());
      res = await req('POST', `${A()}/care-team/members`, spec.accessToken, {
        role: 'next_of_kin',
        title: 'Dotter',
        name: 'Anne Nordmann',
        phone: '+4790000001',
      });
      expect(res.statusCode, res.body).toBe(201);

      // A second coordinator takes over: exactly one remains.
      const next = await req('PATCH', `${A()}/care-team/members/${gpMember.id}`, spec.accessToken, {
        isCoordinator: true,
      });
      expect(next.statusCode, next.body).toBe(200);
      const team = CareTeam.parse((await req('GET', `${A()}/care-team`, spec.accessToken)).json());
      expect(team.members.filter((m) => m.isCoordinator).map((m) => m.id)).toEqual([gpMember.id]);
      expect(team.members[0]!.id).toBe(gpMember.id);
      expect(team.members).toHaveLength(3);
      expect(team.canEdit).toBe(true);
      await req('PATCH', `${A()}/care-team/members/${coordinator.id}`, spec.accessToken, {
        isCoordinator: true,
      });
    });

    it('the patient and health personnel read it; the interpreter and plain next of kin do not', async () => {
      for (const token of [spec.accessToken, gp.accessToken, a.tokens.patient]) {
        const res = await req('GET', `${A()}/care-team`, token);
        expect(res.statusCode).toBe(200);
        expect(CareTeam.parse(res.json()).members).toHaveLength(3);
      }
      expect(
        CareTeam.parse((await req('GET', `${A()}/care-team`, a.tokens.patient)).json()).canEdit,
      ).toBe(false);
      for (const token of [a.tokens.interpreter, a.tokens.next_of_kin]) {
        const res = await req('GET', `${A()}/care-team`, token);
        expect(res.statusCode).toBe(403);
      }
    });

    it('nobody of B, no outsider and no anonymous caller reads or changes A’s team', async () => {
      for (const token of [outsider.accessToken, b.tokens.patient, b.tokens.next_of_kin]) {
        expect((await req('GET', `${A()}/care-team`, token)).statusCode).toBe(404);
        expect(
          (await req('POST', `${A()}/care-team/members`, token, { role: 'other', name: 'X' }))
            .statusCode,
        ).toBe(404);
        expect(
          (await req('DELETE', `${A()}/care-team/members/${gpMember.id}`, token)).statusCode,
        ).toBe(404);
      }
      // A member id of A's team through B's consultation: not found there.
      expect(
        (
          await req(
            'PATCH',
            `/api/consultations/${b.consultation.id}/care-team/members/${gpMember.id}`,
            outsider.accessToken,
            {
              name: 'Kapra',
            },
          )
        ).statusCode,
      ).toBe(404);
      expect((await req('GET', `${A()}/care-team`)).statusCode).toBe(401);
    });

    it('the patient side does not edit; invite links do not edit', async () => {
      for (const token of [a.tokens.patient, a.tokens.next_of_kin, a.tokens.interpreter]) {
        const res = await req('POST', `${A()}/care-team/members`, token, {
          role: 'other',
          name: 'X',
        });
        expect(res.statusCode).toBe(403);
      }
    });

    it('audits reads and changes, and denials', async () => {
      expect((await auditRows(a.consultation.id, 'careTeam.read')).length).toBeGreaterThanOrEqual(
        3,
      );
      expect(await auditRows(a.consultation.id, 'careTeam.member.add')).toHaveLength(3);
      expect((await auditRows(a.consultation.id, 'denied:careTeam.read')).length).toBeGreaterThan(
        0,
      );
      expect((await auditRows(a.consultation.id, 'denied:careTeam.update')).length).toBeGreaterThan(
        0,
      );
    });

    describe('bad input', () => {
      const cases: [string, () => unknown][] = [
        ['no name', () => ({ role: 'gp' })],
        ['unknown role', () => ({ role: 'patient', name: 'X' })],
        ['NUL in name', () => ({ role: 'other', name: 'a\u0000b' })],
        ['line break in name', () => ({ role: 'other', name: 'a\nb' })],
        ['bad phone', () => ({ role: 'other', name: 'X', phone: '12' })],
        ['bad e-mail', () => ({ role: 'other', name: 'X', email: 'not-mail' })],
        ['unknown field', () => ({ role: 'other', name: 'X', nationalId: KARI })],
        [
          'unknown account',
          () => ({ role: 'gp', name: 'X', accountId: '00000000-0000-4000-8000-000000000000' }),
        ],
        [
          'account of another role',
          () => ({ role: 'municipal', name: 'X', accountId: gp.accountId }),
        ],
        [
          'an account on the team twice',
          () => ({ role: 'gp', name: 'X', accountId: gp.accountId }),
        ],
      ];
      it.each(cases)('%s', async (_n, payload) => {
        const before = CareTeam.parse(
          (await req('GET', `${A()}/care-team`, spec.accessToken)).json(),
        );
        const res = await req('POST', `${A()}/care-team/members`, spec.accessToken, payload());
        expect([400, 409]).toContain(res.statusCode);
        const after = CareTeam.parse(
          (await req('GET', `${A()}/care-team`, spec.accessToken)).json(),
        );
        expect(after.members).toEqual(before.members);
      });
      it('an empty patch, a malformed member id', async () => {
        expect(
          (await req('PATCH', `${A()}/care-team/members/${gpMember.id}`, spec.accessToken, {}))
            .statusCode,
        ).toBe(400);
        expect(
          (await req('PATCH', `${A()}/care-team/members/nope`, spec.accessToken, { name: 'X' }))
            .statusCode,
        ).toBe(400);
        expect(
          (
            await req(
              'DELETE',
              `${A()}/care-team/members/00000000-0000-4000-8000-000000000000`,
              spec.accessToken,
            )
          ).statusCode,
        ).toBe(404);
      });
    });
  });

  // --- patient records across consultations ---------------------------------------------

  describe('patient records across consultations', () => {
    it('the same national identity number meets the same care team; another number does not', async () => {
      const first = await book(spec, [patientP(KARI), gpP()]);
      const added = await req(
        'POST',
        `/api/consultations/${first.id}/care-team/members`,
        spec.accessToken,
        {
          role: 'municipal',
          name: 'Heimesjukepleien Alver',
          isCoordinator: true,
        },
      );
      expect(added.statusCode, added.body).toBe(201);
      const second = await book(gp, [patientP(KARI)], {}, 9);
      const team = CareTeam.parse(
        (await req('GET', `/api/consultations/${second.id}/care-team`, gp.accessToken)).json(),
      );
      expect(team.members.map((m) => m.name)).toEqual(['Heimesjukepleien Alver']);
      const other = await book(gp, [patientP(OLA)], {}, 13);
      expect(
        CareTeam.parse(
          (await req('GET', `/api/consultations/${other.id}/care-team`, gp.accessToken)).json(),
        ).members,
      ).toEqual([]);
    });

    it('without a number each booking is a patient of its own, unless it continues an earlier one', async () => {
      const fresh = await book(spec, [patientP()], {}, 17);
      expect(
        CareTeam.parse(
          (await req('GET', `/api/consultations/${fresh.id}/care-team`, spec.accessToken)).json(),
        ).members,
      ).toEqual([]);
      const cont = await book(spec, [patientP()], { continuesFrom: a.consultation.id }, 21);
      const team = CareTeam.parse(
        (await req('GET', `/api/consultations/${cont.id}/care-team`, spec.accessToken)).json(),
      );
      expect(team.members).toHaveLength(3);
      const first = CareTeam.parse((await req('GET', `${A()}/care-team`, spec.accessToken)).json());
      expect(team.patientRecordId).toBe(first.patientRecordId);
    });

    it('continuing needs a part in the earlier consultation and the same patient', async () => {
      const startsAt = new Date(Date.now() + 30 * 86400_000);
      const body = (continuesFrom: string, participants: NewParticipant[]) => ({
        kind: 'follow_up',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
        documentingOrganisation: 'X',
        participants,
        continuesFrom,
      });
      // B's organiser did not take part in A: as if A did not exist.
      let res = await req(
        'POST',
        '/api/consultations',
        outsider.accessToken,
        body(a.consultation.id, [patientP()]),
      );
      expect(res.statusCode).toBe(404);
      // A number that is not the earlier patient's.
      const withKari = await book(spec, [patientP(KARI)], {}, 25);
      res = await req(
        'POST',
        '/api/consultations',
        spec.accessToken,
        body(withKari.id, [patientP(MOR)]),
      );
      expect(res.statusCode).toBe(400);
      // Nobody to continue with.
      res = await req('POST', '/api/consultations', spec.accessToken, body(a.consultation.id, []));
      expect(res.statusCode).toBe(400);
      const none = await t.db.query('SELECT 1 FROM consultations WHERE starts_at = $1', [
        startsAt.toISOString(),
      ]);
      expect(none.rows).toHaveLength(0);
    });

    it('booking pre-fills from the care team for staff already involved, 404 for anyone else', async () => {
      let res = await req('POST', '/api/care-teams/lookup', gp.accessToken, { nationalId: KARI });
      expect(res.statusCode, res.body).toBe(200);
      const found = CareTeamLookupResponse.parse(res.json());
      expect(found.members.map((m) => m.name)).toEqual(['Heimesjukepleien Alver']);
      expect(found.latestConsultationId).not.toBeNull();
      res = await req('POST', '/api/care-teams/lookup', outsider.accessToken, { nationalId: KARI });
      expect(res.statusCode).toBe(404);
      res = await req('POST', '/api/care-teams/lookup', spec.accessToken, { nationalId: NOBODY });
      expect(res.statusCode).toBe(404);
      res = await req('POST', '/api/care-teams/lookup', spec.accessToken, {
        consultationId: a.consultation.id,
      });
      expect(CareTeamLookupResponse.parse(res.json()).members).toHaveLength(3);
      res = await req('POST', '/api/care-teams/lookup', outsider.accessToken, {
        consultationId: a.consultation.id,
      });
      expect(res.statusCode).toBe(404);
      res = await req('POST', '/api/care-teams/lookup', a.tokens.patient, {
        consultationId: a.consultation.id,
      });
      expect(res.statusCode).toBe(403);
      for (const bad of [
        {},
        { nationalId: '12345678901' },
        { consultationId: 'x' },
        { nationalId: KARI, consultationId: a.consultation.id },
      ]) {
        expect(
          (await req('POST', '/api/care-teams/lookup', spec.accessToken, bad)).statusCode,
        ).toBe(400);
      }
      // By number: one row without consultation; through A: the denial on A.
      const denied = await t.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action LIKE 'denied:careTeam.%' AND actor_id = $1",
        [outsider.accountId],
      );
      expect(denied.rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['denied:careTeam.lookup', 'denied:careTeam.update']),
      );
    });
  });

  // --- story ----------------------------------------------------------------------------

  describe('min historie / min gode dag', () => {
    let version = 0;
    const story = (sharing: string, extra: Record<string, unknown> = {}) => ({
      whatMatters: 'Å bu heime med katten min.',
      goodDay: 'Kaffi med dottera mi og ein tur til postkassa.',
      sharing,
      ...extra,
    });

    it('the patient writes it; until then writers see "not written", others "not shared"', async () => {
      expect(
        StoryView.parse((await req('GET', `${A()}/story`, a.tokens.patient)).json()).state,
      ).toBe('not_written');
      expect(
        StoryView.parse((await req('GET', `${A()}/story`, spec.accessToken)).json()).state,
      ).toBe('not_shared');
      const res = await req('PUT', `${A()}/story`, a.tokens.patient, story('private'));
      expect(res.statusCode, res.body).toBe(200);
      const v = StoryView.parse(res.json());
      if (v.state !== 'shown') throw new Error('not shown');
      expect(v.story).toMatchObject({
        version: 1,
        sharing: 'private',
        updatedByName: 'Pasient',
        updatedByRole: 'patient',
      });
      version = v.story.version;
    });

    it('private: health personnel and next of kin see nothing, and are told nothing', async () => {
      for (const token of [
        spec.accessToken,
        gp.accessToken,
        a.tokens.next_of_kin,
        a.tokens.interpreter,
      ]) {
        const v = StoryView.parse((await req('GET', `${A()}/story`, token)).json());
        expect(v).toEqual({ state: 'not_shared', canEdit: false });
      }
    });

    it('shared with health personnel: staff read it, next of kin still not; then with everyone', async () => {
      let res = await req(
        'PUT',
        `${A()}/story`,
        a.tokens.patient,
        story('health_personnel', { expectedVersion: version }),
      );
      expect(res.statusCode, res.body).toBe(200);
      version += 1;
      expect(StoryView.parse((await req('GET', `${A()}/story`, gp.accessToken)).json()).state).toBe(
        'shown',
      );
      expect(
        StoryView.parse((await req('GET', `${A()}/story`, a.tokens.next_of_kin)).json()).state,
      ).toBe('not_shared');
      res = await req(
        'PUT',
        `${A()}/story`,
        a.tokens.patient,
        story('all_participants', { expectedVersion: version }),
      );
      version += 1;
      const v = StoryView.parse((await req('GET', `${A()}/story`, a.tokens.next_of_kin)).json());
      expect(v.state).toBe('shown');
      expect(v.canEdit).toBe(false);
    });

    it('only the patient or a guardian writes; a stale version is refused', async () => {
      for (const token of [spec.accessToken, a.tokens.next_of_kin, a.tokens.interpreter]) {
        expect(
          (await req('PUT', `${A()}/story`, token, story('private', { expectedVersion: version })))
            .statusCode,
        ).toBe(403);
      }
      const stale = await req(
        'PUT',
        `${A()}/story`,
        a.tokens.patient,
        story('private', { expectedVersion: 1 }),
      );
      expect(stale.statusCode).toBe(409);
      expect(codeOf(stale)).toBe('conflict');
    });

    it('B reads and writes nothing of A’s story', async () => {
      for (const token of [b.tokens.patient, outsider.accessToken]) {
        expect((await req('GET', `${A()}/story`, token)).statusCode).toBe(404);
        expect((await req('PUT', `${A()}/story`, token, story('private'))).statusCode).toBe(404);
      }
    });

    it('every read and edit is audited, with whether it showed anything', async () => {
      const reads = await auditRows(a.consultation.id, 'story.read');
      expect(reads.length).toBeGreaterThanOrEqual(8);
      expect(reads.some((r) => JSON.parse(r.detail!).shown === false)).toBe(true);
      expect(reads.some((r) => JSON.parse(r.detail!).shown === true)).toBe(true);
      expect(await auditRows(a.consultation.id, 'story.update')).toHaveLength(3);
    });

    describe('bad input', () => {
      const cases: [string, () => unknown][] = [
        [
          'both empty',
          () => ({ whatMatters: ' ', goodDay: '', sharing: 'private', expectedVersion: version }),
        ],
        ['unknown sharing', () => story('doctors')],
        ['NUL', () => story('private', { whatMatters: 'a\u0000b', expectedVersion: version })],
        [
          'too long',
          () => story('private', { goodDay: 'x'.repeat(4001), expectedVersion: version }),
        ],
        ['unknown field', () => story('private', { expectedVersion: version, author: 'x' })],
        ['version 0', () => story('private', { expectedVersion: 0 })],
      ];
      it.each(cases)('%s', async (_n, payload) => {
        const res = await req('PUT', `${A()}/story`, a.tokens.patient, payload());
        expect(res.statusCode).toBe(400);
        const v = StoryView.parse((await req('GET', `${A()}/story`, a.tokens.patient)).json());
        expect(v.state === 'shown' && v.story.version).toBe(version);
      });
    });
  });

  // --- plan -----------------------------------------------------------------------------

  describe('agreed plan', () => {
    let team: CareTeam;
    let gpItem: PlanItem;
    let nurseItem: PlanItem;
    let patientItem: PlanItem;

    beforeAll(async () => {
      team = CareTeam.parse((await req('GET', `${A()}/care-team`, spec.accessToken)).json());
    });
    const member = (role: string) => team.members.find((m) => m.role === role)!;

    it('the host writes items: what, who from the care team, by when', async () => {
      let res = await req('POST', `${A()}/plan/items`, spec.accessToken, {
        what: 'Justere vassdrivande til 40 mg',
        owner: { kind: 'care_team_member', memberId: member('gp').id },
        dueDate: '2030-01-15',
      });
      expect(res.statusCode, res.body).toBe(201);
      gpItem = PlanItem.parse(res.json());
      expect(gpItem).toMatchObject({
        ownerName: 'Dr. Ola Fastlege',
        ownerRole: 'gp',
        status: 'open',
        createdByName: spec.participantName,
      });
      res = await req('POST', `${A()}/plan/items`, spec.accessToken, {
        what: 'Vekt kvar morgon',
        owner: { kind: 'care_team_member', memberId: member('municipal').id },
        dueDate: null,
      });
      nurseItem = PlanItem.parse(res.json());
      res = await req('POST', `${A()}/plan/items`, spec.accessToken, {
        what: 'Gå tur ti minutt kvar dag',
        owner: { kind: 'patient' },
        dueDate: '2030-02-01',
      });
      patientItem = PlanItem.parse(res.json());
      expect(patientItem).toMatchObject({ ownerName: 'Pasient', ownerRole: 'patient' });
      expect(
        planEvents.filter((e) => e.consultationId === a.consultation.id && e.change === 'added'),
      ).toHaveLength(3);
    });

    it('only the host writes; B and outsiders see nothing', async () => {
      const item = { what: 'X', owner: { kind: 'patient' }, dueDate: null };
      for (const token of [
        gp.accessToken,
        municipal.accessToken,
        a.tokens.patient,
        a.tokens.next_of_kin,
      ]) {
        expect((await req('POST', `${A()}/plan/items`, token, item)).statusCode).toBe(403);
        expect(
          (await req('PATCH', `${A()}/plan/items/${gpItem.id}`, token, { what: 'Y' })).statusCode,
        ).toBe(403);
        expect((await req('DELETE', `${A()}/plan/items/${gpItem.id}`, token)).statusCode).toBe(403);
      }
      for (const token of [outsider.accessToken, b.tokens.patient, b.tokens.next_of_kin]) {
        expect((await req('GET', `${A()}/plan`, token)).statusCode).toBe(404);
        expect((await req('POST', `${A()}/plan/items`, token, item)).statusCode).toBe(404);
        expect(
          (await req('POST', `/api/plan/items/${gpItem.id}/progress`, token, { status: 'done' }))
            .statusCode,
        ).toBe(404);
      }
      // An item of A through B's consultation is not found there.
      expect(
        (
          await req(
            'PATCH',
            `/api/consultations/${b.consultation.id}/plan/items/${gpItem.id}`,
            outsider.accessToken,
            { what: 'Y' },
          )
        ).statusCode,
      ).toBe(404);
      expect((await req('GET', `${A()}/plan`, a.tokens.interpreter)).statusCode).toBe(403);
    });

    it('across care levels: without shared health information the GP sees only their own items', async () => {
      const gpView = PlanView.parse((await req('GET', `${A()}/plan`, gp.accessToken)).json());
      expect(gpView.items.map((x) => x.id)).toEqual([gpItem.id]);
      expect(gpView.withheld).toBe(2);
      expect(gpView.ownItemIds).toEqual([gpItem.id]);
      expect(gpView.canWrite).toBe(false);
      const hostView = PlanView.parse((await req('GET', `${A()}/plan`, spec.accessToken)).json());
      expect(hostView.items).toHaveLength(3);
      expect(hostView.withheld).toBe(0);
      expect(hostView.canWrite).toBe(true);
      const patientView = PlanView.parse(
        (await req('GET', `${A()}/plan`, a.tokens.patient)).json(),
      );
      expect(patientView.items).toHaveLength(3);
      expect(patientView.ownItemIds).toEqual([patientItem.id]);
    });

    it('the patient consents to sharing: the GP sees the whole plan; withdrawn, it is hidden again', async () => {
      const give = await req('POST', `${A()}/consents`, a.tokens.patient, {
        method: 'in_app',
        coveredParticipantIds: a.consultation.participants.map((p) => p.id),
        shareHealthInfo: true,
      });
      expect(give.statusCode, give.body).toBe(201);
      expect(
        PlanView.parse((await req('GET', `${A()}/plan`, gp.accessToken)).json()).items,
      ).toHaveLength(3);
      const mine = MyPlanItems.parse((await req('GET', '/api/plan/mine', gp.accessToken)).json());
      expect(mine.items.filter((x) => x.consultationId === a.consultation.id)).toHaveLength(3);
      const consentId = (give.json() as { id: string }).id;
      await req('POST', `${A()}/consents/${consentId}/withdraw`, a.tokens.patient, {});
      expect(
        PlanView.parse((await req('GET', `${A()}/plan`, gp.accessToken)).json()).items,
      ).toHaveLength(1);
    });

    it('an owner marks their item done and adds a note; others cannot', async () => {
      let res = await req('POST', `/api/plan/items/${gpItem.id}/progress`, municipal.accessToken, {
        status: 'done',
      });
      expect(res.statusCode).toBe(403);
      res = await req('POST', `/api/plan/items/${gpItem.id}/progress`, spec.accessToken, {
        note: 'x',
      });
      expect(res.statusCode).toBe(403);
      res = await req('POST', `/api/plan/items/${gpItem.id}/progress`, gp.accessToken, {
        status: 'done',
        note: 'Endra dosen 3. januar.',
      });
      expect(res.statusCode, res.body).toBe(200);
      const done = PlanItem.parse(res.json());
      expect(done.status).toBe('done');
      expect(done.doneByName).toBe(gp.participantName);
      expect(done.notes.map((n) => [n.text, n.authorRole])).toEqual([
        ['Endra dosen 3. januar.', 'gp'],
      ]);
      // The patient's own item: the patient marks it, with their invite session.
      res = await req('POST', `/api/plan/items/${patientItem.id}/progress`, a.tokens.patient, {
        status: 'done',
      });
      expect(res.statusCode, res.body).toBe(200);
      res = await req('POST', `/api/plan/items/${patientItem.id}/progress`, a.tokens.patient, {
        status: 'open',
      });
      expect(PlanItem.parse(res.json())).toMatchObject({
        status: 'open',
        doneAt: null,
        doneByName: null,
      });
      res = await req('POST', `/api/plan/items/${nurseItem.id}/progress`, a.tokens.patient, {
        status: 'done',
      });
      expect(res.statusCode).toBe(403);
      const log = await t.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE consultation_id = $1 AND action LIKE '%plan.item.%' ORDER BY seq",
        [a.consultation.id],
      );
      expect(log.rows.map((r) => r.action)).toEqual(
        expect.arrayContaining([
          'plan.item.add',
          'plan.item.done',
          'plan.item.note',
          'plan.item.reopen',
          'denied:plan.item.progress',
        ]),
      );
    });

    it('a GP owner who was not in the meeting still sees and marks their item under "Mine konsultasjonar"', async () => {
      const otherGp = await staffLogin(t, 'gp', 'Dr. Vikar');
      const added = await req('POST', `${A()}/care-team/members`, spec.accessToken, {
        role: 'gp',
        name: 'Dr. Vikar',
        accountId: otherGp.accountId,
      });
      const vikar = CareTeamMember.parse(added.json());
      const item = PlanItem.parse(
        (
          await req('POST', `${A()}/plan/items`, spec.accessToken, {
            what: 'Blodprøve om to veker',
            owner: { kind: 'care_team_member', memberId: vikar.id },
            dueDate: '2030-03-01',
          })
        ).json(),
      );
      expect((await req('GET', `${A()}/plan`, otherGp.accessToken)).statusCode).toBe(404);
      const mine = MyPlanItems.parse(
        (await req('GET', '/api/plan/mine', otherGp.accessToken)).json(),
      );
      expect(mine.items.map((x) => x.id)).toEqual([item.id]);
      expect(mine.ownItemIds).toEqual([item.id]);
      expect(mine.items[0]).toMatchObject({
        consultationId: a.consultation.id,
        consultationTitle: 'Matrix',
      });
      const res = await req('POST', `/api/plan/items/${item.id}/progress`, otherGp.accessToken, {
        status: 'done',
      });
      expect(res.statusCode).toBe(200);
      expect((await req('GET', '/api/plan/mine', a.tokens.patient)).statusCode).toBe(403);
    });

    it('the host edits and removes items; the owner must be on the patient’s care team', async () => {
      let res = await req('PATCH', `${A()}/plan/items/${nurseItem.id}`, spec.accessToken, {
        dueDate: '2030-01-01',
        what: 'Vekt kvar morgon, ring ved +2 kg',
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(PlanItem.parse(res.json())).toMatchObject({
        dueDate: '2030-01-01',
        what: 'Vekt kvar morgon, ring ved +2 kg',
      });
      const bTeam = await req(
        'POST',
        `/api/consultations/${b.consultation.id}/care-team/members`,
        outsider.accessToken,
        {
          role: 'other',
          name: 'B sin person',
        },
      );
      const bMember = CareTeamMember.parse(bTeam.json());
      res = await req('PATCH', `${A()}/plan/items/${nurseItem.id}`, spec.accessToken, {
        owner: { kind: 'care_team_member', memberId: bMember.id },
      });
      expect(res.statusCode).toBe(400);
      res = await req('DELETE', `${A()}/plan/items/${nurseItem.id}`, spec.accessToken);
      expect(res.statusCode).toBe(200);
      expect(
        PlanView.parse((await req('GET', `${A()}/plan`, spec.accessToken)).json()).items.map(
          (x) => x.id,
        ),
      ).not.toContain(nurseItem.id);
      expect(
        (await req('DELETE', `${A()}/plan/items/${nurseItem.id}`, spec.accessToken)).statusCode,
      ).toBe(404);
    });

    describe('bad input', () => {
      const cases: [string, () => unknown][] = [
        ['no what', () => ({ owner: { kind: 'patient' }, dueDate: null })],
        ['empty what', () => ({ what: '  ', owner: { kind: 'patient' }, dueDate: null })],
        ['NUL in what', () => ({ what: 'a\u0000', owner: { kind: 'patient' }, dueDate: null })],
        [
          'what too long',
          () => ({ what: 'x'.repeat(501), owner: { kind: 'patient' }, dueDate: null }),
        ],
        ['no owner', () => ({ what: 'X', dueDate: null })],
        ['owner kind unknown', () => ({ what: 'X', owner: { kind: 'gp' }, dueDate: null })],
        [
          'member id malformed',
          () => ({ what: 'X', owner: { kind: 'care_team_member', memberId: 'x' }, dueDate: null }),
        ],
        [
          'unknown member',
          () => ({
            what: 'X',
            owner: { kind: 'care_team_member', memberId: '00000000-0000-4000-8000-000000000000' },
            dueDate: null,
          }),
        ],
        ['bad date', () => ({ what: 'X', owner: { kind: 'patient' }, dueDate: '2030-02-30' })],
        [
          'date with time',
          () => ({ what: 'X', owner: { kind: 'patient' }, dueDate: '2030-02-01T10:00:00Z' }),
        ],
        ['no dueDate field', () => ({ what: 'X', owner: { kind: 'patient' } })],
      ];
      it.each(cases)('%s', async (_n, payload) => {
        const before = PlanView.parse((await req('GET', `${A()}/plan`, spec.accessToken)).json())
          .items.length;
        const res = await req('POST', `${A()}/plan/items`, spec.accessToken, payload());
        expect(res.statusCode).toBe(400);
        expect(ErrorBody.safeParse(res.json()).success).toBe(true);
        expect(
          PlanView.parse((await req('GET', `${A()}/plan`, spec.accessToken)).json()).items,
        ).toHaveLength(before);
      });
      it('progress: nothing given, an empty note, an unknown status, a malformed id', async () => {
        for (const payload of [{}, { note: ' ' }, { status: 'finished' }, { note: 'a\u0000' }]) {
          expect(
            (await req('POST', `/api/plan/items/${gpItem.id}/progress`, gp.accessToken, payload))
              .statusCode,
          ).toBe(400);
        }
        expect(
          (await req('POST', '/api/plan/items/nope/progress', gp.accessToken, { status: 'done' }))
            .statusCode,
        ).toBe(400);
      });
      it('a consultation without a patient has no plan', async () => {
        const startsAt = new Date(Date.now() + 40 * 86400_000);
        const g = await req('POST', '/api/consultations', spec.accessToken, {
          kind: 'guidance',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
          documentingOrganisation: 'X',
        });
        const id = (g.json() as { id: string }).id;
        const res = await req('POST', `/api/consultations/${id}/plan/items`, spec.accessToken, {
          what: 'X',
          owner: { kind: 'patient' },
          dueDate: null,
        });
        expect(res.statusCode).toBe(409);
        expect(codeOf(res)).toBe('invalid_state');
      });
    });
  });

  // --- the patient entry ------------------------------------------------------------------

  describe('patient entry (patient token)', () => {
    let child: Consultation;

    beforeAll(async () => {
      // Kari's next meeting (booked by a GP who now takes part in her care too).
      await book(spec, [patientP(KARI), gpP()], {}, 50);
      // MOR is guardian of a 14-year-old booked without a number.
      child = await book(
        spec,
        [
          { ...patientP(undefined, '2012-03-03'), name: 'Jonas Nordmann' },
          {
            role: 'next_of_kin',
            name: 'Mor Nordmann',
            joinsFrom: 'home',
            travelDistanceKm: 10,
            isGuardian: true,
            nationalId: MOR,
          },
        ],
        {},
        52,
      );
      await req('POST', `/api/consultations/${child.id}/plan/items`, spec.accessToken, {
        what: 'Skulen får plan for tilrettelegging',
        owner: { kind: 'patient' },
        dueDate: '2030-04-01',
      });
    });

    it('the patient sees their care team, plan and story; the guardian sees the child’s', async () => {
      const res = await req('GET', '/api/patient/care', patientToken(KARI));
      expect(res.statusCode, res.body).toBe(200);
      const kari = PatientCareOverview.parse(res.json());
      expect(kari.patients).toHaveLength(1);
      expect(kari.patients[0]).toMatchObject({ relation: 'self', patientName: 'Kari Nordmann' });
      expect(kari.patients[0]!.careTeam.map((m) => m.name)).toEqual(['Heimesjukepleien Alver']);
      expect(kari.patients[0]!.nextConsultation).not.toBeNull();

      const mor = PatientCareOverview.parse(
        (await req('GET', '/api/patient/care', patientToken(MOR))).json(),
      );
      expect(mor.patients).toHaveLength(1);
      const jonas = mor.patients[0]!;
      expect(jonas).toMatchObject({ relation: 'guardian', patientName: 'Jonas Nordmann' });
      expect(jonas.plan.map((x) => x.what)).toEqual(['Skulen får plan for tilrettelegging']);
      expect(jonas.ownItemIds).toEqual([jonas.plan[0]!.id]);
      expect(jonas.story.state).toBe('not_written');

      // The guardian writes the story and marks the item done, from the entry.
      const saved = await req(
        'PUT',
        `/api/patient/records/${jonas.patientRecordId}/story`,
        patientToken(MOR),
        {
          whatMatters: 'Jonas vil spele fotball.',
          goodDay: 'Trening etter skulen.',
          sharing: 'health_personnel',
        },
      );
      expect(saved.statusCode, saved.body).toBe(200);
      const staffView = StoryView.parse(
        (await req('GET', `/api/consultations/${child.id}/story`, spec.accessToken)).json(),
      );
      expect(staffView.state).toBe('shown');
      const done = await req(
        'POST',
        `/api/patient/plan-items/${jonas.plan[0]!.id}/progress`,
        patientToken(MOR),
        { status: 'done' },
      );
      expect(done.statusCode, done.body).toBe(200);
      expect(PlanItem.parse(done.json()).doneByName).toBe('Mor Nordmann');
    });

    it('nobody reaches another patient’s record or items from the entry', async () => {
      const kari = PatientCareOverview.parse(
        (await req('GET', '/api/patient/care', patientToken(KARI))).json(),
      );
      const mor = PatientCareOverview.parse(
        (await req('GET', '/api/patient/care', patientToken(MOR))).json(),
      );
      const res = await req(
        'PUT',
        `/api/patient/records/${mor.patients[0]!.patientRecordId}/story`,
        patientToken(KARI),
        {
          whatMatters: 'x',
          goodDay: 'y',
          sharing: 'private',
        },
      );
      expect(res.statusCode).toBe(404);
      const item = mor.patients[0]!.plan[0]!.id;
      expect(
        (
          await req('POST', `/api/patient/plan-items/${item}/progress`, patientToken(KARI), {
            status: 'open',
          })
        ).statusCode,
      ).toBe(404);
      expect(kari.patients[0]!.plan.every((x) => x.id !== item)).toBe(true);
      expect(
        PatientCareOverview.parse(
          (await req('GET', '/api/patient/care', patientToken(NOBODY))).json(),
        ).patients,
      ).toEqual([]);
      expect((await req('GET', '/api/patient/care')).statusCode).toBe(401);
      expect((await req('GET', '/api/patient/care', spec.accessToken)).statusCode).toBe(401);
      expect((await req('GET', '/api/patient/care', a.tokens.patient)).statusCode).toBe(401);
    });

    it('entry reads are audited on the patient’s consultation, with the person as actor', async () => {
      const rows = await t.db.query<{ action: string; actor_id: string; assurance_level: string }>(
        `SELECT action, actor_id, assurance_level FROM audit_log
          WHERE consultation_id = $1 AND action IN ('careTeam.read', 'plan.read', 'story.read', 'story.update', 'plan.item.done')
          ORDER BY seq`,
        [child.id],
      );
      const guardian = child.participants.find((p) => p.role === 'next_of_kin')!.id;
      const byGuardian = rows.rows.filter((r) => r.actor_id === guardian);
      expect(byGuardian.map((r) => r.action)).toEqual(
        expect.arrayContaining([
          'careTeam.read',
          'plan.read',
          'story.read',
          'story.update',
          'plan.item.done',
        ]),
      );
      expect(byGuardian.every((r) => r.assurance_level === 'high')).toBe(true);
    });

    it('bad input from the entry', async () => {
      const mor = PatientCareOverview.parse(
        (await req('GET', '/api/patient/care', patientToken(MOR))).json(),
      );
      const rec = mor.patients[0]!.patientRecordId;
      expect(
        (
          await req('PUT', `/api/patient/records/${rec}/story`, patientToken(MOR), {
            sharing: 'private',
          })
        ).statusCode,
      ).toBe(400);
      expect(
        (
          await req('PUT', '/api/patient/records/x/story', patientToken(MOR), {
            whatMatters: 'a',
            goodDay: 'b',
            sharing: 'private',
          })
        ).statusCode,
      ).toBe(400);
      expect(
        (
          await req(
            'POST',
            `/api/patient/plan-items/${mor.patients[0]!.plan[0]!.id}/progress`,
            patientToken(MOR),
            {},
          )
        ).statusCode,
      ).toBe(400);
      expect((await req('GET', '/api/patient/care', 'not-a-token')).statusCode).toBe(401);
    });
  });
});
