/**
 * Refusing consent (issue 4, item 8): the patient's "no" is audited and reaches the
 * clinicians in the live session, only the consent holder may say it, and it changes no
 * consent: a later yes works, and a no after a yes leaves the yes in force.
 */
import { describe, expect, it } from 'vitest';
import type { ConsentList } from '@samkons/shared';
import { useLiveServer } from '../support/live-server.js';
import { ackData, enter, nextEvent, recordEvents, request } from '../support/signalling-client.js';
import {
  attendees,
  auditEntries,
  book,
  createStaff,
  giveConsent,
  inviteSessionToken,
  participantId,
  staffSessionToken,
} from '../support/consultation.js';

const { app, services, sockets } = useLiveServer();

const ok = ackData;

const connect = (token: string) => sockets.connect({ token });

function refuse(token: string, consultationId: string, payload: object = {}) {
  return app().inject({
    method: 'POST',
    url: `/api/consultations/${consultationId}/consents/refuse`,
    headers: { authorization: `Bearer ${token}` },
    payload,
  });
}

async function consents(token: string, consultationId: string): Promise<ConsentList> {
  const res = await app().inject({
    method: 'GET',
    url: `/api/consultations/${consultationId}/consents`,
    headers: { authorization: `Bearer ${token}` },
  });
  return res.json<ConsentList>();
}

describe('refusing consent', () => {
  it('is audited, reaches the clinicians, needs the consent permission, and changes no consent', async () => {
    const spec = await createStaff(app(), services(), 'specialist', { name: 'Dr. Nei' });
    const gp = await createStaff(app(), services(), 'gp', { organisation: 'Legekontoret' });
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
        name: 'Pasient Nils',
        joinsFrom: 'home',
        travelDistanceKm: 90,
        birthDate: '1950-01-01',
      },
      // Not a guardian: an adult patient decides alone.
      { role: 'next_of_kin', name: 'Son Ola', joinsFrom: 'home', travelDistanceKm: 10 },
    ]);
    const { ids, tokens } = await attendees(app(), spec, c, {
      spec: { staff: spec },
      gp: { staff: gp },
      patient: { role: 'patient' },
      son: { role: 'next_of_kin' },
    });

    // No consent yet: the host waits in the lobby too, as does the patient.
    const host = await connect(tokens.spec);
    expect(await enter(host)).toMatchObject({ status: 'waiting' });
    const patient = await connect(tokens.patient);
    const patientSaw = recordEvents(patient);
    expect(await enter(patient)).toMatchObject({
      status: 'waiting',
      lobbyEntry: { waitingForConsent: true },
    });

    // Only the consent holder may refuse: staff and a non-guardian relative get 403.
    for (const token of [tokens.gp, tokens.son]) {
      const res = await refuse(token, c.id);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
    }

    // The patient refuses: recorded, and the waiting host learns why nothing happens.
    const told = nextEvent(host, 'consentRefused');
    const res = await refuse(tokens.patient, c.id);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ consultationId: c.id, refusedByParticipantId: ids.patient });
    expect(await told).toMatchObject({ byParticipantId: ids.patient, at: expect.any(String) });
    expect((await consents(tokens.patient, c.id)).consents).toEqual([]);
    const log = await auditEntries(app(), tokens.patient, c.id);
    expect(log).toContainEqual(
      expect.objectContaining({ action: 'consent.refused', actorId: ids.patient }),
    );
    expect(log.filter((e) => e.action === 'denied:consent.refuse')).toHaveLength(2);

    // A later yes still works: the host goes in and sees the patient admissible.
    const hostIn = nextEvent(host, 'admitted');
    const consent = await giveConsent(app(), tokens.patient, c.id, {
      method: 'in_app',
      coveredParticipantIds: Object.values(ids),
      shareHealthInfo: true,
    });
    const { session } = await hostIn;
    // Its token predates the consent (no media); the session applies the grants of now.
    expect(session.grants).toMatchObject({ canPublish: true, canAdmit: true, canEnd: true });
    expect(session.lobby).toEqual([
      expect.objectContaining({ participantId: ids.patient, waitingForConsent: false }),
    ]);

    // A no after a yes: the admitted host (canAdmit) is told, the consent stays in force.
    const toldAgain = nextEvent(host, 'consentRefused');
    expect((await refuse(tokens.patient, c.id)).statusCode).toBe(201);
    await toldAgain;
    const after = (await consents(tokens.patient, c.id)).consents;
    expect(after).toEqual([
      expect.objectContaining({ id: consent.id, withdrawnAt: null, supersededAt: null }),
    ]);
    const admitted = nextEvent(patient, 'admitted');
    ok(await request(host, 'admit', { participantId: ids.patient }));
    await admitted;

    // The patient side is never sent the refusal notice. A request after the refusals
    // (acked in order on this socket) shows nothing else was on its way.
    ok(await request(patient, 'raiseHand', { raised: false }));
    expect(patientSaw.map((e) => e.name)).not.toContain('consentRefused');
  });

  it('can be recorded by a clinician when the patient says no out loud', async () => {
    const spec = await createStaff(app(), services(), 'specialist', { name: 'Dr. Munnleg' });
    const c = await book(app(), spec, [
      {
        role: 'patient',
        name: 'Pasient Eva',
        joinsFrom: 'home',
        travelDistanceKm: 40,
        birthDate: '1948-02-02',
      },
      { role: 'next_of_kin', name: 'Dotter Kari', joinsFrom: 'home', travelDistanceKm: 5 },
    ]);
    const ids = {
      spec: participantId(c, { name: spec.name }),
      patient: participantId(c, { role: 'patient' }),
      daughter: participantId(c, { role: 'next_of_kin' }),
    };
    const specToken = await staffSessionToken(app(), spec, c.id);
    const patientToken = await inviteSessionToken(app(), spec, c.id, ids.patient);
    const host = await connect(specToken);
    expect(await enter(host)).toMatchObject({ status: 'waiting' });

    // Only someone who may consent can be named, and only a clinician records for another.
    // Recorded from the clinician's own login (the consultation page), as verbal consent is.
    const notHolder = await refuse(spec.accessToken, c.id, {
      method: 'verbal',
      refusedByParticipantId: ids.daughter,
    });
    expect(notHolder.statusCode).toBe(400);
    expect(notHolder.json()).toMatchObject({ error: { code: 'bad_request' } });
    const patientRecords = await refuse(patientToken, c.id, {
      method: 'verbal',
      refusedByParticipantId: ids.patient,
    });
    expect(patientRecords.statusCode).toBe(403);
    const forSomeoneElse = await refuse(patientToken, c.id, {
      refusedByParticipantId: ids.daughter,
    });
    expect(forSomeoneElse.statusCode).toBe(400);

    const told = nextEvent(host, 'consentRefused');
    const res = await refuse(spec.accessToken, c.id, {
      method: 'verbal',
      refusedByParticipantId: ids.patient,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      refusedByParticipantId: ids.patient,
      method: 'verbal',
      recordedByParticipantId: ids.spec,
    });
    expect(await told).toMatchObject({ byParticipantId: ids.patient });
    expect((await consents(specToken, c.id)).consents).toEqual([]);
    const log = await auditEntries(app(), patientToken, c.id);
    expect(log).toContainEqual(
      expect.objectContaining({ action: 'consent.record_verbal_refusal', actorId: spec.accountId }),
    );
  });
});
