import type { Queryable } from './database.js';

export const invitesRepo = {
  async insert(
    q: Queryable,
    i: { id: string; consultationId: string; participantId: string },
  ): Promise<void> {
    await q.query('INSERT INTO invites (id, consultation_id, participant_id) VALUES ($1, $2, $3)', [
      i.id,
      i.consultationId,
      i.participantId,
    ]);
  },
  async byId(
    q: Queryable,
    id: string,
  ): Promise<
    { id: string; consultationId: string; participantId: string; revoked: boolean } | undefined
  > {
    const r = await q.query<{
      id: string;
      consultation_id: string;
      participant_id: string;
      revoked: boolean;
    }>(
      'SELECT id, consultation_id, participant_id, revoked_at IS NOT NULL AS revoked FROM invites WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return (
      row && {
        id: row.id,
        consultationId: row.consultation_id,
        participantId: row.participant_id,
        revoked: row.revoked,
      }
    );
  },
  async activeForParticipant(q: Queryable, participantId: string): Promise<string | undefined> {
    const r = await q.query<{ id: string }>(
      `SELECT id FROM invites WHERE participant_id = $1 AND revoked_at IS NULL
        ORDER BY created_at DESC LIMIT 1`,
      [participantId],
    );
    return r.rows[0]?.id;
  },
  async revokeForParticipant(q: Queryable, participantId: string): Promise<number> {
    const r = await q.query(
      'UPDATE invites SET revoked_at = now() WHERE participant_id = $1 AND revoked_at IS NULL',
      [participantId],
    );
    return r.rowCount;
  },
  async revokeForConsultation(q: Queryable, consultationId: string): Promise<number> {
    const r = await q.query(
      'UPDATE invites SET revoked_at = now() WHERE consultation_id = $1 AND revoked_at IS NULL',
      [consultationId],
    );
    return r.rowCount;
  },
};
