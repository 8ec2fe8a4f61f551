import type { AssuranceLevel, StaffAccount, StaffRole } from '@samkons/shared';
import type { Queryable } from './database.js';

export interface AccountRow extends StaffAccount {
  passwordHash: string | null;
}

interface Raw {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  organisation: string;
  password_hash: string | null;
}

const map = (r: Raw): AccountRow => ({
  id: r.id,
  username: r.username,
  name: r.name,
  role: r.role,
  organisation: r.organisation,
  passwordHash: r.password_hash,
});

const cols = 'id, username, name, role, organisation, password_hash';

export const accountsRepo = {
  async insert(
    q: Queryable,
    a: StaffAccount & { passwordHash: string | null; oidc?: { issuer: string; subject: string } },
  ): Promise<void> {
    await q.query(
      `INSERT INTO accounts (id, username, password_hash, name, role, organisation, oidc_issuer, oidc_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        a.id,
        a.username,
        a.passwordHash,
        a.name,
        a.role,
        a.organisation,
        a.oidc?.issuer ?? null,
        a.oidc?.subject ?? null,
      ],
    );
  },
  async byUsername(q: Queryable, username: string): Promise<AccountRow | undefined> {
    const r = await q.query<Raw>(`SELECT ${cols} FROM accounts WHERE username = $1`, [username]);
    return r.rows[0] && map(r.rows[0]);
  },
  async byId(q: Queryable, id: string): Promise<AccountRow | undefined> {
    const r = await q.query<Raw>(`SELECT ${cols} FROM accounts WHERE id = $1`, [id]);
    return r.rows[0] && map(r.rows[0]);
  },
  async byOidc(q: Queryable, issuer: string, subject: string): Promise<AccountRow | undefined> {
    const r = await q.query<Raw>(
      `SELECT ${cols} FROM accounts WHERE oidc_issuer = $1 AND oidc_subject = $2`,
      [issuer, subject],
    );
    return r.rows[0] && map(r.rows[0]);
  },
  /**
   * Staff whose name (or organisation) contains every word of `text`, case-insensitive;
   * by name, at most `limit`. LIKE wildcards in the text match literally.
   */
  async search(
    q: Queryable,
    text: string,
    role: StaffRole | undefined,
    limit: number,
  ): Promise<StaffAccount[]> {
    const words = text.split(/\s+/).filter(Boolean).slice(0, 5);
    const params: unknown[] = [];
    const where = words.map((w) => {
      params.push(`%${w.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      return `(name ILIKE $${params.length} OR organisation ILIKE $${params.length})`;
    });
    if (role) {
      params.push(role);
      where.push(`role = $${params.length}`);
    }
    params.push(limit);
    const r = await q.query<Raw>(
      `SELECT ${cols} FROM accounts WHERE ${where.join(' AND ') || 'true'}
        ORDER BY name, id LIMIT $${params.length}`,
      params,
    );
    return r.rows.map((x) => {
      const { passwordHash: _, ...account } = map(x);
      return account;
    });
  },
  async count(q: Queryable): Promise<number> {
    const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    return r.rows[0]?.n ?? 0;
  },
  /** Row locks in id order: booking checks for double-booking under them. */
  async lock(q: Queryable, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const r = await q.query<{ id: string }>(
      'SELECT id FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    return r.rows.map((x) => x.id);
  },
};

export interface LoginSession {
  id: string;
  accountId: string;
  assuranceLevel: AssuranceLevel;
  revokedAt: string | null;
}

export const sessionsRepo = {
  async insert(
    q: Queryable,
    s: {
      id: string;
      accountId: string;
      method: 'password' | 'oidc';
      assuranceLevel: AssuranceLevel;
    },
  ): Promise<void> {
    await q.query(
      'INSERT INTO login_sessions (id, account_id, method, assurance_level) VALUES ($1, $2, $3, $4)',
      [s.id, s.accountId, s.method, s.assuranceLevel],
    );
  },
  async byId(q: Queryable, id: string): Promise<LoginSession | undefined> {
    const r = await q.query<{
      id: string;
      account_id: string;
      assurance_level: AssuranceLevel;
      revoked_at: Date | null;
    }>('SELECT id, account_id, assurance_level, revoked_at FROM login_sessions WHERE id = $1', [
      id,
    ]);
    const row = r.rows[0];
    return (
      row && {
        id: row.id,
        accountId: row.account_id,
        assuranceLevel: row.assurance_level,
        revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
      }
    );
  },
  async revoke(q: Queryable, id: string): Promise<void> {
    await q.query(
      'UPDATE login_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
  },
  async insertRefresh(
    q: Queryable,
    hash: string,
    sessionId: string,
    expiresAt: Date,
  ): Promise<void> {
    await q.query(
      'INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)',
      [hash, sessionId, expiresAt],
    );
  },
  /** Marks a refresh token used and returns it; locks the row so a token rotates once. */
  async takeRefresh(
    q: Queryable,
    hash: string,
  ): Promise<{ sessionId: string; expired: boolean; reused: boolean } | undefined> {
    const r = await q.query<{ session_id: string; expired: boolean; used: boolean }>(
      `SELECT session_id, expires_at <= now() AS expired, used_at IS NOT NULL AS used
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [hash],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    if (!row.used)
      await q.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [hash]);
    return { sessionId: row.session_id, expired: row.expired, reused: row.used };
  },
};
