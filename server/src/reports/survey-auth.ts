import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { invitesRepo } from '../db/invites-repo.js';
import type { AuthService } from '../auth/auth-service.js';
import { bearerToken, TokenSigner } from '../auth/tokens.js';
import { DomainError } from '../http/domain-error.js';
import type { ParticipantPrincipal, Principal } from '../policy/principal.js';
import type { PatientPortal } from '../auth/patient-portal.js';

/** How long after a meeting its participants may still answer the survey by their link. */
export const SURVEY_LINK_DAYS = 30;

/**
 * Who may read and answer the experience survey: anyone the app authenticates (staff login,
 * room session token) and, for the survey only, the participant's own invite link. The
 * session token lapses 30 minutes after the planned end, but the survey is asked for later
 * (the message after the session, the patient entry, another tab), and the invite link is
 * what the participant holds; so is the patient entry's eID login. The link stands for that
 * participant only: not revoked, still a
 * participant, the meeting over or under way, and no more than SURVEY_LINK_DAYS after it.
 */
export function surveyAuthenticator(
  auth: Pick<AuthService, 'authenticate' | 'verifyInviteToken'>,
  db: Database,
  patientPortal?: Pick<PatientPortal, 'ownPrincipal'> | undefined,
): (authorization: string | undefined, consultationId: string) => Promise<Principal> {
  return async (authorization, consultationId) => {
    const token = bearerToken(authorization);
    const audience = TokenSigner.audienceOf(token);
    if (audience === 'patient' && patientPortal) {
      // The patient entry (logged in with the eID): their own participant in this meeting.
      return patientPortal.ownPrincipal(authorization, consultationId);
    }
    if (audience !== 'invite') return auth.authenticate(authorization);
    const ref = auth.verifyInviteToken(token);
    const invite = await invitesRepo.byId(db, ref.inviteId);
    const c = await consultationsRepo.byId(db, ref.consultationId);
    const p = c?.participants.find((x) => x.id === ref.participantId);
    if (!invite || invite.revoked || invite.participantId !== ref.participantId || !c || !p) {
      throw new DomainError('unauthenticated', 'Invitation revoked or unknown');
    }
    if (c.status !== 'completed' && c.status !== 'in_progress') {
      throw new DomainError('forbidden', 'The survey opens once the meeting has taken place');
    }
    if (Date.now() > Date.parse(c.endsAt) + SURVEY_LINK_DAYS * 86400_000) {
      throw new DomainError('unauthenticated', 'The survey link has expired');
    }
    const principal: ParticipantPrincipal = {
      kind: 'participant',
      participantId: p.id,
      consultationId: c.id,
      role: p.role,
      name: p.name,
      assuranceLevel: 'low',
      accountId: null,
      inviteId: invite.id,
    };
    return principal;
  };
}
