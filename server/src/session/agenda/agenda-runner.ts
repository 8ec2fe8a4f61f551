import {
  placementIn,
  type LiveAgenda,
  type AgendaPart,
  type MediaGroup,
  type Notification,
} from '@samkons/shared';
import { randomUUID } from 'node:crypto';
import { RuleScope } from '../../sfu/media-scope.js';
import type { SocketPrincipal } from '../../signalling/authenticator.js';
import { SessionError } from '../session-error.js';
import type { PartJournal } from './part-journal.js';

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
  release(participantIds: string[], by: SocketPrincipal | null): Promise<void>;
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
  #parts: readonly AgendaPart[];
  readonly #journal: PartJournal;
  readonly #roles = new Map<string, string | null>();
  #current: { part: AgendaPart; since: Date; runId: string } | null = null;
  /** Open presence intervals of the current part, by participant. */
  readonly #open = new Map<string, { group: Placement; from: Date }>();
  #moving: Promise<void> = Promise.resolve();

  constructor(consultationId: string, parts: readonly AgendaPart[], journal: PartJournal) {
    this.#consultationId = consultationId;
    this.#parts = parts;
    this.#journal = journal;
    this.scope.set((peerId) => this.placementOf(peerId, this.#roles.get(peerId)));
  }

  get current(): AgendaPart | null {
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

  /** Someone was admitted or went to the waiting room: their presence in this part starts. */
  arrived(participantId: string, role: string | null, status: 'admitted' | 'waiting'): void {
    this.#roles.set(participantId, role);
    this.#track(
      participantId,
      status === 'admitted' ? this.placementOf(participantId, role) : 'held',
    );
  }

  /** Someone left the session (or the waiting room). */
  departed(participantId: string): void {
    this.#close(participantId, new Date());
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
    return this.#serialised(() => this.#move(part, port, by));
  }

  /**
   * The organiser saved a new version of the agenda. The current part stays on when it
   * still exists, with its new audience (a clinician newly named in a private part takes
   * effect at once); when it was deleted, the session goes off the agenda (everyone
   * together, the patient side no longer held).
   */
  replaceParts(parts: readonly AgendaPart[], port: AgendaPort): Promise<void> {
    return this.#serialised(async () => {
      this.#parts = parts;
      const current = this.#current;
      const same = current && parts.find((p) => p.id === current.part.id);
      if (current && same) {
        current.part = same;
        await this.#apply(port, null, false);
      } else if (current) {
        await this.#move(null, port, null);
      } else {
        port.broadcast({ name: 'agendaChanged', data: { agenda: this.view() } });
      }
    });
  }

  /** The session is over: close every open interval and the current part. */
  finish(): void {
    this.#end(new Date());
  }

  // -------------------------------------------------------------------------------------

  #serialised(work: () => Promise<void>): Promise<void> {
    const run = this.#moving.then(work);
    this.#moving = run.catch(() => undefined);
    return run;
  }

  async #move(
    part: AgendaPart | null,
    port: AgendaPort,
    by: SocketPrincipal | null,
  ): Promise<void> {
    if ((part?.id ?? null) === (this.#current?.part.id ?? null)) return;
    const now = new Date();
    this.#end(now);
    if (part) {
      this.#current = { part, since: now, runId: randomUUID() };
      this.#journal.runStarted(this.#consultationId, {
        runId: this.#current.runId,
        part,
        position: this.#parts.indexOf(part),
        startedAt: now,
        by,
      });
    }
    await this.#apply(port, by, true);
  }

  /**
   * Applies the current part to everyone present: first, in this tick, the patient side
   * held back and the media scope applied (the room closes every consumer the part does
   * not allow); then those held by the previous part let in, the audit row with who is
   * where, and everyone told.
   */
  async #apply(port: AgendaPort, by: SocketPrincipal | null, newRun: boolean): Promise<void> {
    const people = port.present();
    for (const p of people) this.#roles.set(p.participantId, p.role);
    // Both in this tick: the held leave the room, then the room closes every consumer the
    // part does not allow.
    for (const p of people) {
      if (p.status === 'admitted' && this.placementOf(p.participantId, p.role) === 'held') {
        port.hold(p.participantId);
      }
    }
    this.scope.set((peerId) => this.placementOf(peerId, this.#roles.get(peerId)));
    const place = (p: PresentPerson): Placement =>
      p.status === 'admitted' ? this.placementOf(p.participantId, p.role) : 'held';
    for (const p of port.present()) this.#track(p.participantId, place(p));
    const release = people
      .filter((p) => p.status === 'waiting' && p.heldForPart)
      .map((p) => p.participantId)
      .filter((pid) => this.placementOf(pid, this.#roles.get(pid)) !== 'held');
    if (release.length > 0) await port.release(release, by);
    const current = this.#current;
    if (current) {
      this.#journal.partAudited(this.#consultationId, {
        runId: current.runId,
        part: current.part,
        position: this.#parts.indexOf(current.part),
        by,
        change: newRun ? 'moved' : 'edited',
        present: port.present().map((p) => ({ participantId: p.participantId, group: place(p) })),
      });
    }
    port.broadcast({ name: 'agendaChanged', data: { agenda: this.view() } });
  }

  #end(now: Date): void {
    if (!this.#current) return;
    for (const pid of [...this.#open.keys()]) this.#close(pid, now);
    this.#journal.runEnded(this.#consultationId, this.#current.runId, now);
    this.#current = null;
  }

  /** Opens (or switches) a person's presence interval in the current part. */
  #track(participantId: string, group: Placement): void {
    if (!this.#current) return;
    const open = this.#open.get(participantId);
    if (open?.group === group) return;
    const now = new Date();
    if (open) this.#close(participantId, now);
    this.#open.set(participantId, { group, from: now });
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
}
