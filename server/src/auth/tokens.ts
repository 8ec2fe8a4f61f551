import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AssuranceLevel, Role, SessionGrants, StaffRole } from '@samkons/shared';
import { z } from 'zod';
import { DomainError } from '../http/domain-error.js';

const ISSUER = 'samkons';

/** Claims of each token type; `aud` keeps one type from being replayed as another. */
export const AccessClaims = z.object({
  sub: z.string(),
  sid: z.string(),
  role: StaffRole,
  asr: AssuranceLevel,
});
export type AccessClaims = z.infer<typeof AccessClaims>;

export const SessionClaims = z.object({
  sub: z.string(),
  cid: z.string(),
  role: Role,
  name: z.string(),
  asr: AssuranceLevel,
  acc: z.string().nullable(),
  inv: z.string().nullable(),
  grants: SessionGrants,
});
export type SessionClaims = z.infer<typeof SessionClaims>;

export const InviteClaims = z.object({ sub: z.string(), cid: z.string(), inv: z.string() });
export type InviteClaims = z.infer<typeof InviteClaims>;

/**
 * The patient entry's bearer: the keyed hash of the national identity number (never the
 * number) and the eID's assurance level. Good for /api/patient/* only.
 */
export const PatientClaims = z.object({ sub: z.string().min(1), asr: AssuranceLevel });
export type PatientClaims = z.infer<typeof PatientClaims>;

type Audience = 'access' | 'session' | 'invite' | 'patient';

export class TokenSigner {
  readonly #secret: string;
  constructor(secret: string | undefined) {
    // A random secret per process when none is configured: tokens die with the process.
    this.#secret = secret ?? randomBytes(48).toString('base64url');
  }

  sign(aud: Audience, claims: Record<string, unknown>, expiresInSeconds?: number): string {
    return jwt.sign(claims, this.#secret, {
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: aud,
      ...(expiresInSeconds !== undefined
        ? { expiresIn: Math.max(1, Math.floor(expiresInSeconds)) }
        : {}),
    });
  }

  /** Verifies signature, issuer, audience and expiry; any failure is `unauthenticated`. */
  verify<T>(aud: Audience, token: string, schema: z.ZodType<T>): T {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: aud,
      });
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new DomainError('unauthenticated', expired ? 'Token expired' : 'Invalid token');
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new DomainError('unauthenticated', 'Invalid token');
    return parsed.data;
  }

  /** Which audience a token claims, without trusting it (routing only). */
  static audienceOf(token: string): string | undefined {
    const decoded = jwt.decode(token);
    return decoded && typeof decoded === 'object' && typeof decoded.aud === 'string'
      ? decoded.aud
      : undefined;
  }
}

/** The token of an `Authorization: Bearer <token>` header; 401 when there is none. */
export function bearerToken(authorization: string | undefined): string {
  const token = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(authorization ?? '')?.[1];
  if (!token) throw new DomainError('unauthenticated', 'Missing bearer token');
  return token;
}

export const randomToken = () => randomBytes(32).toString('base64url');
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
