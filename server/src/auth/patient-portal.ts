import {
  AssuranceLevel,
  type PatientConsultation,
  type PatientConsultationList,
  type PatientLoginResponse,
  type PatientSessionResponse,
} from '@samkons/shared';
import type { Database } from '../db/database.js';
import { consultationsRepo, type IdentityBooking } from '../db/consultations-repo.js';
import { appendAuditMany, type AuditRecord } from '../audit/audit-log.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthService, RequestMeta } from './auth-service.js';
import { sameIdentityHash, type IdentityHasher } from './identity-hash.js';
import type { InviteIdentificationSettings } from './invite-identification.js';
import { eidRefusal, readEidLogin } from './eid-login.js';
import { OidcClient } from './oidc-client.js';
import { bearerToken, PatientClaims, TokenSigner } from './tokens.js';
import type { ParticipantPrincipal } from '../policy/principal.js';

export interface PatientPortalSettings extends InviteIdentificationSettings {
  /** Lifetime of the patient token (the list and the way to the pre-join). */
  tokenTtlSeconds: number;
}

/** Completed consultations stay on the list this long after they ended. */
const RECENT_MS = 24 * 3600_000;

/**
 * The patient's own entry (like Helsenorge). A patient or next of kin who lost (or never
 * got) their invite link logs in with the patient eID (ID-porten) and sees the
 * consultations booked under their national identity number, then goes to the pre-join of
 * one of them. The eID's `pid` is hashed with the same key as at booking; the patient
 * token carries that hash and the assurance level, never the number.
 *
 * Audit: each list (after the login and on every refresh) writes one `patient.list` row per
 * consultation listed, with that consultation and the person's participant in it as the
 * actor, so each consultation's log shows who looked; an empty list writes one `patient.list`
 * row without consultation (anonymous actor, the eID's level). A session writes the
 * admission (`invite.exchange.eid`, as the invite link's eID login does); asking for
 * someone else's participant writes `patient.session_refused`; a refused eID login
 * `patient.eid_refused`.
 */
export class PatientPortal {
  readonly #client: OidcClient;
  readonly #db: Database;
  readonly #auth: AuthService;
  readonly #hasher: IdentityHasher;
  readonly #signer: TokenSigner;
  readonly #s: PatientPortalSettings;

  constructor(
    settings: PatientPortalSettings,
    db: Database,
    auth: AuthService,
    hasher: IdentityHasher,
    signer: TokenSigner,
  ) {
    this.#client = new OidcClient({ ...settings, alwaysAskToLogIn: true }, db, 'patient');
    this.#db = db;
    this.#auth = auth;
    this.#hasher = hasher;
    this.#signer = signer;
    this.#s = settings;
  }

  get displayName(): string {
    return this.#client.displayName;
  }

  /** Begins the eID login; returns the provider's URL. Nothing about the person yet. */
  start(): Promise<string> {
    return this.#client.start();
  }

  async callback(query: Record<string, string>, meta: RequestMeta): Promise<PatientLoginResponse> {
    const login = readEidLogin(await this.#client.finish(query, ['pid']));
    const { pid, assurance } = login;
    const refusal = eidRefusal(login, this.#s.minAssurance);
    if (refusal || pid === null) {
      const error = refusal ?? new DomainError('forbidden', 'No national identity number');
      await this.#audit([
        {
          actor: anonymous(assurance),
          action: 'patient.eid_refused',
          consultationId: null,
          clientAddress: meta.clientAddress,
          detail: { reason: error.message },
        },
      ]);
      throw error;
    }
    const identityHash = this.#hasher.hash(pid);
    const now = new Date();
    const patientToken = this.#signer.sign(
      'patient',
      { sub: identityHash, asr: assurance },
      this.#s.tokenTtlSeconds,
    );
    const { consultations } = await this.#list(identityHash, assurance, meta, now);
    return {
      patientToken,
      expiresAt: new Date(now.getTime() + this.#s.tokenTtlSeconds * 1000).toISOString(),
      assuranceLevel: assurance,
      consultations,
    };
  }

  /** GET /api/patient/consultations: the list again, fresh, for a valid patient token. */
  async consultations(
    authorization: string | undefined,
    meta: RequestMeta,
  ): Promise<PatientConsultationList> {
    const claims = this.#verify(authorization);
    return this.#list(claims.sub, claims.asr, meta, new Date());
  }

  /**
   * A session token for one of the person's own participants, through its invite (created
   * when there is none) with the invite link's rules: window, cancellation, revocation.
   * Someone else's participant, or one booked without the number, is not_found.
   */
  async session(
    authorization: string | undefined,
    participantId: string,
    meta: RequestMeta,
  ): Promise<PatientSessionResponse> {
    const claims = this.#verify(authorization);
    const participant = await consultationsRepo.participant(this.#db, participantId);
    const stored = participant && (await consultationsRepo.identityHash(this.#db, participant.id));
    const consultation =
      participant && stored && sameIdentityHash(stored, claims.sub)
        ? await consultationsRepo.byId(this.#db, participant.consultationId)
        : undefined;
    if (
      !participant ||
      !consultation ||
      (participant.role !== 'patient' && participant.role !== 'next_of_kin')
    ) {
      await this.#audit([
        {
          actor: anonymous(claims.asr),
          action: 'patient.session_refused',
          consultationId: null,
          clientAddress: meta.clientAddress,
          detail: { participantId },
        },
      ]);
      throw new DomainError('not_found', 'No such consultation for you');
    }
    if (consultation.status === 'cancelled') {
      throw new DomainError('invalid_state', 'The consultation was cancelled');
    }
    // The participant's active invite (one is created when there is none, e.g. after the
    // organiser revoked a leaked link: the eID proves who this is); then the same checks as
    // a link: window, revocation, cancellation.
    const link = await this.#db.transaction((tx) =>
      this.#auth.inviteLink(tx, consultation, participant),
    );
    const ref = {
      inviteId: link.inviteId,
      participantId: participant.id,
      consultationId: consultation.id,
    };
    const opened = await this.#auth.openInvite(ref).catch((err: unknown) => {
      // Here 401 means only "your patient token": a meeting past its window is a state.
      if (err instanceof DomainError && err.code === 'unauthenticated') {
        throw new DomainError('invalid_state', 'The meeting has ended');
      }
      throw err;
    });
    const session = await this.#auth.admitInvitee(
      opened.consultation,
      opened.participant,
      claims.asr,
      ref.inviteId,
      'invite.exchange.eid',
      meta,
    );
    return { session, inviteToken: link.token };
  }

  /**
   * The patient entry's token standing for the person's own patient or next-of-kin
   * participant in that consultation (or not_found): the experience survey
   * (server/src/reports/survey-auth.ts) and the summary after the session read with it.
   */
  async ownPrincipal(
    authorization: string | undefined,
    consultationId: string,
  ): Promise<ParticipantPrincipal> {
    const claims = this.#verify(authorization);
    const c = await consultationsRepo.byId(this.#db, consultationId);
    for (const p of c?.participants ?? []) {
      if (p.role !== 'patient' && p.role !== 'next_of_kin') continue;
      const stored = await consultationsRepo.identityHash(this.#db, p.id);
      if (stored && sameIdentityHash(stored, claims.sub)) {
        return {
          kind: 'participant',
          participantId: p.id,
          consultationId,
          role: p.role,
          name: p.name,
          assuranceLevel: claims.asr,
          accountId: null,
          inviteId: null,
        };
      }
    }
    throw new DomainError('not_found', 'No such consultation for you');
  }

  #verify(authorization: string | undefined): PatientClaims {
    return this.#signer.verify('patient', bearerToken(authorization), PatientClaims);
  }

  async #list(
    identityHash: string,
    assurance: AssuranceLevel,
    meta: RequestMeta,
    now: Date,
  ): Promise<PatientConsultationList> {
    const bookings = await consultationsRepo.bookedUnderIdentity(
      this.#db,
      identityHash,
      new Date(now.getTime() - RECENT_MS),
    );
    const rows: AuditRecord[] =
      bookings.length === 0
        ? [
            {
              actor: anonymous(assurance),
              action: 'patient.list',
              consultationId: null,
              clientAddress: meta.clientAddress,
              detail: { consultations: 0 },
            },
          ]
        : bookings.map((b) => ({
            actor: {
              type: 'participant',
              id: b.participantId,
              name: b.name,
              role: b.role,
              assuranceLevel: assurance,
            },
            action: 'patient.list',
            consultationId: b.consultationId,
            clientAddress: meta.clientAddress,
          }));
    await this.#audit(rows);
    return { consultations: bookings.map((b) => this.#toPatientConsultation(b)) };
  }

  #toPatientConsultation(b: IdentityBooking): PatientConsultation {
    return {
      ...b,
      joinableFrom: this.#auth.inviteWindow(b).from.toISOString(),
    };
  }

  async #audit(rows: AuditRecord[]): Promise<void> {
    await this.#db.transaction((tx) => appendAuditMany(tx, rows));
  }
}

const anonymous = (assuranceLevel: AssuranceLevel): AuditRecord['actor'] => ({
  type: 'anonymous',
  id: null,
  name: null,
  role: null,
  assuranceLevel,
});
