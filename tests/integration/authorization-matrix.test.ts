/**
 * Every role × every API action on consultation A, expected outcome written out by hand
 * (not derived from the policy code). Each cell gets a fresh consultation A so mutating
 * actions never influence another cell. Principals of consultation B and a staff member
 * outside A must be denied everything scoped to A.
 *
 * In A the specialist is the organiser and the municipal nurse a delegate they named; the
 * GP takes part with their own login but manages nothing (issue 10: any staff participant
 * acted as the organiser).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';

logDrivers('authorization-matrix');

const Principals = [
  'specialist',
  'gp',
  'municipal',
  'patient',
  'next_of_kin',
  'interpreter',
  'staff_outside_a',
  'patient_of_b',
  'next_of_kin_of_b',
  'interpreter_of_b',
] as const;
type PrincipalName = (typeof Principals)[number];

interface Req {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
}
type ActionDef = (w: World, self: PrincipalName, slot: Date) => Req;

const base = (w: World) => `/api/consultations/${w.consultation.id}`;
const iso = (d: Date, plusMin = 0) => new Date(d.getTime() + plusMin * 60_000).toISOString();

/** Own participant id in A when the principal takes part in A, else the patient's. */
const selfIn = (w: World, self: PrincipalName) =>
  self in w.byRole ? w.byRole[self as keyof World['byRole']] : w.byRole.patient;

const actions: Record<string, ActionDef> = {
  'consultation.create': (_w, _s, slot) => ({
    method: 'POST',
    url: '/api/consultations',
    // 30 minutes after A's end, so the organiser is free.
    payload: {
      kind: 'follow_up',
      startsAt: iso(slot, 60),
      endsAt: iso(slot, 80),
      documentingOrganisation: 'X',
    },
  }),
  'consultation.list': (_w, _s, slot) => ({
    method: 'GET',
    url: `/api/consultations?from=${encodeURIComponent(iso(slot, -60))}&to=${encodeURIComponent(iso(slot, 60))}`,
  }),
  'consultation.read': (w) => ({ method: 'GET', url: base(w) }),
  'consultation.update': (w) => ({
    method: 'PATCH',
    url: base(w),
    payload: { title: 'Ny tittel' },
  }),
  'consultation.reschedule': (w, _s, slot) => ({
    method: 'POST',
    url: `${base(w)}/reschedule`,
    payload: { startsAt: iso(slot, 5), endsAt: iso(slot, 50) },
  }),
  'consultation.cancel': (w) => ({
    method: 'POST',
    url: `${base(w)}/cancel`,
    payload: { reason: 'test' },
  }),
  'participant.add': (w) => ({
    method: 'POST',
    url: `${base(w)}/participants`,
    payload: { role: 'next_of_kin', name: 'Bror', joinsFrom: 'home', travelDistanceKm: 3 },
  }),
  'participant.remove': (w) => ({
    method: 'DELETE',
    url: `${base(w)}/participants/${w.byRole.interpreter}`,
  }),
  'participant.delegate': (w) => ({
    method: 'PATCH',
    url: `${base(w)}/participants/${w.byRole.gp}`,
    payload: { delegate: true },
  }),
  'staff.search': () => ({ method: 'GET', url: '/api/staff/search?q=gp' }),
  'invite.create.patient': (w) => ({
    method: 'POST',
    url: `${base(w)}/participants/${w.byRole.patient}/invite`,
  }),
  'invite.create': (w) => ({
    method: 'POST',
    url: `${base(w)}/participants/${w.byRole.interpreter}/invite`,
  }),
  'invite.revoke': (w) => ({
    method: 'POST',
    url: `${base(w)}/participants/${w.byRole.interpreter}/invite/revoke`,
  }),
  'invite.ics.own': (w, self) => ({
    method: 'GET',
    url: `${base(w)}/participants/${selfIn(w, self)}/invite.ics`,
  }),
  'invite.ics.other': (w, self) => ({
    method: 'GET',
    url: `${base(w)}/participants/${self === 'interpreter' ? w.byRole.patient : w.byRole.interpreter}/invite.ics`,
  }),
  'session.create': (w) => ({ method: 'POST', url: `${base(w)}/session` }),
  'outbox.read': (w) => ({ method: 'GET', url: `${base(w)}/outbox` }),
  'consent.read': (w) => ({ method: 'GET', url: `${base(w)}/consents` }),
  'consent.give.in_app': (w) => ({
    method: 'POST',
    url: `${base(w)}/consents`,
    payload: { method: 'in_app', coveredParticipantIds: [w.byRole.gp], shareHealthInfo: true },
  }),
  'consent.record_verbal': (w) => ({
    method: 'POST',
    url: `${base(w)}/consents`,
    payload: {
      method: 'verbal',
      givenByParticipantId: w.byRole.patient,
      coveredParticipantIds: [w.byRole.gp],
      shareHealthInfo: false,
    },
  }),
  'consent.refuse': (w) => ({ method: 'POST', url: `${base(w)}/consents/refuse`, payload: {} }),
  'consent.withdraw': (w) => ({
    method: 'POST',
    // The world's seeded consent id is filled in by the runner.
    url: `${base(w)}/consents/{consentId}/withdraw`,
    payload: { withdrawnByParticipantId: w.byRole.patient },
  }),
  'audit.read': (w) => ({ method: 'GET', url: `${base(w)}/audit` }),
};

const STAFF_IN_A: PrincipalName[] = ['specialist', 'gp', 'municipal'];
const ALL_IN_A: PrincipalName[] = [...STAFF_IN_A, 'patient', 'next_of_kin', 'interpreter'];
const ANY_STAFF: PrincipalName[] = [...STAFF_IN_A, 'staff_outside_a'];
/** The organiser and the delegate they named. */
const MANAGERS: PrincipalName[] = ['specialist', 'municipal'];

/** The specification: who may do what. Everyone not listed is denied. */
const allowed: Record<keyof typeof actions, PrincipalName[]> = {
  'consultation.create': ANY_STAFF,
  'consultation.list': ANY_STAFF,
  'consultation.read': ALL_IN_A,
  'consultation.update': MANAGERS,
  'consultation.reschedule': MANAGERS,
  'consultation.cancel': MANAGERS,
  'participant.add': MANAGERS,
  'participant.remove': MANAGERS,
  'participant.delegate': ['specialist'],
  'staff.search': ANY_STAFF,
  'invite.create.patient': MANAGERS,
  'invite.create': MANAGERS,
  'invite.revoke': MANAGERS,
  'invite.ics.own': ALL_IN_A,
  'invite.ics.other': MANAGERS,
  'session.create': STAFF_IN_A,
  'outbox.read': MANAGERS,
  'consent.read': ALL_IN_A,
  'consent.give.in_app': ['patient'],
  'consent.refuse': ['patient'],
  'consent.record_verbal': STAFF_IN_A,
  'consent.withdraw': [...STAFF_IN_A, 'patient'],
  'audit.read': ['patient'],
};

const cells = Object.keys(actions).flatMap((action) => Principals.map((who) => ({ action, who })));

describe.each(testDrivers)('authorization matrix on %s', (driver) => {
  let t: TestApp;
  let staff: { specialist: StaffLogin; gp: StaffLogin; municipal: StaffLogin };
  let outsider: StaffLogin;
  let worldB: World;
  let slotIndex = 0;
  const HOUR = 3600_000;
  const t0 = Date.now() + 24 * HOUR;

  beforeAll(async () => {
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: '100000000' });
    staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    outsider = await staffLogin(t, 'specialist');
    const bStaff = {
      specialist: outsider,
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    worldB = await createWorld(t, bStaff, new Date(t0 - 2 * HOUR));
    console.log(
      `[authorization-matrix] ${driver}: ${cells.length} cells (${Object.keys(actions).length} actions × ${Principals.length} principals)`,
    );
  }, 300_000);
  afterAll(() => t.close());

  const tokenOf = (who: PrincipalName, w: World): string => {
    switch (who) {
      case 'specialist':
      case 'gp':
      case 'municipal':
        return staff[who].accessToken;
      case 'staff_outside_a':
        return outsider.accessToken;
      case 'patient':
      case 'next_of_kin':
      case 'interpreter':
        return w.tokens[who];
      case 'patient_of_b':
        return worldB.tokens.patient;
      case 'next_of_kin_of_b':
        return worldB.tokens.next_of_kin;
      case 'interpreter_of_b':
        return worldB.tokens.interpreter;
    }
  };

  it.each(cells)('$who → $action', async ({ action, who }) => {
    const slot = new Date(t0 + slotIndex++ * 3 * HOUR);
    const w = await createWorld(t, staff, slot, { municipalDelegate: true });
    // A consent in force, so withdrawal has something to act on.
    const consent = await t.services.consent.give(
      staff.specialist.principal,
      w.consultation.id,
      {
        method: 'verbal',
        givenByParticipantId: w.byRole.patient,
        coveredParticipantIds: Object.values(w.byRole),
        shareHealthInfo: true,
      },
      { clientAddress: null },
    );
    const def = actions[action];
    if (!def) throw new Error(action);
    const req = def(w, who, slot);
    const res = await t.app.inject({
      method: req.method,
      url: req.url.replace('{consentId}', consent.id),
      headers: { authorization: `Bearer ${tokenOf(who, w)}` },
      ...(req.payload !== undefined ? { payload: req.payload as object } : {}),
    });
    const expectAllowed = allowed[action]?.includes(who) ?? false;
    if (expectAllowed) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
    } else {
      expect([403, 404], `${res.statusCode} ${res.body}`).toContain(res.statusCode);
      expect(res.json()).toMatchObject({
        error: { code: expect.stringMatching(/^(forbidden|not_found)$/) },
      });
    }
  });
});
