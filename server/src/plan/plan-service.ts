import { randomUUID } from 'node:crypto';
import type {
  Consultation,
  MyPlanItems,
  NewPlanItem,
  PlanItem,
  PlanItemPatch,
  PlanOwner,
  PlanProgressRequest,
  PlanView,
} from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable, Transaction } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { consentsRepo } from '../db/consents-repo.js';
import { appendAudit, appendAuditMany, type AuditActor } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import type { DomainEventBus, PlanChangedEvent } from '../consent/events.js';
import { DomainError, forbidden, notFound } from '../http/domain-error.js';
import { decide, membership, speaksForPatient } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { careTeamRepo } from '../care-team/care-team-repo.js';
import { planRepo, type StoredItem } from './plan-repo.js';
import { planScope } from './plan-visibility.js';

type NewIn = z.output<typeof NewPlanItem>;
type PatchIn = z.output<typeof PlanItemPatch>;
type ProgressIn = z.output<typeof PlanProgressRequest>;

const badRequest = (message: string, path: string) =>
  new DomainError('bad_request', message, [{ path, message }]);

/** The API shape of a stored item. */
export const publicItem = ({
  patientRecordId: _r,
  ownerAccountId: _a,
  ...item
}: StoredItem): PlanItem => item;

/** How far back "Mine konsultasjonar" lists plans of the consultations one took part in. */
const MY_PLANS_DAYS = 365;

/** Someone reporting progress on an item: who they are for the item and the audit log. */
export interface ProgressActor {
  actor: AuditActor;
  name: string;
  role: string;
}

/**
 * The agreed plan (LKT C and E). The host (a staff participant who leads: the specialist or
 * the organiser) writes items during "Oppsummering og plan", in the call (stream lkt-live,
 * through `addItem`/`updateItem`/`removeItem` with the caller's session principal) or on the
 * consultation page. After the session the plan stays: each item's owner marks it done or
 * adds a note. Every read and change is audited; every change emits `plan.changed` after
 * commit. What staff at the other care level see follows the patient's consent
 * (plan-visibility.ts).
 */
export class PlanService {
  readonly #db: Database;
  readonly #records: PatientRecords;
  readonly #events: DomainEventBus;

  constructor(db: Database, records: PatientRecords, events: DomainEventBus) {
    this.#db = db;
    this.#records = records;
    this.#events = events;
  }

  async view(p: Principal, consultationId: string, meta: RequestMeta): Promise<PlanView> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation, consent } = await loadAuthorised(tx, p, consultationId, 'plan.read', {
        meta,
      });
      const me = membership(p, consultation)!;
      const all = await planRepo.forConsultation(tx, consultationId);
      const own = (await Promise.all(all.map((x) => this.#owns(tx, x, p)))).map((ok, i) =>
        ok ? all[i]!.id : null,
      );
      const ownIds = own.filter((x): x is string => x !== null);
      const scope = planScope(me.role, consultation, consent);
      const items = scope === 'all' ? all : all.filter((x) => ownIds.includes(x.id));
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'plan.read',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { items: items.length, withheld: all.length - items.length },
      });
      return {
        items: items.map(publicItem),
        withheld: all.length - items.length,
        canWrite:
          consultation.status !== 'cancelled' &&
          decide(p, 'plan.write', { consultation, consent }).allowed,
        ownItemIds: ownIds,
      };
    });
  }

  async addItem(
    p: Principal,
    consultationId: string,
    input: NewIn,
    meta: RequestMeta,
  ): Promise<PlanItem> {
    const item = await auditedTransaction(this.#db, async (tx) => {
      const { consultation, record } = await this.#writable(tx, p, consultationId, meta);
      const owner = await this.#owner(tx, consultation, record, input.owner, 'owner');
      const id = randomUUID();
      await planRepo.insert(tx, {
        id,
        consultationId,
        patientRecordId: record,
        what: input.what,
        owner: input.owner,
        ownerName: owner.name,
        ownerRole: owner.role,
        dueDate: input.dueDate,
        createdByName: nameOf(p, consultation),
      });
      await this.#audit(tx, actorOf(p), consultationId, meta, 'plan.item.add', {
        itemId: id,
        owner: input.owner.kind,
        due: input.dueDate !== null,
      });
      return (await planRepo.byId(tx, id))!;
    });
    this.#changed({ consultationId, itemId: item.id, change: 'added' });
    return publicItem(item);
  }

  async updateItem(
    p: Principal,
    consultationId: string,
    itemId: string,
    patch: PatchIn,
    meta: RequestMeta,
  ): Promise<PlanItem> {
    const item = await auditedTransaction(this.#db, async (tx) => {
      const { consultation, record } = await this.#writable(tx, p, consultationId, meta);
      const current = await planRepo.byId(tx, itemId, true);
      if (!current || current.consultationId !== consultationId) throw notFound('Plan item');
      const owner = patch.owner
        ? await this.#owner(tx, consultation, record, patch.owner, 'owner')
        : undefined;
      await planRepo.update(tx, itemId, {
        ...(patch.what !== undefined ? { what: patch.what } : {}),
        ...(patch.dueDate !== undefined ? { dueDate: patch.dueDate } : {}),
        ...(patch.owner && owner
          ? { owner: patch.owner, ownerName: owner.name, ownerRole: owner.role }
          : {}),
      });
      await this.#audit(tx, actorOf(p), consultationId, meta, 'plan.item.update', {
        itemId,
        fields: Object.keys(patch),
      });
      return (await planRepo.byId(tx, itemId))!;
    });
    this.#changed({ consultationId, itemId, change: 'updated' });
    return publicItem(item);
  }

  async removeItem(
    p: Principal,
    consultationId: string,
    itemId: string,
    meta: RequestMeta,
  ): Promise<void> {
    await auditedTransaction(this.#db, async (tx) => {
      await this.#writable(tx, p, consultationId, meta);
      const current = await planRepo.byId(tx, itemId, true);
      if (!current || current.consultationId !== consultationId) throw notFound('Plan item');
      await planRepo.remove(tx, itemId);
      await this.#audit(tx, actorOf(p), consultationId, meta, 'plan.item.remove', { itemId });
    });
    this.#changed({ consultationId, itemId, change: 'removed' });
  }

  /**
   * The owner reports progress (done, open again, a note). A staff owner may not take part
   * in the consultation the item was agreed in: ownership is what counts. Anyone else who
   * takes part gets 403; anyone outside 404.
   */
  async progress(
    p: Principal,
    itemId: string,
    req: ProgressIn,
    meta: RequestMeta,
  ): Promise<PlanItem> {
    const item = await auditedTransaction(this.#db, async (tx) => {
      const current = await planRepo.byId(tx, itemId, true);
      if (!current) throw notFound('Plan item');
      const consultation = await consultationsRepo.byId(tx, current.consultationId);
      if (!consultation) throw notFound('Plan item');
      if (!(await this.#owns(tx, current, p))) {
        const member = membership(p, consultation);
        const denial = member
          ? forbidden('only the owner of an item marks it done or adds notes')
          : notFound('Plan item');
        await this.#audit(tx, actorOf(p), consultation.id, meta, 'denied:plan.item.progress', {
          itemId,
        });
        return denial;
      }
      return this.#applyProgress(tx, current, consultation, req, meta, {
        actor: actorOf(p),
        name: nameOf(p, consultation),
        role: p.role,
      });
    });
    if (item instanceof DomainError) throw item;
    this.#changed({ consultationId: item.consultationId, itemId, change: 'progress' });
    return item;
  }

  /**
   * Progress by someone whose right the caller has established (the patient entry: the
   * patient or a guardian of the item's patient record, for items the patient owns).
   */
  async progressAsPatient(
    itemId: string,
    recordIds: readonly string[],
    req: ProgressIn,
    meta: RequestMeta,
    who: (patientRecordId: string) => ProgressActor,
  ): Promise<PlanItem> {
    const item = await this.#db.transaction(async (tx) => {
      const current = await planRepo.byId(tx, itemId, true);
      if (!current || !recordIds.includes(current.patientRecordId)) throw notFound('Plan item');
      if (current.owner.kind !== 'patient') {
        throw forbidden('only the owner of an item marks it done or adds notes');
      }
      const consultation = await consultationsRepo.byId(tx, current.consultationId);
      if (!consultation) throw notFound('Plan item');
      return this.#applyProgress(
        tx,
        current,
        consultation,
        req,
        meta,
        who(current.patientRecordId),
      );
    });
    this.#changed({ consultationId: item.consultationId, itemId, change: 'progress' });
    return item;
  }

  /** For the live session: the whole plan, as everyone admitted to the call sees it. */
  async listForSession(consultationId: string): Promise<PlanItem[]> {
    return (await planRepo.forConsultation(this.#db, consultationId)).map(publicItem);
  }

  /**
   * "Mine konsultasjonar": the items a staff member owns (through a care team membership
   * linked to their account) and the plans of the consultations they took part in during the
   * last year, each as they may see it. Audited once per consultation shown.
   */
  async mine(p: Principal, meta: RequestMeta): Promise<MyPlanItems> {
    if (p.kind !== 'staff') throw forbidden('needs a staff login');
    return this.#db.transaction(async (tx) => {
      const memberIds = await careTeamRepo.idsForAccount(tx, p.accountId);
      const since = new Date(Date.now() - MY_PLANS_DAYS * 86400_000);
      const rows = await planRepo.inContext(
        tx,
        `i.owner_member_id = ANY($1::uuid[]) OR (c.starts_at >= $3 AND EXISTS (
           SELECT 1 FROM participants p WHERE p.consultation_id = c.id AND p.account_id = $2
              AND p.removed_at IS NULL))`,
        [memberIds, p.accountId, since],
      );
      const consultationIds = [...new Set(rows.map((x) => x.consultationId))];
      const consents = await consentsRepo.activeMany(tx, consultationIds);
      const consultations = new Map<string, Consultation>();
      for (const id of consultationIds) {
        const c = await consultationsRepo.byId(tx, id);
        if (c) consultations.set(id, c);
      }
      const items = rows.filter((x) => {
        if (x.ownerAccountId === p.accountId) return true;
        const c = consultations.get(x.consultationId);
        const me = c && membership(p, c);
        return !!c && !!me && planScope(me.role, c, consents.get(c.id)) === 'all';
      });
      await appendAuditMany(
        tx,
        [...new Set(items.map((x) => x.consultationId))].map((consultationId) => ({
          actor: actorOf(p),
          action: 'plan.read',
          consultationId,
          clientAddress: meta.clientAddress,
          detail: { via: 'mine' },
        })),
      );
      return {
        items: items.map(({ patientRecordId: _r, ownerAccountId: _a, ...x }) => x),
        ownItemIds: items.filter((x) => x.ownerAccountId === p.accountId).map((x) => x.id),
      };
    });
  }

  /** Every item of the patient's records (the patient entry; the caller audits). */
  async forRecords(q: Queryable, recordIds: readonly string[]) {
    if (recordIds.length === 0) return [];
    const rows = await planRepo.inContext(q, `i.patient_record_id = ANY($1::uuid[])`, [recordIds]);
    return rows.map((x) => ({ ...x }));
  }

  async #applyProgress(
    tx: Transaction,
    current: StoredItem,
    c: Consultation,
    req: ProgressIn,
    meta: RequestMeta,
    who: ProgressActor,
  ): Promise<PlanItem> {
    if (c.status === 'cancelled') {
      throw new DomainError('invalid_state', 'The consultation is cancelled');
    }
    if (req.status !== undefined && req.status !== current.status) {
      await planRepo.setStatus(tx, current.id, req.status, who.name);
      await this.#audit(
        tx,
        who.actor,
        c.id,
        meta,
        req.status === 'done' ? 'plan.item.done' : 'plan.item.reopen',
        { itemId: current.id },
      );
    }
    if (req.note !== undefined) {
      const noteId = randomUUID();
      await planRepo.addNote(tx, {
        id: noteId,
        itemId: current.id,
        text: req.note,
        authorName: who.name,
        authorRole: who.role,
      });
      await this.#audit(tx, who.actor, c.id, meta, 'plan.item.note', {
        itemId: current.id,
        noteId,
      });
    }
    return publicItem((await planRepo.byId(tx, current.id))!);
  }

  async #writable(tx: Transaction, p: Principal, consultationId: string, meta: RequestMeta) {
    const { consultation } = await loadAuthorised(tx, p, consultationId, 'plan.write', {
      forUpdate: true,
      meta,
    });
    if (consultation.status === 'cancelled') {
      throw new DomainError('invalid_state', 'The consultation is cancelled');
    }
    const record = await this.#records.ofConsultation(tx, consultation);
    if (!record) {
      throw new DomainError('invalid_state', 'A consultation without a patient has no plan');
    }
    return { consultation, record };
  }

  /** Checks the owner against the patient's care team and gives their name and role. */
  async #owner(
    q: Queryable,
    c: Consultation,
    record: string,
    owner: PlanOwner,
    path: string,
  ): Promise<{ name: string; role: string }> {
    if (owner.kind === 'patient') {
      const patient = c.participants.find((x) => x.role === 'patient');
      if (!patient) throw badRequest('the consultation has no patient', path);
      return { name: patient.name, role: 'patient' };
    }
    const member = await careTeamRepo.byId(q, owner.memberId);
    if (!member || member.patientRecordId !== record) {
      throw badRequest('not a member of the patient’s care team', `${path}.memberId`);
    }
    return { name: member.name, role: member.role };
  }

  /** Whether `p` owns the item (see `progress`). */
  async #owns(q: Queryable, item: StoredItem, p: Principal): Promise<boolean> {
    if (item.owner.kind === 'care_team_member') {
      return item.ownerAccountId !== null && p.accountId === item.ownerAccountId;
    }
    if (p.kind !== 'participant') return false;
    // The patient (or a guardian) through any of the patient's consultations.
    const theirs = await consultationsRepo.byId(q, p.consultationId);
    const me = theirs && membership(p, theirs);
    if (!theirs || !me || !speaksForPatient(me, theirs, new Date())) return false;
    return (await this.#records.ofConsultation(q, theirs)) === item.patientRecordId;
  }

  #audit(
    tx: Transaction,
    actor: AuditActor,
    consultationId: string,
    meta: RequestMeta,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<number> {
    return appendAudit(tx, {
      actor,
      action,
      consultationId,
      clientAddress: meta.clientAddress,
      detail,
    });
  }

  #changed(e: Omit<PlanChangedEvent, 'at'>): void {
    this.#events.emit('plan.changed', { ...e, at: new Date().toISOString() });
  }
}

/** The name a principal took part under (their participant in the consultation). */
function nameOf(p: Principal, c: Consultation): string {
  return membership(p, c)?.name ?? p.name;
}
