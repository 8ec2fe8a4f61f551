/**
 * SESSION_EMPTY_GRACE_SECONDS: when every connection of a live session drops at once (a
 * network blip, a worker death, ping timeouts under load), the session keeps who was admitted
 * for the grace period, so people come straight back instead of landing in the waiting room.
 * After the grace, or when the last person leaves on purpose, it closes and forgets.
 * Real server in this process, real mediasoup worker, PGlite, real sockets.
 */
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation } from '@samkons/shared';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  ackData,
  disconnected,
  enter,
  enterAndBeAdmitted,
  request,
  socketPool,
} from '../support/signalling-client.js';
import { attendees, book, createStaff, giveConsent } from '../support/consultation.js';

interface World {
  c: Consultation;
  ids: Record<'spec' | 'patient', string>;
  tokens: Record<'spec' | 'patient', string>;
}

async function world(server: TestServer): Promise<World> {
  const services = server.domain?.services;
  if (!services) throw new Error('domain not started');
  const spec = await createStaff(server.app, services, 'specialist', { name: 'Dr. Lege' });
  const c = await book(server.app, spec, [
    {
      role: 'patient',
      name: 'Pasient Per',
      joinsFrom: 'home',
      travelDistanceKm: 90,
      birthDate: '1948-03-01',
    },
  ]);
  const { ids, tokens } = await attendees(server.app, spec, c, {
    spec: { staff: spec },
    patient: { role: 'patient' },
  });
  await giveConsent(server.app, tokens.patient, c.id, {
    method: 'in_app',
    coveredParticipantIds: Object.values(ids),
    shareHealthInfo: true,
  });
  return { c, ids, tokens };
}

/** Generous: set-up under load (booking, consent, lobby) is slow on a shared machine. */
const SLOW = 180_000;

/** A server with `graceSeconds`; the host is in and has admitted the patient from the lobby. */
function rig(graceSeconds: string) {
  let server: TestServer | undefined;
  const sockets = socketPool(() => server?.url ?? '');
  beforeAll(async () => {
    server = await startTestServer({
      domain: true,
      env: { SESSION_EMPTY_GRACE_SECONDS: graceSeconds },
    });
  }, 180_000);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await server?.close();
  });
  return {
    sockets,
    async callWithPatientAdmitted() {
      if (!server) throw new Error('server not started');
      const w = await world(server);
      const host = await sockets.connect({ token: w.tokens.spec });
      expect((await enter(host)).status).toBe('admitted');
      const patient = await enterAndBeAdmitted(
        host,
        await sockets.connect({ token: w.tokens.patient }),
        w.ids.patient,
      );
      const session = server.sessions.get(w.c.id);
      if (!session) throw new Error('no live session');
      return { w, host, patient, session, server };
    },
  };
}

describe('an emptied session with a grace period (60 s)', () => {
  const r = rig('60');

  it(
    'keeps who was admitted when every connection drops at once: the patient is straight back in',
    async () => {
      const { w, host, patient, session, server } = await r.callWithPatientAdmitted();
      let closed = false;
      session.once('closed', () => (closed = true));

      const gone = [disconnected(host), disconnected(patient)];
      host.disconnect();
      patient.disconnect();
      await Promise.all(gone);
      // The server saw both go (nobody present), yet the session is still open, waiting.
      await expect.poll(() => session.emptyGraceRunning, { timeout: 30_000 }).toBe(true);
      expect(closed).toBe(false);
      expect(server.sessions.get(w.c.id)).toBe(session);

      // The patient comes back first, without the host: admitted at once, no waiting room.
      const back = await r.sockets.connect({ token: w.tokens.patient });
      expect((await enter(back)).status).toBe('admitted');
      const hostBack = await r.sockets.connect({ token: w.tokens.spec });
      expect((await enter(hostBack)).status).toBe('admitted');
      expect(server.sessions.get(w.c.id)).toBe(session);
      expect(session.closed).toBe(false);
      expect(closed).toBe(false);
    },
    SLOW,
  );

  it(
    'closes at once when the last person leaves on purpose',
    async () => {
      const { w, host, patient, session, server } = await r.callWithPatientAdmitted();
      ackData(await request(patient, 'leave', {}));
      const emptied = once(session, 'closed');
      ackData(await request(host, 'leave', {}));
      expect(await emptied).toEqual([null]);
      expect(server.sessions.get(w.c.id)).toBeUndefined();
      // Forgotten: the patient waits again.
      const again = await r.sockets.connect({ token: w.tokens.patient });
      expect((await enter(again)).status).toBe('waiting');
    },
    SLOW,
  );
});

describe('an emptied session with a short grace period (1 s)', () => {
  const r = rig('1');

  it(
    'closes and forgets who was admitted when nobody is back within the grace',
    async () => {
      const { w, host, patient, session, server } = await r.callWithPatientAdmitted();
      const emptied = once(session, 'closed');
      host.disconnect();
      patient.disconnect();
      expect(await emptied).toEqual([null]);
      expect(server.sessions.get(w.c.id)).toBeUndefined();
      const again = await r.sockets.connect({ token: w.tokens.patient });
      expect((await enter(again)).status).toBe('waiting');
    },
    SLOW,
  );
});
