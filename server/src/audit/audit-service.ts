import type { AuditEntry } from '@samkons/shared';
import type { Database } from '../db/database.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import type { Principal } from '../policy/principal.js';
import { appendAudit, listAudit } from './audit-log.js';
import { actorOf } from './actor.js';

/** The patient's (or guardian's) view of who accessed their consultation. */
export class AuditService {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  async forConsultation(
    p: Principal,
    consultationId: string,
    meta: RequestMeta,
  ): Promise<AuditEntry[]> {
    return auditedTransaction(this.#db, async (tx) => {
      await loadAuthorised(tx, p, consultationId, 'audit.read', {
        meta,
      });
      // Reading the log is an access too; it shows up in the answer itself.
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'audit.read',
        consultationId,
        clientAddress: meta.clientAddress,
      });
      return listAudit(tx, consultationId);
    });
  }
}
