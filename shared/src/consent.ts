import { z } from 'zod';
import type { Consultation } from './consultation.js';
import type { Participant } from './participant.js';

/** Patients decide over their own health from this age; younger ones need a guardian. */
export const CONSENT_AGE = 16;

/** Whole years between a birth date and `now` (calendar arithmetic, UTC). */
export function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  const beforeBirthday =
    now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

/**
 * Who may consent for the patient: the patient from 16, otherwise guardians among the
 * next of kin. Empty when the consultation has no patient (guidance between staff).
 * The server decides with it (policy) and the client chooses what to show with it.
 */
export function consentHolders(c: Consultation, now = new Date()): Participant[] {
  const patient = c.participants.find((p) => p.role === 'patient');
  if (!patient) return [];
  if (patient.birthDate && ageOn(patient.birthDate, now) >= CONSENT_AGE) return [patient];
  return c.participants.filter((p) => p.role === 'next_of_kin' && p.isGuardian);
}

/**
 * in_app: given in the app by the patient or guardian themself;
 * verbal: given verbally and recorded by a named clinician (recordedByParticipantId).
 */
export const ConsentMethod = z.enum(['in_app', 'verbal']);
export type ConsentMethod = z.infer<typeof ConsentMethod>;

export const Consent = z.object({
  id: z.uuid(),
  consultationId: z.uuid(),
  /** The patient (16+) or a guardian (patient under 16). */
  givenByParticipantId: z.uuid(),
  method: ConsentMethod,
  /** The clinician who recorded a verbal consent. */
  recordedByParticipantId: z.uuid().nullable(),
  /** Each named participant whose presence the consent covers. */
  coveredParticipantIds: z.array(z.uuid()),
  /** Sharing of health information across care levels (hospital, GP, municipality). */
  shareHealthInfo: z.boolean(),
  givenAt: z.string(),
  withdrawnAt: z.string().nullable(),
  withdrawnByParticipantId: z.uuid().nullable(),
  /** Set when a newer consent replaced this one. */
  supersededAt: z.string().nullable(),
});
export type Consent = z.infer<typeof Consent>;

export const GiveConsentRequest = z.object({
  method: ConsentMethod,
  /**
   * Whose consent this is. In the app it defaults to the caller; for verbal consent the
   * clinician names the patient or guardian who gave it.
   */
  givenByParticipantId: z.uuid().optional(),
  coveredParticipantIds: z.array(z.uuid()).max(50),
  shareHealthInfo: z.boolean(),
});
export type GiveConsentRequest = z.infer<typeof GiveConsentRequest>;

export const WithdrawConsentRequest = z.object({
  /** For a verbal withdrawal recorded by a clinician: who withdrew. */
  withdrawnByParticipantId: z.uuid().optional(),
});
export type WithdrawConsentRequest = z.infer<typeof WithdrawConsentRequest>;

/**
 * In the app the holder refuses for themself (no fields). A clinician records a "no" said
 * out loud with `method: 'verbal'` and names who said it. A refusal creates no consent
 * row and never narrows one in force; it only records the "no".
 */
export const RefuseConsentRequest = z
  .object({
    method: ConsentMethod.optional(),
    /** For a verbal refusal: the patient (16+) or guardian who said no. */
    refusedByParticipantId: z.uuid().optional(),
  })
  .strict();
export type RefuseConsentRequest = z.infer<typeof RefuseConsentRequest>;

/** A recorded refusal: the patient (16+) or a guardian said no at `refusedAt`. */
export const ConsentRefusal = z.object({
  consultationId: z.uuid(),
  refusedByParticipantId: z.uuid(),
  method: ConsentMethod,
  /** The clinician who recorded a verbal refusal. */
  recordedByParticipantId: z.uuid().nullable(),
  refusedAt: z.string(),
});
export type ConsentRefusal = z.infer<typeof ConsentRefusal>;

export const ConsentList = z.object({ consents: z.array(Consent) });
export type ConsentList = z.infer<typeof ConsentList>;
