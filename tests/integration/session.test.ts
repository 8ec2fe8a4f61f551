/**
 * The live session over real sockets: a real server with a real mediasoup worker, PGlite,
 * and consultations, tokens and consent set up through the REST API like a client would.
 */
import { describe, expect, it } from 'vitest';
import type { Consultation, JoinResponse, RtpParameters } from '@samkons/shared';
import { useLiveServer } from '../support/live-server.js';
import {
  connectRefused,
  ackData,
  deviceCapabilities,
  enterAndBeAdmitted,
  enter,
  joinRequest,
  ackError,
  disconnected,
  nextEvent,
  recordEvents,
  rawRequest,
  request,
  type TestSocket,
} from '../support/signalling-client.js';
import {
  attendees,
  auditEntries,
  book,
  createStaff,
  giveConsent,
  withdrawConsent,
  type Staff,
} from '../support/consultation.js';

const { server, app, services, sockets } = useLiveServer();

const ok = ackData;
const err = ackError;

/** A join answered `admitted`, with its media start. */
function inCall(res: JoinResponse) {
  if (res.status !== 'admitted') throw new Error(`expected admitted, got ${res.status}`);
  return res;
}

const connect = (token: string, extra: Record<string, unknown> = {}) =>
  sockets.connect({ token, ...extra });

const AUDIO: RtpParameters = {
  mid: '0',
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 1111 }],
  rtcp: { cname: 'test' },
};

/** `produce` of a microphone (AUDIO) on `transportId`, as a browser sends it: the ack. */
const produceMicrophone = (socket: TestSocket, transportId: string) =>
  request(socket, 'produce', {
    transportId,
    kind: 'audio',
    source: 'microphone',
    rtpParameters: AUDIO,
  });

interface World {
  c: Consultation;
  spec: Staff;
  ids: Record<'spec' | 'gp' | 'patient' | 'daughter' | 'interpreter', string>;
  tokens: Record<'spec' | 'gp' | 'patient' | 'daughter' | 'interpreter', string>;
}

/** A specialist (organiser), a GP, an adult patient, the patient's daughter, an interpreter. */
async function world(patientBirthDate = '1948-03-01', daughterIsGuardian = false): Promise<World> {
  const spec = await createStaff(app(), services(), 'specialist', { name: 'Dr. Lege' });
  const gp = await createStaff(app(), services(), 'gp', {
    name: 'Fastlege Berg',
    organisation: 'Legekontoret Knarvik',
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
      birthDate: patientBirthDate,
    },
    {
      role: 'next_of_kin',
      name: 'Dotter Kari',
      joinsFrom: 'home',
      travelDistanceKm: 40,
      isGuardian: daughterIsGuardian,
    },
    { role: 'interpreter', name: 'Tolk Ali', joinsFrom: 'home', travelDistanceKm: 0 },
  ]);
  const { ids, tokens } = await attendees(app(), spec, c, {
    spec: { staff: spec },
    gp: { staff: gp },
    patient: { role: 'patient' },
    daughter: { role: 'next_of_kin' },
    interpreter: { role: 'interpreter' },
  });
  return { c, spec, ids, tokens };
}

/** The patient (16+) consents to everyone's presence. */
function consentAll(w: World, except: string[] = []) {
  return giveConsent(app(), w.tokens.patient, w.c.id, {
    method: 'in_app',
    coveredParticipantIds: Object.values(w.ids).filter((id) => !except.includes(id)),
    shareHealthInfo: true,
  });
}

/** The host is in; `token`'s holder enters the lobby and the host admits them. */
const admitted = async (host: TestSocket, token: string, pid: string): Promise<TestSocket> =>
  enterAndBeAdmitted(host, await connect(token), pid);

describe('token handshake', () => {
  it('binds a socket to its consultation: a token for A never joins, produces or consumes in B', async () => {
    const a = await world();
    const b = await world();
    await consentAll(a);
    await consentAll(b);

    // Handshakes: naming B with A's token, a forged token, the dev handshake (off by default).
    expect(
      await connectRefused(server().url, { token: a.tokens.spec, consultationId: b.c.id }),
    ).toMatchObject({ code: 'forbidden' });
    expect(await connectRefused(server().url, { token: `${a.tokens.spec}x` })).toMatchObject({
      code: 'unauthenticated',
    });
    expect(
      await connectRefused(server().url, { room: b.c.id, displayName: 'Intruder' }),
    ).toMatchObject({ code: 'unauthenticated' });

    const hostB = await connect(b.tokens.spec);
    const joinB = inCall(await enter(hostB));
    const hostA = await connect(a.tokens.spec, { consultationId: a.c.id });
    const events = recordEvents(hostA);
    const joinA = inCall(await enter(hostA));
    expect(joinA.transports.peerId).toBe(a.ids.spec);
    expect(joinA.media.peers).toEqual([]);
    expect(server().rooms.get(b.c.id)?.peer(a.ids.spec)).toBeUndefined();

    // B's transports, producers and consumers are unknown to A's socket.
    const sendB = joinB.transports.sendTransport?.id ?? '';
    const recvB = joinB.transports.recvTransport?.id ?? '';
    const producerB = ok(await produceMicrophone(hostB, sendB)).producerId;
    expect(err(await produceMicrophone(hostA, sendB)).code).toBe('not_found');
    const dtls = { fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };
    expect(
      err(await request(hostA, 'connectTransport', { transportId: recvB, dtlsParameters: dtls }))
        .code,
    ).toBe('not_found');
    expect(err(await request(hostA, 'pauseProducer', { producerId: producerB })).code).toBe(
      'not_found',
    );
    // A receives, yet gets no consumer of B's producer.
    expect(err(await request(hostA, 'resumeConsumer', { consumerId: producerB })).code).toBe(
      'not_found',
    );
    expect(events.filter((e) => e.name === 'newConsumer')).toEqual([]);
    // And admitting B's people from A is impossible: they are not in A's lobby.
    expect(err(await request(hostA, 'admit', { participantId: b.ids.patient }))).toMatchObject({
      code: 'not_found',
      reason: 'not_in_lobby',
    });
  });
});

describe('waiting room', () => {
  it('an external participant waits with transports but no media, and is admitted', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    const hostEnter = await enter(host);
    expect(hostEnter.status).toBe('admitted');

    const patient = await connect(w.tokens.patient);
    const lobby = nextEvent(host, 'lobbyChanged', (e) => e.lobby.length > 0);
    const entered = await enter(patient);
    expect(entered).toMatchObject({
      status: 'waiting',
      lobbyEntry: { participantId: w.ids.patient, role: 'patient', waitingForConsent: false },
    });
    expect((await lobby).lobby).toEqual([
      expect.objectContaining({
        participantId: w.ids.patient,
        displayName: 'Pasient Per',
        role: 'patient',
        waitingForConsent: false,
      }),
    ]);
    // Transports ready, but no media while waiting: nothing is produced or consumed.
    if (entered.status !== 'waiting') throw new Error('not waiting');
    expect(entered.transports.sendTransport?.id).toBeTruthy();
    expect(
      err(await produceMicrophone(patient, entered.transports.sendTransport?.id ?? '')).code,
    ).toBe('invalid_state');
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeUndefined();
    expect(err(await request(patient, 'sendChat', { text: 'hei' })).reason).toBe('not_admitted');

    const admittedEvent = nextEvent(patient, 'admitted');
    const joinedEvent = nextEvent(host, 'participantJoined');
    ok(await request(host, 'admit', { participantId: w.ids.patient }));
    const { session, transports, media } = await admittedEvent;
    expect(session.participants.map((p) => p.id).sort()).toEqual(
      [w.ids.spec, w.ids.patient].sort(),
    );
    expect(session.lobby).toEqual([]); // the patient cannot admit: no lobby for them
    expect((await joinedEvent).participant).toMatchObject({
      id: w.ids.patient,
      displayName: 'Pasient Per',
      role: 'patient',
    });
    // Admission opened the media on the transports made in the lobby.
    expect(transports?.sendTransport?.id).toBe(entered.transports.sendTransport?.id);
    expect(media?.peers.map((p) => p.id)).toEqual([w.ids.spec]);
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeDefined();

    // The GP (staff, another organisation) is shown with name, role and organisation.
    const gpJoined = nextEvent(patient, 'participantJoined');
    const gp = await connect(w.tokens.gp);
    expect((await enter(gp)).status).toBe('admitted');
    expect((await gpJoined).participant).toMatchObject({
      role: 'gp',
      displayName: 'Fastlege Berg',
      organisation: 'Legekontoret Knarvik',
    });
  });

  it('a participant without canAdmit cannot admit or deny', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const interpreter = await admitted(host, w.tokens.interpreter, w.ids.interpreter);
    const daughter = await connect(w.tokens.daughter);
    // Still waiting herself: cannot admit anyone.
    const lobby = nextEvent(host, 'lobbyChanged', (e) =>
      e.lobby.some((x) => x.participantId === w.ids.daughter),
    );
    await enter(daughter);
    await lobby;
    expect(err(await request(daughter, 'admit', { participantId: w.ids.daughter })).code).toBe(
      'forbidden',
    );
    expect(err(await request(interpreter, 'admit', { participantId: w.ids.daughter })).code).toBe(
      'forbidden',
    );
    expect(err(await request(interpreter, 'deny', { participantId: w.ids.daughter })).code).toBe(
      'forbidden',
    );
    expect(
      err(await request(interpreter, 'removeParticipant', { participantId: w.ids.spec })).code,
    ).toBe('forbidden');
    expect(err(await request(interpreter, 'endSession', {})).code).toBe('forbidden');
    // She is still waiting; the host can deny her, and she is told and disconnected.
    const denied = nextEvent(daughter, 'denied');
    const gone = disconnected(daughter);
    ok(await request(host, 'deny', { participantId: w.ids.daughter, reason: 'Ikkje avtalt' }));
    expect(await denied).toEqual({ reason: 'Ikkje avtalt' });
    expect(await gone).toBe('io server disconnect');
  });
});

describe('the pre-join warms the media up', () => {
  /** `join` as the client sends it after a warm-up: keep those transports, or not. */
  const joinWarm = async (socket: TestSocket, warm: boolean) =>
    ok(await request(socket, 'join', { rtpCapabilities: await deviceCapabilities(socket), warm }));
  const warmUp = async (socket: TestSocket) =>
    ok(await request(socket, 'warmUp', { rtpCapabilities: await deviceCapabilities(socket) }))
      .transports;

  it('makes transports into a running call unseen, the join keeps them, and never displaces a device', async () => {
    const w = await world();
    await consentAll(w);
    // No call running: nothing to warm, and no room is made for it.
    const early = await connect(w.tokens.daughter);
    expect(await warmUp(early)).toBeNull();
    expect(server().rooms.get(w.c.id)).toBeUndefined();

    const host = await connect(w.tokens.spec);
    const hostJoin = inCall(await enter(host));
    ok(await produceMicrophone(host, hostJoin.transports.sendTransport?.id ?? ''));
    const hostSaw = recordEvents(host);

    // The daughter's pre-join: transports made, nobody told, nothing consumed or produced.
    const daughter = await connect(w.tokens.daughter);
    const daughterSaw = recordEvents(daughter);
    const warm = await warmUp(daughter);
    expect(warm?.sendTransport?.id).toBeTruthy();
    expect(warm?.recvTransport?.sctpParameters).toBeDefined();
    expect(await warmUp(daughter)).toBeNull(); // once per socket
    expect(server().rooms.get(w.c.id)?.peer(w.ids.daughter)).toBeUndefined();
    expect(err(await produceMicrophone(daughter, warm?.sendTransport?.id ?? '')).code).toBe(
      'invalid_state',
    );
    expect(err(await request(daughter, 'sendChat', { text: 'hei' })).reason).toBe('not_admitted');

    // Her click: the join keeps the warm transports; she waits, and admission opens the
    // media on them.
    const entered = await joinWarm(daughter, true);
    if (entered.status !== 'waiting') throw new Error('expected the waiting room');
    expect(entered.transports.sendTransport?.id).toBe(warm?.sendTransport?.id);
    expect(entered.transports.recvTransport?.id).toBe(warm?.recvTransport?.id);
    expect(hostSaw.map((e) => e.name)).toEqual(['lobbyChanged']);
    const admittedEvent = nextEvent(daughter, 'admitted');
    ok(await request(host, 'admit', { participantId: w.ids.daughter }));
    const { transports, media } = await admittedEvent;
    expect(transports?.recvTransport?.id).toBe(warm?.recvTransport?.id);
    expect(media?.consumers.map((c) => c.kind)).toEqual(['audio']);
    expect(daughterSaw.filter((e) => e.name === 'newConsumer')).toEqual([]);

    // A second device of someone in the call: no warm-up, and the first stays in.
    const secondDevice = await connect(w.tokens.daughter);
    expect(await warmUp(secondDevice)).toBeNull();
    const inRoom = server().rooms.get(w.c.id)?.peer(w.ids.daughter);
    expect(inRoom?.closed).toBe(false);
    expect(daughter.connected).toBe(true);

    // A join that does not keep the warm transports gets new ones; the warm ones are gone.
    const gp = await connect(w.tokens.gp);
    const gpWarm = await warmUp(gp);
    const gpJoin = inCall(await joinWarm(gp, false));
    expect(gpJoin.transports.recvTransport?.id).not.toBe(gpWarm?.recvTransport?.id);
    const dtls = { fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };
    expect(
      err(
        await request(gp, 'connectTransport', {
          transportId: gpWarm?.recvTransport?.id ?? '',
          dtlsParameters: dtls,
        }),
      ).code,
    ).toBe('not_found');
    // And once joined, a socket warms up no more.
    expect(await warmUp(gp)).toBeNull();
  });
});

describe('consent gates the session', () => {
  it('a patient under 16 cannot be admitted until a guardian has consented', async () => {
    const tenYearsAgo = `${new Date().getUTCFullYear() - 10}-06-15`;
    const w = await world(tenYearsAgo, true);
    // Before any consent the policy gives staff no media either: the host waits too.
    const host = await connect(w.tokens.spec);
    expect(await enter(host)).toMatchObject({
      status: 'waiting',
      lobbyEntry: { waitingForConsent: true },
    });
    const child = await connect(w.tokens.patient);
    expect(await enter(child)).toMatchObject({
      status: 'waiting',
      lobbyEntry: { participantId: w.ids.patient, waitingForConsent: true },
    });
    expect(err(await request(host, 'admit', { participantId: w.ids.patient }))).toMatchObject({
      code: 'forbidden',
      reason: 'not_admitted',
    });
    expect((await enter(child)).status).toBe('waiting');
    // The child cannot consent for themself (under 16).
    await expect(
      giveConsent(app(), w.tokens.patient, w.c.id, {
        method: 'in_app',
        coveredParticipantIds: [w.ids.spec],
        shareHealthInfo: false,
      }),
    ).rejects.toThrow(/403/);
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeUndefined();

    // The guardian (the mother) consents: the host is let in and sees the child, no longer
    // waiting for consent.
    const hostIn = nextEvent(host, 'admitted');
    await giveConsent(app(), w.tokens.daughter, w.c.id, {
      method: 'in_app',
      coveredParticipantIds: Object.values(w.ids),
      shareHealthInfo: true,
    });
    const { session } = await hostIn;
    expect(session.lobby).toEqual([
      expect.objectContaining({ participantId: w.ids.patient, waitingForConsent: false }),
    ]);
    const admittedEvent = nextEvent(child, 'admitted');
    ok(await request(host, 'admit', { participantId: w.ids.patient }));
    expect((await admittedEvent).transports?.recvTransport).toBeDefined();
  });

  it('a host admitting someone the consent does not cover gets consent_required', async () => {
    const w = await world();
    await consentAll(w, [w.ids.interpreter]);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const interpreter = await connect(w.tokens.interpreter);
    const flagged = nextEvent(host, 'lobbyChanged', (e) =>
      e.lobby.some((x) => x.participantId === w.ids.interpreter && x.waitingForConsent),
    );
    await enter(interpreter);
    await flagged;
    const res = err(await request(host, 'admit', { participantId: w.ids.interpreter }));
    expect(res).toMatchObject({ code: 'invalid_state', reason: 'consent_required' });
    // Once covered, the flag clears and admission works.
    const cleared = nextEvent(host, 'lobbyChanged', (e) =>
      e.lobby.some((x) => x.participantId === w.ids.interpreter && !x.waitingForConsent),
    );
    await consentAll(w);
    await cleared;
    ok(await request(host, 'admit', { participantId: w.ids.interpreter }));
  });

  it('withdrawn presence removes that participant at once; the others continue', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const patient = await admitted(host, w.tokens.patient, w.ids.patient);
    const daughter = await admitted(host, w.tokens.daughter, w.ids.daughter);
    expect(server().rooms.get(w.c.id)?.peer(w.ids.daughter)).toBeDefined();

    const removed = nextEvent(daughter, 'removed');
    const gone = disconnected(daughter, 2000);
    const hostSees = nextEvent(host, 'participantLeft', (e) => e.participantId === w.ids.daughter);
    const patientSees = nextEvent(patient, 'participantLeft');
    const peerLeft = nextEvent(host, 'peerLeft', (e) => e.peerId === w.ids.daughter);
    const started = Date.now();
    // The patient narrows the consent: the daughter is no longer covered.
    await consentAll(w, [w.ids.daughter]);
    // Media is gone by the time the API answers (same tick as the event).
    expect(server().rooms.get(w.c.id)?.peer(w.ids.daughter)).toBeUndefined();
    expect(await removed).toEqual({ reason: 'consent_withdrawn' });
    await gone;
    expect(await hostSees).toEqual({ participantId: w.ids.daughter, reason: 'consent_withdrawn' });
    expect((await patientSees).participantId).toBe(w.ids.daughter);
    await peerLeft;
    expect(Date.now() - started).toBeLessThan(2000);
    // The others continue; the daughter comes back only to the lobby, blocked by consent.
    expect(ok(await request(host, 'sendChat', { text: 'vi held fram' })).messageId).toBeTruthy();
    const again = await connect(w.tokens.daughter);
    expect(await enter(again)).toMatchObject({
      status: 'waiting',
      lobbyEntry: { waitingForConsent: true },
    });
    expect(err(await request(host, 'admit', { participantId: w.ids.daughter })).reason).toBe(
      'consent_required',
    );

    await server().sessions.journal.settled();
    const actions = (await auditEntries(app(), w.tokens.patient, w.c.id)).map((e) => e.action);
    expect(actions).toContain('session.remove.consent_withdrawn');
  });

  it('withdrawn participation ends the session for everyone', async () => {
    const w = await world();
    const consent = await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const gp = await connect(w.tokens.gp);
    await enter(gp);
    const patient = await admitted(host, w.tokens.patient, w.ids.patient);
    const waiting = await connect(w.tokens.interpreter);
    await enter(waiting);

    const all = [host, gp, patient, waiting];
    const ended = all.map((s) => nextEvent(s, 'sessionEnded'));
    const gone = all.map((s) => disconnected(s, 2000));
    await withdrawConsent(app(), w.tokens.patient, w.c.id, consent.id);
    for (const e of await Promise.all(ended)) expect(e).toEqual({ reason: 'consent_withdrawn' });
    await Promise.all(gone);
    expect(server().sessions.get(w.c.id)).toBeUndefined();

    await server().sessions.journal.settled();
    const end = (await auditEntries(app(), w.tokens.patient, w.c.id)).find(
      (e) => e.action === 'session.end',
    );
    expect(end).toMatchObject({ actorType: 'system' });
  });
});

describe('booking changes reach the live session', () => {
  it('a participant taken off the booking leaves at once; a cancelled consultation ends', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const interpreter = await admitted(host, w.tokens.interpreter, w.ids.interpreter);
    const removed = nextEvent(interpreter, 'removed');
    const left = nextEvent(host, 'participantLeft');
    const res = await app().inject({
      method: 'DELETE',
      url: `/api/consultations/${w.c.id}/participants/${w.ids.interpreter}`,
      headers: { authorization: `Bearer ${w.spec.accessToken}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await removed).toEqual({ reason: 'no_longer_invited' });
    expect((await left).participantId).toBe(w.ids.interpreter);
    await disconnected(interpreter);

    const ended = nextEvent(host, 'sessionEnded');
    const cancel = await app().inject({
      method: 'POST',
      url: `/api/consultations/${w.c.id}/cancel`,
      headers: { authorization: `Bearer ${w.spec.accessToken}` },
      payload: { reason: 'Pasienten er innlagd' },
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await ended).toEqual({ reason: 'consultation_cancelled' });
    await disconnected(host);
  });
});

describe('host actions', () => {
  it('mute pauses the producer; ask-to-unmute only asks; only moderators do either', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const gp = await connect(w.tokens.gp);
    const join = inCall(await enter(gp));
    const producerId = ok(
      await produceMicrophone(gp, join.transports.sendTransport?.id ?? ''),
    ).producerId;
    const producer = () => server().rooms.get(w.c.id)?.peer(w.ids.gp)?.producer(producerId);
    expect(producer()?.paused).toBe(false);

    // The GP is staff but does not lead: no moderation.
    expect(err(await request(gp, 'muteParticipant', { participantId: w.ids.spec })).code).toBe(
      'forbidden',
    );
    const muted = nextEvent(gp, 'mutedByHost');
    ok(await request(host, 'muteParticipant', { participantId: w.ids.gp }));
    expect(producer()?.paused).toBe(true);
    expect(await muted).toEqual({
      participantId: w.ids.gp,
      producerId,
      byParticipantId: w.ids.spec,
    });

    const asked = nextEvent(gp, 'unmuteRequested');
    ok(await request(host, 'askToUnmute', { participantId: w.ids.gp }));
    expect(await asked).toEqual({ byParticipantId: w.ids.spec, byDisplayName: 'Dr. Lege' });
    expect(producer()?.paused).toBe(true); // asking does not unmute

    // The mute holds across a reconnect (a reload): back in, told, and published paused.
    gp.disconnect();
    const back = await connect(w.tokens.gp);
    const rejoined = inCall(await enter(back));
    expect(rejoined.session.selfMutedByHost).toBe(true);
    const againId = ok(
      await produceMicrophone(back, rejoined.transports.sendTransport?.id ?? ''),
    ).producerId;
    const again = () => server().rooms.get(w.c.id)?.peer(w.ids.gp)?.producer(againId);
    expect(again()?.paused).toBe(true);
    ok(await request(back, 'resumeProducer', { producerId: againId })); // only they can
    expect(again()?.paused).toBe(false);
    // Unmuted by themself: the next reconnect is not muted.
    back.disconnect();
    const third = await connect(w.tokens.gp);
    expect(inCall(await enter(third)).session.selfMutedByHost).toBe(false);
  });

  it('chat, hands and roster reach the admitted, not the lobby; remove and end are audited', async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const patient = await admitted(host, w.tokens.patient, w.ids.patient);
    const interpreter = await admitted(host, w.tokens.interpreter, w.ids.interpreter);
    const daughter = await connect(w.tokens.daughter);
    const daughterSeen = recordEvents(daughter);
    const waitingShown = nextEvent(host, 'lobbyChanged', (e) => e.lobby.length === 1);
    await enter(daughter);
    await waitingShown;

    const atPatient = nextEvent(patient, 'chatMessage');
    const atInterpreter = nextEvent(interpreter, 'chatMessage');
    const atHost = nextEvent(host, 'chatMessage');
    ok(await request(host, 'sendChat', { text: '  Velkomen  ' }));
    for (const m of await Promise.all([atPatient, atInterpreter, atHost])) {
      expect(m).toMatchObject({ text: 'Velkomen', fromParticipantId: w.ids.spec });
    }
    const hand = nextEvent(host, 'handRaised');
    ok(await request(patient, 'raiseHand', { raised: true }));
    expect(await hand).toEqual({ participantId: w.ids.patient, raised: true });
    const roster = nextEvent(interpreter, 'rosterChanged');
    ok(
      await request(patient, 'setRoster', {
        people: [{ name: 'Kari', relation: 'dotter' }],
      }),
    );
    expect((await roster).roster).toEqual({
      people: [{ name: 'Kari', relation: 'dotter' }],
      setByParticipantId: w.ids.patient,
    });
    expect(err(await request(interpreter, 'setRoster', { people: [] })).reason).toBe(
      'not_patient_side',
    );
    expect(err(await request(host, 'sendChat', { text: '   ' })).code).toBe('bad_request');

    // Admitted now, the daughter gets the history, but got nothing while waiting.
    const admittedEvent = nextEvent(daughter, 'admitted');
    ok(await request(host, 'admit', { participantId: w.ids.daughter }));
    const { session } = await admittedEvent;
    expect(daughterSeen.map((e) => e.name).filter((n) => n !== 'welcome')).toEqual(['admitted']);
    expect(session.chat.map((m) => m.text)).toEqual(['Velkomen']);
    expect(session.roster.people).toHaveLength(1);
    expect(session.participants.find((p) => p.id === w.ids.patient)?.handRaised).toBe(true);

    // Remove: told, disconnected, others notified.
    const removed = nextEvent(interpreter, 'removed');
    const gone = disconnected(interpreter);
    const left = nextEvent(patient, 'participantLeft');
    ok(await request(host, 'removeParticipant', { participantId: w.ids.interpreter }));
    expect(await removed).toEqual({ reason: 'removed_by_host' });
    await gone;
    expect(await left).toEqual({ participantId: w.ids.interpreter, reason: 'removed_by_host' });

    // A leave, then the host ends the session for all.
    const daughterLeft = nextEvent(
      host,
      'participantLeft',
      (e) => e.participantId === w.ids.daughter,
    );
    daughter.disconnect();
    expect((await daughterLeft).reason).toBe('disconnected');
    const ended = nextEvent(patient, 'sessionEnded');
    ok(await request(host, 'endSession', {}));
    expect(await ended).toEqual({ reason: 'ended_by_host' });
    await disconnected(patient);
    // Ended by the host: it cannot be entered again.
    const late = await connect(w.tokens.gp);
    expect(err(await joinRequest(late)).reason).toBe('session_ended');

    await server().sessions.journal.settled();
    const entries = await auditEntries(app(), w.tokens.patient, w.c.id);
    const actions = entries.map((e) => e.action);
    for (const a of [
      'session.wait',
      'session.join',
      'session.admit',
      'session.remove',
      'session.leave',
      'session.end',
    ]) {
      expect(actions).toContain(a);
    }
    expect(entries.find((e) => e.action === 'session.admit')).toMatchObject({
      actorId: w.ids.spec,
      actorName: 'Dr. Lege',
      actorRole: 'specialist',
    });
    expect(entries.find((e) => e.action === 'session.remove')?.actorId).toBe(w.ids.spec);
  });
});

describe('the live session drives the consultation status', () => {
  async function status(w: World): Promise<string> {
    await server().sessions.journal.settled();
    const res = await app().inject({
      method: 'GET',
      url: `/api/consultations/${w.c.id}`,
      headers: { authorization: `Bearer ${w.spec.accessToken}` },
    });
    return res.json<Consultation>().status;
  }

  it('booked until the first admission, in progress during, completed when the host ends it', async () => {
    const w = await world();
    await consentAll(w);
    expect(await status(w)).toBe('booked');
    const host = await connect(w.tokens.spec);
    await enter(host);
    expect(await status(w)).toBe('in_progress');
    const patient = await admitted(host, w.tokens.patient, w.ids.patient);
    expect(await status(w)).toBe('in_progress');

    ok(await request(host, 'endSession', {}));
    await disconnected(patient);
    expect(await status(w)).toBe('completed');
    const actions = (await auditEntries(app(), w.tokens.patient, w.c.id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'consultation.status')).toHaveLength(2);
  });
});

/** One camera layer, or three simulcast layers (`rid` q/h/f, lowest first). */
function videoParams(simulcast: boolean): RtpParameters {
  return {
    mid: simulcast ? '2' : '1',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    headerExtensions: [],
    encodings: simulcast
      ? [
          { ssrc: 3001, rid: 'q', maxBitrate: 150_000 },
          { ssrc: 3002, rid: 'h', maxBitrate: 500_000 },
          { ssrc: 3003, rid: 'f', maxBitrate: 1_200_000 },
        ]
      : [{ ssrc: 2222 }],
    rtcp: { cname: 'test-video' },
  };
}

describe('adaptive stream on the real worker', () => {
  /**
   * The host in the call, and the GP, who sends video: `produceVideo` tells of the stream
   * the host is given and its server-side consumer.
   */
  async function hostAndSendingGp() {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const gp = await connect(w.tokens.gp);
    const sendTransportId = inCall(await enter(gp)).transports.sendTransport?.id ?? '';
    const produceVideo = async (simulcast: boolean) => {
      const announced = nextEvent(host, 'newConsumer', (c) => c.kind === 'video');
      ok(
        await request(gp, 'produce', {
          transportId: sendTransportId,
          kind: 'video',
          source: simulcast ? 'screen' : 'camera',
          rtpParameters: videoParams(simulcast),
        }),
      );
      const info = await announced;
      const consumer = () => server().rooms.get(w.c.id)?.peer(w.ids.spec)?.consumer(info.id);
      return { info, consumer };
    };
    const produceAudio = async () => {
      const announced = nextEvent(host, 'newConsumer', (c) => c.kind === 'audio');
      ok(await produceMicrophone(gp, sendTransportId));
      const info = await announced;
      const consumer = () => server().rooms.get(w.c.id)?.peer(w.ids.spec)?.consumer(info.id);
      return { info, consumer };
    };
    return { host, gp, produceVideo, produceAudio };
  }

  it('a tile pauses the stream it hides and picks the layer its size needs; bad demands are refused', async () => {
    const { host, gp, produceVideo } = await hostAndSendingGp();

    const camera = await produceVideo(false);
    expect(camera.info.type).toBe('simple');
    // Announced consumers wait for the browser to set them up.
    expect(camera.consumer()?.paused).toBe(true);
    ok(await request(host, 'resumeConsumer', { consumerId: camera.info.id }));
    expect(camera.consumer()?.paused).toBe(false);

    // Scrolled out of view: nothing is sent; back in view: sent again.
    ok(await request(host, 'setVideoDemand', { consumerId: camera.info.id, visible: false }));
    expect(camera.consumer()?.paused).toBe(true);
    ok(await request(host, 'setVideoDemand', { consumerId: camera.info.id, visible: true }));
    expect(camera.consumer()?.paused).toBe(false);

    // The person's own "audio only" wins over a visible tile until they resume.
    ok(await request(host, 'pauseConsumer', { consumerId: camera.info.id }));
    ok(await request(host, 'setVideoDemand', { consumerId: camera.info.id, visible: true }));
    expect(camera.consumer()?.paused).toBe(true);
    ok(await request(host, 'resumeConsumer', { consumerId: camera.info.id }));
    expect(camera.consumer()?.paused).toBe(false);

    // A simulcast stream: a small tile asks for the lowest layer, a large one for the top.
    const screen = await produceVideo(true);
    expect(screen.info.type).toBe('simulcast');
    ok(await request(host, 'resumeConsumer', { consumerId: screen.info.id }));
    ok(await request(host, 'setVideoDemand', { consumerId: screen.info.id, spatialLayer: 0 }));
    expect(screen.consumer()?.preferredLayers?.spatialLayer).toBe(0);
    ok(await request(host, 'setVideoDemand', { consumerId: screen.info.id, spatialLayer: 2 }));
    expect(screen.consumer()?.preferredLayers?.spatialLayer).toBe(2);

    // Bad demands get a clear error and change nothing.
    expect(
      err(await request(host, 'setVideoDemand', { consumerId: camera.info.id, spatialLayer: 1 }))
        .code,
    ).toBe('bad_request');
    expect(
      err(
        (await rawRequest(host, 'setVideoDemand', {
          consumerId: camera.info.id,
          visible: 'no',
        })) as Awaited<ReturnType<typeof request>>,
      ).code,
    ).toBe('bad_request');
    expect(
      err(
        (await rawRequest(host, 'setVideoDemand', {
          consumerId: screen.info.id,
          spatialLayer: 7,
        })) as Awaited<ReturnType<typeof request>>,
      ).code,
    ).toBe('bad_request');
    expect(camera.consumer()?.paused).toBe(false);
    expect(screen.consumer()?.preferredLayers?.spatialLayer).toBe(2);
    // Someone else's stream is not theirs to steer.
    expect(
      err(await request(gp, 'setVideoDemand', { consumerId: camera.info.id, visible: false })).code,
    ).toBe('not_found');
    expect(camera.consumer()?.paused).toBe(false);
  });

  it('takes a receiver’s word that its link queues for its own audio only, and refuses bad words', async () => {
    const { host, gp, produceVideo, produceAudio } = await hostAndSendingGp();
    const camera = await produceVideo(false);
    ok(await request(host, 'resumeConsumer', { consumerId: camera.info.id }));
    const microphone = await produceAudio();
    ok(await request(host, 'resumeConsumer', { consumerId: microphone.info.id }));
    // The host's own incoming audio: taken (the link's adapter judges it; nothing flows here),
    // the onset of its lateness and the queue with what arrived since.
    ok(await request(host, 'reportQueueOnset', { consumerId: microphone.info.id }));
    ok(
      await request(host, 'reportQueueing', {
        consumerId: microphone.info.id,
        excessMs: 140,
        receivedBps: 150_000,
      }),
    );
    ok(
      await request(host, 'reportQueueing', {
        consumerId: microphone.info.id,
        excessMs: 120,
        provisional: true,
        receivedBps: 150_000,
      }),
    );
    expect(err(await request(host, 'reportQueueOnset', { consumerId: camera.info.id })).code).toBe(
      'bad_request',
    );
    expect(
      err(await request(gp, 'reportQueueOnset', { consumerId: microphone.info.id })).code,
    ).toBe('not_found');
    // A video stream is not what is measured; someone else's audio is not theirs to report.
    expect(
      err(
        await request(host, 'reportQueueing', {
          consumerId: camera.info.id,
          excessMs: 140,
        }),
      ).code,
    ).toBe('bad_request');
    expect(
      err(
        await request(gp, 'reportQueueing', {
          consumerId: microphone.info.id,
          excessMs: 140,
        }),
      ).code,
    ).toBe('not_found');
    for (const bad of [
      { consumerId: microphone.info.id, excessMs: -1 },
      { consumerId: microphone.info.id, excessMs: 'late' },
      { consumerId: microphone.info.id, excessMs: 12.5 },
      { consumerId: microphone.info.id },
      { consumerId: microphone.info.id, excessMs: 100, growth: 1 },
      { consumerId: microphone.info.id, excessMs: 100, receivedBps: -1 },
      { consumerId: microphone.info.id, excessMs: 100, receivedBps: 1.5 },
      { consumerId: microphone.info.id, excessMs: 100, receivedBps: '150k' },
      { consumerId: microphone.info.id, excessMs: 100, provisional: 'yes' },
    ]) {
      expect(
        err((await rawRequest(host, 'reportQueueing', bad)) as Awaited<ReturnType<typeof request>>)
          .code,
      ).toBe('bad_request');
    }
    // Nothing changed for the streams.
    expect(camera.consumer()?.paused).toBe(false);
    expect(microphone.consumer()?.paused).toBe(false);
  });

  it("resumes several of the caller's streams in one request, and nobody else's", async () => {
    const { host, gp, produceVideo } = await hostAndSendingGp();
    const sent = [await produceVideo(false), await produceVideo(true)];
    const ids = sent.map((s) => s.info.id);
    const streams = sent.map((s) => s.consumer);
    expect(streams.map((s) => s()?.paused)).toEqual([true, true]);

    // The GP names the host's streams: not theirs, nothing resumed.
    expect(err(await request(gp, 'resumeConsumers', { consumerIds: ids })).code).toBe('not_found');
    expect(streams.map((s) => s()?.paused)).toEqual([true, true]);

    // The host resumes both at once; one closed meanwhile (or never theirs) is answered.
    const res = await request(host, 'resumeConsumers', { consumerIds: [...ids, 'gone', ids[0]!] });
    expect(res).toEqual({ ok: true, data: { notFound: ['gone'] } });
    expect(streams.map((s) => s()?.paused)).toEqual([false, false]);
  });
});

describe('a participant reloads and leaves', () => {
  /**
   * Every stream the host was told of is closed again, once, and no stream of the
   * participant is announced after they left. Each round is a reload (a new socket of the
   * same participant id, publishing at once) and a leave, on odd rounds without waiting for
   * the publication's answer. The host then sees `newConsumer`, `peerLeft`, `consumerClosed`
   * back to back: the client must drop a stream closed while it was still making it
   * (client/src/media/pending-streams.ts), or it comes back as a nameless tile.
   */
  it("the host is told exactly once that each of the old connection's streams is gone", async () => {
    const w = await world();
    await consentAll(w);
    const host = await connect(w.tokens.spec);
    await enter(host);
    const seen = recordEvents(host);
    const publish = (s: TestSocket, res: JoinResponse) =>
      produceMicrophone(s, inCall(res).transports.sendTransport?.id ?? '');
    let gp = await connect(w.tokens.gp);
    inCall(await enter(gp));
    for (let round = 0; round < 6; round++) {
      // Reload: the old page goes, the new one joins and publishes.
      gp.disconnect();
      gp = await connect(w.tokens.gp);
      const res = await enter(gp);
      const published = publish(gp, res);
      if (round % 2 === 0) ok(await published);
      else published.catch(() => undefined);
      // Leave (at once on odd rounds), then come back for the next round.
      const left = nextEvent(host, 'peerLeft', (e) => e.peerId === w.ids.gp);
      gp.disconnect();
      await left;
      gp = await connect(w.tokens.gp);
      await enter(gp);
    }
    gp.disconnect();
    await nextEvent(host, 'peerLeft', (e) => e.peerId === w.ids.gp);
    // The last streams closed rounds ago; a round trip flushes what the server sent since.
    ok(await request(host, 'sendChat', { text: 'ping' }));

    const opened = seen
      .filter((e) => e.name === 'newConsumer')
      .map((e) => e.data as { id: string });
    const closed = seen
      .filter((e) => e.name === 'consumerClosed')
      .map((e) => (e.data as { consumerId: string }).consumerId);
    expect(opened.length).toBeGreaterThanOrEqual(3);
    expect(closed.sort()).toEqual(opened.map((c) => c.id).sort());
    // Nothing of the participant is announced between their leaving and their return.
    let present = true;
    for (const e of seen) {
      const d = e.data as { peerId?: string; peer?: { id: string } };
      if (e.name === 'peerJoined' && d.peer?.id === w.ids.gp) present = true;
      else if (e.name === 'peerLeft' && d.peerId === w.ids.gp) present = false;
      else if (e.name === 'newConsumer' && d.peerId === w.ids.gp) {
        expect(present, 'a stream announced after its participant left').toBe(true);
      }
    }
    expect(server().rooms.get(w.c.id)?.peer(w.ids.spec)?.consumers).toEqual([]);
  });
});
