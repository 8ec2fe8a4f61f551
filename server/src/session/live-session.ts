import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type {
  AgendaPart,
  LeftReason,
  Notification,
  RemovedReason,
  RosterEntry,
  SessionEndedReason,
  SessionGrants,
  SessionEntry,
  SessionParticipant,
  SessionState,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { MediaScope } from '../sfu/media-scope.js';
import type { AgendaPort, AgendaRunner } from './agenda/agenda-runner.js';
import type { SocketPrincipal } from '../signalling/authenticator.js';
import type { ConsentGate, GateResult } from './consent-gate.js';
import type { SessionJournal } from './session-journal.js';
import type { Remembered, SessionMemory } from './session-memory.js';
import { ChatLog } from './chat-log.js';
import { Lobby } from './lobby.js';
import { PresentRoster, isPatientSide } from './roster.js';
import { RaisedHands } from './raised-hands.js';
import { SessionError } from './session-error.js';

/** One connection's view, supplied by the signalling layer. */
export interface SessionMember {
  readonly principal: SocketPrincipal;
  notify(notification: Notification): void;
  /**
   * Let in from the waiting room (or by a consent that now exists): the signalling layer
   * opens the media and sends `admitted` with it. Settles once it has been sent (it never
   * rejects).
   */
  admitted(session: SessionState): void | Promise<void>;
  /** Closes the connection after what was already sent to it. */
  disconnect(): void;
}

export interface EnterOptions {
  /**
   * Settles once the `join` answer has been sent: the database writes of a direct entry
   * wait for it, like an admission's for `admitted` (see `#admit`).
   */
  answered?: Promise<void>;
}

interface Presence {
  member: SessionMember;
  status: 'waiting' | 'admitted';
  admittedAt?: Date;
  /** Waiting only because the current agenda part is for health personnel. */
  heldForPart?: boolean;
}

export interface LiveSessionDeps {
  rooms: RoomRegistry;
  gate: ConsentGate;
  journal: SessionJournal;
  memory: SessionMemory;
  log: FastifyBaseLogger;
  /** The consultation's agenda (session/agenda/): parts, private part, side room. */
  agenda?: AgendaRunner | undefined;
  /** How long people waited in the lobby (server/src/metrics). */
  metrics?: LobbyMetrics | undefined;
  /**
   * When the last connection drops (not a deliberate leave), the session waits this long for
   * someone to come back before it closes and forgets who was admitted and where the agenda
   * was (SESSION_EMPTY_GRACE_SECONDS). 0 or absent: it closes at once.
   */
  emptyGraceMs?: number | undefined;
}

export interface LobbyMetrics {
  observeLobbyWait(outcome: 'admitted' | 'denied' | 'left', seconds: number): void;
}

type LiveSessionEvents = {
  /** Ended, or nobody is left: the registry forgets it (and with it the chat). */
  closed: [ended: SessionEndedReason | null];
};

const pidOf = (m: SessionMember) => m.principal.grants.participantId;

/** The longest the session's database writes wait for a media start (`#holdWrites`). */
const MAX_WRITE_HOLD_MS = 1000;

/**
 * The live session of one consultation: the lobby, who is admitted, chat, raised hands and
 * the roster of people present with the patient. It decides who gets media (the signalling
 * layer only creates transports for admitted members) and carries out host actions, which
 * are checked against grants, never role names.
 */
export class LiveSession extends EventEmitter<LiveSessionEvents> {
  readonly consultationId: string;
  readonly #deps: LiveSessionDeps;
  readonly #log: FastifyBaseLogger;
  readonly #present = new Map<string, Presence>();
  readonly #lobby = new Lobby();
  readonly #chat = new ChatLog();
  readonly #hands = new RaisedHands();
  readonly #roster = new PresentRoster();
  /**
   * Admitted earlier in this session, with the host's mute and their hand: a dropped
   * connection, a reload or a restarted node lets them straight back in (SessionMemory).
   */
  readonly #remembered = new Map<string, Remembered>();
  /** The memory as the store had it when this session opened; entering waits for it. */
  readonly #restored: Promise<void>;
  #closed = false;
  /** The node is going away: what is remembered stays for the next process or node. */
  #suspended = false;
  /** Set at the first admission, when the consultation counts as started. */
  #started = false;
  /** Media starts from the waiting room under way: the database writes wait (`#write`). */
  #writeHolds = 0;
  /** The writes waiting for them, in order. */
  #heldWrites: (() => void)[] = [];
  /** Empty after dropped connections: closes when this fires unless someone is back. */
  #emptyTimer: NodeJS.Timeout | undefined;

  constructor(consultationId: string, deps: LiveSessionDeps) {
    super();
    this.consultationId = consultationId;
    this.#deps = deps;
    this.#log = deps.log.child({ session: consultationId });
    this.#restored = deps.memory.load(consultationId).then((remembered) => {
      for (const [pid, r] of remembered) {
        if (!this.#remembered.has(pid)) this.#remembered.set(pid, r);
        if (r.handRaised) this.#hands.set(pid, true);
      }
    });
    // A failed load is reported to whoever enters (below); never an unhandled rejection.
    this.#restored.catch(() => undefined);
  }

  /** Who may receive whom in this session's room (the agenda's rule); none: everyone. */
  get mediaScope(): MediaScope | undefined {
    return this.#deps.agenda?.scope;
  }

  get closed(): boolean {
    return this.#closed;
  }

  isAdmitted(member: SessionMember): boolean {
    const p = this.#present.get(pidOf(member));
    return p?.member === member && p.status === 'admitted';
  }

  /** The session as an admitted member sees it now. */
  stateOf(member: SessionMember): SessionState {
    return this.#state(member);
  }

  isPresent(member: SessionMember): boolean {
    return this.#present.get(pidOf(member))?.member === member;
  }

  /**
   * Staff of the organising team (`roomJoin`) go straight in, and so does anyone admitted
   * earlier in this session; everyone else waits.
   */
  async enter(member: SessionMember, opts: EnterOptions = {}): Promise<SessionEntry> {
    this.#assertOpen();
    try {
      await this.#restored;
    } catch (err) {
      this.#closeIfEmpty();
      throw err;
    }
    this.#assertOpen();
    const pid = pidOf(member);
    const again = this.#answerAgain(member);
    if (again) return again;
    const held = this.#heldByPart(member.principal);
    const direct = !held && (member.principal.grants.roomJoin || this.#remembered.has(pid));
    // A waiting person's consent is checked now, so hosts see "waiting for consent" at once.
    let gate: GateResult | undefined;
    if (!direct) {
      try {
        gate = await this.#deps.gate.check(member.principal);
      } catch (err) {
        // A failed first entry must not leave an empty session (and its claim) behind.
        this.#closeIfEmpty();
        throw err;
      }
    }
    this.#assertOpen();
    // Re-read after the check: this or another connection of the same person may have moved.
    const raced = this.#answerAgain(member);
    if (raced) return raced;
    const previous = this.#present.get(pid);
    if (previous) this.#replace(previous, member);

    if (direct) {
      this.#admit(member, member.principal.grants, {
        by: null,
        fromLobby: false,
        answered: opts.answered,
      });
      return { status: 'admitted', session: this.#state(member) };
    }
    const { principal } = member;
    const stillHeld = this.#heldByPart(principal);
    this.#present.set(pid, { member, status: 'waiting', heldForPart: stillHeld });
    const entry = this.#lobby.add(
      this.#lobbyCandidate(member, stillHeld),
      gate?.admissible === false,
      new Date(),
    );
    this.#deps.agenda?.arrived(pid, principal.role ?? null, 'waiting');
    this.#write(() => this.#deps.journal.audit(this.consultationId, principal, 'session.wait'));
    this.#lobbyChanged();
    return { status: 'waiting', lobbyEntry: entry };
  }

  /**
   * Needs `canModerate`. Moves the session to an agenda part (null: off the agenda):
   * media scope, waiting room and side room follow before this resolves.
   */
  async moveToPart(actor: SessionMember, partId: string | null): Promise<void> {
    this.#assertHost(actor, 'canModerate', 'move the session through its agenda');
    const agenda = this.#deps.agenda;
    if (!agenda) {
      throw new SessionError('invalid_state', 'not_in_agenda', 'This consultation has no agenda');
    }
    await agenda.moveTo(partId, this.#agendaPort, actor.principal);
  }

  /** To everyone admitted (features built on the session, e.g. the live plan). */
  announce(notification: Notification): void {
    if (!this.#closed) this.#broadcast(notification);
  }

  /** The organiser saved a new version of the agenda: follow it (agenda-runner.ts). */
  agendaEdited(parts: readonly AgendaPart[]): void {
    if (this.#closed) return;
    this.#deps.agenda?.replaceParts(parts, this.#agendaPort);
  }

  async admit(actor: SessionMember, participantId: string): Promise<void> {
    this.#assertHost(actor, 'canAdmit', 'admit people from the waiting room');
    const waiting = this.#waiting(participantId);
    this.#assertNotHeld(waiting.member.principal);
    const gate = await this.#deps.gate.check(waiting.member.principal);
    // The world may have moved during the check: re-read.
    const still = this.#waiting(participantId);
    this.#assertNotHeld(still.member.principal);
    if (!gate.admissible) {
      if (this.#lobby.setWaitingForConsent(participantId, true)) this.#lobbyChanged();
      throw new SessionError('invalid_state', 'consent_required', gate.message);
    }
    this.#leaveLobby(participantId, 'admitted');
    this.#admit(still.member, gate.grants, { by: actor, fromLobby: true });
    this.#lobbyChanged();
  }

  /** A write to the journal or the memory: in order, after any media start under way. */
  #write(fn: () => void): void {
    if (this.#writeHolds > 0) this.#heldWrites.push(fn);
    else fn();
  }

  /** Writes wait until `started` settles (MAX_WRITE_HOLD_MS at the most). */
  #holdWrites(started: void | Promise<void>): void {
    if (!(started instanceof Promise)) return;
    this.#writeHolds++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      if (--this.#writeHolds > 0) return;
      const writes = this.#heldWrites;
      this.#heldWrites = [];
      for (const fn of writes) fn();
    };
    const timer = setTimeout(release, MAX_WRITE_HOLD_MS);
    void started.then(release, release);
  }

  /** Takes someone out of the lobby and records how long they waited. */
  #leaveLobby(participantId: string, outcome: 'admitted' | 'denied' | 'left'): void {
    const entry = this.#lobby.take(participantId);
    if (!entry) return;
    const waitedMs = Date.now() - Date.parse(entry.since);
    this.#deps.metrics?.observeLobbyWait(outcome, Math.max(0, waitedMs) / 1000);
  }

  deny(actor: SessionMember, participantId: string, reason: string | undefined): void {
    this.#assertHost(actor, 'canAdmit', 'deny people in the waiting room');
    const waiting = this.#waiting(participantId);
    this.#leaveLobby(participantId, 'denied');
    this.#present.delete(participantId);
    waiting.member.notify({ name: 'denied', data: { reason: reason ?? null } });
    waiting.member.disconnect();
    this.#write(() =>
      this.#deps.journal.audit(this.consultationId, actor.principal, 'session.deny', {
        participantId,
      }),
    );
    this.#lobbyChanged();
    this.#closeIfEmpty();
  }

  remove(actor: SessionMember, participantId: string): void {
    this.#assertHost(actor, 'canModerate', 'remove participants');
    if (participantId === pidOf(actor)) {
      throw new SessionError('bad_request', 'not_in_session', 'Use leave to leave yourself');
    }
    const target = this.#present.get(participantId);
    if (!target) throw new SessionError('not_found', 'not_in_session', 'Not in the session');
    this.#expel(target, 'removed_by_host', actor.principal);
  }

  async mute(actor: SessionMember, participantId: string): Promise<void> {
    this.#assertHost(actor, 'canModerate', 'mute participants');
    this.#admittedPresence(participantId);
    const peer = this.#deps.rooms.get(this.consultationId)?.peer(participantId);
    const mic = peer?.producers.find((p) => p.appData.source === 'microphone' && !p.closed);
    if (!mic) throw new SessionError('not_found', 'not_in_session', 'No microphone to mute');
    // Paused, not closed: only the participant themself can resume it (unmute).
    await mic.pause();
    this.#setMutedByHost(participantId, true);
    this.#broadcast({
      name: 'mutedByHost',
      data: { participantId, producerId: mic.id, byParticipantId: pidOf(actor) },
    });
    this.#write(() =>
      this.#deps.journal.audit(this.consultationId, actor.principal, 'session.mute', {
        participantId,
      }),
    );
  }

  /** A host's mute stays until the participant unmutes (also across reconnects). */
  isMutedByHost(participantId: string): boolean {
    return this.#remembered.get(participantId)?.mutedByHost ?? false;
  }

  /** The participant resumed their own microphone: the host's mute is over. */
  unmutedBySelf(member: SessionMember): void {
    if (this.isAdmitted(member)) this.#setMutedByHost(pidOf(member), false);
  }

  askToUnmute(actor: SessionMember, participantId: string): void {
    this.#assertHost(actor, 'canModerate', 'ask participants to unmute');
    this.#admittedPresence(participantId).member.notify({
      name: 'unmuteRequested',
      data: { byParticipantId: pidOf(actor), byDisplayName: actor.principal.displayName },
    });
  }

  /** Ends the session for everyone; `actor` null means the system (withdrawn consent). */
  end(actor: SessionMember | null, reason: SessionEndedReason): void {
    if (actor) this.#assertHost(actor, 'canEnd', 'end the session');
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelEmptyTimer();
    const now = new Date();
    const everyone = [...this.#present.values()];
    this.#present.clear();
    for (const p of everyone) {
      p.member.notify({ name: 'sessionEnded', data: { reason } });
      this.#leaveMedia(pidOf(p.member));
      this.#recordAttendance(p, now);
      // The host who ended it still needs the ack: the signalling layer closes them after.
      if (p.member !== actor) p.member.disconnect();
    }
    this.#write(() =>
      this.#deps.journal.audit(this.consultationId, actor?.principal ?? null, 'session.end', {
        reason,
      }),
    );
    this.#write(() => this.#deps.journal.ended(this.consultationId, now));
    this.#deps.agenda?.finish();
    this.#write(() => this.#deps.memory.clear(this.consultationId));
    this.#discard();
    this.#log.info({ reason }, 'session ended');
    this.emit('closed', reason);
  }

  sendChat(actor: SessionMember, text: string): string {
    this.#assertAdmitted(actor);
    const { principal } = actor;
    // In a private part a message stays within the sender's media group (the private talk
    // or its side room), now and for anyone reconnecting later.
    const audience = this.#mediaGroupOf(actor);
    const message = this.#chat.append(
      {
        participantId: pidOf(actor),
        displayName: principal.displayName,
        role: principal.role ?? null,
      },
      text,
      new Date(),
      audience,
    );
    for (const p of this.#present.values()) {
      const pid = pidOf(p.member);
      if (p.status === 'admitted' && (!audience || audience.has(pid))) {
        p.member.notify({ name: 'chatMessage', data: message });
      }
    }
    return message.id;
  }

  raiseHand(actor: SessionMember, raised: boolean): void {
    this.#assertAdmitted(actor);
    const participantId = pidOf(actor);
    if (this.#hands.set(participantId, raised)) {
      this.#remembered.set(participantId, {
        ...(this.#remembered.get(participantId) ?? { mutedByHost: false }),
        handRaised: raised,
      });
      this.#write(() =>
        this.#deps.memory.setHandRaised(this.consultationId, participantId, raised),
      );
      this.#broadcast({ name: 'handRaised', data: { participantId, raised } });
    }
  }

  setRoster(actor: SessionMember, people: RosterEntry[]): void {
    this.#assertAdmitted(actor);
    if (!isPatientSide(actor.principal.role)) {
      throw new SessionError(
        'forbidden',
        'not_patient_side',
        'Only the patient or their next of kin say who is present with the patient',
      );
    }
    const roster = this.#roster.set(people, pidOf(actor));
    this.#broadcast({ name: 'rosterChanged', data: { roster } });
  }

  /** The member left on purpose (`leave`) or its connection dropped. */
  leave(member: SessionMember, reason: Extract<LeftReason, 'left' | 'disconnected'>): void {
    const pid = pidOf(member);
    const p = this.#present.get(pid);
    if (!p || p.member !== member) return;
    this.#present.delete(pid);
    this.#deps.agenda?.departed(pid);
    if (p.status === 'waiting') {
      this.#leaveLobby(pid, 'left');
      this.#lobbyChanged();
    } else {
      this.#leaveMedia(pid);
      // Leaving on purpose lowers the hand; a dropped connection keeps it for the return.
      if (reason === 'left' && this.#hands.set(pid, false)) {
        this.#write(() => this.#deps.memory.setHandRaised(this.consultationId, pid, false));
      }
      this.#recordAttendance(p);
      this.#write(() =>
        this.#deps.journal.audit(this.consultationId, member.principal, 'session.leave', {
          reason,
        }),
      );
      this.#broadcast({ name: 'participantLeft', data: { participantId: pid, reason } });
    }
    // Everyone's connection dropping at once (a blip, a worker death) is not everyone leaving.
    this.#closeIfEmpty(reason === 'disconnected');
  }

  /**
   * Consent for these participants' presence is gone: those in the call lose media and
   * connection in this tick, those waiting stay blocked, and nobody is re-admitted by
   * reconnecting.
   */
  presenceWithdrawn(participantIds: readonly string[]): void {
    let lobbyChanged = false;
    for (const pid of participantIds) {
      this.#forget(pid);
      const p = this.#present.get(pid);
      if (!p) continue;
      if (p.status === 'admitted') this.#expel(p, 'consent_withdrawn', null);
      else lobbyChanged = this.#lobby.setWaitingForConsent(pid, true) || lobbyChanged;
    }
    if (lobbyChanged) this.#lobbyChanged();
  }

  /**
   * The holder refused consent. Nothing about admission changes (the gate still follows
   * the consent in force, so the patient side keeps `waitingForConsent`); the hosts are
   * told why, so they do not wait for a consent that will not come. Before any consent
   * exists the clinicians wait in the lobby themselves (no media, so no `canAdmit`): those
   * who could record a verbal consent are told too, since they are the ones who can act.
   */
  consentRefused(byParticipantId: string, at: string): void {
    if (this.#closed) return;
    for (const p of this.#present.values()) {
      const { grants } = p.member.principal;
      const host = p.status === 'admitted' && grants.canAdmit;
      if (host || grants.canRecordVerbalConsent) {
        p.member.notify({ name: 'consentRefused', data: { byParticipantId, at } });
      }
    }
  }

  /** A participant was taken off the booking: they leave the session at once. */
  noLongerInvited(participantId: string): void {
    this.#forget(participantId);
    const p = this.#present.get(participantId);
    if (p) this.#expel(p, 'no_longer_invited', null);
  }

  /** A new consent exists: re-check who waits for it (hosts see the flag change). */
  async consentChanged(): Promise<void> {
    const waiting = [...this.#present.values()].filter((p) => p.status === 'waiting');
    const results = await Promise.all(
      waiting.map(async (p) => ({
        p,
        // A revoked invite or a removed participant stays blocked; the others are re-checked.
        gate: await this.#deps.gate.check(p.member.principal).catch((): GateResult => ({
          admissible: false,
          reason: 'consent_required',
          message: '',
        })),
      })),
    );
    if (this.#closed) return;
    const current = results.filter(({ p }) => this.#present.get(pidOf(p.member)) === p);
    let changed = false;
    for (const { p, gate } of current) {
      changed = this.#lobby.setWaitingForConsent(pidOf(p.member), !gate.admissible) || changed;
    }
    // Then organising staff no longer blocked by consent go in, as they would have at first
    // (after the flags, so the lobby they see is current).
    for (const { p, gate } of current) {
      if (gate.admissible && gate.grants.roomJoin) {
        this.#leaveLobby(pidOf(p.member), 'admitted');
        this.#admit(p.member, gate.grants, { by: null, fromLobby: true });
        changed = true;
      }
    }
    if (changed) this.#lobbyChanged();
  }

  /** Everyone admitted, as shown to all (name, role, organisation). */
  #participants(): SessionParticipant[] {
    return [...this.#present.values()]
      .filter((p) => p.status === 'admitted')
      .map((p) => this.#participantInfo(p.member));
  }

  // -------------------------------------------------------------------------------------

  /** `enter` twice on one connection answers with where it already is. */
  #answerAgain(member: SessionMember): SessionEntry | undefined {
    const p = this.#present.get(pidOf(member));
    if (p?.member !== member) return undefined;
    if (p.status === 'admitted') return { status: 'admitted', session: this.#state(member) };
    const entry = this.#lobby.get(pidOf(member));
    return entry ? { status: 'waiting', lobbyEntry: entry } : undefined;
  }

  #admit(
    member: SessionMember,
    grants: SessionGrants,
    how: { by: SessionMember | null; fromLobby: boolean; answered?: Promise<void> | undefined },
  ): void {
    const { by } = how;
    const pid = pidOf(member);
    // Grants recomputed at admission replace the handshake's (consent may have changed).
    const principal = member.principal;
    principal.grants = grants;
    const presence: Presence = { member, status: 'admitted', admittedAt: new Date() };
    this.#present.set(pid, presence);
    // From the lobby the client learns it with its media opened (`admitted`); entering
    // directly, with the `join` answer. The database writes (these and any after) wait for
    // that media start: the embedded database runs its queries on this thread, and while
    // it does, the worker's answers the media start waits for are not read (it took 10-90
    // ms with them, up to 58 ms of it in these queries).
    if (how.fromLobby) this.#holdWrites(member.admitted(this.#state(member)));
    else this.#holdWrites(how.answered);
    if (!this.#remembered.has(pid)) {
      this.#remembered.set(pid, { mutedByHost: false, handRaised: false });
      this.#write(() => this.#deps.memory.admitted(this.consultationId, pid));
    }
    this.#deps.agenda?.arrived(pid, principal.role ?? null, 'admitted');
    if (!this.#started) {
      this.#started = true;
      this.#write(() => this.#deps.journal.started(this.consultationId));
    }
    if (by) {
      this.#write(() =>
        this.#deps.journal.audit(this.consultationId, by.principal, 'session.admit', {
          participantId: pid,
        }),
      );
    }
    this.#write(() =>
      this.#deps.journal.audit(this.consultationId, principal, 'session.join', {
        direct: by === null,
      }),
    );
    this.#broadcast(
      { name: 'participantJoined', data: { participant: this.#participantInfo(member) } },
      pid,
    );
  }

  /** Notify, drop media and connection, tell the others: all before returning. */
  #expel(p: Presence, reason: RemovedReason, by: SocketPrincipal | null): void {
    const pid = pidOf(p.member);
    this.#present.delete(pid);
    this.#deps.agenda?.departed(pid);
    this.#forget(pid);
    this.#leaveLobby(pid, 'left');
    p.member.notify({ name: 'removed', data: { reason } });
    this.#leaveMedia(pid);
    p.member.disconnect();
    if (p.status === 'admitted') {
      this.#recordAttendance(p);
      const left: LeftReason =
        reason === 'consent_withdrawn' ? 'consent_withdrawn' : 'removed_by_host';
      this.#broadcast({ name: 'participantLeft', data: { participantId: pid, reason: left } });
    } else {
      this.#lobbyChanged();
    }
    this.#write(() =>
      this.#deps.journal.audit(
        this.consultationId,
        by,
        reason === 'removed_by_host' ? 'session.remove' : `session.remove.${reason}`,
        { participantId: pid },
      ),
    );
    this.#closeIfEmpty();
  }

  /** The interval an admitted person was in, for the reports. */
  #recordAttendance(p: Presence, leftAt = new Date()): void {
    const joinedAt = p.admittedAt;
    if (joinedAt) {
      this.#write(() =>
        this.#deps.journal.attendance(this.consultationId, pidOf(p.member), joinedAt, leftAt),
      );
    }
  }

  /** A second connection for the same participant (a reloaded tab) takes over. */
  #replace(previous: Presence, member: SessionMember): void {
    const pid = pidOf(member);
    this.#present.delete(pid);
    previous.member.notify({ name: 'roomClosed', data: { reason: 'replaced' } });
    this.#leaveMedia(pid);
    previous.member.disconnect();
    if (previous.status === 'admitted') {
      this.#recordAttendance(previous);
      this.#broadcast({ name: 'participantLeft', data: { participantId: pid, reason: 'left' } });
    }
  }

  #leaveMedia(participantId: string): void {
    const room = this.#deps.rooms.get(this.consultationId);
    const peer = room?.peer(participantId);
    if (room && peer) room.leave(peer);
  }

  #state(member: SessionMember): SessionState {
    return {
      consultationId: this.consultationId,
      selfParticipantId: pidOf(member),
      participants: this.#participants(),
      lobby: member.principal.grants.canAdmit ? this.#lobby.entries() : [],
      roster: this.#roster.get(),
      chat: this.#chat.all(pidOf(member)),
      grants: member.principal.grants,
      selfMutedByHost: this.isMutedByHost(pidOf(member)),
      ...(this.#deps.agenda ? { agenda: this.#deps.agenda.view() } : {}),
    };
  }

  #setMutedByHost(participantId: string, muted: boolean): void {
    const r = this.#remembered.get(participantId);
    if (!r || r.mutedByHost === muted) return;
    this.#remembered.set(participantId, { ...r, mutedByHost: muted });
    this.#write(() => this.#deps.memory.setMutedByHost(this.consultationId, participantId, muted));
  }

  /** They must be admitted again (removed, consent withdrawn, off the booking). */
  #forget(participantId: string): void {
    this.#hands.set(participantId, false);
    if (this.#remembered.delete(participantId)) {
      this.#write(() => this.#deps.memory.forget(this.consultationId, participantId));
    }
  }

  #participantInfo(member: SessionMember): SessionParticipant {
    const { principal } = member;
    return {
      id: pidOf(member),
      displayName: principal.displayName,
      role: principal.role ?? null,
      organisation: principal.organisation ?? null,
      handRaised: this.#hands.isRaised(pidOf(member)),
    };
  }

  /** To the admitted only: people in the lobby never see the call's content. */
  #broadcast(notification: Notification, exceptParticipantId?: string): void {
    for (const p of this.#present.values()) {
      if (p.status === 'admitted' && pidOf(p.member) !== exceptParticipantId) {
        p.member.notify(notification);
      }
    }
  }

  #lobbyChanged(): void {
    const lobby = this.#lobby.entries();
    for (const p of this.#present.values()) {
      if (p.status === 'admitted' && p.member.principal.grants.canAdmit) {
        p.member.notify({ name: 'lobbyChanged', data: { lobby } });
      }
    }
  }

  #waiting(participantId: string): Presence {
    const p = this.#present.get(participantId);
    if (!p || p.status !== 'waiting' || !this.#lobby.has(participantId)) {
      throw new SessionError('not_found', 'not_in_lobby', 'Not waiting in the lobby');
    }
    return p;
  }

  #admittedPresence(participantId: string): Presence {
    const p = this.#present.get(participantId);
    if (!p || p.status !== 'admitted') {
      throw new SessionError('not_found', 'not_in_session', 'Not in the session');
    }
    return p;
  }

  #assertAdmitted(member: SessionMember): void {
    this.#assertOpen();
    if (!this.isAdmitted(member)) {
      throw new SessionError('forbidden', 'not_admitted', 'Waiting to be admitted');
    }
  }

  #assertHost(
    member: SessionMember,
    grant: 'canAdmit' | 'canModerate' | 'canEnd',
    what: string,
  ): void {
    this.#assertAdmitted(member);
    if (!member.principal.grants[grant]) {
      throw new DomainError('forbidden', `Not allowed to ${what}`);
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new SessionError('invalid_state', 'session_ended', 'The session has ended');
    }
  }

  // ---- agenda hooks (session/agenda/agenda-runner.ts owns the rule) --------------------

  /** The current part holds this person in the waiting room (staff-only, patient side). */
  #heldByPart(principal: SocketPrincipal): boolean {
    const agenda = this.#deps.agenda;
    return agenda?.placementOf(principal.grants.participantId, principal.role) === 'held';
  }

  /**
   * Everyone admitted who shares `member`'s media group when the current part splits the
   * session (a private part); null when everyone is together.
   */
  #mediaGroupOf(member: SessionMember): ReadonlySet<string> | null {
    const agenda = this.#deps.agenda;
    if (agenda?.current?.audience !== 'private') return null;
    const group = (m: SessionMember) => agenda.placementOf(pidOf(m), m.principal.role);
    const mine = group(member);
    return new Set(
      [...this.#present.values()]
        .filter((p) => p.status === 'admitted' && group(p.member) === mine)
        .map((p) => pidOf(p.member)),
    );
  }

  #assertNotHeld(principal: SocketPrincipal): void {
    if (this.#heldByPart(principal)) {
      throw new SessionError(
        'invalid_state',
        'held_for_part',
        'The current part is for health personnel only; the patient side comes in at the next part',
      );
    }
  }

  #lobbyCandidate(member: SessionMember, heldForPart: boolean) {
    const { principal } = member;
    return {
      participantId: pidOf(member),
      displayName: principal.displayName,
      role: principal.role ?? null,
      organisation: principal.organisation ?? null,
      ...(this.#deps.agenda ? { heldForPart } : {}),
    };
  }

  readonly #agendaPort: AgendaPort = {
    present: () =>
      [...this.#present.values()].map((p) => ({
        participantId: pidOf(p.member),
        role: p.member.principal.role ?? null,
        status: p.status,
        heldForPart: p.heldForPart ?? false,
      })),
    hold: (participantId) => {
      const p = this.#present.get(participantId);
      if (!p || p.status !== 'admitted') return;
      // Admitted earlier: they come back without a host at the next part.
      this.#leaveMedia(participantId);
      this.#hands.set(participantId, false);
      this.#recordAttendance(p);
      this.#present.set(participantId, { member: p.member, status: 'waiting', heldForPart: true });
      this.#lobby.add(this.#lobbyCandidate(p.member, true), false, new Date());
      p.member.notify({ name: 'waitingForPart', data: { held: true } });
      this.#write(() =>
        this.#deps.journal.audit(this.consultationId, null, 'session.hold', { participantId }),
      );
      this.#broadcast({
        name: 'participantLeft',
        data: { participantId, reason: 'waiting_for_part' },
      });
      this.#lobbyChanged();
    },
    release: async (participantIds, by) => {
      const held = participantIds
        .map((pid) => this.#present.get(pid))
        .filter((p): p is Presence => p?.status === 'waiting' && p.heldForPart === true);
      const checked = await Promise.all(
        held.map(async (p) => ({
          p,
          gate: await this.#deps.gate.check(p.member.principal).catch((): GateResult => ({
            admissible: false,
            reason: 'consent_required',
            message: '',
          })),
        })),
      );
      if (this.#closed) return;
      const byMember = [...this.#present.values()].find(
        (x) => x.member.principal === by && x.status === 'admitted',
      )?.member;
      for (const { p, gate } of checked) {
        const pid = pidOf(p.member);
        // Gone or moved during the check, or held again by a newer part: leave it.
        if (this.#present.get(pid) !== p || this.#heldByPart(p.member.principal)) continue;
        if (gate.admissible) {
          this.#leaveLobby(pid, 'admitted');
          this.#admit(p.member, gate.grants, { by: byMember ?? null, fromLobby: true });
        } else {
          p.heldForPart = false;
          this.#lobby.add(this.#lobbyCandidate(p.member, false), true, new Date());
          p.member.notify({ name: 'waitingForPart', data: { held: false } });
        }
      }
      this.#lobbyChanged();
    },
    broadcast: (notification) => this.#broadcast(notification),
  };

  /**
   * The node is going away (drain, shutdown): the connections close next, and what this
   * session remembers stays for the process or node that takes it over.
   */
  suspend(): void {
    this.#suspended = true;
  }

  /** Whether the session is empty and waiting out its grace period (tests, diagnostics). */
  get emptyGraceRunning(): boolean {
    return this.#emptyTimer !== undefined;
  }

  #closeIfEmpty(dropped = false): void {
    if (this.#closed || this.#present.size > 0) return;
    const graceMs = this.#deps.emptyGraceMs ?? 0;
    if (dropped && graceMs > 0 && !this.#suspended) {
      this.#cancelEmptyTimer();
      this.#log.info({ graceMs }, 'session empty after dropped connections; waiting');
      this.#emptyTimer = setTimeout(() => {
        this.#emptyTimer = undefined;
        this.#closeIfEmpty();
      }, graceMs);
      this.#emptyTimer.unref();
      return;
    }
    this.#cancelEmptyTimer();
    this.#closed = true;
    this.#deps.agenda?.finish();
    // Everyone left: the next session on this consultation starts from the waiting room.
    if (!this.#suspended) this.#write(() => this.#deps.memory.clear(this.consultationId));
    this.#discard();
    this.emit('closed', null);
  }

  #cancelEmptyTimer(): void {
    if (this.#emptyTimer === undefined) return;
    clearTimeout(this.#emptyTimer);
    this.#emptyTimer = undefined;
  }

  /** Chat, roster and lobby live in memory only and go with the session. */
  #discard(): void {
    this.#chat.clear();
    this.#hands.clear();
    this.#lobby.clear();
    this.#remembered.clear();
  }
}
