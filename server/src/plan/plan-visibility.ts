import {
  careLevelOf,
  isStaffRole,
  type Consent,
  type Consultation,
  type Role,
} from '@samkons/shared';

/**
 * What of a consultation's plan a participant sees. Health personnel at the consultation's
 * own care level (the organiser's) see it all; those at the other level see it all only
 * while the patient's consent in force shares health information across levels
 * (`shareHealthInfo`), otherwise only the items they own themselves (they carry those out).
 * The patient side sees everything agreed with them.
 */
export type PlanScope = 'all' | 'own';

export function planScope(
  viewerRole: Role,
  c: Consultation,
  consent: Pick<Consent, 'shareHealthInfo'> | undefined,
): PlanScope {
  if (!isStaffRole(viewerRole)) return 'all';
  const organiser = c.participants.find((p) => p.accountId === c.organiserId);
  const home = organiser ? careLevelOf(organiser.role) : undefined;
  if (home === undefined || careLevelOf(viewerRole) === home) return 'all';
  return consent?.shareHealthInfo === true ? 'all' : 'own';
}
