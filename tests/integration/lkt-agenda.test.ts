/**
 * The consultation agenda (issue 11 item 1, data side): chosen at booking from the kind's
 * template or a draft, read by every participant, edited by the organiser only, with
 * optimistic concurrency, audited, announced by `agenda.changed`; bad input is a 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agenda, ErrorBody, agendaTemplate, type AgendaPartInput } from '@samkons/shared';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';

logDrivers('lkt-agenda');

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testDrivers)('agenda on %s', (driver) => {
  let t: TestApp;
  let spec: StaffLogin;
  let gp: StaffLogin;
  let outsider: StaffLogin;
  let a: World;
  let b: World;
  const changes: { consultationId: string; version: number }[] = [];

  beforeAll(async () => {
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: '100000' });
    spec = await staffLogin(t, 'specialist');
    gp = await staffLogin(t, 'gp');
    outsider = await staffLogin(t, 'specialist');
    const municipal = await staffLogin(t, 'municipal');
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
    t.services.events.on('agenda.changed', (e) => changes.push(e));
  });
  afterAll(() => t.close());

  const get = (id: string, token: string) =>
    t.app.inject({ method: 'GET', url: `/api/consultations/${id}/agenda`, headers: bearer(token) });
  const put = (id: string, token: string, payload: unknown) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/consultations/${id}/agenda`,
      headers: bearer(token),
      payload: payload as object,
    });

  it('starts from the co-consultation template, the private part naming the organiser', async () => {
    const res = await get(a.consultation.id, spec.accessToken);
    expect(res.statusCode).toBe(200);
    const agenda = Agenda.parse(res.json());
    expect(agenda.version).toBe(1);
    expect(agenda.template).toBe('co_consultation');
    expect(agenda.parts.map((p) => [p.title, p.audience, p.optional, p.agreesPlan])).toEqual([
      ['Førebuing', 'staff_only', false, false],
      ['Samtale med pasient og pårørande', 'everyone', false, false],
      ['Samtale åleine med pasienten', 'private', true, false],
      ['Oppsummering og plan', 'everyone', false, true],
    ]);
    expect(agenda.parts[2]!.privateParticipantIds).toEqual([a.byRole.specialist]);
    expect(new Set(agenda.parts.map((p) => p.id)).size).toBe(4);
  });

  it('every participant of A reads it; B, outsiders and no token do not', async () => {
    for (const token of [
      gp.accessToken,
      a.tokens.patient,
      a.tokens.next_of_kin,
      a.tokens.interpreter,
    ]) {
      expect((await get(a.consultation.id, token)).statusCode).toBe(200);
    }
    for (const token of [outsider.accessToken, b.tokens.patient, b.tokens.next_of_kin]) {
      const res = await get(a.consultation.id, token);
      expect(res.statusCode).toBe(404);
      expect(ErrorBody.parse(res.json()).error.code).toBe('not_found');
    }
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/consultations/${a.consultation.id}/agenda` }))
        .statusCode,
    ).toBe(401);
  });

  it('only the organiser edits: parts keep their ids, new ones get one, the version moves', async () => {
    const before = Agenda.parse((await get(a.consultation.id, spec.accessToken)).json());
    const parts: AgendaPartInput[] = [
      ...before.parts.slice(0, 2),
      {
        ...before.parts[2]!,
        privateParticipantIds: [a.byRole.specialist, a.byRole.interpreter],
      },
      { title: 'Medisinar', audience: 'everyone', optional: true },
      before.parts[3]!,
    ];
    for (const token of [gp.accessToken, a.tokens.patient, a.tokens.interpreter]) {
      const res = await put(a.consultation.id, token, { expectedVersion: 1, parts });
      expect(res.statusCode).toBe(403);
    }
    expect(
      (await put(a.consultation.id, outsider.accessToken, { expectedVersion: 1, parts }))
        .statusCode,
    ).toBe(404);
    expect(
      (await put(a.consultation.id, b.tokens.patient, { expectedVersion: 1, parts })).statusCode,
    ).toBe(404);

    const res = await put(a.consultation.id, spec.accessToken, { expectedVersion: 1, parts });
    expect(res.statusCode).toBe(200);
    const after = Agenda.parse(res.json());
    expect(after.version).toBe(2);
    expect(after.template).toBe('custom');
    expect(after.parts.map((p) => p.id).slice(0, 3)).toEqual(
      before.parts.slice(0, 3).map((p) => p.id),
    );
    expect(after.parts[4]!.id).toBe(before.parts[3]!.id);
    expect(after.parts[3]).toMatchObject({
      title: 'Medisinar',
      agreesPlan: false,
      plannedMinutes: null,
    });
    expect(before.parts.map((p) => p.id)).not.toContain(after.parts[3]!.id);
    expect(after.parts[2]!.privateParticipantIds).toEqual([
      a.byRole.specialist,
      a.byRole.interpreter,
    ]);
    expect(changes).toContainEqual(
      expect.objectContaining({ consultationId: a.consultation.id, version: 2 }),
    );

    // The patient reads the new version; an edit from the old version is refused.
    expect(Agenda.parse((await get(a.consultation.id, a.tokens.patient)).json()).version).toBe(2);
    const stale = await put(a.consultation.id, spec.accessToken, { expectedVersion: 1, parts });
    expect(stale.statusCode).toBe(409);
    expect(ErrorBody.parse(stale.json()).error.code).toBe('conflict');
  });

  it('audits reads, edits and denials', async () => {
    const log = await t.db.query<{ action: string; actor_id: string | null }>(
      'SELECT action, actor_id FROM audit_log WHERE consultation_id = $1 ORDER BY seq',
      [a.consultation.id],
    );
    const actions = log.rows.map((r) => r.action);
    expect(actions).toContain('agenda.read');
    expect(actions).toContain('agenda.update');
    expect(actions).toContain('denied:agenda.update');
    expect(log.rows).toContainEqual({ action: 'agenda.update', actor_id: spec.accountId });
  });

  it('a booking carries its own agenda; without a patient private parts are left out', async () => {
    const draft = agendaTemplate('follow_up', 'en');
    const startsAt = new Date(Date.now() + 10 * 86400_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/consultations',
      headers: bearer(spec.accessToken),
      payload: {
        kind: 'follow_up',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        agenda: draft,
      },
    });
    expect(res.statusCode).toBe(201);
    const agenda = Agenda.parse(
      (await get(res.json<{ id: string }>().id, spec.accessToken)).json(),
    );
    expect(agenda.template).toBe('follow_up');
    expect(agenda.parts.map((p) => p.title)).toEqual(['How are things?', 'Summary and plan']);
  });

  it('keeps consultations booked before agendas existed working: the template on first read', async () => {
    await t.db.query('DELETE FROM consultation_agendas WHERE consultation_id = $1', [
      b.consultation.id,
    ]);
    const agenda = Agenda.parse((await get(b.consultation.id, b.tokens.patient)).json());
    expect(agenda.version).toBe(1);
    expect(agenda.parts).toHaveLength(4);
    expect(await t.services.lkt.agenda.forSession(b.consultation.id)).toEqual(agenda);
  });

  describe('bad input is a 4xx and changes nothing', () => {
    const part = { title: 'Del', audience: 'everyone', optional: false };
    const cases: [string, () => unknown, number][] = [
      ['no parts', () => ({ expectedVersion: 2, parts: [] }), 400],
      ['no version', () => ({ parts: [part] }), 400],
      ['13 parts', () => ({ expectedVersion: 2, parts: Array(13).fill(part) }), 400],
      ['empty title', () => ({ expectedVersion: 2, parts: [{ ...part, title: '  ' }] }), 400],
      [
        'NUL in title',
        () => ({ expectedVersion: 2, parts: [{ ...part, title: 'a\u0000b' }] }),
        400,
      ],
      [
        'line break in title',
        () => ({ expectedVersion: 2, parts: [{ ...part, title: 'a\nb' }] }),
        400,
      ],
      [
        'long title',
        () => ({ expectedVersion: 2, parts: [{ ...part, title: 'x'.repeat(121) }] }),
        400,
      ],
      [
        'unknown audience',
        () => ({ expectedVersion: 2, parts: [{ ...part, audience: 'all' }] }),
        400,
      ],
      [
        'two plan parts',
        () => ({
          expectedVersion: 2,
          parts: [
            { ...part, agreesPlan: true },
            { ...part, agreesPlan: true },
          ],
        }),
        400,
      ],
      [
        'names in a part that is not private',
        () => ({
          expectedVersion: 2,
          parts: [{ ...part, privateParticipantIds: [a.byRole.specialist] }],
        }),
        400,
      ],
      [
        'next of kin named in a private part',
        () => ({
          expectedVersion: 2,
          parts: [{ ...part, audience: 'private', privateParticipantIds: [a.byRole.next_of_kin] }],
        }),
        400,
      ],
      [
        'a stranger named in a private part',
        () => ({
          expectedVersion: 2,
          parts: [{ ...part, audience: 'private', privateParticipantIds: [b.byRole.specialist] }],
        }),
        400,
      ],
      [
        'an id that is not a part of this agenda',
        () => ({ expectedVersion: 2, parts: [{ ...part, id: b.consultation.id }] }),
        400,
      ],
      [
        'planned minutes 0',
        () => ({ expectedVersion: 2, parts: [{ ...part, plannedMinutes: 0 }] }),
        400,
      ],
      [
        'a list instead of an object',
        () => [{ title: 'Del', audience: 'everyone', optional: false }],
        400,
      ],
    ];
    it.each(cases)('%s', async (_name, payload, status) => {
      const res = await put(a.consultation.id, spec.accessToken, payload());
      expect(res.statusCode).toBe(status);
      expect(ErrorBody.safeParse(res.json()).success).toBe(true);
      expect(Agenda.parse((await get(a.consultation.id, spec.accessToken)).json()).version).toBe(2);
    });

    it('the same part twice', async () => {
      const current = Agenda.parse((await get(a.consultation.id, spec.accessToken)).json());
      const res = await put(a.consultation.id, spec.accessToken, {
        expectedVersion: current.version,
        parts: [current.parts[1], current.parts[1]],
      });
      expect(res.statusCode).toBe(400);
    });

    it('a malformed consultation id', async () => {
      expect((await get('not-a-uuid', spec.accessToken)).statusCode).toBe(400);
    });

    it('a booking with a bad agenda books nothing', async () => {
      const startsAt = new Date(Date.now() + 20 * 86400_000);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/consultations',
        headers: bearer(spec.accessToken),
        payload: {
          kind: 'follow_up',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 1800_000).toISOString(),
          documentingOrganisation: 'Helse Bergen',
          agenda: { template: 'follow_up', parts: [{ ...part, audience: 'private' }] },
        },
      });
      expect(res.statusCode).toBe(400);
      const n = await t.db.query('SELECT 1 FROM consultations WHERE starts_at = $1', [
        startsAt.toISOString(),
      ]);
      expect(n.rows).toHaveLength(0);
    });
  });

  it('a cancelled consultation keeps its agenda readable but not editable', async () => {
    const current = Agenda.parse((await get(b.consultation.id, outsider.accessToken)).json());
    await t.app.inject({
      method: 'POST',
      url: `/api/consultations/${b.consultation.id}/cancel`,
      headers: bearer(outsider.accessToken),
      payload: {},
    });
    expect((await get(b.consultation.id, outsider.accessToken)).statusCode).toBe(200);
    const res = await put(b.consultation.id, outsider.accessToken, {
      expectedVersion: current.version,
      parts: current.parts,
    });
    expect(res.statusCode).toBe(409);
    expect(ErrorBody.parse(res.json()).error.code).toBe('invalid_state');
  });
});
