import { randomUUID } from 'node:crypto';
import {
  consentHolders,
  type Consent,
  type ConsentRefusal,
  type GiveConsentRequest,
  type RefuseConsentRequest,
  type WithdrawConsentRequest,
} from '@samkons/shared';
import type { Database } from '../db/database.js';
import { consentsRepo } from '../db/consents-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { assertLive, auditedTransaction, loadAuthorised } from '../booking/access.js';
import { DomainError, notFound } from '../http/domain-error.js';
import { membership } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { DomainEventBus } from './events.js';

const badRequest = (msg: string) => new DomainError('bad_request', msg);

/**
 * Consent rules: a patient aged 16 or more consents for themself; under 16 a guardian
 * (next of kin marked as guardian) does. In the app the holder consents; a clinician taking
 * part may record a verbal consent, naming the holder. One consent is in force at a time:
 * a new one supersedes the old, and whatever it no longer covers counts as withdrawn.
 */
export class ConsentService {
  readonly #db: Database;
  readonly #events: DomainEventBus;

  constructor(db: Database, events: DomainEventBus) {
    this.#db = db;
    this.#events = events;
  }

  async list(p: Principal, consultationId: string, meta: RequestMeta): Promise<Consent[]> {
    return auditedTransaction(this.#db, async (tx) => {
      await loadAuthorised(tx, p, consultationId, 'consent.read', {
        meta,
      });
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consent.read',
        consultationId,
        clientAddress: meta.clientAddress,
      });
      return consentsRepo.list(tx, consultationId);
    });
  }

  async give(
    p: Principal,
    consultationId: string,
    req: GiveConsentRequest,
    meta: RequestMeta,
  ): Promise<Consent> {
    const action = req.method === 'in_app' ? 'consent.give' : 'consent.recordVerbal';
    const now = new Date();
    const { consent, previous } = await auditedTransaction(this.#db, async (tx) => {
      const { consultation, consent: previous } = await loadAuthorised(
        tx,
        p,
        consultationId,
        action,
        {
          forUpdate: true,
          meta,
        },
      );
      assertLive(consultation);
      const me = membership(p, consultation);
      if (!me) throw notFound('Consultation');
      const holders = consentHolders(consultation, now).map((h) => h.id);
      const givenBy = req.method === 'in_app' ? me.id : req.givenByParticipantId;
      if (
        req.method === 'in_app' &&
        req.givenByParticipantId &&
        req.givenByParticipantId !== me.id
      ) {
        throw badRequest('In the app you consent for yourself only');
      }
      if (!givenBy || !holders.includes(givenBy)) {
        throw badRequest('givenByParticipantId must be the patient (16+) or a guardian');
      }
      const ids = new Set(consultation.participants.map((x) => x.id));
      const unknown = req.coveredParticipantIds.filter((id) => !ids.has(id));
      if (unknown.length > 0) throw badRequest(`Not participants: ${unknown.join(', ')}`);
      const consent: Consent = {
        id: randomUUID(),
        consultationId,
        givenByParticipantId: givenBy,
        method: req.method,
        recordedByParticipantId: req.method === 'verbal' ? me.id : null,
        coveredParticipantIds: [...new Set(req.coveredParticipantIds)],
        shareHealthInfo: req.shareHealthInfo,
        givenAt: now.toISOString(),
        withdrawnAt: null,
        withdrawnByParticipantId: null,
        supersededAt: null,
      };
      if (previous) await consentsRepo.supersede(tx, previous.id, consent.givenAt);
      await consentsRepo.insert(tx, consent);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: req.method === 'in_app' ? 'consent.give' : 'consent.record_verbal',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: {
          consentId: consent.id,
          covered: consent.coveredParticipantIds.length,
          share: consent.shareHealthInfo,
        },
      });
      return { consent, previous };
    });
    // Events only after commit: subscribers never act on a rolled-back change.
    if (previous) {
      const lost = previous.coveredParticipantIds.filter(
        (id) => !consent.coveredParticipantIds.includes(id),
      );
      const shareLost = previous.shareHealthInfo && !consent.shareHealthInfo;
      if (lost.length > 0 || shareLost) {
        this.#events.emit('consent.withdrawn', {
          consultationId,
          consentId: previous.id,
          reason: 'narrowed',
          withdrawnAt: consent.givenAt,
          withdrawnByParticipantId: consent.givenByParticipantId,
          affectedParticipantIds: lost,
          shareHealthInfoWithdrawn: shareLost,
        });
      }
    }
    this.#events.emit('consent.given', {
      consultationId,
      consentId: consent.id,
      givenByParticipantId: consent.givenByParticipantId,
      coveredParticipantIds: consent.coveredParticipantIds,
      shareHealthInfo: consent.shareHealthInfo,
      givenAt: consent.givenAt,
    });
    return consent;
  }

  /**
   * The holder says no. Recorded in the audit log only (no consent row): a refusal never
   * deletes or narrows a consent in force, it states what the holder said at that time.
   * Whether anyone may be admitted still follows the consent in force, if any.
   */
  async refuse(
    p: Principal,
    consultationId: string,
    req: RefuseConsentRequest,
    meta: RequestMeta,
  ): Promise<ConsentRefusal> {
    const now = new Date();
    const method = req.method ?? 'in_app';
    // Recording someone else's spoken "no" needs the standing that recording a yes does.
    const action = method === 'verbal' ? 'consent.recordVerbal' : 'consent.refuse';
    const refusal = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, action, {
        forUpdate: true,
        meta,
      });
      assertLive(consultation);
      const me = membership(p, consultation);
      if (!me) throw notFound('Consultation');
      if (
        method === 'in_app' &&
        req.refusedByParticipantId &&
        req.refusedByParticipantId !== me.id
      ) {
        throw badRequest('In the app you refuse for yourself only');
      }
      const refusedBy = method === 'in_app' ? me.id : req.refusedByParticipantId;
      if (!refusedBy || !consentHolders(consultation, now).some((h) => h.id === refusedBy)) {
        throw badRequest('refusedByParticipantId must be the patient (16+) or a guardian');
      }
      const refusal: ConsentRefusal = {
        consultationId,
        refusedByParticipantId: refusedBy,
        method,
        recordedByParticipantId: method === 'verbal' ? me.id : null,
        refusedAt: now.toISOString(),
      };
      await appendAudit(tx, {
        actor: actorOf(p),
        action: method === 'verbal' ? 'consent.record_verbal_refusal' : 'consent.refused',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { refusedByParticipantId: refusedBy },
      });
      return refusal;
    });
    // After commit, as for the other consent events.
    this.#events.emit('consent.refused', {
      consultationId,
      refusedByParticipantId: refusal.refusedByParticipantId,
      method: refusal.method,
      refusedAt: refusal.refusedAt,
    });
    return refusal;
  }

  async withdraw(
    p: Principal,
    consultationId: string,
    consentId: string,
    req: WithdrawConsentRequest,
    meta: RequestMeta,
  ): Promise<Consent> {
    const now = new Date();
    const withdrawn = await auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'consent.withdraw', {
        forUpdate: true,
        meta,
      });
      const consent = await consentsRepo.byId(tx, consentId);
      if (!consent || consent.consultationId !== consultationId) throw notFound('Consent');
      if (consent.withdrawnAt || consent.supersededAt) {
        throw new DomainError('invalid_state', 'That consent is no longer in force');
      }
      const me = membership(p, consultation);
      if (!me) throw notFound('Consultation');
      const holders = consentHolders(consultation, now).map((h) => h.id);
      // The holder withdraws for themself; a clinician records who withdrew verbally.
      const by = holders.includes(me.id) ? me.id : req.withdrawnByParticipantId;
      if (!by || !holders.includes(by)) {
        throw badRequest('withdrawnByParticipantId must be the patient (16+) or a guardian');
      }
      await consentsRepo.withdraw(tx, consentId, now.toISOString(), by);
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'consent.withdraw',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { consentId },
      });
      return { ...consent, withdrawnAt: now.toISOString(), withdrawnByParticipantId: by };
    });
    this.#events.emit('consent.withdrawn', {
      consultationId,
      consentId,
      reason: 'withdrawn',
      withdrawnAt: withdrawn.withdrawnAt ?? now.toISOString(),
      withdrawnByParticipantId: withdrawn.withdrawnByParticipantId ?? '',
      affectedParticipantIds: withdrawn.coveredParticipantIds,
      shareHealthInfoWithdrawn: withdrawn.shareHealthInfo,
    });
    return withdrawn;
  }
}
