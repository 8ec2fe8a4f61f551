import type { Consent, Consultation } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { consentsRepo } from '../db/consents-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import { DomainError, notFound } from '../http/domain-error.js';
import { decide, membership, type Action, type PolicyContext } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { RequestMeta } from '../auth/auth-service.js';

export interface Loaded {
  consultation: Consultation;
  consent: Consent | undefined;
}

/**
 * Loads a consultation and asks the policy. Non-participants get 404 (no hint that the
 * consultation exists); participants without the permission get 403. Denials are audited
 * outside the caller's transaction, which is about to roll back.
 */
export async function loadAuthorised(
  q: Queryable,
  principal: Principal,
  consultationId: string,
  action: Action,
  opts: {
    forUpdate?: boolean;
    extra?: Omit<PolicyContext, 'consultation' | 'consent'>;
    meta: RequestMeta;
    auditDenied: (q: DeniedAudit) => Promise<void>;
  },
): Promise<Loaded> {
  const consultation = await consultationsRepo.byId(q, consultationId, opts.forUpdate ?? false);
  if (!consultation) throw notFound('Consultation');
  const consent = await consentsRepo.active(q, consultationId);
  const decision = decide(principal, action, { consultation, consent, ...opts.extra });
  if (!decision.allowed) {
    await opts.auditDenied({
      principal,
      action,
      consultationId,
      meta: opts.meta,
      reason: decision.reason,
    });
    if (!membership(principal, consultation)) throw notFound('Consultation');
    throw new DomainError('forbidden', decision.reason);
  }
  return { consultation, consent };
}

export interface DeniedAudit {
  principal: Principal;
  action: Action;
  consultationId: string;
  meta: RequestMeta;
  reason: string;
}

export const auditDenied =
  (db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }) =>
  async (d: DeniedAudit): Promise<void> => {
    await db.transaction((tx) =>
      appendAudit(tx, {
        actor: actorOf(d.principal),
        action: `denied:${d.action}`,
        consultationId: d.consultationId,
        clientAddress: d.meta.clientAddress,
        detail: { reason: d.reason },
      }),
    );
  };

export function assertLive(c: Consultation): void {
  if (c.status === 'cancelled' || c.status === 'completed' || c.status === 'no_show') {
    throw new DomainError('invalid_state', `The consultation is ${c.status}`);
  }
}
