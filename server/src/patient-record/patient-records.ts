import type { Consultation } from '@samkons/shared';
import type { Queryable, Transaction } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { loadAuthorised } from '../booking/access.js';
import { DomainError } from '../http/domain-error.js';
import type { Principal } from '../policy/principal.js';
import { recordsRepo } from './records-repo.js';

const badRequest = (message: string, path: string) =>
  new DomainError('bad_request', message, [{ path, message }]);

/**
 * Which patient a consultation is about, across consultations. Keyed by the keyed hash of
 * the national identity number where the patient was booked with one: every booking with
 * that number meets the same record. A patient booked without a number gets a record of
 * their own, unless the organiser says the booking continues an earlier consultation they
 * took part in (`continuesFrom`): names and birth dates never join two records, since
 * joining the wrong ones would show one patient's care team and plan to another's.
 */
export class PatientRecords {
  /** The record of the consultation's patient, linked on first use; undefined without one. */
  async ofConsultation(q: Queryable, c: Consultation): Promise<string | undefined> {
    const linked = await recordsRepo.forConsultation(q, c.id);
    if (linked) return linked;
    const patient = c.participants.find((p) => p.role === 'patient');
    if (!patient) return undefined;
    const hash = await consultationsRepo.identityHash(q, patient.id);
    const record = hash
      ? await recordsRepo.findOrCreateByHash(q, hash)
      : await recordsRepo.create(q);
    return recordsRepo.link(q, c.id, record);
  }

  /**
   * Inside the booking's transaction. With `continuesFrom`, the new consultation joins the
   * record of that earlier one, which the booking staff member must take part in; a number
   * given for the new patient must be the record's (or, for a record without one, not
   * another record's: that one is then keyed by it).
   */
  async atBooking(
    tx: Transaction,
    c: Consultation,
    continuesFrom: string | undefined,
    principal: Principal,
    meta: RequestMeta,
  ): Promise<string | undefined> {
    if (continuesFrom === undefined) return this.ofConsultation(tx, c);
    const patient = c.participants.find((p) => p.role === 'patient');
    if (!patient)
      throw badRequest('only a consultation with a patient continues another', 'continuesFrom');
    const { consultation: earlier } = await loadAuthorised(
      tx,
      principal,
      continuesFrom,
      'careTeam.update',
      {
        meta,
      },
    );
    const record = await this.ofConsultation(tx, earlier);
    if (!record) throw badRequest('the earlier consultation has no patient', 'continuesFrom');
    const recordHash = await recordsRepo.identityHash(tx, record);
    const newHash = await consultationsRepo.identityHash(tx, patient.id);
    if (newHash && recordHash && newHash !== recordHash) {
      throw badRequest(
        'the national identity number is not that of the earlier consultation’s patient',
        'participants',
      );
    }
    if (newHash && !recordHash) {
      if (await recordsRepo.byIdentityHash(tx, newHash)) {
        throw new DomainError(
          'conflict',
          'Another care team is kept under this national identity number; book without continuesFrom to use it',
        );
      }
      await recordsRepo.setIdentityHash(tx, record, newHash);
    }
    return recordsRepo.link(tx, c.id, record);
  }
}
