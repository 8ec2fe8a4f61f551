import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { Notification, SessionGrants } from '@samkons/shared';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { ConsentGate } from './consent-gate.js';
import { LiveSession, type SessionMember } from './live-session.js';
import { nullJournal } from './session-journal.js';
import { processSessionMemory, type SessionMemory } from './session-memory.js';

const grants = (participantId: string, host: boolean): SessionGrants => ({
  consultationId: 'c1',
  participantId,
  roomJoin: host,
  canPublish: true,
  canSubscribe: true,
  canPublishSources: ['camera', 'microphone'],
  canAdmit: host,
  canModerate: host,
  canEnd: host,
  canConsent: false,
  canRecordVerbalConsent: false,
});

interface FakeMember extends SessionMember {
  seen: Notification[];
  disconnected: boolean;
  names(): string[];
}

function member(id: string, host = false): FakeMember {
  const m: FakeMember = {
    principal: { displayName: id, role: host ? 'specialist' : 'patient', grants: grants(id, host) },
    seen: [],
    disconnected: false,
    notify: (n) => m.seen.push(n),
    admitted: (state) => void m.seen.push({ name: 'admitted', data: { session: state } }),
    disconnect: () => {
      m.disconnected = true;
    },
    names: () => m.seen.map((n) => n.name),
  };
  return m;
}

/** Consent blocks the ids in `blocked`. */
function gate(blocked: Set<string>): ConsentGate {
  return {
    check: (p) =>
      Promise.resolve(
        blocked.has(p.grants.participantId)
          ? { admissible: false, reason: 'consent_required', message: 'no consent' }
          : { admissible: true, grants: p.grants },
      ),
  };
}

const noRooms = { get: () => undefined } as unknown as RoomRegistry;
const session = (blocked = new Set<string>(), memory: SessionMemory = processSessionMemory()) =>
  new LiveSession('c1', {
    rooms: noRooms,
    gate: gate(blocked),
    journal: nullJournal,
    memory,
    log: pino({ level: 'silent' }),
  });

/** The host is in and has admitted `guest` from the lobby. */
async function withGuestAdmitted() {
  const s = session();
  const host = member('host', true);
  const guest = member('guest');
  await s.enter(host);
  await s.enter(guest);
  await s.admit(host, 'guest');
  return { s, host, guest };
}

describe('LiveSession transitions', () => {
  it('host enters directly; a guest waits, is admitted, and both are told', async () => {
    const s = session();
    const host = member('host', true);
    const guest = member('guest');
    expect((await s.enter(host)).status).toBe('admitted');
    expect(await s.enter(guest)).toMatchObject({ status: 'waiting' });
    expect(s.isAdmitted(guest)).toBe(false);
    expect(host.names()).toEqual(['lobbyChanged']);
    await s.admit(host, 'guest');
    expect(s.isAdmitted(guest)).toBe(true);
    expect(guest.names()).toEqual(['admitted']);
    expect(host.names()).toEqual(['lobbyChanged', 'participantJoined', 'lobbyChanged']);
    // Entering again on the same connection just answers where it is.
    expect((await s.enter(guest)).status).toBe('admitted');
  });

  it('blocked by consent: the entry is flagged, admit fails, and a new consent clears it', async () => {
    const blocked = new Set(['guest']);
    const s = session(blocked);
    const host = member('host', true);
    const guest = member('guest');
    await s.enter(host);
    expect(await s.enter(guest)).toMatchObject({ lobbyEntry: { waitingForConsent: true } });
    await expect(s.admit(host, 'guest')).rejects.toMatchObject({ reason: 'consent_required' });
    blocked.clear();
    await s.consentChanged();
    const last = host.seen.at(-1);
    expect(last).toMatchObject({
      name: 'lobbyChanged',
      data: { lobby: [{ waitingForConsent: false }] },
    });
    await s.admit(host, 'guest');
    expect(s.isAdmitted(guest)).toBe(true);
  });

  it('an admitted person who drops comes back without waiting; a second tab replaces the first', async () => {
    const { s, guest: first } = await withGuestAdmitted();
    s.leave(first, 'disconnected');
    const second = member('guest');
    expect((await s.enter(second)).status).toBe('admitted');
    const third = member('guest');
    expect((await s.enter(third)).status).toBe('admitted');
    expect(second.disconnected).toBe(true);
    expect(second.seen.at(-1)).toEqual({ name: 'roomClosed', data: { reason: 'replaced' } });
    expect(s.isAdmitted(third)).toBe(true);
    // The old connection's late disconnect does not take the new one out.
    s.leave(second, 'disconnected');
    expect(s.isAdmitted(third)).toBe(true);
  });

  it('withdrawn presence expels in the same call and is not undone by reconnecting', async () => {
    const { s, host, guest } = await withGuestAdmitted();
    s.presenceWithdrawn(['guest']);
    expect(guest.disconnected).toBe(true);
    expect(guest.seen.at(-1)).toEqual({ name: 'removed', data: { reason: 'consent_withdrawn' } });
    expect(host.seen.at(-1)).toEqual({
      name: 'participantLeft',
      data: { participantId: 'guest', reason: 'consent_withdrawn' },
    });
    expect((await s.enter(member('guest'))).status).toBe('waiting');
  });

  it('only a host with canEnd ends it; everyone is told and the session forgets its chat', async () => {
    const { s, host, guest } = await withGuestAdmitted();
    s.sendChat(guest, 'hei');
    expect(() => s.end(guest, 'ended_by_host')).toThrow(/Not allowed/);
    const closed = new Promise((resolve) => s.once('closed', resolve));
    s.end(host, 'ended_by_host');
    expect(await closed).toBe('ended_by_host');
    expect(guest.seen.at(-1)).toEqual({ name: 'sessionEnded', data: { reason: 'ended_by_host' } });
    expect(guest.disconnected).toBe(true);
    expect(host.disconnected).toBe(false); // the signalling layer closes the host after the ack
    await expect(s.enter(member('late', true))).rejects.toMatchObject({ reason: 'session_ended' });
  });

  it('a failed consent check on the first entry closes the empty session', async () => {
    const s = new LiveSession('c1', {
      rooms: noRooms,
      gate: { check: () => Promise.reject(new Error('No longer a participant')) },
      journal: nullJournal,
      memory: processSessionMemory(),
      log: pino({ level: 'silent' }),
    });
    const closed = new Promise((resolve) => s.once('closed', resolve));
    await expect(s.enter(member('guest'))).rejects.toThrow(/No longer a participant/);
    expect(s.closed).toBe(true);
    expect(await closed).toBeNull();
  });

  /** A session whose journal and memory writes are listed in `writes`, in order. */
  function sessionWriting(writes: string[]): LiveSession {
    const memory = processSessionMemory();
    return new LiveSession('c1', {
      rooms: noRooms,
      gate: gate(new Set()),
      journal: {
        ...nullJournal,
        audit: (_cid: string, _actor: unknown, action: string) => void writes.push(action),
        started: () => void writes.push('started'),
        attendance: () => void writes.push('attendance'),
      },
      memory: {
        ...memory,
        admitted: (cid, pid) => {
          writes.push(`remember ${pid}`);
          memory.admitted(cid, pid);
        },
      },
      log: pino({ level: 'silent' }),
    });
  }

  it("writes an admission from the waiting room after the member's media start, in order", async () => {
    const writes: string[] = [];
    const s = sessionWriting(writes);
    const host = member('host', true);
    await s.enter(host);
    expect(writes).toEqual(['remember host', 'started', 'session.join']);
    writes.length = 0;
    const guest = member('guest');
    let mediaSent!: () => void;
    guest.admitted = (state) => {
      guest.seen.push({ name: 'admitted', data: { session: state } });
      return new Promise<void>((resolve) => (mediaSent = resolve));
    };
    await s.enter(guest);
    expect(writes).toEqual(['session.wait']);
    writes.length = 0;
    await s.admit(host, 'guest');
    expect(guest.names()).toEqual(['admitted']);
    expect(s.isAdmitted(guest)).toBe(true);
    // The media start is still under way: nothing of the admission written yet, and what
    // comes meanwhile (the guest leaves) is written after it.
    await Promise.resolve();
    s.leave(guest, 'left');
    expect(writes).toEqual([]);
    mediaSent();
    await vi.waitFor(() =>
      expect(writes).toEqual([
        'remember guest',
        'session.admit',
        'session.join',
        'attendance',
        'session.leave',
      ]),
    );
  });

  it('writes a direct entry after its join answer has gone, in order', async () => {
    const writes: string[] = [];
    const s = sessionWriting(writes);
    const host = member('host', true);
    let answerSent!: () => void;
    const answered = new Promise<void>((resolve) => (answerSent = resolve));
    expect((await s.enter(host, { answered })).status).toBe('admitted');
    expect(s.isAdmitted(host)).toBe(true);
    // The answer (with the media start) has not gone yet: nothing written, and what comes
    // meanwhile (the host leaves) is written after the entry.
    s.leave(host, 'left');
    expect(writes).toEqual([]);
    answerSent();
    await vi.waitFor(() =>
      expect(writes).toEqual([
        'remember host',
        'started',
        'session.join',
        'attendance',
        'session.leave',
      ]),
    );
  });

  it('closes when the last person leaves', async () => {
    const s = session();
    const host = member('host', true);
    await s.enter(host);
    const closed = new Promise((resolve) => s.once('closed', resolve));
    s.leave(host, 'left');
    expect(await closed).toBeNull();
    expect(s.closed).toBe(true);
  });

  it('a restarted node lets the admitted straight back in, with hand and host mute kept', async () => {
    const memory = processSessionMemory();
    const before = session(new Set(), memory);
    const host = member('host', true);
    const guest = member('guest');
    await before.enter(host);
    await before.enter(guest);
    await before.admit(host, 'guest');
    before.raiseHand(guest, true);
    // Muting pauses a producer in a room (tests/e2e cover it); here: what is remembered.
    memory.setMutedByHost('c1', 'guest', true);
    // The node goes away: the connections drop, what is remembered stays.
    before.suspend();
    before.leave(guest, 'disconnected');
    before.leave(host, 'disconnected');
    expect(before.closed).toBe(true);

    const after = session(new Set(), memory);
    const back = member('guest');
    const entry = await after.enter(back);
    expect(entry.status).toBe('admitted');
    if (entry.status !== 'admitted') return;
    expect(entry.session.selfMutedByHost).toBe(true);
    expect(entry.session.participants.find((p) => p.id === 'guest')?.handRaised).toBe(true);
    after.unmutedBySelf(back);
    expect(after.isMutedByHost('guest')).toBe(false);
  });

  it('a session that empties normally forgets who was admitted', async () => {
    const memory = processSessionMemory();
    const { s, host, guest } = await (async () => {
      const s = session(new Set(), memory);
      const host = member('host', true);
      const guest = member('guest');
      await s.enter(host);
      await s.enter(guest);
      await s.admit(host, 'guest');
      return { s, host, guest };
    })();
    s.leave(guest, 'left');
    s.leave(host, 'left');
    expect(s.closed).toBe(true);
    const next = session(new Set(), memory);
    expect((await next.enter(member('guest'))).status).toBe('waiting');
  });
});
