import type { Consent, ConsentMethod } from '@samkons/shared';
import type { Queryable } from './database.js';
import { iso, isoOrNull } from './rows.js';

interface Raw {
  id: string;
  consultation_id: string;
  given_by_participant_id: string;
  method: ConsentMethod;
  recorded_by_participant_id: string | null;
  covered_participant_ids: string[];
  share_health_info: boolean;
  given_at: Date;
  withdrawn_at: Date | null;
  withdrawn_by_participant_id: string | null;
  superseded_at: Date | null;
}

const map = (r: Raw): Consent => ({
  id: r.id,
  consultationId: r.consultation_id,
  givenByParticipantId: r.given_by_participant_id,
  method: r.method,
  recordedByParticipantId: r.recorded_by_participant_id,
  coveredParticipantIds: r.covered_participant_ids,
  shareHealthInfo: r.share_health_info,
  givenAt: iso(r.given_at),
  withdrawnAt: isoOrNull(r.withdrawn_at),
  withdrawnByParticipantId: r.withdrawn_by_participant_id,
  supersededAt: isoOrNull(r.superseded_at),
});

export const consentsRepo = {
  async insert(q: Queryable, c: Consent): Promise<void> {
    await q.query(
      `INSERT INTO consents (id, consultation_id, given_by_participant_id, method, recorded_by_participant_id,
         covered_participant_ids, share_health_info, given_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [
        c.id,
        c.consultationId,
        c.givenByParticipantId,
        c.method,
        c.recordedByParticipantId,
        JSON.stringify(c.coveredParticipantIds),
        c.shareHealthInfo,
        c.givenAt,
      ],
    );
  },
  async list(q: Queryable, consultationId: string): Promise<Consent[]> {
    const r = await q.query<Raw>(
      'SELECT * FROM consents WHERE consultation_id = $1 ORDER BY given_at, id',
      [consultationId],
    );
    return r.rows.map(map);
  },
  /** The one consent in force: neither withdrawn nor superseded. */
  async active(q: Queryable, consultationId: string): Promise<Consent | undefined> {
    const r = await q.query<Raw>(
      `SELECT * FROM consents WHERE consultation_id = $1 AND withdrawn_at IS NULL AND superseded_at IS NULL
        ORDER BY given_at DESC LIMIT 1`,
      [consultationId],
    );
    return r.rows[0] && map(r.rows[0]);
  },
  async activeMany(q: Queryable, consultationIds: string[]): Promise<Map<string, Consent>> {
    if (consultationIds.length === 0) return new Map();
    const r = await q.query<Raw>(
      `SELECT * FROM consents WHERE consultation_id = ANY($1::uuid[])
          AND withdrawn_at IS NULL AND superseded_at IS NULL`,
      [consultationIds],
    );
    return new Map(r.rows.map((x) => [x.consultation_id, map(x)]));
  },
  async byId(q: Queryable, id: string): Promise<Consent | undefined> {
    const r = await q.query<Raw>('SELECT * FROM consents WHERE id = $1', [id]);
    return r.rows[0] && map(r.rows[0]);
  },
  async supersede(q: Queryable, id: string, at: string): Promise<void> {
    await q.query('UPDATE consents SET superseded_at = $2 WHERE id = $1', [id, at]);
  },
  async withdraw(q: Queryable, id: string, at: string, byParticipantId: string): Promise<boolean> {
    const r = await q.query(
      `UPDATE consents SET withdrawn_at = $2, withdrawn_by_participant_id = $3
        WHERE id = $1 AND withdrawn_at IS NULL AND superseded_at IS NULL`,
      [id, at, byParticipantId],
    );
    return r.rowCount > 0;
  },
};
