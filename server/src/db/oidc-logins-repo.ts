import type { Queryable } from './database.js';

export type OidcPurpose = 'staff' | 'invite' | 'patient';

export interface PendingOidcLogin {
  purpose: OidcPurpose;
  codeVerifier: string;
  nonce: string;
  /** What the login is for, e.g. which invite; echoed back to the callback. */
  context: Record<string, string>;
}

/** Authorization-code logins between start and callback (see migrations 6 and 7). */
export const oidcLoginsRepo = {
  async insert(
    q: Queryable,
    stateHash: string,
    login: PendingOidcLogin,
    expiresAt: Date,
  ): Promise<void> {
    // Expired attempts are swept on the way in: the table stays as small as the logins
    // in flight, without a timer.
    await q.query('DELETE FROM oidc_logins WHERE expires_at < now()');
    await q.query(
      `INSERT INTO oidc_logins (state_hash, purpose, code_verifier, nonce, context, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        stateHash,
        login.purpose,
        login.codeVerifier,
        login.nonce,
        JSON.stringify(login.context),
        expiresAt,
      ],
    );
  },

  /** Takes (deletes) a login that has not expired: a state works once. */
  async take(
    q: Queryable,
    stateHash: string,
    purpose: OidcPurpose,
  ): Promise<PendingOidcLogin | undefined> {
    const r = await q.query<{
      purpose: OidcPurpose;
      code_verifier: string;
      nonce: string;
      context: Record<string, string> | string;
      live: boolean;
    }>(
      `DELETE FROM oidc_logins WHERE state_hash = $1 AND purpose = $2
       RETURNING purpose, code_verifier, nonce, context, expires_at > now() AS live`,
      [stateHash, purpose],
    );
    const row = r.rows[0];
    if (!row?.live) return undefined;
    return {
      purpose: row.purpose,
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      context: typeof row.context === 'string' ? JSON.parse(row.context) : row.context,
    };
  },
};
