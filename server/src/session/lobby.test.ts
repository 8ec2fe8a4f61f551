import { describe, expect, it } from 'vitest';
import { Lobby, type LobbyCandidate } from './lobby.js';
import { ChatLog } from './chat-log.js';
import { RaisedHands } from './raised-hands.js';
import { PresentRoster, isPatientSide } from './roster.js';

const person = (id: string, role: LobbyCandidate['role'] = 'patient'): LobbyCandidate => ({
  participantId: id,
  displayName: `Name ${id}`,
  role,
  organisation: null,
});
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, s));

describe('Lobby', () => {
  it('lists people longest waiting first, with what hosts need to decide', () => {
    const lobby = new Lobby();
    lobby.add(person('b', 'interpreter'), false, t(2));
    lobby.add(person('a'), true, t(1));
    expect(lobby.entries()).toEqual([
      {
        participantId: 'a',
        displayName: 'Name a',
        role: 'patient',
        organisation: null,
        waitingForConsent: true,
        since: t(1).toISOString(),
      },
      expect.objectContaining({ participantId: 'b', waitingForConsent: false }),
    ]);
  });

  it('keeps the place of someone who reconnects while waiting', () => {
    const lobby = new Lobby();
    lobby.add(person('a'), false, t(1));
    lobby.add(person('b'), false, t(2));
    lobby.add(person('a'), true, t(3));
    expect(lobby.entries().map((e) => [e.participantId, e.since, e.waitingForConsent])).toEqual([
      ['a', t(1).toISOString(), true],
      ['b', t(2).toISOString(), false],
    ]);
  });

  it('take removes once (admitted, denied or gone) and reports absence after', () => {
    const lobby = new Lobby();
    lobby.add(person('a'), false, t(1));
    expect(lobby.take('a')?.participantId).toBe('a');
    expect(lobby.take('a')).toBeUndefined();
    expect(lobby.has('a')).toBe(false);
    expect(lobby.entries()).toEqual([]);
  });

  it('reports a consent flag change only when it changes, and only for people waiting', () => {
    const lobby = new Lobby();
    lobby.add(person('a'), true, t(1));
    expect(lobby.setWaitingForConsent('a', true)).toBe(false);
    expect(lobby.setWaitingForConsent('a', false)).toBe(true);
    expect(lobby.get('a')?.waitingForConsent).toBe(false);
    expect(lobby.setWaitingForConsent('nobody', true)).toBe(false);
  });
});

describe('session memory', () => {
  it('chat keeps messages in order and forgets them when cleared (session end)', () => {
    const chat = new ChatLog();
    const from = { participantId: 'p', displayName: 'P', role: null };
    const m1 = chat.append(from, 'hei', t(1));
    chat.append(from, 'hallo', t(2));
    expect(chat.all().map((m) => m.text)).toEqual(['hei', 'hallo']);
    expect(m1).toMatchObject({ fromParticipantId: 'p', sentAt: t(1).toISOString() });
    chat.clear();
    expect(chat.all()).toEqual([]);
  });

  it('raised hands change only on a real change', () => {
    const hands = new RaisedHands();
    expect(hands.set('a', false)).toBe(false);
    expect(hands.set('a', true)).toBe(true);
    expect(hands.set('a', true)).toBe(false);
    expect(hands.isRaised('a')).toBe(true);
    expect(hands.set('a', false)).toBe(true);
  });

  it('the roster is replaced as a whole and remembers who set it', () => {
    const roster = new PresentRoster();
    expect(roster.get()).toEqual({ people: [], setByParticipantId: null });
    roster.set([{ name: 'Kari', relation: 'dotter' }], 'patient-1');
    expect(roster.get()).toEqual({
      people: [{ name: 'Kari', relation: 'dotter' }],
      setByParticipantId: 'patient-1',
    });
    expect(isPatientSide('next_of_kin')).toBe(true);
    expect(isPatientSide('gp')).toBe(false);
    expect(isPatientSide(null)).toBe(false);
  });
});
