import type { SessionGrants } from '@samkons/shared';
import type { AuthService } from '../auth/auth-service.js';
import type { SocketPrincipal } from '../signalling/authenticator.js';
import { isPatientSide } from './roster.js';

export type GateResult =
  | { admissible: true; grants: SessionGrants }
  | { admissible: false; reason: 'consent_required'; message: string };

/** Decides, at the moment of admission, whether consent lets this person in. */
export interface ConsentGate {
  check(principal: SocketPrincipal): Promise<GateResult>;
}

/** Development rooms and socket tests without a database: consent never blocks. */
export const openConsentGate: ConsentGate = {
  check: (principal) => Promise.resolve({ admissible: true, grants: principal.grants }),
};

/**
 * The domain's rules, not a copy of them: the token is re-verified (so a revoked invite or
 * a removed participant fails) and grants are recomputed from the consent in force by the
 * policy module. Patient-side participants additionally need a consent to exist at all:
 * the patient's own from 16, a guardian's under 16 (the consent service only accepts
 * consents from those holders).
 */
export function domainConsentGate(deps: { auth: AuthService }): ConsentGate {
  return {
    async check(principal) {
      if (!principal.session) return { admissible: true, grants: principal.grants };
      const v = await deps.auth.verifySessionToken(principal.session.token);
      const { grants } = v;
      if (!grants.canPublish && !grants.canSubscribe) {
        return {
          admissible: false,
          reason: 'consent_required',
          message: `${v.participant.name} is not covered by the consent in force`,
        };
      }
      if (isPatientSide(v.participant.role)) {
        if (!v.consentInForce) {
          return {
            admissible: false,
            reason: 'consent_required',
            message:
              'The patient (from 16) or a guardian (under 16) must consent before the patient side is admitted',
          };
        }
      }
      return { admissible: true, grants };
    },
  };
}
