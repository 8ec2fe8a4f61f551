/**
 * The agenda in the live session (issue 11, item 1) over real sockets, a real mediasoup
 * worker and PGlite: a staff-only part holds the patient side in the waiting room; a
 * private part lets only the patient and the named clinician receive each other's media
 * while the parents (and the unnamed GP) share a side room; everyone returns at the next
 * part; only the host moves parts, and no crafted request gets around any of it. Each part
 * change is audited with who was present, and attendance per part is stored.
 */
import { describe, expect, it } from 'vitest';
import type { Agenda, Consultation, RtpParameters } from '@samkons/shared';
import { partAttendance } from '../../server/src/session/agenda/part-journal.js';
import { useLiveServer } from '../support/live-server.js';
import {
  ackData as ok,
  ackError as err,
  enter,
  nextEvent,
  rawRequest,
  recordEvents,
  request,
  type TestSocket,
} from '../support/signalling-client.js';
import {
  attendees,
  auditEntries,
  book,
  createStaff,
  giveConsent,
} from '../support/consultation.js';

const { server, app, services, sockets } = useLiveServer();

type Who = 'spec' | 'gp' | 'patient' | 'mother' | 'father';

interface World {
  c: Consultation;
  specAccess: string;
  ids: Record<Who, string>;
  tokens: Record<Who, string>;
  parts: { prep: string; together: string; alone: string; plan: string };
}

/**
 * A 14-year-old patient with both parents (guardians), the specialist (organiser, host) and
 * the GP; the agenda of a samkonsultasjon with the specialist named in the private part.
 * The mother consents to everyone taking part.
 */
async function world(): Promise<World> {
  const spec = await createStaff(app(), services(), 'specialist', { name: 'Dr. Lege' });
  const gp = await createStaff(app(), services(), 'gp', { name: 'Fastlege Berg' });
  const fourteen = `${new Date().getUTCFullYear() - 14}-02-10`;
  const home = { joinsFrom: 'home', travelDistanceKm: 80 } as const;
  const c = await book(app(), spec, [
    {
      role: 'gp',
      name: gp.name,
      joinsFrom: 'gp_office',
      travelDistanceKm: 0,
      accountId: gp.accountId,
    },
    { role: 'patient', name: 'Siri (14)', birthDate: fourteen, ...home },
    { role: 'next_of_kin', name: 'Mor Hansen', isGuardian: true, ...home },
    { role: 'next_of_kin', name: 'Far Hansen', isGuardian: true, ...home },
  ]);
  const { ids, tokens } = await attendees(app(), spec, c, {
    spec: { staff: spec },
    gp: { staff: gp },
    patient: { role: 'patient' },
    mother: { name: 'Mor Hansen' },
    father: { name: 'Far Hansen' },
  });
  await giveConsent(app(), tokens.mother, c.id, {
    method: 'in_app',
    coveredParticipantIds: Object.values(ids),
    shareHealthInfo: true,
  });
  // The agenda is the kind's template, made at booking; the organiser is named in the
  // private part. Read as a participant reads it.
  const agenda = await app().inject({
    method: 'GET',
    url: `/api/consultations/${c.id}/agenda`,
    headers: { authorization: `Bearer ${tokens.mother}` },
  });
  const parts = agenda.json<Agenda>().parts;
  expect(parts.map((p) => p.audience)).toEqual(['staff_only', 'everyone', 'private', 'everyone']);
  expect(parts[2]?.privateParticipantIds).toEqual([ids.spec]);
  const [prep, together, alone, plan] = parts.map((p) => p.id) as [string, string, string, string];
  return { c, specAccess: spec.accessToken, ids, tokens, parts: { prep, together, alone, plan } };
}

const audio = (ssrc: number): RtpParameters => ({
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
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}` },
});

let ssrc = 10_000;

/** (Re)joins the media room, receiving, and publishes a microphone. */
async function joinMedia(socket: TestSocket): Promise<{ producerId: string }> {
  const join = await enter(socket);
  if (join.status !== 'admitted') throw new Error('not admitted');
  return ok(
    await request(socket, 'produce', {
      transportId: join.transports.sendTransport?.id ?? '',
      kind: 'audio',
      source: 'microphone',
      rtpParameters: audio(++ssrc),
    }),
  );
}

/** Whose producers `pid` receives now, as the worker has them (server truth, not client). */
function receivesFrom(w: World, pid: string): string[] {
  const peer = server().rooms.get(w.c.id)?.peer(pid);
  const names = Object.entries(w.ids).map(([k, v]) => [v, k] as const);
  const nameOf = new Map(names);
  return [...new Set(peer?.consumers.map((c) => nameOf.get(c.fromPeerId) ?? c.fromPeerId))].sort();
}

const everyoneBut = (me: Who, among: Who[]) => among.filter((x) => x !== me).sort();

/** Polls until the room's consumers match (creation after a part change is asynchronous). */
async function expectReceiving(w: World, expected: Partial<Record<Who, Who[]>>): Promise<void> {
  await expect
    .poll(
      () =>
        Object.fromEntries(Object.keys(expected).map((k) => [k, receivesFrom(w, w.ids[k as Who])])),
      { timeout: 5000 },
    )
    .toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, [...v].sort()])));
}

describe('agenda: staff-only part', () => {
  it('holds the patient side in the waiting room, then lets them in at the next part', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    const hostIn = await enter(host);
    expect(hostIn.status).toBe('admitted');
    if (hostIn.status !== 'admitted') return;
    // The session opens off the agenda; the host starts the pre-brief.
    expect(hostIn.session.agenda).toMatchObject({ currentPartId: null });
    expect(hostIn.session.agenda?.parts).toHaveLength(4);
    ok(await request(host, 'moveToPart', { partId: w.parts.prep }));
    const gp = await sockets.connect({ token: w.tokens.gp });
    expect((await enter(gp)).status).toBe('admitted');

    // The patient is told she waits for the part, not for a host; the host cannot admit her.
    const patient = await sockets.connect({ token: w.tokens.patient });
    const lobby = nextEvent(host, 'lobbyChanged', (e) => e.lobby.length > 0);
    expect(await enter(patient)).toMatchObject({
      status: 'waiting',
      lobbyEntry: { participantId: w.ids.patient, heldForPart: true, waitingForConsent: false },
    });
    expect((await lobby).lobby).toEqual([
      expect.objectContaining({ participantId: w.ids.patient, heldForPart: true }),
    ]);
    expect(err(await request(host, 'admit', { participantId: w.ids.patient }))).toMatchObject({
      code: 'invalid_state',
      reason: 'held_for_part',
    });
    expect((await enter(patient)).status).toBe('waiting');
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeUndefined();

    // Only the host moves parts, and only to parts of this agenda.
    expect(err(await request(gp, 'moveToPart', { partId: w.parts.together })).code).toBe(
      'forbidden',
    );
    expect(err(await request(patient, 'moveToPart', { partId: w.parts.together }))).toMatchObject({
      code: 'forbidden',
      reason: 'not_admitted',
    });
    expect(err(await request(host, 'moveToPart', { partId: crypto.randomUUID() }))).toMatchObject({
      code: 'not_found',
      reason: 'not_in_agenda',
    });

    // The host moves on: the patient comes in by herself, and everyone sees the new part.
    const admitted = nextEvent(patient, 'admitted');
    const changed = nextEvent(gp, 'agendaChanged');
    ok(await request(host, 'moveToPart', { partId: w.parts.together }));
    expect((await admitted).session.agenda?.currentPartId).toBe(w.parts.together);
    expect((await changed).agenda.currentPartId).toBe(w.parts.together);

    // Back to the staff-only part: she goes back to the waiting room, media and all.
    await joinMedia(patient);
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeDefined();
    const held = nextEvent(patient, 'waitingForPart');
    const left = nextEvent(gp, 'participantLeft');
    ok(await request(host, 'moveToPart', { partId: w.parts.prep }));
    expect(await held).toEqual({ held: true });
    expect(await left).toEqual({ participantId: w.ids.patient, reason: 'waiting_for_part' });
    expect(server().rooms.get(w.c.id)?.peer(w.ids.patient)).toBeUndefined();
    expect((await enter(patient)).status).toBe('waiting');
    expect(err(await request(patient, 'sendChat', { text: 'hallo?' })).reason).toBe('not_admitted');
    const again = nextEvent(patient, 'admitted');
    ok(await request(host, 'moveToPart', { partId: w.parts.together }));
    await again;
  });
});

describe('agenda: private part', () => {
  it('only the patient and the named clinician share media; the others share a side room', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    await enter(host);
    ok(await request(host, 'moveToPart', { partId: w.parts.together }));
    const people: Record<Who, TestSocket> = { spec: host } as Record<Who, TestSocket>;
    for (const who of ['gp', 'patient', 'mother', 'father'] as const) {
      const s = await sockets.connect({ token: w.tokens[who] });
      const res = await enter(s);
      if (res.status === 'waiting') {
        const admittedEvent = nextEvent(s, 'admitted');
        ok(await request(host, 'admit', { participantId: w.ids[who] }));
        await admittedEvent;
      }
      people[who] = s;
    }
    const all: Who[] = ['spec', 'gp', 'patient', 'mother', 'father'];
    for (const who of all) await joinMedia(people[who]);
    await expectReceiving(
      w,
      Object.fromEntries(all.map((x) => [x, everyoneBut(x, all)])) as Record<Who, Who[]>,
    );

    // The private part: consumers across the line are closed before the ack, and each side
    // is told about exactly its own lost streams.
    const motherEvents = recordEvents(people.mother);
    ok(await request(host, 'moveToPart', { partId: w.parts.alone }));
    expect(receivesFrom(w, w.ids.mother)).toEqual(['father', 'gp']);
    expect(receivesFrom(w, w.ids.patient)).toEqual(['spec']);
    await expectReceiving(w, {
      spec: ['patient'],
      patient: ['spec'],
      mother: ['father', 'gp'],
      father: ['gp', 'mother'],
      gp: ['father', 'mother'],
    });
    await expect.poll(() => motherEvents.filter((e) => e.name === 'consumerClosed').length).toBe(2);
    expect(motherEvents.filter((e) => e.name === 'newConsumer')).toEqual([]);

    // A parent who reconnects during the private part lands in the side room again.
    people.father.disconnect();
    await expect.poll(() => server().rooms.get(w.c.id)?.peer(w.ids.father)).toBeUndefined();
    const father = await sockets.connect({ token: w.tokens.father });
    const fatherEvents = recordEvents(father);
    const join = await enter(father);
    if (join.status !== 'admitted') throw new Error('not admitted');
    // He learns who is in the room, not what the private group publishes.
    expect(join.media.peers.find((p) => p.id === w.ids.patient)?.producers).toEqual([]);
    expect(join.media.peers.find((p) => p.id === w.ids.mother)?.producers).toHaveLength(1);
    await joinMediaProducer(father, join.transports.sendTransport?.id ?? '');
    await expectReceiving(w, {
      father: ['gp', 'mother'],
      patient: ['spec'],
      spec: ['patient'],
      mother: ['father', 'gp'],
    });
    // What he receives came with the join (the media start) and by newConsumer since.
    const consumedBy = (events: typeof fatherEvents) => [
      ...join.media.consumers.map((c) => c.peerId),
      ...events
        .filter((e) => e.name === 'newConsumer')
        .map((e) => (e.data as { peerId: string }).peerId),
    ];
    expect(consumedBy(fatherEvents).sort()).toEqual([w.ids.gp, w.ids.mother].sort());

    // Crafted requests: the private group's consumers and producers are not his to touch.
    const patientConsumers = server().rooms.get(w.c.id)?.peer(w.ids.patient)?.consumers ?? [];
    const specProducer = server().rooms.get(w.c.id)?.peer(w.ids.spec)?.producers[0]?.id ?? '';
    for (const c of patientConsumers) {
      expect(err(await request(father, 'resumeConsumer', { consumerId: c.id })).code).toBe(
        'not_found',
      );
      expect(
        err(
          await request(father, 'setConsumerPreferredLayers', {
            consumerId: c.id,
            spatialLayer: 0,
          }),
        ).code,
      ).toBe('not_found');
    }
    expect(err(await request(father, 'resumeConsumer', { consumerId: specProducer })).code).toBe(
      'not_found',
    );
    expect(err(await request(father, 'pauseProducer', { producerId: specProducer })).code).toBe(
      'not_found',
    );
    expect(receivesFrom(w, w.ids.father)).toEqual(['gp', 'mother']);

    // The organiser names the GP in the private part while it is on: she joins it at once.
    const current = await app().inject({
      method: 'GET',
      url: `/api/consultations/${w.c.id}/agenda`,
      headers: { authorization: `Bearer ${w.specAccess}` },
    });
    const agenda = current.json<Agenda>();
    const edited = nextEvent(people.gp, 'agendaChanged');
    const put = await app().inject({
      method: 'PUT',
      url: `/api/consultations/${w.c.id}/agenda`,
      headers: { authorization: `Bearer ${w.specAccess}` },
      payload: {
        expectedVersion: agenda.version,
        parts: agenda.parts.map((p) =>
          p.id === w.parts.alone ? { ...p, privateParticipantIds: [w.ids.spec, w.ids.gp] } : p,
        ),
      },
    });
    expect(put.statusCode).toBe(200);
    expect((await edited).agenda.currentPartId).toBe(w.parts.alone);
    await expectReceiving(w, {
      gp: ['patient', 'spec'],
      patient: ['gp', 'spec'],
      mother: ['father'],
      father: ['mother'],
    });

    // Everyone returns at the next part.
    ok(await request(host, 'moveToPart', { partId: w.parts.plan }));
    await expectReceiving(
      w,
      Object.fromEntries(all.map((x) => [x, everyoneBut(x, all)])) as Record<Who, Who[]>,
    );

    // Audited with who was present, and attendance per part stored.
    await server().sessions.partJournal.settled();
    // The holder sees the part changes in the access log; the detail says who was where.
    const audit = await auditEntries(app(), w.tokens.mother, w.c.id);
    expect(audit.filter((e) => e.action === 'session.agenda.part')).toHaveLength(3);
    const rows = await server().domain!.db.query<{ actor_id: string; detail: string }>(
      `SELECT actor_id, detail FROM audit_log
        WHERE consultation_id = $1 AND action = 'session.agenda.part' ORDER BY seq`,
      [w.c.id],
    );
    const details = rows.rows.map((r) => ({
      actorId: r.actor_id,
      detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as {
        partId: string;
        present: { participantId: string; group: string }[];
      },
    }));
    const privateChange = details.find((d) => d.detail.partId === w.parts.alone);
    expect(privateChange?.actorId).toBe(w.ids.spec);
    expect(
      [...(privateChange?.detail.present ?? [])].sort((a, b) =>
        a.participantId.localeCompare(b.participantId),
      ),
    ).toEqual(
      [
        { participantId: w.ids.spec, group: 'private' },
        { participantId: w.ids.patient, group: 'private' },
        { participantId: w.ids.mother, group: 'side' },
        { participantId: w.ids.father, group: 'side' },
        { participantId: w.ids.gp, group: 'side' },
      ].sort((a, b) => a.participantId.localeCompare(b.participantId)),
    );
    const runs = await partAttendance(server().domain!.db, w.c.id);
    expect(runs.map((r) => [r.audience, r.agreesPlan])).toEqual([
      ['everyone', false],
      ['private', false],
      ['everyone', true],
    ]);
    const privateRun = runs[1]!;
    expect(privateRun.endedAt).not.toBeNull();
    const groupOf = (pid: string) => [
      ...new Set(
        privateRun.participants.filter((p) => p.participantId === pid).map((p) => p.group),
      ),
    ];
    expect(groupOf(w.ids.patient)).toEqual(['private']);
    expect(groupOf(w.ids.mother)).toEqual(['side']);
    // The father was there twice (before and after reconnecting), both times in the side room.
    expect(groupOf(w.ids.father)).toEqual(['side']);
    // The GP spent time in both: the side room, then the private part once named.
    expect(groupOf(w.ids.gp).sort()).toEqual(['private', 'side']);
  });

  it('keeps chat within the private talk and within the side room', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    await enter(host);
    const people = { spec: host } as Record<Who, TestSocket>;
    for (const who of ['patient', 'mother', 'father'] as const) {
      const s = await sockets.connect({ token: w.tokens[who] });
      const admittedEvent = nextEvent(s, 'admitted');
      expect((await enter(s)).status).toBe('waiting');
      ok(await request(host, 'admit', { participantId: w.ids[who] }));
      await admittedEvent;
      people[who] = s;
    }
    ok(await request(host, 'moveToPart', { partId: w.parts.alone }));
    const heard = Object.fromEntries(
      (['spec', 'patient', 'mother', 'father'] as const).map((who) => [
        who,
        recordEvents(people[who]),
      ]),
    ) as Record<'spec' | 'patient' | 'mother' | 'father', ReturnType<typeof recordEvents>>;
    const texts = (who: 'spec' | 'patient' | 'mother' | 'father') =>
      heard[who]
        .filter((e) => e.name === 'chatMessage')
        .map((e) => (e.data as { text: string }).text);

    const toSpec = nextEvent(host, 'chatMessage');
    ok(await request(people.patient, 'sendChat', { text: 'Eg er redd for å seie det til mamma' }));
    await toSpec;
    const toFather = nextEvent(people.father, 'chatMessage');
    ok(await request(people.mother, 'sendChat', { text: 'Kva trur du ho seier no?' }));
    await toFather;
    expect(texts('spec')).toEqual(['Eg er redd for å seie det til mamma']);
    expect(texts('patient')).toEqual(['Eg er redd for å seie det til mamma']);
    expect(texts('mother')).toEqual(['Kva trur du ho seier no?']);
    expect(texts('father')).toEqual(['Kva trur du ho seier no?']);

    // Reconnecting later (even once everyone is together) does not reveal the other side's chat.
    ok(await request(host, 'moveToPart', { partId: w.parts.plan }));
    people.mother.disconnect();
    await expect.poll(() => server().rooms.get(w.c.id)?.peer(w.ids.mother)).toBeUndefined();
    const mother = await sockets.connect({ token: w.tokens.mother });
    const again = await enter(mother);
    expect(again.status).toBe('admitted');
    if (again.status !== 'admitted') return;
    expect(again.session.chat.map((m) => m.text)).toEqual(['Kva trur du ho seier no?']);
  });

  it('refuses malformed agenda requests with a clear error', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    await enter(host);
    for (const payload of [{}, { partId: 42 }, { partId: '' }, { partId: 'x'.repeat(200) }, null]) {
      expect(await rawRequest(host, 'moveToPart', payload)).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    expect(
      await rawRequest(host, 'moveToPart', { partId: w.parts.alone, extra: true }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // Off the agenda (null) is a valid move: everyone together.
    ok(await request(host, 'moveToPart', { partId: null }));
  });
});

async function joinMediaProducer(socket: TestSocket, transportId: string): Promise<void> {
  ok(
    await request(socket, 'produce', {
      transportId,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: audio(++ssrc),
    }),
  );
}

describe('live plan', () => {
  it('the host writes the plan in the call; everyone admitted sees it change; nobody else writes', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    await enter(host);
    const gp = await sockets.connect({ token: w.tokens.gp });
    await enter(gp);
    const mother = await sockets.connect({ token: w.tokens.mother });
    const admittedMother = nextEvent(mother, 'admitted');
    expect((await enter(mother)).status).toBe('waiting');
    ok(await request(host, 'admit', { participantId: w.ids.mother }));
    await admittedMother;
    const father = await sockets.connect({ token: w.tokens.father });
    expect((await enter(father)).status).toBe('waiting');

    // The host writes; everyone admitted is told, with the whole plan.
    const seenByMother = nextEvent(mother, 'planChanged');
    const item = ok(
      await request(host, 'planAdd', {
        what: 'Siri prøver ny inhalator i fire veker',
        owner: { kind: 'patient' },
        dueDate: '2031-01-31',
      }),
    ).item;
    expect(item).toMatchObject({ what: 'Siri prøver ny inhalator i fire veker', status: 'open' });
    const changed = await seenByMother;
    expect(changed.changedItemId).toBe(item.id);
    expect(changed.items.map((i) => i.id)).toEqual([item.id]);
    expect(ok(await request(gp, 'planGet', {})).items.map((i) => i.id)).toEqual([item.id]);

    // Only the host writes; the waiting father neither reads nor writes.
    expect(
      err(await request(gp, 'planAdd', { what: 'x', owner: { kind: 'patient' }, dueDate: null }))
        .code,
    ).toBe('forbidden');
    expect(err(await request(mother, 'planRemove', { itemId: item.id })).code).toBe('forbidden');
    expect(err(await request(father, 'planGet', {}))).toMatchObject({
      code: 'forbidden',
      reason: 'not_admitted',
    });

    // Update and remove, each seen by the others.
    const updated = nextEvent(gp, 'planChanged', (e) => e.items[0]?.dueDate === '2031-02-15');
    ok(await request(host, 'planUpdate', { itemId: item.id, patch: { dueDate: '2031-02-15' } }));
    await updated;
    const removed = nextEvent(mother, 'planChanged', (e) => e.items.length === 0);
    ok(await request(host, 'planRemove', { itemId: item.id }));
    await removed;

    // Another consultation's item is not reachable from this call.
    const other = await world();
    const otherHost = await sockets.connect({ token: other.tokens.spec });
    await enter(otherHost);
    const foreign = ok(
      await request(otherHost, 'planAdd', {
        what: 'Anna',
        owner: { kind: 'patient' },
        dueDate: null,
      }),
    ).item;
    expect(err(await request(host, 'planRemove', { itemId: foreign.id })).code).toBe('not_found');
    expect(
      err(await request(host, 'planUpdate', { itemId: foreign.id, patch: { what: 'Kapra' } })).code,
    ).toBe('not_found');
    expect(ok(await request(otherHost, 'planGet', {})).items.map((i) => i.id)).toEqual([
      foreign.id,
    ]);
  });

  it('refuses malformed plan requests with a clear error', async () => {
    const w = await world();
    const host = await sockets.connect({ token: w.tokens.spec });
    await enter(host);
    const bad: [string, unknown][] = [
      ['planAdd', {}],
      ['planAdd', { what: '', owner: { kind: 'patient' }, dueDate: null }],
      ['planAdd', { what: 'x', owner: { kind: 'nobody' }, dueDate: null }],
      ['planAdd', { what: 'x', owner: { kind: 'patient' }, dueDate: '31.01.2031' }],
      ['planAdd', { what: 'x\u0000y', owner: { kind: 'patient' }, dueDate: null }],
      ['planAdd', { what: 'x', owner: { kind: 'patient' }, dueDate: null, extra: 1 }],
      ['planAdd', { what: 'x'.repeat(501), owner: { kind: 'patient' }, dueDate: null }],
      ['planUpdate', { itemId: 'not-a-uuid', patch: { what: 'x' } }],
      ['planUpdate', { itemId: crypto.randomUUID(), patch: {} }],
      ['planRemove', { itemId: 42 }],
      ['planGet', { extra: true }],
    ];
    for (const [name, payload] of bad) {
      expect(
        await rawRequest(host, name, payload),
        `${name} ${JSON.stringify(payload)}`,
      ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    // A care team member who is not on this patient's team is refused by the plan service.
    expect(
      err(
        await request(host, 'planAdd', {
          what: 'x',
          owner: { kind: 'care_team_member', memberId: crypto.randomUUID() },
          dueDate: null,
        }),
      ).code,
    ).toBe('bad_request');
  });
});
