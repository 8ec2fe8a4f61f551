import { randomUUID } from 'node:crypto';
import {
  isStaffRole,
  type CareTeam,
  type CareTeamLookupRequest,
  type CareTeamLookupResponse,
  type CareTeamMember,
  type CareTeamMemberPatch,
  type Consultation,
  type NewCareTeamMember,
} from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable, Transaction } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import type { IdentityHasher } from '../auth/identity-hash.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import { DomainError, forbidden, notFound } from '../http/domain-error.js';
import { decide } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { recordsRepo } from '../patient-record/records-repo.js';
import { careTeamRepo, type MemberFields, type StoredMember } from './care-team-repo.js';

type PatchOut = z.output<typeof CareTeamMemberPatch>;
type LookupOut = z.output<typeof CareTeamLookupRequest>;

const badRequest = (message: string, path: string) =>
  new DomainError('bad_request', message, [{ path, message }]);

export const publicMember = ({ patientRecordId: _r, ...m }: StoredMember): CareTeamMember => m;

/**
 * The patient's care team, reached through one of the patient's consultations: health
 * personnel taking part read and edit it, the patient and guardians read it (the patient
 * entry too). Every read and change is audited on that consultation.
 */
export class CareTeamService {
  readonly #db: Database;
  readonly #records: PatientRecords;
  readonly #hasher: IdentityHasher | undefined;

  constructor(db: Database, records: PatientRecords, hasher: IdentityHasher | undefined) {
    this.#db = db;
    this.#records = records;
    this.#hasher = hasher;
  }

  async get(p: Principal, consultationId: string, meta: RequestMeta): Promise<CareTeam> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation, consent } = await loadAuthorised(
        tx,
        p,
        consultationId,
        'careTeam.read',
        {
          meta,
        },
      );
      const record = await this.#records.ofConsultation(tx, consultation);
      const members = record ? await careTeamRepo.members(tx, record) : [];
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'careTeam.read',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { patientRecordId: record ?? null, members: members.length },
      });
      return {
        patientRecordId: record ?? null,
        members: members.map(publicMember),
        canEdit:
          record !== undefined && decide(p, 'careTeam.update', { consultation, consent }).allowed,
      };
    });
  }

  async addMember(
    p: Principal,
    consultationId: string,
    input: z.output<typeof NewCareTeamMember>,
    meta: RequestMeta,
  ): Promise<CareTeamMember> {
    return auditedTransaction(this.#db, async (tx) => {
      const { record } = await this.#editable(tx, p, consultationId, meta);
      const fields: MemberFields = {
        role: input.role,
        title: input.title ?? null,
        name: input.name,
        organisation: input.organisation ?? null,
        phone: input.phone ?? null,
        email: input.email ?? null,
        accountId: input.accountId ?? null,
        isCoordinator: input.isCoordinator ?? false,
      };
      await this.#checkAccount(tx, record, fields, undefined);
      if (fields.isCoordinator) await careTeamRepo.clearCoordinator(tx, record);
      const id = randomUUID();
      await careTeamRepo.insert(tx, id, record, fields);
      await this.#audit(tx, p, consultationId, meta, 'careTeam.member.add', {
        patientRecordId: record,
        memberId: id,
        role: fields.role,
        coordinator: fields.isCoordinator,
      });
      return publicMember((await careTeamRepo.byId(tx, id))!);
    });
  }

  async updateMember(
    p: Principal,
    consultationId: string,
    memberId: string,
    patch: PatchOut,
    meta: RequestMeta,
  ): Promise<CareTeamMember> {
    return auditedTransaction(this.#db, async (tx) => {
      const { record } = await this.#editable(tx, p, consultationId, meta);
      const current = await careTeamRepo.byId(tx, memberId);
      if (!current || current.patientRecordId !== record) throw notFound('Care team member');
      const next: MemberFields = {
        role: patch.role ?? current.role,
        title: patch.title === undefined ? current.title : patch.title,
        name: patch.name ?? current.name,
        organisation: patch.organisation === undefined ? current.organisation : patch.organisation,
        phone: patch.phone === undefined ? current.phone : patch.phone,
        email: patch.email === undefined ? current.email : patch.email,
        accountId: patch.accountId === undefined ? current.accountId : patch.accountId,
        isCoordinator: patch.isCoordinator ?? current.isCoordinator,
      };
      await this.#checkAccount(tx, record, next, memberId);
      if (next.isCoordinator && !current.isCoordinator) {
        await careTeamRepo.clearCoordinator(tx, record);
      }
      await careTeamRepo.update(tx, memberId, next);
      await this.#audit(tx, p, consultationId, meta, 'careTeam.member.update', {
        patientRecordId: record,
        memberId,
        fields: Object.keys(patch),
      });
      return publicMember((await careTeamRepo.byId(tx, memberId))!);
    });
  }

  async removeMember(
    p: Principal,
    consultationId: string,
    memberId: string,
    meta: RequestMeta,
  ): Promise<void> {
    await auditedTransaction(this.#db, async (tx) => {
      const { record } = await this.#editable(tx, p, consultationId, meta);
      const current = await careTeamRepo.byId(tx, memberId);
      if (!current || current.patientRecordId !== record) throw notFound('Care team member');
      await careTeamRepo.remove(tx, memberId);
      await this.#audit(tx, p, consultationId, meta, 'careTeam.member.remove', {
        patientRecordId: record,
        memberId,
      });
    });
  }

  /**
   * Booking pre-fill. Only staff who already take part in the patient's care (in one of the
   * record's consultations or on its care team) get the team; anyone else gets 404, the
   * same as for a number nobody is booked with, so the answer reveals nothing.
   */
  async lookup(p: Principal, req: LookupOut, meta: RequestMeta): Promise<CareTeamLookupResponse> {
    if (p.kind !== 'staff') throw forbidden('only staff accounts book consultations');
    return auditedTransaction(this.#db, async (tx) => {
      let record: string | undefined;
      let via: string | null = null;
      if ('consultationId' in req) {
        const { consultation } = await loadAuthorised(
          tx,
          p,
          req.consultationId,
          'careTeam.update',
          {
            meta,
          },
        );
        record = await this.#records.ofConsultation(tx, consultation);
        via = consultation.id;
      } else {
        if (!this.#hasher) {
          throw new DomainError(
            'bad_request',
            'Identification with an electronic ID is not configured on this server',
          );
        }
        record = await recordsRepo.byIdentityHash(tx, this.#hasher.hash(req.nationalId));
      }
      const allowed =
        record !== undefined && (await recordsRepo.staffInvolved(tx, record, p.accountId));
      await appendAudit(tx, {
        actor: actorOf(p),
        action: allowed ? 'careTeam.lookup' : 'denied:careTeam.lookup',
        consultationId: via,
        clientAddress: meta.clientAddress,
        detail: {
          by: 'consultationId' in req ? 'consultation' : 'national_id',
          patientRecordId: allowed ? record : null,
        },
      });
      if (!allowed || !record) return null;
      const consultations = await recordsRepo.consultations(tx, record);
      return {
        patientRecordId: record,
        members: (await careTeamRepo.members(tx, record)).map(publicMember),
        latestConsultationId: consultations.at(-1)?.id ?? null,
      };
    }).then((r) => {
      if (!r) throw notFound('Care team');
      return r;
    });
  }

  /** The members of a record, for the other LKT services (no audit: the caller audits). */
  members(q: Queryable, recordId: string): Promise<StoredMember[]> {
    return careTeamRepo.members(q, recordId);
  }

  async #editable(tx: Transaction, p: Principal, consultationId: string, meta: RequestMeta) {
    const { consultation } = await loadAuthorised(tx, p, consultationId, 'careTeam.update', {
      forUpdate: true,
      meta,
    });
    return { consultation, record: await this.#requireRecord(tx, consultation) };
  }

  async #requireRecord(q: Queryable, c: Consultation): Promise<string> {
    const record = await this.#records.ofConsultation(q, c);
    if (!record) {
      throw new DomainError('invalid_state', 'A consultation without a patient has no care team');
    }
    return record;
  }

  async #checkAccount(
    q: Queryable,
    record: string,
    m: MemberFields,
    selfId: string | undefined,
  ): Promise<void> {
    if (!m.accountId) return;
    const account = await accountsRepo.byId(q, m.accountId);
    if (!account) throw badRequest('unknown account', 'accountId');
    if (m.role === 'other' || !isStaffRole(m.role) || account.role !== m.role) {
      throw badRequest(`the account has the role ${account.role}`, 'role');
    }
    const twice = (await careTeamRepo.members(q, record)).some(
      (x) => x.accountId === m.accountId && x.id !== selfId,
    );
    if (twice) throw new DomainError('conflict', 'That account is on the care team already');
  }

  async #audit(
    tx: Transaction,
    p: Principal,
    consultationId: string,
    meta: RequestMeta,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await appendAudit(tx, {
      actor: actorOf(p),
      action,
      consultationId,
      clientAddress: meta.clientAddress,
      detail,
    });
  }
}
