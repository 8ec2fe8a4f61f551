import { z } from 'zod';
import { CareTeamMember } from './care-team.js';
import { ConsultationKind } from './consultation.js';
import { PlanItemInContext } from './plan.js';
import { StoryView } from './story.js';

/**
 * The patient entry's LKT view (GET /api/patient/care, with the patient token): for each
 * patient the logged-in person speaks for (themself; a child under 16 they are guardian
 * of), the care team, the agreed plan across consultations and "min historie".
 */
export const PatientCarePatient = z.object({
  patientRecordId: z.uuid(),
  /** The name the patient was last booked under. */
  patientName: z.string(),
  relation: z.enum(['self', 'guardian']),
  careTeam: z.array(CareTeamMember),
  plan: z.array(PlanItemInContext),
  /** Items the patient owns: the person may mark them done or add notes. */
  ownItemIds: z.array(z.uuid()),
  story: StoryView,
  /** The next booked meeting, if any. */
  nextConsultation: z
    .object({
      consultationId: z.uuid(),
      title: z.string().nullable(),
      kind: ConsultationKind,
      startsAt: z.string(),
    })
    .nullable(),
});
export type PatientCarePatient = z.infer<typeof PatientCarePatient>;

export const PatientCareOverview = z.object({ patients: z.array(PatientCarePatient) });
export type PatientCareOverview = z.infer<typeof PatientCareOverview>;
