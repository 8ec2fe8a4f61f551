import { z } from 'zod';
import { NationalId } from './national-id.js';
import { plainLine } from './plain-text.js';

/**
 * The care team (LKT B "aktørkart" and D "koordinerande funksjon"): the people involved in
 * the patient's care across consultations, each in a role, with how to reach them; one of
 * them is the coordinator (koordinator). Kept per patient record, not per consultation.
 */
export const CareTeamRole = z.enum([
  'specialist',
  'gp',
  'municipal',
  'next_of_kin',
  'interpreter',
  /** Anyone else involved (a teacher, a physiotherapist in private practice...). */
  'other',
]);
export type CareTeamRole = z.infer<typeof CareTeamRole>;

const fields = {
  role: CareTeamRole,
  /** What they do for the patient, in words: "Heimesjukepleiar", "Fysioterapeut". */
  title: plainLine(120).nullable().optional(),
  name: plainLine(200),
  organisation: plainLine(200).nullable().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ]{8,20}$/, 'phone must be 8-20 digits, optionally starting with +')
    .nullable()
    .optional(),
  email: z.email().max(254).nullable().optional(),
  /** Staff with an account: they see the plan items they own under "Mine konsultasjonar". */
  accountId: z.uuid().nullable().optional(),
  isCoordinator: z.boolean().optional(),
};

/** POST /api/consultations/:id/care-team/members. */
export const NewCareTeamMember = z.object(fields).strict();
export type NewCareTeamMember = z.input<typeof NewCareTeamMember>;

/** PATCH /api/consultations/:id/care-team/members/:memberId: the fields to change. */
export const CareTeamMemberPatch = z
  .object({
    role: fields.role.optional(),
    title: fields.title,
    name: fields.name.optional(),
    organisation: fields.organisation,
    phone: fields.phone,
    email: fields.email,
    accountId: fields.accountId,
    isCoordinator: fields.isCoordinator,
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type CareTeamMemberPatch = z.input<typeof CareTeamMemberPatch>;

export const CareTeamMember = z.object({
  id: z.uuid(),
  role: CareTeamRole,
  title: z.string().nullable(),
  name: z.string(),
  organisation: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  accountId: z.uuid().nullable(),
  isCoordinator: z.boolean(),
  updatedAt: z.string(),
});
export type CareTeamMember = z.infer<typeof CareTeamMember>;

/** The care team of the patient a consultation is about. */
export const CareTeam = z.object({
  /** Null for a consultation without a patient (guidance between staff). */
  patientRecordId: z.uuid().nullable(),
  members: z.array(CareTeamMember),
  /** Whether the caller may add, change and remove members. */
  canEdit: z.boolean(),
});
export type CareTeam = z.infer<typeof CareTeam>;

/**
 * POST /api/care-teams/lookup: booking pre-fills from the care team. Either the patient's
 * national identity number (the record keyed by its hash) or an earlier consultation of
 * the patient's. Only staff who already take part in the patient's care get an answer.
 */
export const CareTeamLookupRequest = z.union([
  z.object({ nationalId: NationalId }).strict(),
  z.object({ consultationId: z.uuid() }).strict(),
]);
export type CareTeamLookupRequest = z.input<typeof CareTeamLookupRequest>;

export const CareTeamLookupResponse = z.object({
  patientRecordId: z.uuid(),
  members: z.array(CareTeamMember),
  /** The consultation to name as `continuesFrom` when booking without a number. */
  latestConsultationId: z.uuid().nullable(),
});
export type CareTeamLookupResponse = z.infer<typeof CareTeamLookupResponse>;
