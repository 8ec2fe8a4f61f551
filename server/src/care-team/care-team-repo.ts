import type { CareTeamMember, CareTeamRole } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { iso } from '../db/rows.js';

interface Raw {
  id: string;
  patient_record_id: string;
  role: CareTeamRole;
  title: string | null;
  name: string;
  organisation: string | null;
  phone: string | null;
  email: string | null;
  account_id: string | null;
  is_coordinator: boolean;
  updated_at: Date;
}

export type StoredMember = CareTeamMember & { patientRecordId: string };

const map = (r: Raw): StoredMember => ({
  id: r.id,
  patientRecordId: r.patient_record_id,
  role: r.role,
  title: r.title,
  name: r.name,
  organisation: r.organisation,
  phone: r.phone,
  email: r.email,
  accountId: r.account_id,
  isCoordinator: r.is_coordinator,
  updatedAt: iso(r.updated_at),
});

const columns: Record<string, string> = {
  role: 'role',
  title: 'title',
  name: 'name',
  organisation: 'organisation',
  phone: 'phone',
  email: 'email',
  accountId: 'account_id',
  isCoordinator: 'is_coordinator',
};

export type MemberFields = Omit<CareTeamMember, 'id' | 'updatedAt'>;

export const careTeamRepo = {
  /** Current members, the coordinator first, then by when they were added. */
  async members(q: Queryable, recordId: string): Promise<StoredMember[]> {
    const r = await q.query<Raw>(
      `SELECT * FROM care_team_members WHERE patient_record_id = $1 AND removed_at IS NULL
        ORDER BY is_coordinator DESC, created_at, id`,
      [recordId],
    );
    return r.rows.map(map);
  },

  async byId(q: Queryable, id: string): Promise<StoredMember | undefined> {
    const r = await q.query<Raw>(
      'SELECT * FROM care_team_members WHERE id = $1 AND removed_at IS NULL',
      [id],
    );
    return r.rows[0] && map(r.rows[0]);
  },

  async insert(q: Queryable, id: string, recordId: string, m: MemberFields): Promise<void> {
    await q.query(
      `INSERT INTO care_team_members (id, patient_record_id, role, title, name, organisation, phone,
         email, account_id, is_coordinator)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        recordId,
        m.role,
        m.title,
        m.name,
        m.organisation,
        m.phone,
        m.email,
        m.accountId,
        m.isCoordinator,
      ],
    );
  },

  async update(q: Queryable, id: string, patch: Partial<MemberFields>): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || !columns[key]) continue;
      params.push(value);
      sets.push(`${columns[key]} = $${params.length}`);
    }
    await q.query(
      `UPDATE care_team_members SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`,
      params,
    );
  },

  /** Makes nobody the coordinator (before another becomes it). */
  async clearCoordinator(q: Queryable, recordId: string): Promise<void> {
    await q.query(
      `UPDATE care_team_members SET is_coordinator = false, updated_at = now()
        WHERE patient_record_id = $1 AND is_coordinator AND removed_at IS NULL`,
      [recordId],
    );
  },

  async remove(q: Queryable, id: string): Promise<void> {
    await q.query(
      `UPDATE care_team_members SET removed_at = now(), is_coordinator = false WHERE id = $1`,
      [id],
    );
  },

  /** Member ids linked to a staff account, across every record. */
  async idsForAccount(q: Queryable, accountId: string): Promise<string[]> {
    const r = await q.query<{ id: string }>(
      'SELECT id FROM care_team_members WHERE account_id = $1 AND removed_at IS NULL',
      [accountId],
    );
    return r.rows.map((x) => x.id);
  },
};
