import {
  placementIn,
  type LiveAgenda,
  type LiveAgendaPart,
  type MediaGroup,
  type Notification,
} from '@samkons/shared';
import { randomUUID } from 'node:crypto';
import { RuleScope } from '../../sfu/media-scope.js';
import type { SocketPrincipal } from '../../signalling/authenticator.js';
import { SessionError } from '../session-error.js';
import type { PartJournal, PartPresence } from './part-journal.js';

/** Where a person is in the current part: a media group, or held in the waiting room. */
export type Placement = MediaGroup | 'held';

/** Someone present in the session, as the agenda needs to place them. */
export interface PresentPerson {
  participantId: string;
  role: string | null;
  status: 'admitted' | 'waiting';
  /** Waiting because of the current part (not for a host or consent). */
  heldForPart: boolean;
}

/**
 * What the agenda asks of its live session (the session owns presence, lobby and media;
 * the agenda owns the rule).
 */
export interface AgendaPort {
  present(): PresentPerson[];
  /** An admitted person goes back to the waiting room for this part (media off). */
  hold(participantId: string): void;
  /**
   * Waiting people held by the previous part come in if consent allows (admitted by
   * `by`); the others stay waiting, no longer held.
   */
  release(participantIds: string[], by: SocketPrincipal): Promise<void>;
  broadcast(notification: Notification): void;
}

/**
 * The agenda of one live session: its parts, the one on now, and the rule that places each
 * person (shared `placementIn`). It drives the room's media scope (who may receive whom),
 * asks the session to hold or release the patient side around staff-only parts, and records
 * every part with who was present in it (audit + attendance per part).
 *
 * Moves are serialised: two hosts moving at once apply one after the other.
 */
export class AgendaRunner {
  readonly scope = new RuleScope();
  readonly #consultationId: string;
  readonly #parts: readonly LiveAgendaPart[];
  readonly #journal: PartJournal;
  readonly #roles = new Map<string, string | null>();
  #current: { part: LiveAgendaPart; since: Date; runId: string } | null = null;
  /** Open presence intervals of the current part, by participant. */
  readonly #open = new Map<string, { group: Placement; from: Date }>();
  #moving: Promise<void> = Promise.resolve();

  constructor(consultationId: string, parts: readonly LiveAgendaPart[], journal: PartJournal) {
    this.#consultationId = consultationId;
    this.#parts = parts;
    this.#journal = journal;
    this.scope.set((peerId) => this.#groupForMedia(peerId));
  }

  get current(): LiveAgendaPart | null {
    return this.#current?.part ?? null;
  }

  view(): LiveAgenda {
    return {
      parts: this.#parts.map((p) => ({
        ...p,
        privateParticipantIds: [...p.privateParticipantIds],
      })),
      currentPartId: this.#current?.part.id ?? null,
      currentSince: this.#current?.since.toISOString() ?? null,
    };
  }

  /** Where this person belongs in the current part. */
  placementOf(participantId: string, role: string | null | undefined): Placement {
    return placementIn(this.current, { participantId, role });
  }

  /** The session opens in the agenda's first part (if any): the host need not start it. */
  open(port: AgendaPort, by: SocketPrincipal | null): void {
    const first = this.#parts[0];
    if (!first || this.#current) return;
    this.#start(first, port, by);
  }

  /** Someone was admitted or went to the waiting room: their presence in this part starts. */
  arrived(participantId: string, role: string | null, status: 'admitted' | 'waiting'): void {
    this.#roles.set(participantId, role);
    if (!this.#current) return;
    const group = status === 'admitted' ? this.placementOf(participantId, role) : 'held';
    const open = this.#open.get(participantId);
    if (open?.group === group) return;
    if (open) this.#close(participantId, new Date());
    this.#open.set(participantId, { group, from: new Date() });
  }

  /** Someone left the session (or the waiting room). */
  departed(participantId: string): void {
    if (this.#current) this.#close(participantId, new Date());
  }

  /**
   * Moves to `partId` (null: off the agenda, everyone together). Errors: `not_found` for a
   * part this agenda does not have.
   */
  moveTo(partId: string | null, port: AgendaPort, by: SocketPrincipal): Promise<void> {
    const part = partId === null ? null : this.#parts.find((p) => p.id === partId);
    if (part === undefined) {
      return Promise.reject(
        new SessionError('not_found', 'not_in_agenda', 'No such part in this agenda'),
      );
    }
    const run = this.#moving.then(() => this.#move(part, port, by));
    this.#moving = run.catch(() => undefined);
    return run;
  }

  /** The session is over: close every open interval and the current part. */
  finish(): void {
    if (!this.#current) return;
    const now = new Date();
    for (const pid of [...this.#open.keys()]) this.#close(pid, now);
    this.#journal.partEnded(this.#consultationId, this.#current.runId, now);
    this.#current = null;
  }

  // -------------------------------------------------------------------------------------

  async #move(part: LiveAgendaPart | null, port: AgendaPort, by: SocketPrincipal): Promise<void> {
    if (part?.id === this.#current?.part.id) return;
    const wasHeld = port
      .present()
      .filter((p) => p.status === 'waiting' && p.heldForPart)
      .map((p) => p.participantId);
    this.#end();
    if (part) this.#start(part, port, by);
    else this.scope.set((peerId) => this.#groupForMedia(peerId));
    // Released after the media scope changed: they come into the new part's groups.
    const release = wasHeld.filter((pid) => this.placementOf(pid, this.#roles.get(pid)) !== 'held');
    if (release.length > 0) await port.release(release, by);
    port.broadcast({ name: 'agendaChanged', data: { agenda: this.view() } });
  }

  #start(part: LiveAgendaPart, port: AgendaPort, by: SocketPrincipal | null): void {
    const now = new Date();
    const runId = randomUUID();
    this.#current = { part, since: now, runId };
    // Media first, in this tick: the room closes every consumer the part does not allow.
    this.scope.set((peerId) => this.#groupForMedia(peerId));
    const people = port.present();
    for (const p of people) this.#roles.set(p.participantId, p.role);
    for (const p of people) {
      if (p.status === 'admitted' && this.placementOf(p.participantId, p.role) === 'held') {
        port.hold(p.participantId);
      }
    }
    const present: PartPresence[] = port.present().map((p) => ({
      participantId: p.participantId,
      group: p.status === 'admitted' ? this.placementOf(p.participantId, p.role) : 'held',
    }));
    for (const p of present) this.#open.set(p.participantId, { group: p.group, from: now });
    const position = this.#parts.indexOf(part);
    this.#journal.partStarted(this.#consultationId, {
      runId,
      part,
      position,
      startedAt: now,
      by,
      present,
    });
  }

  #end(): void {
    if (!this.#current) return;
    const now = new Date();
    for (const pid of [...this.#open.keys()]) this.#close(pid, now);
    this.#journal.partEnded(this.#consultationId, this.#current.runId, now);
    this.#current = null;
  }

  #close(participantId: string, to: Date): void {
    const open = this.#open.get(participantId);
    const current = this.#current;
    if (!open || !current) return;
    this.#open.delete(participantId);
    this.#journal.presence(this.#consultationId, current.runId, {
      participantId,
      group: open.group,
      from: open.from,
      to,
    });
  }

  /** For the room: a peer's media group; a held person has no peer, but is never plenary. */
  #groupForMedia(peerId: string): string {
    return this.placementOf(peerId, this.#roles.get(peerId));
  }
}
