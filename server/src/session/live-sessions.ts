import type { FastifyBaseLogger } from 'fastify';
import { RedirectUrl, type AgendaPart } from '@samkons/shared';
import type { DomainEventBus } from '../consent/events.js';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { ConsentGate } from './consent-gate.js';
import { LiveSession, type LobbyMetrics } from './live-session.js';
import { SessionError } from './session-error.js';
import type { SessionJournal } from './session-journal.js';
import { AgendaRunner } from './agenda/agenda-runner.js';
import { noAgendas, type AgendaSource } from './agenda/agenda-source.js';
import { nullPartJournal, type PartJournal } from './agenda/part-journal.js';
import type { LivePlan, PlanStore } from './plan/live-plan.js';
import { processSessionMemory, type SessionMemory } from './session-memory.js';
import { DomainError } from '../http/domain-error.js';

/** Who hosts a consultation's live session, as the directory answers a claim. */
export type SessionClaim = { owner: 'self' } | { owner: 'other'; url: string };

/**
 * Where live sessions run when there are several nodes: a session lives on exactly one.
 * `claim` is idempotent for the node that holds it; `release` when its session closed.
 */
export interface SessionDirectory {
  claim(consultationId: string): Promise<SessionClaim>;
  release(consultationId: string): void;
}

/** One node: every session is this node's. */
export const singleNodeDirectory: SessionDirectory = {
  claim: () => Promise.resolve({ owner: 'self' }),
  release: () => undefined,
};

/**
 * The live sessions of this node, one per consultation, and the bridge from domain events
 * (consent withdrawn, given or refused, participant removed, consultation cancelled) to them.
 */
export class LiveSessions {
  readonly #sessions = new Map<string, LiveSession>();
  /** Ended by a host: not entered again on this node (a new booking starts a new one). */
  readonly #endedByHost = new Set<string>();
  readonly #rooms: RoomRegistry;
  readonly #gate: ConsentGate;
  readonly #log: FastifyBaseLogger;
  readonly #directory: SessionDirectory;
  readonly journal: SessionJournal;
  readonly #agendas: AgendaSource;
  readonly partJournal: PartJournal;
  /** The agreed plan in the call; absent without the domain (development rooms). */
  readonly plan: LivePlan | undefined;
  readonly #planStore: PlanStore | undefined;
  readonly memory: SessionMemory;
  readonly #metrics: LobbyMetrics | undefined;
  readonly #emptyGraceMs: number;
  #unsubscribe: (() => void)[] = [];
  /** Draining: sessions open here go on; no new one starts on this node. */
  #draining = false;

  constructor(deps: {
    rooms: RoomRegistry;
    gate: ConsentGate;
    journal: SessionJournal;
    log: FastifyBaseLogger;
    directory?: SessionDirectory;
    /** The consultation's agenda, read when its session opens (session/agenda/). */
    agendas?: AgendaSource;
    partJournal?: PartJournal;
    plan?: { live: LivePlan; store: PlanStore };
    /** Default: this process only (no database). */
    memory?: SessionMemory;
    metrics?: LobbyMetrics;
    /** How long an emptied session waits for dropped connections to return (default 0). */
    emptyGraceSeconds?: number;
  }) {
    this.#metrics = deps.metrics;
    this.#emptyGraceMs = (deps.emptyGraceSeconds ?? 0) * 1000;
    this.plan = deps.plan?.live;
    this.#planStore = deps.plan?.store;
    this.#agendas = deps.agendas ?? noAgendas;
    this.partJournal = deps.partJournal ?? nullPartJournal;
    this.#directory = deps.directory ?? singleNodeDirectory;
    this.memory = deps.memory ?? processSessionMemory();
    this.#rooms = deps.rooms;
    this.#gate = deps.gate;
    this.journal = deps.journal;
    this.#log = deps.log.child({ module: 'session' });
  }

  get(consultationId: string): LiveSession | undefined {
    return this.#sessions.get(consultationId);
  }

  /**
   * The open session for a consultation, claimed in the directory when this node creates
   * it; `wrong_node` (with the owner's URL, as `redirectUrl` too) when another node hosts it.
   */
  async acquire(consultationId: string): Promise<LiveSession> {
    const existing = this.#sessions.get(consultationId);
    if (existing && !existing.closed) return existing;
    this.#assertNotEnded(consultationId);
    if (this.#draining) {
      throw new DomainError('unavailable', 'This server is restarting; try again shortly');
    }
    const claim = await this.#directory.claim(consultationId);
    if (claim.owner === 'other') {
      // Only a URL the ack schema accepts is offered (a malformed claim gives none).
      const redirectUrl = RedirectUrl.safeParse(claim.url).success ? claim.url : undefined;
      throw new SessionError(
        'invalid_state',
        'wrong_node',
        `The session is hosted at ${claim.url || 'another node'}`,
        redirectUrl ? { redirectUrl } : {},
      );
    }
    return this.#getOrCreate(consultationId, await this.#agendaOf(consultationId));
  }

  /**
   * The agenda a new session runs. Failing to read it must not keep anyone out of the
   * call: the session then runs without one (nobody can move parts, so nothing is held
   * back or separated), and the failure is logged.
   */
  async #agendaOf(consultationId: string): Promise<AgendaPart[]> {
    try {
      return await this.#agendas.load(consultationId);
    } catch (err) {
      this.#log.error({ err, consultationId }, 'agenda could not be read; session runs without');
      return [];
    }
  }

  /** The open session for a consultation, created on first entry (claimed by `acquire`). */
  #getOrCreate(consultationId: string, parts: AgendaPart[]): LiveSession {
    this.#assertNotEnded(consultationId);
    const existing = this.#sessions.get(consultationId);
    if (existing && !existing.closed) return existing;
    const session = new LiveSession(consultationId, {
      rooms: this.#rooms,
      gate: this.#gate,
      journal: this.journal,
      memory: this.memory,
      log: this.#log,
      metrics: this.#metrics,
      emptyGraceMs: this.#emptyGraceMs,
      agenda:
        parts.length > 0 ? new AgendaRunner(consultationId, parts, this.partJournal) : undefined,
    });
    this.journal.occupied(consultationId);
    session.once('closed', (reason) => {
      // Emptied without "end for all": the idle close (idle-close.ts) counts from now.
      if (reason === null) this.journal.vacated(consultationId, new Date());
      // A replacement session already open keeps the claim.
      if (this.#sessions.get(consultationId) === session) {
        this.#sessions.delete(consultationId);
        this.#directory.release(consultationId);
      }
      if (reason === 'ended_by_host') this.#endedByHost.add(consultationId);
    });
    this.#sessions.set(consultationId, session);
    return session;
  }

  #assertNotEnded(consultationId: string): void {
    if (this.#endedByHost.has(consultationId)) {
      throw new SessionError('invalid_state', 'session_ended', 'The session has ended');
    }
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
      events.on('consent.refused', (e) => {
        this.#sessions.get(e.consultationId)?.consentRefused(e.refusedByParticipantId, e.refusedAt);
      }),
      events.on('participant.removed', (e) => {
        this.#sessions.get(e.consultationId)?.noLongerInvited(e.participantId);
      }),
      events.on('agenda.changed', (e) => {
        const session = this.#sessions.get(e.consultationId);
        if (!session) return;
        this.#agendas
          .load(e.consultationId)
          .then((parts) => session.agendaEdited(parts))
          .catch((err: unknown) => this.#log.error({ err }, 'agenda re-read failed'));
      }),
      events.on('plan.changed', (e) => {
        const session = this.#sessions.get(e.consultationId);
        const store = this.#planStore;
        if (!session || !store) return;
        store
          .listForSession(e.consultationId)
          .then((items) =>
            session.announce({
              name: 'planChanged',
              data: { items, changedItemId: e.itemId ?? null },
            }),
          )
          .catch((err: unknown) => this.#log.error({ err }, 'plan re-read failed'));
      }),
      events.on('consultation.changed', (e) => {
        if (e.change === 'cancelled') {
          this.#sessions.get(e.consultationId)?.end(null, 'consultation_cancelled');
        }
      }),
    );
  }

  /** A live session of this consultation is open on this node (someone waits or talks). */
  isOpen(consultationId: string): boolean {
    const s = this.#sessions.get(consultationId);
    return s !== undefined && !s.closed;
  }

  /** Open sessions continue; no new one starts here (this node is shutting down). */
  drain(): void {
    this.#draining = true;
  }

  /** Open sessions on this node, with how many people are in each (waiting or admitted). */
  get openCount(): number {
    return [...this.#sessions.values()].filter((s) => !s.closed).length;
  }

  /**
   * Before the connections close at shutdown: every session keeps what it remembers (who
   * was admitted, mute, hands) for the process or node that takes over.
   */
  suspend(): void {
    for (const session of this.#sessions.values()) session.suspend();
  }

  close(): void {
    this.suspend();
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#sessions.clear();
  }
}
