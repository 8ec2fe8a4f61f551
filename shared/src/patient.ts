import { z } from 'zod';
import { AssuranceLevel } from './roles.js';
import { ConsultationKind, ConsultationStatus } from './consultation.js';
import { SessionTokenResponse } from './auth.js';

/**
 * The patient's own entry (like Helsenorge): a patient or next of kin logs in with the
 * patient eID (ID-porten) and sees the consultations they are booked in under their
 * national identity number. The number never leaves the server: the patient token carries
 * only its keyed hash.
 */

/** Who the person is in a consultation they find through the patient entry. */
export const PatientPortalRole = z.enum(['patient', 'next_of_kin']);
export type PatientPortalRole = z.infer<typeof PatientPortalRole>;

/** One consultation the logged-in person is booked in. */
export const PatientConsultation = z.object({
  /** The person's own participant in it (the session endpoint takes this). */
  participantId: z.uuid(),
  consultationId: z.uuid(),
  role: PatientPortalRole,
  /** The name the person was booked under. */
  name: z.string(),
  title: z.string().nullable(),
  kind: ConsultationKind,
  status: ConsultationStatus,
  startsAt: z.string(),
  endsAt: z.string(),
  /** The staff member who booked it. */
  organiserName: z.string(),
  documentingOrganisation: z.string(),
  /** When the invite window opens: from then the pre-join can be entered. */
  joinableFrom: z.string(),
});
export type PatientConsultation = z.infer<typeof PatientConsultation>;

/** GET /api/patient/consultations. */
export const PatientConsultationList = z.object({ consultations: z.array(PatientConsultation) });
export type PatientConsultationList = z.infer<typeof PatientConsultationList>;

/** GET /api/patient/oidc/callback: the patient token and the person's consultations. */
export const PatientLoginResponse = z.object({
  /** Short-lived bearer for /api/patient/* only (not the rest of the API, not the call). */
  patientToken: z.string(),
  expiresAt: z.string(),
  assuranceLevel: AssuranceLevel,
  consultations: z.array(PatientConsultation),
});
export type PatientLoginResponse = z.infer<typeof PatientLoginResponse>;

/** POST /api/patient/consultations/:participantId/session. */
export const PatientSessionResponse = z.object({
  session: SessionTokenResponse,
  /** The participant's invite link token: the pre-join lives at /join/<inviteToken>. */
  inviteToken: z.string(),
});
export type PatientSessionResponse = z.infer<typeof PatientSessionResponse>;
