import { AssuranceLevel, type SessionTokenResponse } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthService, RequestMeta } from './auth-service.js';
import type { IdentityHasher } from './identity-hash.js';
import { OidcClient, assuranceFromAcr, type OidcProviderSettings } from './oidc-client.js';

export interface InviteIdentificationSettings extends OidcProviderSettings {
  /** Logins below this level are refused (ID-porten: substantial or high). */
  minAssurance: AssuranceLevel;
}

const rank = (l: AssuranceLevel) => AssuranceLevel.options.indexOf(l);

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
    const { claims, context } = await this.#client.finish(query, ['pid']);
    const ref = {
      inviteId: context.inviteId ?? '',
      participantId: context.participantId ?? '',
      consultationId: context.consultationId ?? '',
    };
    // The invite may have been revoked or the meeting cancelled while the person was away
    // at the provider: check it again.
    const { consultation, participant } = await this.#auth.openInvite(ref);
    const assurance = assuranceFromAcr(claims.acr);
    const pid = typeof claims.pid === 'string' ? claims.pid : null;
    const stored = await consultationsRepo.identityHash(this.#db, participant.id);
    // Wrong person (or no number): forbidden. Right person, too weak a login: they can
    // identify again at a higher level, so identification_required.
    const refusal: DomainError | null =
      pid === null
        ? new DomainError('forbidden', 'The electronic ID did not state a national identity number')
        : !stored || !this.#hasher.matches(pid, stored)
          ? new DomainError(
              'forbidden',
              'You logged in as someone other than the person this invitation is for',
            )
          : rank(assurance) < rank(this.#minAssurance)
            ? new DomainError(
                'identification_required',
                `This meeting needs an electronic ID at level ${this.#minAssurance}`,
              )
            : null;
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
