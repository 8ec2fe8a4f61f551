import type { Agenda, AgendaDraft, Consultation, UpdateAgendaRequest } from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable, Transaction } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { assertLive, auditedTransaction, loadAuthorised } from '../booking/access.js';
import type { DomainEventBus } from '../consent/events.js';
import { DomainError, notFound } from '../http/domain-error.js';
import type { Principal } from '../policy/principal.js';
import { agendaRepo, type StoredAgenda } from './agenda-repo.js';
import { agendaAtBooking, materialiseParts, resolveParts } from './agenda-rules.js';

type DraftOut = z.output<typeof AgendaDraft>;
type UpdateOut = z.output<typeof UpdateAgendaRequest>;

/**
 * The agenda of each consultation: chosen at booking (the draft sent with the booking, else
 * the template of its kind), read by every participant, edited by the organiser while the
 * consultation is booked or in progress. Consultations booked before agendas existed get
 * their kind's template the first time anyone reads it.
 */
export class AgendaService {
  readonly #db: Database;
  readonly #events: DomainEventBus;

  constructor(db: Database, events: DomainEventBus) {
    this.#db = db;
    this.#events = events;
  }

  /** Inside the booking's transaction: the consultation's first agenda. */
  async atBooking(tx: Transaction, c: Consultation, draft: DraftOut | undefined): Promise<Agenda> {
    const chosen = agendaAtBooking(c, draft);
    const stored = await agendaRepo.insertFirst(tx, c.id, chosen.template, chosen.parts);
    return toAgenda(stored, c);
  }

  async get(p: Principal, consultationId: string, meta: RequestMeta): Promise<Agenda> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'agenda.read', {
        meta,
      });
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'agenda.read',
        consultationId,
        clientAddress: meta.clientAddress,
      });
      return toAgenda(await this.#ensure(tx, consultation), consultation);
    });
  }

  async update(
    p: Principal,
    consultationId: string,
    req: UpdateOut,
    meta: RequestMeta,
  ): Promise<Agenda> {
    const agenda = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'agenda.update', {
        forUpdate: true,
        meta,
      });
      assertLive(consultation);
      const current = await this.#ensure(tx, consultation);
      if (current.version !== req.expectedVersion) {
        throw new DomainError(
          'conflict',
          `The agenda was changed meanwhile (now version ${current.version}); reload and edit again`,
        );
      }
      const parts = materialiseParts(
        req.parts,
        consultation,
        new Set(current.parts.map((x) => x.id)),
      );
      const saved = await agendaRepo.replace(tx, consultationId, current.version, 'custom', parts);
      if (!saved) throw new DomainError('conflict', 'The agenda was changed meanwhile');
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'agenda.update',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { version: saved.version, parts: parts.length },
      });
      return toAgenda(saved, consultation);
    });
    this.#events.emit('agenda.changed', {
      consultationId,
      version: agenda.version,
      at: agenda.updatedAt,
    });
    return agenda;
  }

  /**
   * For the live session (server side, no principal: its socket is already admitted to
   * this consultation). The agenda as participants see it.
   */
  async forSession(consultationId: string): Promise<Agenda> {
    return this.#db.transaction(async (tx) => {
      const consultation = await consultationsRepo.byId(tx, consultationId);
      if (!consultation) throw notFound('Consultation');
      return toAgenda(await this.#ensure(tx, consultation), consultation);
    });
  }

  async #ensure(q: Queryable, c: Consultation): Promise<StoredAgenda> {
    const stored = await agendaRepo.get(q, c.id);
    if (stored) return stored;
    const first = agendaAtBooking(c, undefined);
    return agendaRepo.insertFirst(q, c.id, first.template, first.parts);
  }
}

const toAgenda = (s: StoredAgenda, c: Consultation): Agenda => ({
  consultationId: s.consultationId,
  version: s.version,
  template: s.template,
  parts: resolveParts(s.parts, c),
  updatedAt: s.updatedAt,
});
