import { AssuranceLevel, type SessionTokenResponse } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthService, RequestMeta } from './auth-service.js';
import type { IdentityHasher } from './identity-hash.js';
import { eidRefusal, readEidLogin } from './eid-login.js';
import { OidcClient, type OidcProviderSettings } from './oidc-client.js';

export interface InviteIdentificationSettings extends OidcProviderSettings {
  /** Logins below this level are refused (ID-porten: substantial or high). */
  minAssurance: AssuranceLevel;
}

/**
 * The patient eID (ID-porten) on an invite link. A patient or next of kin booked with a
 * national identity number opens their link, logs in with the eID, and is admitted only
 * when the provider's `pid` is that number: the link names who may come, the eID proves
 * who came. The session token then carries the eID's assurance level.
 */
export class InviteIdentification {
  readonly #client: OidcClient;
  readonly #db: Database;
  readonly #auth: AuthService;
  readonly #hasher: IdentityHasher;
  readonly #minAssurance: AssuranceLevel;

  constructor(
    settings: InviteIdentificationSettings,
    db: Database,
    auth: AuthService,
    hasher: IdentityHasher,
  ) {
    this.#client = new OidcClient({ ...settings, alwaysAskToLogIn: true }, db, 'invite');
    this.#db = db;
    this.#auth = auth;
    this.#hasher = hasher;
    this.#minAssurance = settings.minAssurance;
  }

  get displayName(): string {
    return this.#client.displayName;
  }

  /** Begins the eID login for the person the link names; returns the provider's URL. */
  async start(inviteToken: string): Promise<string> {
    const ref = this.#auth.verifyInviteToken(inviteToken);
    const { participant } = await this.#auth.openInvite(ref);
    if (!participant.strongIdentification) {
      throw new DomainError(
        'invalid_state',
        'This invitation was booked without a national identity number; the link is enough',
      );
    }
    return this.#client.start({ ...ref });
  }

  async callback(query: Record<string, string>, meta: RequestMeta): Promise<SessionTokenResponse> {
    const confirmed = await this.#client.finish(query, ['pid']);
    const { context } = confirmed;
    const ref = {
      inviteId: context.inviteId ?? '',
      participantId: context.participantId ?? '',
      consultationId: context.consultationId ?? '',
    };
    // The invite may have been revoked or the meeting cancelled while the person was away
    // at the provider: check it again.
    const { consultation, participant } = await this.#auth.openInvite(ref);
    const login = readEidLogin(confirmed);
    const { assurance } = login;
    const stored = await consultationsRepo.identityHash(this.#db, participant.id);
    const refusal = eidRefusal(
      login,
      this.#minAssurance,
      (pid) => stored !== null && this.#hasher.matches(pid, stored),
    );
    if (refusal) {
      await this.#db.transaction((tx) =>
        appendAudit(tx, {
          actor: {
            type: 'participant',
            id: participant.id,
            name: participant.name,
            role: participant.role,
            assuranceLevel: assurance,
          },
          action: 'invite.eid_refused',
          consultationId: consultation.id,
          clientAddress: meta.clientAddress,
          detail: { reason: refusal.message },
        }),
      );
      throw refusal;
    }
    return this.#auth.admitInvitee(
      consultation,
      participant,
      assurance,
      ref.inviteId,
      'invite.exchange.eid',
      meta,
    );
  }
}
