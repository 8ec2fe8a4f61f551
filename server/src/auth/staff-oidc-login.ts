import type { TokenResponse } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthService, RequestMeta } from './auth-service.js';
import { OidcClient, assuranceFromAcr, type OidcProviderSettings } from './oidc-client.js';

/** Staff login through the health sector's provider (HelseID): an account by (issuer, subject). */
export class StaffOidcLogin {
  readonly #client: OidcClient;
  readonly #db: Database;
  readonly #auth: AuthService;

  constructor(settings: OidcProviderSettings, db: Database, auth: AuthService) {
    this.#client = new OidcClient(settings, db, 'staff');
    this.#db = db;
    this.#auth = auth;
  }

  get displayName(): string {
    return this.#client.displayName;
  }

  start(): Promise<string> {
    return this.#client.start();
  }

  async callback(query: Record<string, string>, meta: RequestMeta): Promise<TokenResponse> {
    const { claims } = await this.#client.finish(query);
    const account = await accountsRepo.byOidc(this.#db, claims.iss, claims.sub);
    if (!account) throw new DomainError('forbidden', 'No staff account is linked to this identity');
    return this.#auth.startSession(account, 'oidc', assuranceFromAcr(claims.acr), meta);
  }
}
