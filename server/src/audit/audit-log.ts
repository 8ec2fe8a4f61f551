import { createHash } from 'node:crypto';
import type { AssuranceLevel, AuditActorType, AuditEntry } from '@samkons/shared';
import type { Database, Queryable, Transaction } from '../db/database.js';
import { iso } from '../db/rows.js';

/** Who did something, as the audit log records it. */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  name: string | null;
  role: string | null;
  assuranceLevel: AssuranceLevel | null;
}

export interface AuditRecord {
  actor: AuditActor;
  action: string;
  consultationId: string | null;
  clientAddress: string | null;
  /** Small JSON-able facts (ids, changed fields); never health information. */
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

interface Raw {
  seq: string | number;
  at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  assurance_level: AssuranceLevel | null;
  action: string;
  consultation_id: string | null;
  client_address: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash covers every stored field and the previous row's hash, in a fixed order. */
export function rowHash(r: {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  actorRole: string | null;
  assuranceLevel: string | null;
  action: string;
  consultationId: string | null;
  clientAddress: string | null;
  detail: string | null;
  prevHash: string;
}): string {
  const fields = [
    r.seq,
    r.at,
    r.actorType,
    r.actorId,
    r.actorName,
    r.actorRole,
    r.assuranceLevel,
    r.action,
    r.consultationId,
    r.clientAddress,
    r.detail,
    r.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

const toFields = (r: Raw) => ({
  seq: Number(r.seq),
  at: iso(r.at),
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorName: r.actor_name,
  actorRole: r.actor_role,
  assuranceLevel: r.assurance_level,
  action: r.action,
  consultationId: r.consultation_id,
  clientAddress: r.client_address,
  detail: r.detail,
  prevHash: r.prev_hash,
});

/**
 * Appends one row inside the caller's transaction, so a change and its audit row commit
 * together. Locking the head row serialises writers: the chain has no forks.
 */
export async function appendAudit(q: Transaction, rec: AuditRecord): Promise<number> {
  const [seq] = await appendAuditMany(q, [rec]);
  return seq ?? 0;
}

/**
 * Appends several rows with one head update and one INSERT (a list of consultations is
 * one access per consultation). Returns their sequence numbers.
 */
export async function appendAuditMany(q: Transaction, recs: AuditRecord[]): Promise<number[]> {
  if (recs.length === 0) return [];
  // Stay far below PostgreSQL's 65535 bind parameters per statement.
  if (recs.length > 1000) {
    const out: number[] = [];
    for (let i = 0; i < recs.length; i += 1000)
      out.push(...(await appendAuditMany(q, recs.slice(i, i + 1000))));
    return out;
  }
  const head = await q.query<{ seq: string | number; hash: string }>(
    'UPDATE audit_head SET seq = seq + $1 WHERE id RETURNING seq, hash',
    [recs.length],
  );
  const h = head.rows[0];
  if (!h) throw new Error('audit_head row missing');
  const first = Number(h.seq) - recs.length + 1;
  // Millisecond precision: what JS and the hash see is exactly what timestamptz stores.
  const at = new Date().toISOString();
  let prevHash = h.hash;
  const params: unknown[] = [];
  const tuples: string[] = [];
  recs.forEach((rec, i) => {
    const fields = {
      seq: first + i,
      at,
      actorType: rec.actor.type,
      actorId: rec.actor.id,
      actorName: rec.actor.name,
      actorRole: rec.actor.role,
      assuranceLevel: rec.actor.assuranceLevel,
      action: rec.action,
      consultationId: rec.consultationId,
      clientAddress: rec.clientAddress,
      detail: rec.detail ? JSON.stringify(rec.detail) : null,
      prevHash,
    };
    const hash = rowHash(fields);
    // Object.values keeps insertion order: the same order as the INSERT columns.
    const row = [...Object.values(fields), hash];
    tuples.push(`(${row.map((_, j) => `$${params.length + j + 1}`).join(', ')})`);
    params.push(...row);
    prevHash = hash;
  });
  await q.query(
    `INSERT INTO audit_log (seq, at, actor_type, actor_id, actor_name, actor_role, assurance_level, action,
       consultation_id, client_address, detail, prev_hash, hash)
     VALUES ${tuples.join(', ')}`,
    params,
  );
  await q.query('UPDATE audit_head SET hash = $1 WHERE id', [prevHash]);
  return recs.map((_, i) => first + i);
}

export async function listAudit(q: Queryable, consultationId: string): Promise<AuditEntry[]> {
  const r = await q.query<Raw>('SELECT * FROM audit_log WHERE consultation_id = $1 ORDER BY seq', [
    consultationId,
  ]);
  return r.rows.map((row) => {
    const f = toFields(row);
    return {
      seq: f.seq,
      at: f.at,
      actorType: f.actorType,
      actorId: f.actorId,
      actorName: f.actorName,
      actorRole: f.actorRole,
      assuranceLevel: f.assuranceLevel,
      action: f.action,
      consultationId: f.consultationId,
      clientAddress: f.clientAddress,
      hash: row.hash,
      prevHash: f.prevHash,
    };
  });
}

export type ChainVerdict =
  { ok: true; rows: number } | { ok: false; rows: number; brokenSeq: number; reason: string };

/**
 * Walks the whole chain in order. Detects an edited row (hash mismatch), a deleted or
 * inserted row (sequence gap, prev_hash mismatch) and a truncated tail (head mismatch).
 */
export async function verifyAuditChain(db: Queryable, pageSize = 1000): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  for (;;) {
    const page = await db.query<Raw>(
      'SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [expectedSeq, pageSize],
    );
    for (const row of page.rows) {
      const f = toFields(row);
      if (f.seq !== expectedSeq) {
        return { ok: false, rows, brokenSeq: expectedSeq, reason: `row ${expectedSeq} is missing` };
      }
      if (f.prevHash !== prevHash) {
        return {
          ok: false,
          rows,
          brokenSeq: f.seq,
          reason: 'prev_hash does not match the previous row',
        };
      }
      if (rowHash(f) !== row.hash) {
        return { ok: false, rows, brokenSeq: f.seq, reason: 'row content does not match its hash' };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      rows += 1;
    }
    if (page.rows.length < pageSize) break;
  }
  const head = await db.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_head',
  );
  const h = head.rows[0];
  if (h && (Number(h.seq) !== rows || h.hash !== prevHash)) {
    return {
      ok: false,
      rows,
      brokenSeq: rows + 1,
      reason: `chain ends at ${rows} but head says ${h.seq}`,
    };
  }
  return { ok: true, rows };
}

export type { Database };
