import { z } from 'zod';
import { Participant } from './participant.js';

/**
 * co_consultation: specialist, GP/municipal staff and the patient together;
 * guidance: specialist guides GP or municipal staff, without the patient;
 * discharge_meeting: collaboration meeting before discharge from hospital;
 * follow_up: follow-up or check-up.
 */
export const ConsultationKind = z.enum([
  'co_consultation',
  'guidance',
  'discharge_meeting',
  'follow_up',
]);
export type ConsultationKind = z.infer<typeof ConsultationKind>;

export const ConsultationStatus = z.enum([
  'booked',
  'in_progress',
  'completed',
  'cancelled',
  'no_show',
]);
export type ConsultationStatus = z.infer<typeof ConsultationStatus>;

/** Instants travel as ISO 8601 with an offset; the server stores timestamptz. */
export const Instant = z.iso.datetime({ offset: true });

export const Consultation = z.object({
  id: z.uuid(),
  kind: ConsultationKind,
  status: ConsultationStatus,
  title: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** Staff account that booked it. */
  organiserId: z.uuid(),
  /** The organisation responsible for documenting the consultation. */
  documentingOrganisation: z.string(),
  cancelReason: z.string().nullable(),
  participants: z.array(Participant),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Consultation = z.infer<typeof Consultation>;
