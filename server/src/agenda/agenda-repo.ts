import type { AgendaPart, AgendaTemplateId } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { iso } from '../db/rows.js';

/** An agenda as stored (before it is resolved against the current participants). */
export interface StoredAgenda {
  consultationId: string;
  version: number;
  template: AgendaTemplateId;
  parts: AgendaPart[];
  updatedAt: string;
}

interface Raw {
  consultation_id: string;
  version: number;
  template: AgendaTemplateId;
  parts: AgendaPart[] | string;
  updated_at: Date;
}

const map = (r: Raw): StoredAgenda => ({
  consultationId: r.consultation_id,
  version: Number(r.version),
  template: r.template,
  parts: typeof r.parts === 'string' ? (JSON.parse(r.parts) as AgendaPart[]) : r.parts,
  updatedAt: iso(r.updated_at),
});

export const agendaRepo = {
  async get(q: Queryable, consultationId: string, forUpdate = false) {
    const r = await q.query<Raw>(
      `SELECT * FROM consultation_agendas WHERE consultation_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [consultationId],
    );
    return r.rows[0] && map(r.rows[0]);
  },

  /** Inserts version 1 unless an agenda exists already (then returns that one). */
  async insertFirst(
    q: Queryable,
    consultationId: string,
    template: AgendaTemplateId,
    parts: AgendaPart[],
  ): Promise<StoredAgenda> {
    await q.query(
      `INSERT INTO consultation_agendas (consultation_id, version, template, parts)
       VALUES ($1, 1, $2, $3::jsonb) ON CONFLICT (consultation_id) DO NOTHING`,
      [consultationId, template, JSON.stringify(parts)],
    );
    const stored = await this.get(q, consultationId);
    if (!stored) throw new Error('agenda vanished after insert');
    return stored;
  },

  /** Saves a new version only if `expectedVersion` is still current; undefined otherwise. */
  async replace(
    q: Queryable,
    consultationId: string,
    expectedVersion: number,
    template: AgendaTemplateId,
    parts: AgendaPart[],
  ): Promise<StoredAgenda | undefined> {
    const r = await q.query<Raw>(
      `UPDATE consultation_agendas
          SET version = version + 1, template = $3, parts = $4::jsonb, updated_at = now()
        WHERE consultation_id = $1 AND version = $2
       RETURNING *`,
      [consultationId, expectedVersion, template, JSON.stringify(parts)],
    );
    return r.rows[0] && map(r.rows[0]);
  },
};
