import type { PlanItem, PlanItemInContext, PlanItemNote, PlanOwner } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { iso, isoOrNull } from '../db/rows.js';

interface Raw {
  id: string;
  consultation_id: string;
  patient_record_id: string;
  position: number;
  what: string;
  owner_kind: PlanOwner['kind'];
  owner_member_id: string | null;
  owner_name: string;
  owner_role: string;
  due_date: string | null;
  status: PlanItem['status'];
  done_at: Date | null;
  done_by_name: string | null;
  created_at: Date;
  created_by_name: string;
  updated_at: Date;
  owner_account_id: string | null;
  consultation_title?: string | null;
  consultation_kind?: string;
  consultation_starts_at?: Date;
}

/** An item as stored, with what the services need besides the API shape. */
export interface StoredItem extends PlanItem {
  patientRecordId: string;
  /** The staff account of the owning member today (they may mark it done). */
  ownerAccountId: string | null;
}

const cols = `i.id, i.consultation_id, i.patient_record_id, i.position, i.what, i.owner_kind,
  i.owner_member_id, i.owner_name, i.owner_role, to_char(i.due_date, 'YYYY-MM-DD') AS due_date,
  i.status, i.done_at, i.done_by_name, i.created_at, i.created_by_name, i.updated_at,
  m.account_id AS owner_account_id`;
const from = `plan_items i LEFT JOIN care_team_members m
  ON m.id = i.owner_member_id AND m.removed_at IS NULL`;

const map = (r: Raw, notes: PlanItemNote[]): StoredItem => ({
  id: r.id,
  consultationId: r.consultation_id,
  patientRecordId: r.patient_record_id,
  what: r.what,
  owner:
    r.owner_kind === 'patient'
      ? { kind: 'patient' }
      : { kind: 'care_team_member', memberId: r.owner_member_id! },
  ownerName: r.owner_name,
  ownerRole: r.owner_role,
  ownerAccountId: r.owner_account_id,
  dueDate: r.due_date,
  status: r.status,
  doneAt: isoOrNull(r.done_at),
  doneByName: r.done_by_name,
  createdAt: iso(r.created_at),
  createdByName: r.created_by_name,
  updatedAt: iso(r.updated_at),
  notes,
});

export interface NewRow {
  id: string;
  consultationId: string;
  patientRecordId: string;
  what: string;
  owner: PlanOwner;
  ownerName: string;
  ownerRole: string;
  dueDate: string | null;
  createdByName: string;
}

async function withNotes(q: Queryable, rows: Raw[]): Promise<StoredItem[]> {
  if (rows.length === 0) return [];
  const r = await q.query<{
    id: string;
    plan_item_id: string;
    text: string;
    author_name: string;
    author_role: string;
    created_at: Date;
  }>(`SELECT * FROM plan_item_notes WHERE plan_item_id = ANY($1::uuid[]) ORDER BY created_at, id`, [
    rows.map((x) => x.id),
  ]);
  return rows.map((row) =>
    map(
      row,
      r.rows
        .filter((n) => n.plan_item_id === row.id)
        .map((n) => ({
          id: n.id,
          text: n.text,
          authorName: n.author_name,
          authorRole: n.author_role,
          createdAt: iso(n.created_at),
        })),
    ),
  );
}

export const planRepo = {
  async insert(q: Queryable, x: NewRow): Promise<void> {
    await q.query(
      `INSERT INTO plan_items (id, consultation_id, patient_record_id, position, what, owner_kind,
         owner_member_id, owner_name, owner_role, due_date, status, created_by_name)
       VALUES ($1, $2, $3,
         (SELECT COALESCE(MAX(position), 0) + 1 FROM plan_items WHERE consultation_id = $2),
         $4, $5, $6, $7, $8, $9, 'open', $10)`,
      [
        x.id,
        x.consultationId,
        x.patientRecordId,
        x.what,
        x.owner.kind,
        x.owner.kind === 'care_team_member' ? x.owner.memberId : null,
        x.ownerName,
        x.ownerRole,
        x.dueDate,
        x.createdByName,
      ],
    );
  },

  async byId(q: Queryable, id: string, forUpdate = false): Promise<StoredItem | undefined> {
    const r = await q.query<Raw>(
      `SELECT ${cols} FROM ${from} WHERE i.id = $1 AND i.removed_at IS NULL${
        forUpdate ? ' FOR UPDATE OF i' : ''
      }`,
      [id],
    );
    return (await withNotes(q, r.rows))[0];
  },

  /** The items of one consultation, in the order they were agreed. */
  async forConsultation(q: Queryable, consultationId: string): Promise<StoredItem[]> {
    const r = await q.query<Raw>(
      `SELECT ${cols} FROM ${from} WHERE i.consultation_id = $1 AND i.removed_at IS NULL
        ORDER BY i.position, i.created_at, i.id`,
      [consultationId],
    );
    return withNotes(q, r.rows);
  },

  /**
   * Items of consultations matching `where` (over `c`, the consultation), with the
   * consultation each was agreed in; newest consultation first.
   */
  async inContext(
    q: Queryable,
    where: string,
    params: unknown[],
  ): Promise<(StoredItem & PlanItemInContext)[]> {
    const r = await q.query<Raw>(
      `SELECT ${cols}, c.title AS consultation_title, c.kind AS consultation_kind,
              c.starts_at AS consultation_starts_at
         FROM ${from} JOIN consultations c ON c.id = i.consultation_id
        WHERE i.removed_at IS NULL AND (${where})
        ORDER BY c.starts_at DESC, c.id, i.position, i.id`,
      params,
    );
    const items = await withNotes(q, r.rows);
    return items.map((x, k) => ({
      ...x,
      consultationTitle: r.rows[k]!.consultation_title ?? null,
      consultationKind: r.rows[k]!.consultation_kind!,
      consultationStartsAt: iso(r.rows[k]!.consultation_starts_at),
    }));
  },

  async update(
    q: Queryable,
    id: string,
    patch: Partial<Pick<NewRow, 'what' | 'owner' | 'ownerName' | 'ownerRole' | 'dueDate'>>,
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (patch.what !== undefined) set('what', patch.what);
    if (patch.owner !== undefined) {
      set('owner_kind', patch.owner.kind);
      set('owner_member_id', patch.owner.kind === 'care_team_member' ? patch.owner.memberId : null);
    }
    if (patch.ownerName !== undefined) set('owner_name', patch.ownerName);
    if (patch.ownerRole !== undefined) set('owner_role', patch.ownerRole);
    if (patch.dueDate !== undefined) set('due_date', patch.dueDate);
    await q.query(
      `UPDATE plan_items SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`,
      params,
    );
  },

  async setStatus(
    q: Queryable,
    id: string,
    status: PlanItem['status'],
    byName: string | null,
  ): Promise<void> {
    await q.query(
      `UPDATE plan_items SET status = $2::text,
         done_at = CASE WHEN $2::text = 'done' THEN now() ELSE NULL END,
         done_by_name = CASE WHEN $2::text = 'done' THEN $3::text ELSE NULL END,
         updated_at = now()
       WHERE id = $1`,
      [id, status, byName],
    );
  },

  async addNote(
    q: Queryable,
    n: { id: string; itemId: string; text: string; authorName: string; authorRole: string },
  ): Promise<void> {
    await q.query(
      `INSERT INTO plan_item_notes (id, plan_item_id, text, author_name, author_role)
       VALUES ($1, $2, $3, $4, $5)`,
      [n.id, n.itemId, n.text, n.authorName, n.authorRole],
    );
    await q.query('UPDATE plan_items SET updated_at = now() WHERE id = $1', [n.itemId]);
  },

  async remove(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE plan_items SET removed_at = now(), updated_at = now() WHERE id = $1', [
      id,
    ]);
  },
};
