/**
 * Issue 10, items 3, 4, 7, 12 and 15 over the REST API on both database drivers:
 * - a link identifies a person only as strongly as its holder proved: a GP's or nurse's
 *   invite link waits in the lobby and carries no host powers, their own login goes in;
 * - only the organiser and named delegates change the booking or see other people's links:
 *   a GP from another organisation taking part cannot take over the patient's link, consent
 *   as the patient or cancel;
 * - the staff directory finds accounts to book (minimal fields, staff only), and the booked
 *   GP's own login lists the consultation;
 * - a link's state (cancelled, ended, not yet open, expired, revoked) before anything opens;
 * - a consultation left in progress with nobody present is closed, audited and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation, InviteState, SessionTokenResponse } from '@samkons/shared';
import {
  buildTestApp,
  staffLogin,
  type StaffLogin,
  type TestApp,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import { consultationsRepo } from '../../server/src/db/consultations-repo.js';
import { createReports } from '../../server/src/reports/index.js';
import { IdleSessionCloser } from '../../server/src/session/idle-close.js';

logDrivers('staff-links');

const MIN = 60_000;

describe.each(testDrivers)('staff links, organiser and delegates on %s', (driver) => {
  let t: TestApp;
  let spec: StaffLogin;
  let gp: StaffLogin;
  let nurse: StaffLogin;
  let slot = 0;

  beforeAll(async () => {
    // Links open 30 days ahead: every booked slot below is open; "not yet open" is later.
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: String(30 * 24 * 60) });
    spec = await staffLogin(t, 'specialist', 'Dr. Ingrid Spesialist');
    gp = await staffLogin(t, 'gp', 'Dr. Ola Nordhordland');
    nurse = await staffLogin(t, 'municipal', 'Sjukepleiar Nina Fjell');
  }, 300_000);
  afterAll(() => t.close());

  const call = async (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    token: string | null,
    payload?: object,
  ) => {
    const res = await t.app.inject({
      method,
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };
  const ok = async <T>(
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    token: string | null,
    payload?: object,
  ): Promise<T> => {
    const r = await call(method, url, token, payload);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  };

  /**
   * Booked by the specialist: the GP and the nurse with their accounts (the GP also holds an
   * invite link, as if it had been e-mailed), a patient, and a GP colleague without an account.
   */
  async function booking(
    startInMinutes = 10,
    opts: { nurseDelegate?: boolean; exact?: boolean } = {},
  ) {
    // The same staff take part in every booking: each gets its own slot, unless `exact`.
    const start = Date.now() + startInMinutes * MIN + (opts.exact ? 0 : slot++ * 2 * 60 * MIN);
    const c = await ok<Consultation>('POST', '/api/consultations', spec.accessToken, {
      kind: 'co_consultation',
      title: 'Samkonsultasjon hjartesvikt',
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 45 * MIN).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'gp',
          name: gp.participantName,
          organisation: 'Knarvik legekontor',
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          accountId: gp.accountId,
        },
        {
          role: 'municipal',
          name: nurse.participantName,
          joinsFrom: 'municipal_office',
          travelDistanceKm: 0,
          accountId: nurse.accountId,
          delegate: opts.nurseDelegate ?? false,
        },
        { role: 'gp', name: 'Vikarlege utan konto', joinsFrom: 'gp_office', travelDistanceKm: 0 },
        {
          role: 'patient',
          name: 'Pasient Per',
          joinsFrom: 'home',
          travelDistanceKm: 90,
          birthDate: '1948-03-01',
        },
      ],
    });
    const id = (pred: (p: Consultation['participants'][number]) => boolean) => {
      const p = c.participants.find(pred);
      if (!p) throw new Error('participant missing');
      return p.id;
    };
    return {
      c,
      ids: {
        spec: id((p) => p.accountId === spec.accountId),
        gp: id((p) => p.accountId === gp.accountId),
        nurse: id((p) => p.accountId === nurse.accountId),
        locum: id((p) => p.name === 'Vikarlege utan konto'),
        patient: id((p) => p.role === 'patient'),
      },
    };
  }
  const base = (c: Consultation) => `/api/consultations/${c.id}`;
  const linkOf = (c: Consultation, pid: string, token = spec.accessToken) =>
    ok<{ token: string }>('POST', `${base(c)}/participants/${pid}/invite`, token);
  const exchange = (token: string) =>
    ok<SessionTokenResponse>('POST', '/api/invites/exchange', null, { token });
  const stateOf = (token: string) => ok<InviteState>('POST', '/api/invites/state', null, { token });

  it("a GP's or locum's invite link waits in the lobby; the GP's own login goes straight in", async () => {
    const { c, ids } = await booking();
    // The patient consents to everyone, so only identity decides the way in.
    const patient = await exchange((await linkOf(c, ids.patient)).token);
    await ok('POST', `${base(c)}/consents`, patient.sessionToken, {
      method: 'in_app',
      coveredParticipantIds: Object.values(ids),
      shareHealthInfo: true,
    });

    const byLink = await exchange((await linkOf(c, ids.gp)).token);
    expect(byLink.entry).toBe('lobby');
    expect(byLink.grants).toMatchObject({
      roomJoin: false,
      canAdmit: false,
      canModerate: false,
      canEnd: false,
      canRecordVerbalConsent: false,
      canPublish: true,
    });
    const locum = await exchange((await linkOf(c, ids.locum)).token);
    expect(locum.entry).toBe('lobby');
    expect(locum.grants.roomJoin).toBe(false);

    const byLogin = await ok<SessionTokenResponse>('POST', `${base(c)}/session`, gp.accessToken);
    expect(byLogin.entry).toBe('direct');
    expect(byLogin.grants).toMatchObject({ roomJoin: true, canAdmit: true });
    const organiser = await ok<SessionTokenResponse>(
      'POST',
      `${base(c)}/session`,
      spec.accessToken,
    );
    expect(organiser.entry).toBe('direct');
    expect(organiser.grants).toMatchObject({ roomJoin: true, canModerate: true, canEnd: true });
    expect(patient.entry).toBe('lobby');

    // The link-only GP cannot record a verbal consent either (anyone could hold the link).
    const verbal = await call('POST', `${base(c)}/consents`, byLink.sessionToken, {
      method: 'verbal',
      givenByParticipantId: ids.patient,
      coveredParticipantIds: [ids.gp],
      shareHealthInfo: false,
    });
    expect(verbal.status).toBe(403);
  });

  it('a GP from another organisation taking part cannot take the patient link, consent as the patient, cancel or see links', async () => {
    const { c, ids } = await booking();
    const asGp = gp.accessToken;
    const denied = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
      const r = await call(method, url, asGp, payload);
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'forbidden' } });
    };
    await denied('POST', `${base(c)}/participants/${ids.patient}/invite`);
    await denied('GET', `${base(c)}/participants/${ids.patient}/invite.ics`);
    await denied('GET', `${base(c)}/outbox`);
    await denied('POST', `${base(c)}/cancel`, { reason: 'overteke' });
    await denied('POST', `${base(c)}/reschedule`, {
      startsAt: new Date(Date.now() + 3 * 60 * MIN).toISOString(),
      endsAt: new Date(Date.now() + 4 * 60 * MIN).toISOString(),
    });
    await denied('POST', `${base(c)}/consents`, {
      method: 'in_app',
      coveredParticipantIds: [ids.gp],
      shareHealthInfo: true,
    });
    await denied('PATCH', `${base(c)}/participants/${ids.gp}`, { delegate: true });
    // Nothing changed, and every denial is in the patient's access log.
    const after = await ok<Consultation>('GET', base(c), spec.accessToken);
    expect(after.status).toBe('booked');
    const denials = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE consultation_id = $1 AND action LIKE 'denied:%' ORDER BY seq`,
      [c.id],
    );
    expect(denials.rows.map((r) => r.action)).toEqual([
      'denied:invite.create',
      'denied:invite.ics',
      'denied:outbox.read',
      'denied:consultation.cancel',
      'denied:consultation.reschedule',
      'denied:consent.give',
      'denied:participant.delegate',
    ]);
    // The GP still records a verbal consent by their own login, audited as such.
    await ok('POST', `${base(c)}/consents`, asGp, {
      method: 'verbal',
      givenByParticipantId: ids.patient,
      coveredParticipantIds: [ids.spec, ids.gp],
      shareHealthInfo: false,
    });
    const verbal = await t.db.query<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM audit_log WHERE consultation_id = $1 AND action = 'consent.record_verbal'`,
      [c.id],
    );
    expect(verbal.rows).toEqual([{ action: 'consent.record_verbal', actor_id: gp.accountId }]);
  });

  it('the organiser names a delegate, who then reschedules and cancels; un-named, they cannot', async () => {
    const { c, ids } = await booking(10, { nurseDelegate: true });
    expect(c.participants.find((p) => p.id === ids.nurse)?.delegate).toBe(true);
    // The delegate manages the booking and sees the patient's link.
    await linkOf(c, ids.patient, nurse.accessToken);
    const later = Date.now() + 30 * 60 * MIN;
    await ok('POST', `${base(c)}/reschedule`, nurse.accessToken, {
      startsAt: new Date(later).toISOString(),
      endsAt: new Date(later + 30 * MIN).toISOString(),
    });
    // Only the organiser names delegates; a patient or a link-only participant cannot be one.
    expect(
      (
        await call('PATCH', `${base(c)}/participants/${ids.gp}`, nurse.accessToken, {
          delegate: true,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('PATCH', `${base(c)}/participants/${ids.patient}`, spec.accessToken, {
          delegate: true,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('PATCH', `${base(c)}/participants/${ids.locum}`, spec.accessToken, {
          delegate: true,
        })
      ).status,
    ).toBe(400);
    const gpNamed = await ok<{ delegate: boolean }>(
      'PATCH',
      `${base(c)}/participants/${ids.gp}`,
      spec.accessToken,
      { delegate: true },
    );
    expect(gpNamed.delegate).toBe(true);
    await ok('PATCH', `${base(c)}/participants/${ids.nurse}`, spec.accessToken, {
      delegate: false,
    });
    expect((await call('POST', `${base(c)}/cancel`, nurse.accessToken, {})).status).toBe(403);
    const cancelled = await ok<Consultation>('POST', `${base(c)}/cancel`, gp.accessToken, {
      reason: 'Pasienten er innlagd',
    });
    expect(cancelled.status).toBe('cancelled');
    // A delegate needs an account: the booking form cannot name a link-only participant.
    const bad = await call('POST', `${base(c)}/participants`, spec.accessToken, {
      role: 'gp',
      name: 'Utan konto',
      joinsFrom: 'gp_office',
      travelDistanceKm: 0,
      delegate: true,
    });
    expect(bad.status).toBe(400);
  });

  it('the staff directory answers staff logins with name, role and organisation only; the booked GP lists the consultation', async () => {
    const found = await ok<{ staff: Record<string, unknown>[] }>(
      'GET',
      `/api/staff/search?q=${encodeURIComponent('ola nordhord')}&role=gp`,
      spec.accessToken,
    );
    expect(found.staff).toContainEqual({
      id: gp.accountId,
      name: 'Dr. Ola Nordhordland',
      role: 'gp',
      organisation: 'gp org',
    });
    for (const entry of found.staff) {
      expect(Object.keys(entry).sort()).toEqual(['id', 'name', 'organisation', 'role']);
    }
    // Wildcards match literally; the role filter holds; too short a query is refused.
    const wild = await ok<{ staff: unknown[] }>(
      'GET',
      '/api/staff/search?q=%25%25',
      spec.accessToken,
    );
    expect(wild.staff).toEqual([]);
    const nurses = await ok<{ staff: { role: string }[] }>(
      'GET',
      '/api/staff/search?q=Nordhordland&role=municipal',
      spec.accessToken,
    );
    expect(nurses.staff).toEqual([]);
    expect((await call('GET', '/api/staff/search?q=o', spec.accessToken)).status).toBe(400);
    expect((await call('GET', '/api/staff/search?q=Ola', null)).status).toBe(401);

    // Someone holding only an invite link is no staff member of the directory.
    const { c, ids } = await booking();
    const patient = await exchange((await linkOf(c, ids.patient)).token);
    const asPatient = await call('GET', '/api/staff/search?q=Ola', patient.sessionToken);
    expect(asPatient.status).toBe(403);

    // The GP booked by account sees it among their own consultations.
    const from = new Date(Date.parse(c.startsAt) - 60 * MIN).toISOString();
    const to = new Date(Date.parse(c.endsAt) + 60 * MIN).toISOString();
    const mine = await ok<{ consultations: Consultation[] }>(
      'GET',
      `/api/consultations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      gp.accessToken,
    );
    expect(mine.consultations.map((x) => x.id)).toContain(c.id);
  });

  it("tells a link's state before anything opens: open, not yet open, cancelled, ended, expired, revoked, invalid", async () => {
    const open = await booking(10);
    const openLink = await linkOf(open.c, open.ids.patient);
    expect(await stateOf(openLink.token)).toMatchObject({
      state: 'open',
      participantName: 'Pasient Per',
      entry: 'lobby',
      identification: 'link',
      meeting: {
        title: 'Samkonsultasjon hjartesvikt',
        startsAt: open.c.startsAt,
        organiserName: 'Dr. Ingrid Spesialist',
        organisation: 'Helse Bergen',
      },
    });

    const later = await booking(40 * 24 * 60, { exact: true });
    const laterLink = await linkOf(later.c, later.ids.patient);
    const notYet = await stateOf(laterLink.token);
    expect(notYet).toMatchObject({ state: 'not_yet_open' });
    expect(Date.parse(notYet.opensAt ?? '')).toBe(
      Date.parse(later.c.startsAt) - 30 * 24 * 60 * MIN,
    );

    // Cancelling revokes the links, yet the link says "cancelled", and so does the exchange.
    const cancelled = await booking(10);
    const cancelledLink = await linkOf(cancelled.c, cancelled.ids.patient);
    await ok('POST', `${base(cancelled.c)}/cancel`, spec.accessToken, {});
    expect(await stateOf(cancelledLink.token)).toMatchObject({
      state: 'cancelled',
      meeting: { startsAt: cancelled.c.startsAt },
    });
    const ex = await call('POST', '/api/invites/exchange', null, { token: cancelledLink.token });
    expect(ex.status).toBe(409);
    expect(ex.body).toMatchObject({ error: { code: 'invalid_state' } });

    const ended = await booking(10);
    const endedLink = await linkOf(ended.c, ended.ids.patient);
    await t.db.transaction(async (tx) => {
      await consultationsRepo.transitionStatus(tx, ended.c.id, 'booked', 'in_progress');
      await consultationsRepo.transitionStatus(tx, ended.c.id, 'in_progress', 'completed');
    });
    expect(await stateOf(endedLink.token)).toMatchObject({ state: 'ended' });

    const past = await booking(-180, { exact: true });
    const pastLink = await linkOf(past.c, past.ids.patient);
    expect(await stateOf(pastLink.token)).toMatchObject({ state: 'expired' });

    const revoked = await booking(10);
    const revokedLink = await linkOf(revoked.c, revoked.ids.patient);
    await ok(
      'POST',
      `${base(revoked.c)}/participants/${revoked.ids.patient}/invite/revoke`,
      spec.accessToken,
    );
    expect(await stateOf(revokedLink.token)).toEqual({ state: 'revoked' });

    expect(await stateOf(`${openLink.token}x`)).toEqual({ state: 'invalid' });
    expect((await call('POST', '/api/invites/state', null, { token: '' })).status).toBe(400);
  });

  it('closes a consultation left in progress with nobody present after the configured time, audited and counted', async () => {
    const reports = await createReports(t.db);
    const { c } = await booking(-300, { exact: true });
    await t.db.transaction((tx) =>
      consultationsRepo.transitionStatus(tx, c.id, 'booked', 'in_progress'),
    );
    const leftAt = new Date();
    await consultationsRepo.setVacated(t.db, c.id, leftAt.toISOString());
    let open = false;
    const closer = new IdleSessionCloser({
      db: t.db,
      idleMinutes: 15,
      isOpenHere: (id) => open && id === c.id,
      reports,
    });
    // 14 minutes empty: still in progress.
    expect((await closer.runOnce(new Date(leftAt.getTime() + 14 * MIN))).closed).not.toContain(
      c.id,
    );
    // Someone is in it on this node: never closed.
    open = true;
    expect((await closer.runOnce(new Date(leftAt.getTime() + 16 * MIN))).closed).not.toContain(
      c.id,
    );
    open = false;
    expect((await closer.runOnce(new Date(leftAt.getTime() + 16 * MIN))).closed).toContain(c.id);
    // Twice is once.
    expect((await closer.runOnce(new Date(leftAt.getTime() + 17 * MIN))).closed).not.toContain(
      c.id,
    );
    const after = await ok<Consultation>('GET', base(c), spec.accessToken);
    expect(after.status).toBe('completed');
    const audit = await t.db.query<{ action: string; actor_type: string; detail: unknown }>(
      `SELECT action, actor_type, detail FROM audit_log WHERE consultation_id = $1 AND action = 'consultation.auto_closed'`,
      [c.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]?.actor_type).toBe('system');
    // Counted in the evaluation, ending when the last person left.
    await reports.grantReporting(spec.accountId);
    const report = await reports.consultation(spec.principal, c.id, { clientAddress: null });
    expect(report.status).toBe('completed');
    expect(Date.parse(report.endedAt ?? '')).toBe(leftAt.getTime());
  });
});
