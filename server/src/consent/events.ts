/**
 * Domain events, typed. Contract for subscribers (the live session subscribes in the
 * consultation-journey issue):
 * - events are emitted only AFTER the transaction that caused them committed;
 * - handlers run synchronously in emit order; a throwing handler is logged and does not
 *   affect the others or the request;
 * - `consent.withdrawn` means: from `withdrawnAt`, every participant in
 *   `affectedParticipantIds` has lost consent for presence (and, when
 *   `shareHealthInfoWithdrawn`, sharing across care levels stopped). The live session must
 *   act at once: stop their producers and consumers and re-check grants with
 *   `verifySessionToken` (grants are always recomputed from current consent).
 * - `consent.refused` means: at `refusedAt` the holder said no. It changes no consent (one
 *   in force stays in force; none in force stays none), so grants are unchanged; the live
 *   session only tells the hosts why the patient side cannot be admitted.
 */
export interface ConsentGivenEvent {
  consultationId: string;
  consentId: string;
  givenByParticipantId: string;
  coveredParticipantIds: string[];
  shareHealthInfo: boolean;
  givenAt: string;
}

export interface ConsentWithdrawnEvent {
  consultationId: string;
  consentId: string;
  /** `withdrawn`: the whole consent; `narrowed`: a new consent covers fewer people. */
  reason: 'withdrawn' | 'narrowed';
  withdrawnAt: string;
  withdrawnByParticipantId: string;
  affectedParticipantIds: string[];
  shareHealthInfoWithdrawn: boolean;
}

export interface ConsentRefusedEvent {
  consultationId: string;
  /** The patient (16+) or a guardian. */
  refusedByParticipantId: string;
  /** verbal: said out loud and recorded by a clinician taking part. */
  method: 'in_app' | 'verbal';
  refusedAt: string;
}

export interface ParticipantRemovedEvent {
  consultationId: string;
  participantId: string;
  at: string;
}

export interface ConsultationChangedEvent {
  consultationId: string;
  change: 'updated' | 'rescheduled' | 'cancelled';
  at: string;
}

/**
 * The organiser saved a new version of the agenda (server/src/agenda). A live session
 * re-reads it (`AgendaService.forSession`) and keeps its current part when that part still
 * exists.
 */
export interface AgendaChangedEvent {
  consultationId: string;
  version: number;
  at: string;
}

/**
 * A plan item of the consultation was added, changed, removed, marked done or given a note
 * (server/src/plan), through REST or the live session. The live session re-reads the plan
 * (`PlanService.listForSession`) and shows it to everyone admitted.
 */
export interface PlanChangedEvent {
  consultationId: string;
  itemId: string;
  change: 'added' | 'updated' | 'removed' | 'progress';
  at: string;
}

export interface DomainEvents {
  'consent.given': ConsentGivenEvent;
  'consent.withdrawn': ConsentWithdrawnEvent;
  'consent.refused': ConsentRefusedEvent;
  'participant.removed': ParticipantRemovedEvent;
  'consultation.changed': ConsultationChangedEvent;
  'agenda.changed': AgendaChangedEvent;
  'plan.changed': PlanChangedEvent;
}

export type Handler<T> = (event: T) => void;

export class EventBus<E extends object> {
  readonly #handlers = new Map<keyof E, Set<Handler<never>>>();
  readonly #onError: (err: unknown, name: keyof E) => void;

  constructor(onError: (err: unknown, name: keyof E) => void = () => undefined) {
    this.#onError = onError;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof E>(name: K, handler: Handler<E[K]>): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<K extends keyof E>(name: K, event: E[K]): void {
    for (const h of this.#handlers.get(name) ?? []) {
      try {
        (h as Handler<E[K]>)(event);
      } catch (err) {
        this.#onError(err, name);
      }
    }
  }
}

export type DomainEventBus = EventBus<DomainEvents>;
