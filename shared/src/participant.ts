import { z } from 'zod';
import { lineText } from './plain-text.js';
import { Role } from './roles.js';
import { NationalId } from './national-id.js';

export const JoinLocation = z.enum([
  'home',
  'institution',
  'gp_office',
  'hospital',
  'municipal_office',
]);
export type JoinLocation = z.infer<typeof JoinLocation>;

/** ISO calendar date (YYYY-MM-DD), e.g. a birth date. */
export const IsoDate = z.iso.date();

const fields = {
  role: Role,
  name: lineText.trim().min(1).max(200),
  organisation: lineText.trim().min(1).max(200).nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  /** E.164 or national digits; loose on purpose, validated by the SMS provider. */
  mobile: z
    .string()
    .regex(/^\+?[0-9 ]{8,20}$/, 'mobile must be 8-20 digits, optionally starting with +')
    .nullable()
    .optional(),
  joinsFrom: JoinLocation,
  /** Distance from where they join to where the meeting would otherwise be held (km). */
  travelDistanceKm: z.number().min(0).max(5000),
  /** Patients only: decides who consents (16+ themself, otherwise a guardian). */
  birthDate: IsoDate.nullable().optional(),
  /** Next of kin only: parent or legal guardian of a patient under 16. */
  isGuardian: z.boolean().optional(),
  /** Staff participants: their account; staff booked twice at the same time get 409. */
  accountId: z.uuid().nullable().optional(),
  /**
   * Staff participants with an account: a delegate the organiser names, who may change the
   * booking (reschedule, cancel, participants, links) as the organiser does.
   */
  delegate: z.boolean().optional(),
  /**
   * Patient or next of kin: their national identity number (fødselsnummer or D-number).
   * When given, the invite link alone no longer admits them: they log in with the patient
   * eID (ID-porten) and the server checks it is this person. Only a keyed hash is stored.
   */
  nationalId: NationalId.optional(),
};

/** Who can be asked to identify with the patient eID: the people without a staff account. */
export const eidRoles: readonly Role[] = ['patient', 'next_of_kin'];

/** A participant as the API receives it (booking form). */
export const NewParticipant = z.object(fields).superRefine((p, ctx) => {
  if (p.role === 'patient' && !p.birthDate) {
    ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'patients need a birth date' });
  }
  if (p.role !== 'patient' && p.birthDate) {
    ctx.addIssue({
      code: 'custom',
      path: ['birthDate'],
      message: 'only patients have a birth date',
    });
  }
  if (p.nationalId && !eidRoles.includes(p.role)) {
    ctx.addIssue({
      code: 'custom',
      path: ['nationalId'],
      message: 'only patients and next of kin identify with a national identity number',
    });
  }
  if (p.delegate && !p.accountId) {
    ctx.addIssue({
      code: 'custom',
      path: ['delegate'],
      message: 'only staff booked with their account can be delegates',
    });
  }
  if (p.isGuardian && p.role !== 'next_of_kin') {
    ctx.addIssue({
      code: 'custom',
      path: ['isGuardian'],
      message: 'only next of kin can be guardians',
    });
  }
});
export type NewParticipant = z.infer<typeof NewParticipant>;

export const Participant = z.object({
  id: z.uuid(),
  consultationId: z.uuid(),
  role: Role,
  name: z.string(),
  organisation: z.string().nullable(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  joinsFrom: JoinLocation,
  travelDistanceKm: z.number(),
  birthDate: z.string().nullable(),
  isGuardian: z.boolean(),
  accountId: z.string().nullable(),
  /** True when they must log in with the patient eID (ID-porten) to join; see `nationalId`. */
  strongIdentification: z.boolean(),
  /** A delegate of the organiser (manages the booking); absent or false otherwise. */
  delegate: z.boolean().optional(),
});
export type Participant = z.infer<typeof Participant>;
