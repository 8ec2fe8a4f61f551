import {
  ageOn,
  CONSENT_AGE,
  consentHolders,
  type Consent,
  type Consultation,
  type Participant,
  type SessionGrants,
} from '@samkons/shared';

/**
 * Consent rules as the client needs them (the server decides; these only choose what to
 * show). Who holds consent is the shared rule the server's policy uses too; everyone
 * else's presence must be covered by the consent in force.
 */

export { consentHolders };

/** The consent in force: neither withdrawn nor replaced by a newer one. */
export function consentInForce(consents: readonly Consent[]): Consent | undefined {
  return consents
    .filter((c) => !c.withdrawnAt && !c.supersededAt)
    .sort((a, b) => Date.parse(b.givenAt) - Date.parse(a.givenAt))[0];
}

/** Participants whose presence the consent must name (all but the patient and the holders). */
export function needingCover(c: Consultation, now = new Date()): Participant[] {
  const holders = new Set(consentHolders(c, now).map((p) => p.id));
  return c.participants.filter((p) => p.role !== 'patient' && !holders.has(p.id));
}

/** True when this participant should see the consent step before the lobby. */
export function mustConsent(grants: SessionGrants, consents: readonly Consent[]): boolean {
  return grants.canConsent && consentInForce(consents) === undefined;
}

/** Whether the patient is under the consent age (a guardian decides). */
export function guardianDecides(c: Consultation, now = new Date()): boolean {
  const patient = c.participants.find((p) => p.role === 'patient');
  return !!patient?.birthDate && ageOn(patient.birthDate, now) < CONSENT_AGE;
}

/** The request that takes one participant's presence out of the consent in force. */
export function withoutParticipant(current: Consent, participantId: string) {
  return {
    method: 'in_app' as const,
    coveredParticipantIds: current.coveredParticipantIds.filter((id) => id !== participantId),
    shareHealthInfo: current.shareHealthInfo,
  };
}
