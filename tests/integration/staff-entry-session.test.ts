/**
 * Issue 10, items 3, 12 and 15 in the live session over real sockets (real server, real
 * mediasoup worker, PGlite): a GP's invite link waits in the lobby while the GP's own login
 * goes straight in; a staff session token minted before the booking was cancelled enters
 * nothing; a consultation everyone left without ending it is closed after the idle time.
 */
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { useLiveServer } from '../support/live-server.js';
import {
  ackData,
  connectRefused,
  enter,
  nextEvent,
  request,
} from '../support/signalling-client.js';
import {
  book,
  createStaff,
  giveConsent,
  inviteSessionToken,
  participantId,
  staffSessionToken,
} from '../support/consultation.js';

const { server, app, services, sockets } = useLiveServer({
  env: { SESSION_IDLE_CLOSE_MINUTES: '15' },
});
const MIN = 60_000;

async function world() {
  const spec = await createStaff(app(), services(), 'specialist', { name: 'Dr. Spesialist' });
  const gp = await createStaff(app(), services(), 'gp', {
    name: 'Dr. Ola Nordhordland',
    organisation: 'Knarvik legekontor',
  });
  const c = await book(app(), spec, [
    {
      role: 'gp',
      name: gp.name,
      organisation: gp.organisation,
      joinsFrom: 'gp_office',
      travelDistanceKm: 0,
      accountId: gp.accountId,
    },
    {
      role: 'patient',
      name: 'Pasient Per',
      joinsFrom: 'home',
      travelDistanceKm: 90,
      birthDate: '1948-03-01',
    },
  ]);
  const ids = {
    spec: participantId(c, { name: spec.name }),
    gp: participantId(c, { name: gp.name }),
    patient: participantId(c, { role: 'patient' }),
  };
  const patientToken = await inviteSessionToken(app(), spec, c.id, ids.patient);
  await giveConsent(app(), patientToken, c.id, {
    method: 'in_app',
    coveredParticipantIds: Object.values(ids),
    shareHealthInfo: true,
  });
  return { spec, gp, c, ids, patientToken };
}

describe('a link identifies a person only as strongly as its holder proved', () => {
  it("a GP's invite link waits in the lobby for the host; the GP's own login goes straight in", async () => {
    const w = await world();
    const host = await sockets.connect({ token: await staffSessionToken(app(), w.spec, w.c.id) });
    expect((await enter(host)).status).toBe('admitted');

    const gpLink = await inviteSessionToken(app(), w.spec, w.c.id, w.ids.gp);
    const linkHolder = await sockets.connect({ token: gpLink });
    const lobby = nextEvent(host, 'lobbyChanged', (e) =>
      e.lobby.some((x) => x.participantId === w.ids.gp),
    );
    expect((await enter(linkHolder)).status).toBe('waiting');
    await lobby;
    // Waiting, the link holder has no host powers.
    const tryAdmit = await request(linkHolder, 'admit', { participantId: w.ids.patient });
    expect(tryAdmit.ok).toBe(false);
    const admitted = nextEvent(linkHolder, 'admitted');
    ackData(await request(host, 'admit', { participantId: w.ids.gp }));
    const state = await admitted;
    expect(state.session.grants).toMatchObject({ canAdmit: false, canModerate: false });

    // The same GP by their own login: straight in (the link's connection is replaced).
    const login = await sockets.connect({ token: await staffSessionToken(app(), w.gp, w.c.id) });
    const res = await enter(login);
    expect(res.status).toBe('admitted');
    if (res.status === 'admitted') expect(res.session.grants.canAdmit).toBe(true);
  });

  it('a staff session token minted before the booking was cancelled enters nothing, not even the lobby', async () => {
    const w = await world();
    const gpToken = await staffSessionToken(app(), w.gp, w.c.id);
    const res = await app().inject({
      method: 'POST',
      url: `/api/consultations/${w.c.id}/cancel`,
      headers: { authorization: `Bearer ${w.spec.accessToken}` },
      payload: { reason: 'Avlyst' },
    });
    expect(res.statusCode).toBe(200);
    expect(await connectRefused(server().url, { token: gpToken })).toMatchObject({
      code: 'forbidden',
      message: 'The consultation was cancelled',
    });
    // And no new staff token is minted for it.
    const again = await app().inject({
      method: 'POST',
      url: `/api/consultations/${w.c.id}/session`,
      headers: { authorization: `Bearer ${w.gp.accessToken}` },
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('a consultation left "in progress" with nobody present', () => {
  it('is closed after the idle time, audited, and not while someone is there', async () => {
    const w = await world();
    const closer = server().idleClose;
    if (!closer) throw new Error('idle close not started');
    const host = await sockets.connect({ token: await staffSessionToken(app(), w.spec, w.c.id) });
    expect((await enter(host)).status).toBe('admitted');
    const patient = await sockets.connect({ token: w.patientToken });
    expect((await enter(patient)).status).toBe('waiting');
    await server().sessions.journal.settled();
    const statusOf = async () =>
      (
        await services().booking.get(
          {
            kind: 'staff',
            accountId: w.spec.accountId,
            username: 'x',
            role: 'specialist',
            name: w.spec.name,
            organisation: w.spec.organisation,
            assuranceLevel: 'low',
            loginSessionId: 'x',
          },
          w.c.id,
          { clientAddress: null },
        )
      ).status;
    expect(await statusOf()).toBe('in_progress');
    // Open on this node: never closed, however late.
    expect((await closer.runOnce(new Date(Date.now() + 120 * MIN))).closed).not.toContain(w.c.id);

    // Everyone leaves without "end for all".
    const session = server().sessions.get(w.c.id);
    if (!session) throw new Error('no live session');
    const emptied = once(session, 'closed');
    patient.disconnect();
    host.disconnect();
    expect(await emptied).toEqual([null]);
    await server().sessions.journal.settled();
    const leftAt = Date.now();
    expect((await closer.runOnce(new Date(leftAt + 10 * MIN))).closed).not.toContain(w.c.id);
    expect(await statusOf()).toBe('in_progress');
    expect((await closer.runOnce(new Date(leftAt + 16 * MIN))).closed).toContain(w.c.id);
    expect(await statusOf()).toBe('completed');
    const audit = await services().db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE consultation_id = $1 ORDER BY seq`,
      [w.c.id],
    );
    expect(audit.rows.map((r) => r.action)).toContain('consultation.auto_closed');
  });
});
