import { z } from 'zod';
import { AgendaAudience } from './agenda.js';
import { ConsultationKind, ConsultationStatus } from './consultation.js';
import { PlanItem } from './plan.js';
import { Role } from './roles.js';
import { StoryView } from './story.js';

/**
 * GET /api/consultations/:id/summary: the printable summary after a session, as one
 * participant may see it: who took part and in which parts, "min gode dag" (if shared with
 * them), the plan, the next meeting, and for the GP tariff hints (guidance, with sources).
 */
export const TariffCode = z.enum(['2ae', '2af', '14', '1j', '7']);
export type TariffCode = z.infer<typeof TariffCode>;

export const TariffHint = z.object({
  code: TariffCode,
  /** Which facts of the session suggest it (for the GP to check). */
  basis: z.array(z.string()),
});
export type TariffHint = z.infer<typeof TariffHint>;

/** Where the codes come from: the GP normal tariff. Guidance only, never a claim. */
export const TARIFF_SOURCE = {
  name: 'Normaltariff for fastleger og legevakt (Legeforeningen, KS og staten)',
  url: 'https://normaltariffen.legeforeningen.no',
} as const;

export const SummaryParticipant = z.object({
  participantId: z.uuid(),
  name: z.string(),
  role: Role,
  organisation: z.string().nullable(),
  /** Took part in the session (from the live attendance); null when not recorded. */
  attended: z.boolean().nullable(),
  /** The agenda parts they were in, with where (together, private, side room). */
  parts: z.array(z.object({ partId: z.string(), title: z.string(), group: z.string() })),
});

export const ConsultationSummary = z.object({
  consultationId: z.uuid(),
  title: z.string().nullable(),
  kind: ConsultationKind,
  status: ConsultationStatus,
  startsAt: z.string(),
  endsAt: z.string(),
  organiserName: z.string().nullable(),
  documentingOrganisation: z.string(),
  /** The reader's own participant. */
  you: z.object({ participantId: z.uuid(), role: Role }),
  participants: z.array(SummaryParticipant),
  /** The parts held, in order (a part held twice appears twice). */
  parts: z.array(
    z.object({
      partId: z.string(),
      title: z.string(),
      audience: AgendaAudience,
      startedAt: z.string(),
      endedAt: z.string().nullable(),
    }),
  ),
  story: StoryView.nullable(),
  plan: z.array(PlanItem),
  /** Plan items not shown to this reader (consent across care levels). */
  planWithheld: z.number().int(),
  nextMeeting: z.object({ startsAt: z.string(), title: z.string().nullable() }).nullable(),
  /** For the GP only; empty for everyone else. */
  tariffHints: z.array(TariffHint),
  /** Where the reader answers the experience survey. */
  surveyPath: z.string(),
});
export type ConsultationSummary = z.infer<typeof ConsultationSummary>;

/**
 * Tariff hints for the GP from what happened (guidance; the GP decides and checks the
 * current normal tariff): 2ae video consultation with the patient, 2af the GP with the
 * patient and other health personnel, 14 an interdisciplinary meeting, 1j the GP's
 * dialogue with the specialist without the patient, 7 an interpreter taking part.
 */
export function tariffHints(present: { role: Role }[]): TariffHint[] {
  const has = (r: Role) => present.some((p) => p.role === r);
  if (!has('gp')) return [];
  const patient = has('patient');
  const otherStaff = has('specialist') || has('municipal');
  const hints: TariffHint[] = [];
  if (patient) hints.push({ code: '2ae', basis: ['gp', 'patient', 'video'] });
  if (patient && otherStaff) hints.push({ code: '2af', basis: ['gp', 'patient', 'other_staff'] });
  if (otherStaff && (has('municipal') || !patient))
    hints.push({ code: '14', basis: ['gp', 'other_staff', 'interdisciplinary'] });
  if (!patient && has('specialist'))
    hints.push({ code: '1j', basis: ['gp', 'specialist', 'no_patient'] });
  if (has('interpreter')) hints.push({ code: '7', basis: ['interpreter'] });
  return hints;
}
