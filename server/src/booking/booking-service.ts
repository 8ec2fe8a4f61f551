import { randomUUID } from 'node:crypto';
import {
  CreateConsultationRequest,
  type AddParticipantRequest,
  type Consultation,
  type InviteLink,
  type JoinLocation,
  type NewParticipant,
  type OutboxMessage,
  type Participant,
  type RescheduleRequest,
  isStaffRole,
  type SessionTokenResponse,
  type StaffDirectoryEntry,
  type StaffRole,
  type StaffSearchQuery,
  type UpdateConsultationRequest,
} from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { invitesRepo } from '../db/invites-repo.js';
import { outboxRepo } from '../db/outbox-repo.js';
import { appendAudit, appendAuditMany } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { AuthService, RequestMeta } from '../auth/auth-service.js';
import type { IdentityHasher } from '../auth/identity-hash.js';
import type { DomainEventBus } from '../consent/events.js';
import { DomainError, forbidden, notFound } from '../http/domain-error.js';
import type { NotificationProvider } from '../notifications/provider.js';
import { ParticipantNotifier, type NotifierSettings } from '../notifications/notifier.js';
import { resetReminder } from '../notifications/reminders-repo.js';
import { decide, membership, type Action } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import { assertLive, auditedTransaction, loadAuthorised } from './access.js';
import { icsFor } from './ics.js';
import type { LktServices } from '../lkt/index.js';

type CreateInput = z.output<typeof CreateConsultationRequest>;

const STAFF_LOCATION: Record<StaffRole, JoinLocation> = {
  specialist: 'hospital',
  gp: 'gp_office',
  municipal: 'municipal_office',
};

const conflict = (msg: string) => new DomainError('conflict', msg);
const badRequest = (msg: string) => new DomainError('bad_request', msg);

export class BookingService {
  readonly #db: Database;
  readonly #auth: AuthService;
  readonly #events: DomainEventBus;
  readonly #identityHasher: IdentityHasher | undefined;
  readonly #lkt: LktServices | undefined;
  /** Also used by the reminder scheduler, so reminders go through the same provider. */
  readonly notifier: ParticipantNotifier;

  constructor(deps: {
    db: Database;
    auth: AuthService;
    notifications: NotificationProvider;
    events: DomainEventBus;
    publicUrl: string;
    /** Contact phone and language of the messages (server/src/notifications). */
    notifierSettings?: NotifierSettings | undefined;
    /** Present when the patient eID is configured: national identity numbers can be bound. */
    identityHasher?: IdentityHasher | undefined;
    /** LKT: the agenda and patient record set up with each booking (stream lkt-data). */
    lkt?: LktServices | undefined;
  }) {
    this.#db = deps.db;
    this.#lkt = deps.lkt;
    this.#identityHasher = deps.identityHasher;
    this.#auth = deps.auth;
    this.#events = deps.events;
    this.notifier = new ParticipantNotifier(deps);
  }

  #load(q: Queryable, p: Principal, id: string, action: Action, meta: RequestMeta, extra = {}) {
    return loadAuthorised(q, p, id, action, {
      forUpdate: true,
      extra,
      meta,
    });
  }

  #requireStaff(p: Principal, action: Action): asserts p is Extract<Principal, { kind: 'staff' }> {
    const d = decide(p, action);
    if (!d.allowed || p.kind !== 'staff') throw forbidden(d.allowed ? undefined : d.reason);
  }

  async create(p: Principal, req: CreateInput, meta: RequestMeta): Promise<Consultation> {
    this.#requireStaff(p, 'consultation.create');
    if (req.kind === 'guidance' && req.participants.some((x) => x.role === 'patient')) {
      throw badRequest('Guidance between staff is held without the patient');
    }
    if (req.participants.filter((x) => x.role === 'patient').length > 1) {
      throw badRequest('At most one patient per consultation');
    }
    const now = new Date().toISOString();
    const id = randomUUID();
    const created = await auditedTransaction(this.#db, async (tx) => {
      const organiser = await accountsRepo.byId(tx, p.accountId);
      if (!organiser) throw notFound('Account');
      const participants: Participant[] = [];
      if (!req.participants.some((x) => x.accountId === organiser.id)) {
        participants.push({
          id: randomUUID(),
          consultationId: id,
          role: organiser.role,
          name: organiser.name,
          organisation: organiser.organisation,
          email: null,
          mobile: null,
          joinsFrom: STAFF_LOCATION[organiser.role],
          travelDistanceKm: 0,
          birthDate: null,
          isGuardian: false,
          accountId: organiser.id,
          strongIdentification: false,
          delegate: false,
        });
      }
      const identityHashes = new Map<string, string>();
      for (const np of req.participants) {
        const { participant, identityHash } = await this.#newParticipant(tx, id, np);
        participants.push(participant);
        if (identityHash) identityHashes.set(participant.id, identityHash);
      }
      await this.#assertFree(tx, participants, req.startsAt, req.endsAt, null);
      await consultationsRepo.insert(tx, {
        id,
        kind: req.kind,
        status: 'booked',
        title: req.title ?? null,
        startsAt: req.startsAt,
        endsAt: req.endsAt,
        organiserId: organiser.id,
        documentingOrganisation: req.documentingOrganisation,
        cancelReason: null,
        createdAt: now,
        updatedAt: now,
      });
      for (const x of participants) {
        await consultationsRepo.insertParticipant(tx, x, identityHashes.get(x.id) ?? null);
      }
      const c = await consultationsRepo.byId(tx, id);
      if (!c) throw new Error('consultation vanished inside its transaction');
      // LKT (stream lkt-data): agenda and patient record, in the same transaction.
      await this.#lkt?.atBooking(tx, c, req, p, meta);
      for (const x of c.participants) await this.notifier.notify(tx, c, x, 'invite');
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consultation.create',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participants: participants.length },
      });
      return c;
    });
    return created;
  }

  async list(p: Principal, from: string, to: string, meta: RequestMeta): Promise<Consultation[]> {
    this.#requireStaff(p, 'consultation.list');
    return auditedTransaction(this.#db, async (tx) => {
      const list = await consultationsRepo.listForAccount(tx, p.accountId, from, to);
      // Normen: each consultation shown is an access to it.
      await appendAuditMany(
        tx,
        list.map((c) => ({
          actor: actorOf(p),
          action: 'consultation.list',
          consultationId: c.id,
          clientAddress: meta.clientAddress,
        })),
      );
      return list;
    });
  }

  /**
   * The staff directory for booking: accounts by name or organisation, with only what
   * picks the right person (no username, no contact details). Staff logins only.
   */
  async searchStaff(p: Principal, query: StaffSearchQuery): Promise<StaffDirectoryEntry[]> {
    this.#requireStaff(p, 'staff.search');
    const found = await accountsRepo.search(this.#db, query.q, query.role, 20);
    return found.map(({ id, name, role, organisation }) => ({ id, name, role, organisation }));
  }

  async get(p: Principal, id: string, meta: RequestMeta): Promise<Consultation> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, id, 'consultation.read', {
        meta,
      });
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consultation.read',
        consultationId: id,
        clientAddress: meta.clientAddress,
      });
      return consultation;
    });
  }

  async update(
    p: Principal,
    id: string,
    patch: UpdateConsultationRequest,
    meta: RequestMeta,
  ): Promise<Consultation> {
    const c = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'consultation.update', meta);
      assertLive(consultation);
      if (
        patch.kind === 'guidance' &&
        consultation.participants.some((x) => x.role === 'patient')
      ) {
        throw badRequest('Guidance between staff is held without the patient');
      }
      await consultationsRepo.update(tx, id, patch);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consultation.update',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { fields: Object.keys(patch) },
      });
      return this.#reload(tx, id);
    });
    this.#events.emit('consultation.changed', {
      consultationId: id,
      change: 'updated',
      at: c.updatedAt,
    });
    return c;
  }

  async reschedule(
    p: Principal,
    id: string,
    t: RescheduleRequest,
    meta: RequestMeta,
  ): Promise<Consultation> {
    const c = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'consultation.reschedule', meta);
      assertLive(consultation);
      await this.#assertFree(tx, consultation.participants, t.startsAt, t.endsAt, id);
      await consultationsRepo.update(tx, id, { startsAt: t.startsAt, endsAt: t.endsAt });
      // A new time needs its own reminder, even when the old one was already sent.
      await resetReminder(tx, id);
      const next = await this.#reload(tx, id);
      for (const x of next.participants) await this.notifier.notify(tx, next, x, 'change');
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consultation.reschedule',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { from: consultation.startsAt, to: t.startsAt },
      });
      return next;
    });
    this.#events.emit('consultation.changed', {
      consultationId: id,
      change: 'rescheduled',
      at: c.updatedAt,
    });
    return c;
  }

  async cancel(
    p: Principal,
    id: string,
    reason: string | undefined,
    meta: RequestMeta,
  ): Promise<Consultation> {
    const c = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'consultation.cancel', meta);
      assertLive(consultation);
      await consultationsRepo.update(tx, id, { status: 'cancelled', cancelReason: reason ?? null });
      await invitesRepo.revokeForConsultation(tx, id);
      const next = await this.#reload(tx, id);
      for (const x of next.participants) await this.notifier.notify(tx, next, x, 'cancellation');
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consultation.cancel',
        consultationId: id,
        clientAddress: meta.clientAddress,
      });
      return next;
    });
    this.#events.emit('consultation.changed', {
      consultationId: id,
      change: 'cancelled',
      at: c.updatedAt,
    });
    return c;
  }

  async addParticipant(
    p: Principal,
    id: string,
    np: AddParticipantRequest,
    meta: RequestMeta,
  ): Promise<Participant> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'participant.add', meta);
      assertLive(consultation);
      if (np.role === 'patient') {
        if (consultation.kind === 'guidance')
          throw badRequest('Guidance is held without the patient');
        if (consultation.participants.some((x) => x.role === 'patient')) {
          throw conflict('The consultation already has a patient');
        }
      }
      if (np.accountId && consultation.participants.some((x) => x.accountId === np.accountId)) {
        throw conflict('That account already takes part');
      }
      const { participant, identityHash } = await this.#newParticipant(tx, id, np);
      await this.#assertFree(tx, [participant], consultation.startsAt, consultation.endsAt, id);
      await consultationsRepo.insertParticipant(tx, participant, identityHash);
      await this.notifier.notify(tx, consultation, participant, 'invite');
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'participant.add',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId: participant.id, role: participant.role },
      });
      return participant;
    });
  }

  async removeParticipant(
    p: Principal,
    id: string,
    participantId: string,
    meta: RequestMeta,
  ): Promise<void> {
    await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'participant.remove', meta);
      const target = consultation.participants.find((x) => x.id === participantId);
      if (!target) throw notFound('Participant');
      if (target.accountId === consultation.organiserId) {
        throw new DomainError('invalid_state', 'The organiser cannot be removed; cancel instead');
      }
      await consultationsRepo.removeParticipant(tx, id, participantId);
      await invitesRepo.revokeForParticipant(tx, participantId);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'participant.remove',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId, role: target.role },
      });
    });
    this.#events.emit('participant.removed', {
      consultationId: id,
      participantId,
      at: new Date().toISOString(),
    });
  }

  /** The organiser names (or un-names) a staff participant as delegate. */
  async setDelegate(
    p: Principal,
    id: string,
    participantId: string,
    delegate: boolean,
    meta: RequestMeta,
  ): Promise<Participant> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'participant.delegate', meta);
      assertLive(consultation);
      const target = consultation.participants.find((x) => x.id === participantId);
      if (!target) throw notFound('Participant');
      if (delegate && (!target.accountId || !isStaffRole(target.role))) {
        throw badRequest('Only staff booked with their account can be delegates');
      }
      if (target.accountId === consultation.organiserId) {
        throw badRequest('The organiser manages the booking already');
      }
      await consultationsRepo.setDelegate(tx, id, participantId, delegate);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: delegate ? 'participant.delegate' : 'participant.undelegate',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId },
      });
      return { ...target, delegate };
    });
  }

  async invite(
    p: Principal,
    id: string,
    participantId: string,
    meta: RequestMeta,
  ): Promise<InviteLink> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'invite.create', meta, {
        targetParticipantId: participantId,
      });
      assertLive(consultation);
      const target = consultation.participants.find((x) => x.id === participantId);
      if (!target) throw notFound('Participant');
      const link = await this.#auth.inviteLink(tx, consultation, target);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'invite.create',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId, inviteId: link.inviteId },
      });
      return link;
    });
  }

  async revokeInvites(
    p: Principal,
    id: string,
    participantId: string,
    meta: RequestMeta,
  ): Promise<number> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'invite.revoke', meta);
      if (!consultation.participants.some((x) => x.id === participantId))
        throw notFound('Participant');
      const n = await invitesRepo.revokeForParticipant(tx, participantId);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'invite.revoke',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId, revoked: n },
      });
      return n;
    });
  }

  async ics(p: Principal, id: string, participantId: string, meta: RequestMeta): Promise<string> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await this.#load(tx, p, id, 'invite.ics', meta, {
        targetParticipantId: participantId,
      });
      const target = consultation.participants.find((x) => x.id === participantId);
      if (!target) throw notFound('Participant');
      const url = await this.notifier.joinUrl(tx, consultation, target);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'invite.ics',
        consultationId: id,
        clientAddress: meta.clientAddress,
        detail: { participantId },
      });
      return icsFor(consultation, target, url);
    });
  }

  /** A staff member's own session token for the live session of a consultation. */
  async staffSession(p: Principal, id: string, meta: RequestMeta): Promise<SessionTokenResponse> {
    const { consultation, me } = await auditedTransaction(this.#db, async (tx) => {
      const loaded = await this.#load(tx, p, id, 'session.create', meta);
      assertLive(loaded.consultation);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'session.create',
        consultationId: id,
        clientAddress: meta.clientAddress,
      });
      return { consultation: loaded.consultation, me: membership(p, loaded.consultation) };
    });
    if (!me || p.kind !== 'staff') throw forbidden();
    return this.#auth.issueSessionToken(consultation, me, p.assuranceLevel, {
      accountId: p.accountId,
      inviteId: null,
    });
  }

  async outbox(p: Principal, id: string, meta: RequestMeta): Promise<OutboxMessage[]> {
    return auditedTransaction(this.#db, async (tx) => {
      await loadAuthorised(tx, p, id, 'outbox.read', { meta });
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'outbox.read',
        consultationId: id,
        clientAddress: meta.clientAddress,
      });
      return outboxRepo.list(tx, id);
    });
  }

  async #reload(q: Queryable, id: string): Promise<Consultation> {
    const c = await consultationsRepo.byId(q, id);
    if (!c) throw notFound('Consultation');
    return c;
  }

  async #newParticipant(
    q: Queryable,
    consultationId: string,
    np: NewParticipant,
  ): Promise<{ participant: Participant; identityHash: string | null }> {
    if (np.accountId) {
      const account = await accountsRepo.byId(q, np.accountId);
      if (!account) throw badRequest(`Unknown account ${np.accountId}`);
      if (account.role !== np.role)
        throw badRequest(`Account ${np.accountId} has role ${account.role}`);
    }
    if (np.nationalId && !this.#identityHasher) {
      // Binding a number nobody can log in with would lock the person out of the meeting.
      throw badRequest('Identification with an electronic ID is not configured on this server');
    }
    const identityHash = np.nationalId ? this.#identityHasher!.hash(np.nationalId) : null;
    const participant: Participant = {
      id: randomUUID(),
      consultationId,
      role: np.role,
      name: np.name,
      organisation: np.organisation ?? null,
      email: np.email ?? null,
      mobile: np.mobile ?? null,
      joinsFrom: np.joinsFrom,
      travelDistanceKm: np.travelDistanceKm,
      birthDate: np.birthDate ?? null,
      isGuardian: np.isGuardian ?? false,
      accountId: np.accountId ?? null,
      strongIdentification: identityHash !== null,
      delegate: np.delegate ?? false,
    };
    return { participant, identityHash };
  }

  /**
   * Staff cannot be in two live consultations at once. Locking their account rows makes
   * two concurrent bookings of the same person wait for each other, so one of them sees
   * the other's row and gets 409.
   */
  async #assertFree(
    q: Queryable,
    ps: Participant[],
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<void> {
    const accounts = [...new Set(ps.map((x) => x.accountId).filter((x): x is string => !!x))];
    await accountsRepo.lock(q, accounts);
    const clashes = await consultationsRepo.overlapping(q, accounts, start, end, excludeId);
    if (clashes.length > 0) {
      const who = ps.find((x) => x.accountId === clashes[0]?.accountId)?.name ?? 'A participant';
      // One detail per clashing participant, its message the participant's name as booked,
      // so the form can say who clashes (the organiser may be one the request did not list).
      const busy = new Set(clashes.map((x) => x.accountId));
      const details = ps.flatMap((x, i) =>
        x.accountId && busy.has(x.accountId)
          ? [{ path: `participants/${i}`, message: x.name }]
          : [],
      );
      throw new DomainError('conflict', `${who} is already booked at that time`, details);
    }
  }
}
