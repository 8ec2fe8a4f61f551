import * as client from 'openid-client';
import type { AssuranceLevel, TokenResponse } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthService, RequestMeta } from './auth-service.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** The client page the provider sends the browser back to; it forwards the query to the API. */
  redirectUri: string;
  /** What the login button calls the provider, e.g. "HelseID". */
  displayName: string;
}

/**
 * Maps the provider's `acr` to our levels. ID-porten sends `idporten-loa-substantial` /
 * `idporten-loa-high`; HelseID carries the level from the underlying eID the same way.
 */
export function assuranceFromAcr(acr: unknown): AssuranceLevel {
  const s = typeof acr === 'string' ? acr.toLowerCase() : '';
  if (s.includes('high') || s === '4') return 'high';
  if (s.includes('substantial') || s === '3') return 'substantial';
  return 'low';
}

interface Pending {
  verifier: string;
  nonce: string;
  expires: number;
}

const PENDING_TTL_MS = 10 * 60_000;

/**
 * Authorization code flow with PKCE (HelseID for staff, ID-porten stands behind the same
 * interface). A login maps to a staff account by (issuer, subject).
 */
export class OidcLogin {
  readonly #s: OidcSettings;
  readonly #db: Database;

  get displayName(): string {
    return this.#s.displayName;
  }
  readonly #auth: AuthService;
  readonly #pending = new Map<string, Pending>();
  #config: Promise<client.Configuration> | undefined;

  constructor(settings: OidcSettings, db: Database, auth: AuthService) {
    this.#s = settings;
    this.#db = db;
    this.#auth = auth;
  }

  #discover(): Promise<client.Configuration> {
    this.#config ??= (async () => {
      const url = new URL(this.#s.issuer);
      // Plain HTTP only for a provider on this machine (tests, dev).
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      return client.discovery(
        url,
        this.#s.clientId,
        this.#s.clientSecret,
        undefined,
        loopback && url.protocol === 'http:'
          ? { execute: [client.allowInsecureRequests] }
          : undefined,
      );
    })().catch((err: unknown) => {
      this.#config = undefined;
      throw err;
    });
    return this.#config;
  }

  async start(): Promise<string> {
    const config = await this.#discover().catch(() => {
      throw new DomainError('invalid_state', 'Identity provider unreachable');
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = Date.now();
    for (const [k, v] of this.#pending) if (v.expires < now) this.#pending.delete(k);
    this.#pending.set(state, { verifier, nonce, expires: now + PENDING_TTL_MS });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.#s.redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return url.href;
  }

  async callback(query: Record<string, string>, meta: RequestMeta): Promise<TokenResponse> {
    const state = query.state ?? '';
    const pending = this.#pending.get(state);
    this.#pending.delete(state);
    if (!pending || pending.expires < Date.now()) {
      throw new DomainError('unauthenticated', 'Unknown or expired login attempt');
    }
    const config = await this.#discover();
    const current = new URL(this.#s.redirectUri);
    for (const [k, v] of Object.entries(query)) current.searchParams.set(k, v);
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch {
      throw new DomainError('unauthenticated', 'The identity provider did not confirm the login');
    }
    if (!claims) throw new DomainError('unauthenticated', 'No ID token');
    const account = await accountsRepo.byOidc(this.#db, claims.iss, claims.sub);
    if (!account) throw new DomainError('forbidden', 'No staff account is linked to this identity');
    return this.#auth.startSession(account, 'oidc', assuranceFromAcr(claims.acr), meta);
  }
}
