import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/database.js';

/** SQL for patient records and which consultation is about which record (migration 31). */
export const recordsRepo = {
  async forConsultation(q: Queryable, consultationId: string): Promise<string | undefined> {
    const r = await q.query<{ patient_record_id: string }>(
      'SELECT patient_record_id FROM consultation_patients WHERE consultation_id = $1',
      [consultationId],
    );
    return r.rows[0]?.patient_record_id;
  },

  async byIdentityHash(q: Queryable, identityHash: string): Promise<string | undefined> {
    const r = await q.query<{ id: string }>(
      'SELECT id FROM patient_records WHERE identity_hash = $1',
      [identityHash],
    );
    return r.rows[0]?.id;
  },

  async identityHash(q: Queryable, recordId: string): Promise<string | null | undefined> {
    const r = await q.query<{ identity_hash: string | null }>(
      'SELECT identity_hash FROM patient_records WHERE id = $1',
      [recordId],
    );
    return r.rows[0] ? r.rows[0].identity_hash : undefined;
  },

  /** The record keyed by this hash, created when there is none (race-safe). */
  async findOrCreateByHash(q: Queryable, identityHash: string): Promise<string> {
    await q.query(
      `INSERT INTO patient_records (id, identity_hash) VALUES ($1, $2)
       ON CONFLICT (identity_hash) DO NOTHING`,
      [randomUUID(), identityHash],
    );
    const id = await this.byIdentityHash(q, identityHash);
    if (!id) throw new Error('patient record vanished after insert');
    return id;
  },

  async create(q: Queryable): Promise<string> {
    const id = randomUUID();
    await q.query('INSERT INTO patient_records (id) VALUES ($1)', [id]);
    return id;
  },

  async setIdentityHash(q: Queryable, recordId: string, identityHash: string): Promise<void> {
    await q.query('UPDATE patient_records SET identity_hash = $2 WHERE id = $1', [
      recordId,
      identityHash,
    ]);
  },

  /** Links a consultation to a record unless it is linked already; returns the link in force. */
  async link(q: Queryable, consultationId: string, recordId: string): Promise<string> {
    await q.query(
      `INSERT INTO consultation_patients (consultation_id, patient_record_id) VALUES ($1, $2)
       ON CONFLICT (consultation_id) DO NOTHING`,
      [consultationId, recordId],
    );
    const linked = await this.forConsultation(q, consultationId);
    if (!linked) throw new Error('consultation link vanished after insert');
    return linked;
  },

  /** Consultations about the record (not cancelled), by start. */
  async consultations(
    q: Queryable,
    recordId: string,
  ): Promise<{ id: string; startsAt: Date; status: string }[]> {
    const r = await q.query<{ id: string; starts_at: Date; status: string }>(
      `SELECT c.id, c.starts_at, c.status FROM consultation_patients cp
         JOIN consultations c ON c.id = cp.consultation_id
        WHERE cp.patient_record_id = $1 AND c.status <> 'cancelled'
        ORDER BY c.starts_at, c.id`,
      [recordId],
    );
    return r.rows.map((x) => ({ id: x.id, startsAt: x.starts_at, status: x.status }));
  },

  /**
   * Whether the staff account takes part in the patient's care: a (not removed) participant
   * in one of the record's consultations, or a member of its care team.
   */
  async staffInvolved(q: Queryable, recordId: string, accountId: string): Promise<boolean> {
    const r = await q.query(
      `SELECT 1 FROM consultation_patients cp
         JOIN participants p ON p.consultation_id = cp.consultation_id
        WHERE cp.patient_record_id = $1 AND p.account_id = $2 AND p.removed_at IS NULL
       UNION ALL
       SELECT 1 FROM care_team_members m
        WHERE m.patient_record_id = $1 AND m.account_id = $2 AND m.removed_at IS NULL
       LIMIT 1`,
      [recordId, accountId],
    );
    return r.rows.length > 0;
  },
};

/** Where a person (by the keyed hash of their number) is booked as patient or next of kin. */
export async function bookingsOfIdentity(
  q: Queryable,
  identityHash: string,
): Promise<{ participantId: string; consultationId: string; role: 'patient' | 'next_of_kin' }[]> {
  const r = await q.query<{
    participant_id: string;
    consultation_id: string;
    role: 'patient' | 'next_of_kin';
  }>(
    `SELECT p.id AS participant_id, p.consultation_id, p.role
       FROM participants p JOIN consultations c ON c.id = p.consultation_id
      WHERE p.identity_hash = $1 AND p.removed_at IS NULL AND c.status <> 'cancelled'
        AND p.role IN ('patient', 'next_of_kin')
      ORDER BY c.starts_at, c.id`,
    [identityHash],
  );
  return r.rows.map((x) => ({
    participantId: x.participant_id,
    consultationId: x.consultation_id,
    role: x.role,
  }));
}
