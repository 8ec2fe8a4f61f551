import type { Consent, Consultation } from '@samkons/shared';
import type { Database, Queryable, Transaction } from '../db/database.js';
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
 * consultation exists); participants without the permission get 403. Run it inside
 * `auditedTransaction` so denials are audited.
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
  },
): Promise<Loaded> {
  const consultation = await consultationsRepo.byId(q, consultationId, opts.forUpdate ?? false);
  if (!consultation) throw notFound('Consultation');
  const consent = await consentsRepo.active(q, consultationId);
  const decision = decide(principal, action, { consultation, consent, ...opts.extra });
  if (!decision.allowed) {
    const audit = { principal, action, consultationId, meta: opts.meta, reason: decision.reason };
    if (!membership(principal, consultation)) {
      throw new AccessDenied('not_found', 'Consultation not found', audit);
    }
    throw new AccessDenied('forbidden', decision.reason, audit);
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

/** A denial that the caller audits after its transaction has rolled back. */
export class AccessDenied extends DomainError {
  readonly audit: DeniedAudit;
  constructor(code: 'forbidden' | 'not_found', message: string, audit: DeniedAudit) {
    super(code, message);
    this.audit = audit;
  }
}

/**
 * Runs `fn` in a transaction; a policy denial inside it is audited in a transaction of
 * its own after the rollback (PGlite has one connection: no nesting).
 */
export async function auditedTransaction<T>(
  db: Database,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction(fn);
  } catch (err) {
    if (err instanceof AccessDenied) {
      const d = err.audit;
      await db.transaction((tx) =>
        appendAudit(tx, {
          actor: actorOf(d.principal),
          action: `denied:${d.action}`,
          consultationId: d.consultationId,
          clientAddress: d.meta.clientAddress,
          detail: { reason: d.reason },
        }),
      );
    }
    throw err;
  }
}

export function assertLive(c: Consultation): void {
  if (c.status === 'cancelled' || c.status === 'completed' || c.status === 'no_show') {
    throw new DomainError('invalid_state', `The consultation is ${c.status}`);
  }
}
