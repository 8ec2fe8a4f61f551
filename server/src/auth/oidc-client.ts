import * as client from 'openid-client';
import type { AssuranceLevel } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { oidcLoginsRepo, type OidcPurpose } from '../db/oidc-logins-repo.js';
import { DomainError } from '../http/domain-error.js';
import { sha256 } from './tokens.js';

export interface OidcProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** The client page the provider sends the browser back to; it forwards the query to the API. */
  redirectUri: string;
  /** What the login button calls the provider, e.g. "HelseID" or "ID-porten". */
  displayName: string;
  /**
   * Ask for a fresh login every time (`prompt=login`) instead of reusing the provider's
   * session: on a shared computer in a nursing home, or after the wrong person logged in,
   * the next person must not be signed in as the previous one.
   */
  alwaysAskToLogIn?: boolean;
}

/** A login the provider confirmed: the ID token's claims (and userinfo's, when asked). */
export interface ConfirmedLogin {
  claims: client.IDToken & Record<string, unknown>;
  context: Record<string, string>;
}

const PENDING_TTL_MS = 10 * 60_000;

/**
 * One OpenID provider, authorization code flow with PKCE. Each login in flight is a row
 * in `oidc_logins`, so start and callback may land on different nodes.
 */
export class OidcClient {
  readonly #s: OidcProviderSettings;
  readonly #db: Database;
  readonly #purpose: OidcPurpose;
  #config: Promise<client.Configuration> | undefined;

  constructor(settings: OidcProviderSettings, db: Database, purpose: OidcPurpose) {
    this.#s = settings;
    this.#db = db;
    this.#purpose = purpose;
  }

  get displayName(): string {
    return this.#s.displayName;
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
    })().catch(() => {
      this.#config = undefined;
      // Both start and callback: the callback may land on a node that never discovered it.
      throw new DomainError('invalid_state', `${this.#s.displayName} is unreachable`);
    });
    return this.#config;
  }

  /** Returns the provider's authorization URL; `context` comes back with the callback. */
  async start(context: Record<string, string> = {}): Promise<string> {
    const config = await this.#discover();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.#db.transaction((tx) =>
      oidcLoginsRepo.insert(
        tx,
        sha256(state),
        { purpose: this.#purpose, codeVerifier, nonce, context },
        new Date(Date.now() + PENDING_TTL_MS),
      ),
    );
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.#s.redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(this.#s.alwaysAskToLogIn ? { prompt: 'login' } : {}),
    }).href;
  }

  /**
   * Finishes a login from the query the provider sent the browser back with. A state works
   * once and only for the purpose it was started for. `claimsNeeded` are fetched from the
   * userinfo endpoint when the ID token lacks them (providers differ on where `pid` goes).
   */
  async finish(
    query: Record<string, string>,
    claimsNeeded: string[] = [],
  ): Promise<ConfirmedLogin> {
    const state = query.state ?? '';
    const pending = state
      ? await this.#db.transaction((tx) => oidcLoginsRepo.take(tx, sha256(state), this.#purpose))
      : undefined;
    if (!pending) throw new DomainError('unauthenticated', 'Unknown or expired login attempt');
    const config = await this.#discover();
    const current = new URL(this.#s.redirectUri);
    for (const [k, v] of Object.entries(query)) current.searchParams.set(k, v);
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      let claims: ConfirmedLogin['claims'] = { ...idClaims };
      if (claimsNeeded.some((c) => claims[c] === undefined)) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...claims };
      }
      return { claims, context: pending.context };
    } catch {
      throw new DomainError('unauthenticated', 'The identity provider did not confirm the login');
    }
  }
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
