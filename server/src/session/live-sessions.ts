import type { FastifyBaseLogger } from 'fastify';
import type { DomainEventBus } from '../consent/events.js';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { ConsentGate } from './consent-gate.js';
import { LiveSession } from './live-session.js';
import { SessionError } from './session-error.js';
import type { SessionJournal } from './session-journal.js';

/**
 * The live sessions of this node, one per consultation, and the bridge from domain events
 * (consent withdrawn or given, participant removed, consultation cancelled) to them.
 */
export class LiveSessions {
  readonly #sessions = new Map<string, LiveSession>();
  /** Ended by a host: not entered again on this node (a new booking starts a new one). */
  readonly #endedByHost = new Set<string>();
  readonly #rooms: RoomRegistry;
  readonly #gate: ConsentGate;
  readonly #log: FastifyBaseLogger;
  readonly journal: SessionJournal;
  #unsubscribe: (() => void)[] = [];

  constructor(deps: {
    rooms: RoomRegistry;
    gate: ConsentGate;
    journal: SessionJournal;
    log: FastifyBaseLogger;
  }) {
    this.#rooms = deps.rooms;
    this.#gate = deps.gate;
    this.journal = deps.journal;
    this.#log = deps.log.child({ module: 'session' });
  }

  get(consultationId: string): LiveSession | undefined {
    return this.#sessions.get(consultationId);
  }

  /** The open session for a consultation, created on first entry. */
  getOrCreate(consultationId: string): LiveSession {
    if (this.#endedByHost.has(consultationId)) {
      throw new SessionError('invalid_state', 'session_ended', 'The session has ended');
    }
    const existing = this.#sessions.get(consultationId);
    if (existing && !existing.closed) return existing;
    const session = new LiveSession(consultationId, {
      rooms: this.#rooms,
      gate: this.#gate,
      journal: this.journal,
      log: this.#log,
    });
    session.once('closed', (reason) => {
      if (this.#sessions.get(consultationId) === session) this.#sessions.delete(consultationId);
      if (reason === 'ended_by_host') this.#endedByHost.add(consultationId);
    });
    this.#sessions.set(consultationId, session);
    return session;
  }

  /**
   * Acts on the domain's events; handlers run synchronously after the commit, so a
   * withdrawal takes effect in the same tick (consent/events.ts).
   */
  subscribe(events: DomainEventBus): void {
    this.#unsubscribe.push(
      events.on('consent.withdrawn', (e) => {
        const session = this.#sessions.get(e.consultationId);
        if (!session) return;
        // The whole consent withdrawn = no participation: nobody may continue.
        if (e.reason === 'withdrawn') session.end(null, 'consent_withdrawn');
        else session.presenceWithdrawn(e.affectedParticipantIds);
      }),
      events.on('consent.given', (e) => {
        void this.#sessions
          .get(e.consultationId)
          ?.consentChanged()
          .catch((err: unknown) => this.#log.error({ err }, 'consent re-check failed'));
      }),
      events.on('participant.removed', (e) => {
        this.#sessions.get(e.consultationId)?.noLongerInvited(e.participantId);
      }),
      events.on('consultation.changed', (e) => {
        if (e.change === 'cancelled') {
          this.#sessions.get(e.consultationId)?.end(null, 'consultation_cancelled');
        }
      }),
    );
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#sessions.clear();
  }
}
