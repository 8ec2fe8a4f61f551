import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { consentsRepo } from '../db/consents-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { sameIdentityHash, type IdentityHasher } from '../auth/identity-hash.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import { DomainError } from '../http/domain-error.js';
import type { Principal } from '../policy/principal.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { recordsRepo } from '../patient-record/records-repo.js';
import { careTeamRepo } from '../care-team/care-team-repo.js';
import { publicMember } from '../care-team/care-team-service.js';
import { planRepo } from '../plan/plan-repo.js';
import { publicItem } from '../plan/plan-service.js';
import { toFhirBundle, type FhirBundle } from './fhir-mapping.js';

/**
 * The FHIR R4 export of one consultation for the EPJ: health personnel taking part, by
 * staff login (`fhir.export`). Audited; the row says whether the number was included.
 */
export class FhirService {
  readonly #db: Database;
  readonly #records: PatientRecords;
  readonly #hasher: IdentityHasher | undefined;

  constructor(db: Database, records: PatientRecords, hasher: IdentityHasher | undefined) {
    this.#db = db;
    this.#records = records;
    this.#hasher = hasher;
  }

  async export(
    p: Principal,
    consultationId: string,
    meta: RequestMeta,
    patientNationalId?: string,
  ): Promise<FhirBundle> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'fhir.export', { meta });
      const record = (await this.#records.ofConsultation(tx, consultation)) ?? null;
      if (patientNationalId !== undefined) {
        const stored = record ? await recordsRepo.identityHash(tx, record) : null;
        const matches =
          !!stored &&
          !!this.#hasher &&
          sameIdentityHash(this.#hasher.hash(patientNationalId), stored);
        if (!matches) {
          throw new DomainError(
            'forbidden',
            'The national identity number is not the one this patient was booked with',
          );
        }
      }
      const bundle = toFhirBundle(
        {
          consultation,
          consents: await consentsRepo.list(tx, consultationId),
          patientRecordId: record,
          careTeam: record ? (await careTeamRepo.members(tx, record)).map(publicMember) : [],
          plan: (await planRepo.forConsultation(tx, consultationId)).map(publicItem),
          ...(patientNationalId !== undefined ? { patientNationalId } : {}),
          now: new Date(),
        },
        randomUUID,
      );
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'fhir.export',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: {
          resources: bundle.entry.length,
          nationalId: patientNationalId !== undefined,
        },
      });
      return bundle;
    });
  }
}
