/**
 * Booking behaviour through the API: double-booking, calendar files, the notification
 * outbox, invite windows and revocation, and consent rules with the withdrawal event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consultation, InviteLink, OutboxList, SessionTokenResponse } from '@samkons/shared';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import type { ConsentWithdrawnEvent } from '../../server/src/consent/events.js';

logDrivers('booking');

const HOUR = 3600_000;

describe.each(testDrivers)('booking on %s', (driver) => {
  let t: TestApp;
  let staff: { specialist: StaffLogin; gp: StaffLogin; municipal: StaffLogin };
  const h = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: '60' });
    staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
  });
  afterAll(() => t.close());

  /** Each scenario books its own staff, so scenarios never double-book each other. */
  const freshStaff = async () => ({
    specialist: await staffLogin(t, 'specialist'),
    gp: await staffLogin(t, 'gp'),
    municipal: await staffLogin(t, 'municipal'),
  });

  const book = (token: string, startsAt: Date, extra: object = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: h(token),
      payload: {
        kind: 'guidance',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + HOUR).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        ...extra,
      },
    });

  it('gives 409 when a staff member is booked twice at the same time', async () => {
    const start = new Date(Date.now() + 100 * HOUR);
    const gp = {
      role: 'gp',
      name: 'GP',
      joinsFrom: 'gp_office',
      travelDistanceKm: 0,
      accountId: staff.gp.accountId,
    };
    const first = await book(staff.specialist.accessToken, start, { participants: [gp] });
    expect(first.statusCode, first.body).toBe(201);
    // The GP organises something overlapping by 30 minutes: refused.
    const clash = await book(staff.gp.accessToken, new Date(start.getTime() + HOUR / 2));
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({ error: { code: 'conflict' } });
    // The answer says who clashes (the form shows the name).
    expect(clash.json().error.details).toEqual([
      { path: expect.stringMatching(/^participants\/\d+$/), message: staff.gp.participantName },
    ]);
    // Back to back is fine.
    expect((await book(staff.gp.accessToken, new Date(start.getTime() + HOUR))).statusCode).toBe(
      201,
    );
    // Concurrent bookings of the same person: exactly one wins.
    const later = new Date(start.getTime() + 10 * HOUR);
    const both = await Promise.all([
      book(staff.municipal.accessToken, later),
      book(staff.municipal.accessToken, later),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('lists my consultations in a date range', async () => {
    const start = new Date(Date.now() + 300 * HOUR);
    const created = Consultation.parse((await book(staff.specialist.accessToken, start)).json());
    const q = (from: Date, to: Date) =>
      t.app.inject({
        method: 'GET',
        url: `/api/consultations?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`,
        headers: h(staff.specialist.accessToken),
      });
    const hit = await q(new Date(start.getTime() - HOUR), new Date(start.getTime() + 2 * HOUR));
    expect(hit.json<{ consultations: Consultation[] }>().consultations.map((c) => c.id)).toContain(
      created.id,
    );
    const miss = await q(
      new Date(start.getTime() + 2 * HOUR),
      new Date(start.getTime() + 3 * HOUR),
    );
    expect(
      miss.json<{ consultations: Consultation[] }>().consultations.map((c) => c.id),
    ).not.toContain(created.id);
  });

  it('writes invites to the outbox and serves an .ics with the participant join link', async () => {
    let s = staff;
    const w = await createWorld(t, (s = await freshStaff()), new Date(Date.now() + 30 * 60_000));
    const outbox = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}/outbox`,
      // The organiser reads what was sent (another staff participant may not: policy).
      headers: h(s.specialist.accessToken),
    });
    const { messages } = OutboxList.parse(outbox.json());
    const toPatient = messages.find((m) => m.participantId === w.byRole.patient);
    expect(toPatient).toMatchObject({
      kind: 'invite',
      channel: 'email',
      recipient: 'p@example.no',
    });
    expect(toPatient?.body).toMatch(/https:\/\/samkons\.test\/m\/[\w-]{22}\n/);
    expect(messages.find((m) => m.participantId === w.byRole.next_of_kin)?.channel).toBe('sms');

    const ics = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}/participants/${w.byRole.patient}/invite.ics`,
      headers: h(w.tokens.patient),
    });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
    expect(ics.body).toMatch(/BEGIN:VEVENT/);
    // Unfold RFC 5545 continuation lines, then read the URL property.
    const unfolded = ics.body.replace(/\r?\n[ \t]/g, '');
    const joinUrl = /^URL(?:;[^:]*)?:(.*)$/m.exec(unfolded)?.[1]?.trim();
    expect(joinUrl).toBeDefined();
    // The link in the calendar file (a short link to the pre-join) works: it is exchanged
    // for the patient's session.
    const short = await t.app.inject({ method: 'GET', url: new URL(joinUrl!).pathname });
    expect(short.statusCode).toBe(302);
    const token = String(short.headers.location).split('/join/')[1]!;
    const ex = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token },
    });
    expect(ex.statusCode, `${joinUrl} ${ex.body}`).toBe(200);
    expect(SessionTokenResponse.parse(ex.json()).participant.id).toBe(w.byRole.patient);
  });

  it('opens invites INVITE_OPENS_MINUTES_BEFORE the start and honours revocation', async () => {
    let s = staff;
    const w = await createWorld(t, (s = await freshStaff()), new Date(Date.now() + 30 * 60_000));
    const link = async () =>
      InviteLink.parse(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/consultations/${w.consultation.id}/participants/${w.byRole.interpreter}/invite`,
            headers: h(s.specialist.accessToken),
          })
        ).json(),
      );
    const l1 = await link();
    expect(Date.parse(l1.validFrom)).toBe(Date.parse(w.consultation.startsAt) - 60 * 60_000);
    // Too early (exchange evaluated 2 hours before the start).
    const early = new Date(Date.parse(w.consultation.startsAt) - 2 * HOUR);
    await expect(
      t.services.auth.exchangeInvite(l1.token, { clientAddress: null }, early),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    // After the end.
    const late = new Date(Date.parse(w.consultation.endsAt) + 60_000);
    await expect(
      t.services.auth.exchangeInvite(l1.token, { clientAddress: null }, late),
    ).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    // A session token from this link carries only the interpreter's grants.
    const ok = SessionTokenResponse.parse(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/invites/exchange',
          payload: { token: l1.token },
        })
      ).json(),
    );
    expect(ok.grants).toMatchObject({
      participantId: w.byRole.interpreter,
      canAdmit: false,
      canModerate: false,
      canConsent: false,
    });
    const verified = await t.services.auth.verifySessionToken(ok.sessionToken);
    expect(verified.participant.role).toBe('interpreter');
    // Revoke: the link and the session token made from it stop working at once.
    await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${w.consultation.id}/participants/${w.byRole.interpreter}/invite/revoke`,
      headers: h(s.specialist.accessToken),
    });
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token: l1.token },
    });
    expect(again.statusCode).toBe(401);
    await expect(t.services.auth.verifySessionToken(ok.sessionToken)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    // A new link can be issued.
    expect((await link()).inviteId).not.toBe(l1.inviteId);
  });

  it('under 16 the guardian consents, not the patient; withdrawal emits the event and removes grants at once', async () => {
    const thirteen = `${new Date().getUTCFullYear() - 13}-01-01`;
    let s = staff;
    const w = await createWorld(t, (s = await freshStaff()), new Date(Date.now() + 20 * 60_000), {
      patientBirthDate: thirteen,
      guardian: true,
    });
    const give = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/consultations/${w.consultation.id}/consents`,
        headers: h(token),
        payload: {
          method: 'in_app',
          coveredParticipantIds: [w.byRole.gp, w.byRole.interpreter],
          shareHealthInfo: true,
        },
      });
    expect((await give(w.tokens.patient)).statusCode).toBe(403);
    const given = await give(w.tokens.next_of_kin);
    expect(given.statusCode, given.body).toBe(201);

    const gpSession = SessionTokenResponse.parse(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/consultations/${w.consultation.id}/session`,
          headers: h(s.gp.accessToken),
        })
      ).json(),
    );
    expect(gpSession.grants).toMatchObject({
      canSubscribe: true,
      canPublish: true,
      roomJoin: true,
    });
    // Municipal staff are not covered by the consent: no media.
    const mun = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${w.consultation.id}/session`,
      headers: h(s.municipal.accessToken),
    });
    expect(SessionTokenResponse.parse(mun.json()).grants).toMatchObject({
      canSubscribe: false,
      canPublish: false,
    });

    const events: ConsentWithdrawnEvent[] = [];
    const off = t.services.events.on('consent.withdrawn', (e) => events.push(e));
    const consentId = given.json<{ id: string }>().id;
    const withdrawn = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${w.consultation.id}/consents/${consentId}/withdraw`,
      headers: h(w.tokens.next_of_kin),
      payload: {},
    });
    off();
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({
        consultationId: w.consultation.id,
        consentId,
        reason: 'withdrawn',
        withdrawnByParticipantId: w.byRole.next_of_kin,
        affectedParticipantIds: [w.byRole.gp, w.byRole.interpreter],
        shareHealthInfoWithdrawn: true,
      }),
    ]);
    // The same session token now verifies to grants without media.
    const after = await t.services.auth.verifySessionToken(gpSession.sessionToken);
    expect(after.grants).toMatchObject({ canSubscribe: false, canPublish: false, roomJoin: false });
  });

  it('a patient of 16 or more consents for themself; narrowing consent emits a withdrawal for those dropped', async () => {
    const w = await createWorld(t, await freshStaff(), new Date(Date.now() + 40 * 60_000), {
      patientBirthDate: '2000-02-02',
    });
    const give = (ids: string[]) =>
      t.app.inject({
        method: 'POST',
        url: `/api/consultations/${w.consultation.id}/consents`,
        headers: h(w.tokens.patient),
        payload: { method: 'in_app', coveredParticipantIds: ids, shareHealthInfo: true },
      });
    expect((await give([w.byRole.gp, w.byRole.next_of_kin])).statusCode).toBe(201);
    const events: ConsentWithdrawnEvent[] = [];
    const off = t.services.events.on('consent.withdrawn', (e) => events.push(e));
    expect((await give([w.byRole.gp])).statusCode).toBe(201);
    off();
    expect(events).toEqual([
      expect.objectContaining({
        reason: 'narrowed',
        affectedParticipantIds: [w.byRole.next_of_kin],
      }),
    ]);
  });

  it('reschedule moves the invite window, cancel revokes invites and notifies', async () => {
    let s = staff;
    const w = await createWorld(t, (s = await freshStaff()), new Date(Date.now() + 10 * 60_000));
    const newStart = new Date(Date.now() + 3 * HOUR);
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${w.consultation.id}/reschedule`,
      headers: h(s.specialist.accessToken),
      payload: {
        startsAt: newStart.toISOString(),
        endsAt: new Date(newStart.getTime() + HOUR).toISOString(),
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(Date.parse(Consultation.parse(r.json()).startsAt)).toBe(newStart.getTime());
    const c = await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${w.consultation.id}/cancel`,
      headers: h(s.specialist.accessToken),
      payload: { reason: 'Pasienten er innlagd' },
    });
    expect(Consultation.parse(c.json()).status).toBe('cancelled');
    await expect(t.services.auth.verifySessionToken(w.tokens.patient)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    const kinds = OutboxList.parse(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/consultations/${w.consultation.id}/outbox`,
          headers: h(s.specialist.accessToken),
        })
      ).json(),
    ).messages.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['invite', 'change', 'cancellation']));
    // No changes to a cancelled consultation.
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/consultations/${w.consultation.id}`,
      headers: h(s.specialist.accessToken),
      payload: { title: 'x' },
    });
    expect(patch.statusCode).toBe(409);
    expect(patch.json()).toMatchObject({ error: { code: 'invalid_state' } });
  });

  it('serves an OpenAPI document covering the booking routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/consultations',
        '/api/consultations/{id}',
        '/api/consultations/{id}/consents',
        '/api/auth/login',
      ]),
    );
  });
});
