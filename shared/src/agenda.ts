import { z } from 'zod';
import { ConsultationKind } from './consultation.js';
import { plainLine } from './plain-text.js';
import { isStaffRole, type Role } from './roles.js';

/**
 * The agenda of a consultation: an ordered list of parts (LKT "samarbeidsmøte"). Each part
 * says who shares media in it; the live session (stream lkt-live) moves between parts and
 * enforces the audience on the server.
 *
 * - `staff_only`: health personnel only (specialist, GP, municipal staff). The patient side
 *   (patient, next of kin, interpreter) waits in the waiting room.
 * - `everyone`: every admitted participant (consent still applies).
 * - `private`: the patient and the named clinicians (`privateParticipantIds`) only; the
 *   others (typically the parents of a 12-15 year old) wait in a side room, where they see
 *   and hear each other but nothing of the private part.
 */
export const AgendaAudience = z.enum(['staff_only', 'everyone', 'private']);
export type AgendaAudience = z.infer<typeof AgendaAudience>;

/** Roles a private part may name besides the patient: clinicians and the interpreter. */
export const privatePartRoles: readonly Role[] = ['specialist', 'gp', 'municipal', 'interpreter'];

/** Who counts as health personnel for a `staff_only` part. */
export const inStaffOnlyPart = (role: Role): boolean => isStaffRole(role);

export const AGENDA_MAX_PARTS = 12;

const partFields = {
  title: plainLine(120),
  audience: AgendaAudience,
  /** The host may skip it (e.g. the private talk, when nobody asks for it). */
  optional: z.boolean(),
  /** Plan items are agreed in this part ("Oppsummering og plan"); at most one per agenda. */
  agreesPlan: z.boolean().default(false),
  /** Planned length in minutes, for the host's pacing; null when not planned. */
  plannedMinutes: z.number().int().min(1).max(240).nullable().default(null),
  /**
   * `private` parts: the participants (clinicians, interpreter) who stay with the patient.
   * Empty in a template or a booking draft: the server then names the organiser.
   */
  privateParticipantIds: z.array(z.uuid()).max(10).default([]),
};

/** One part as stored. `id` is stable across edits, so the live session can follow it. */
export const AgendaPart = z.object({ id: z.uuid(), ...partFields });
export type AgendaPart = z.infer<typeof AgendaPart>;

/** A part as written by an editor: an existing part keeps its id, a new one has none. */
export const AgendaPartInput = z.object({ id: z.uuid().optional(), ...partFields });
export type AgendaPartInput = z.input<typeof AgendaPartInput>;

/** Which template an agenda came from; `custom` once the organiser has edited it. */
export const AgendaTemplateId = z.enum([
  'co_consultation',
  'guidance',
  'discharge_meeting',
  'follow_up',
  'custom',
]);
export type AgendaTemplateId = z.infer<typeof AgendaTemplateId>;

const checkParts = (
  parts: { agreesPlan?: boolean; audience: AgendaAudience; privateParticipantIds?: string[] }[],
  ctx: z.RefinementCtx,
) => {
  if (parts.filter((p) => p.agreesPlan).length > 1) {
    ctx.addIssue({ code: 'custom', path: [], message: 'at most one part agrees the plan' });
  }
  parts.forEach((p, i) => {
    if (p.audience !== 'private' && (p.privateParticipantIds?.length ?? 0) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'privateParticipantIds'],
        message: 'only private parts name participants',
      });
    }
  });
};

const partsInput = z.array(AgendaPartInput).min(1).max(AGENDA_MAX_PARTS).superRefine(checkParts);

/**
 * An agenda proposed at booking (`CreateConsultationRequest.agenda`): parts without ids.
 * Absent: the template of the consultation kind, in nynorsk.
 */
export const AgendaDraft = z.object({
  template: AgendaTemplateId,
  parts: partsInput,
});
export type AgendaDraft = z.input<typeof AgendaDraft>;

/** PUT /api/consultations/:id/agenda: the whole list, in order. */
export const UpdateAgendaRequest = z.object({
  /** The version the editor started from; another edit in between gives 409. */
  expectedVersion: z.number().int().min(1),
  parts: partsInput,
});
export type UpdateAgendaRequest = z.input<typeof UpdateAgendaRequest>;

/** GET/PUT /api/consultations/:id/agenda. */
export const Agenda = z.object({
  consultationId: z.uuid(),
  /** Starts at 1; every saved edit adds one. */
  version: z.number().int().min(1),
  template: AgendaTemplateId,
  parts: z.array(AgendaPart),
  updatedAt: z.string(),
});
export type Agenda = z.infer<typeof Agenda>;

// --- templates --------------------------------------------------------------------

export type AgendaLanguage = 'nn' | 'nb' | 'en';

interface TemplatePart {
  title: Record<AgendaLanguage, string>;
  audience: AgendaAudience;
  optional: boolean;
  agreesPlan: boolean;
  plannedMinutes: number | null;
}

const PREPARATION: TemplatePart = {
  title: { nn: 'Førebuing', nb: 'Forberedelse', en: 'Preparation' },
  audience: 'staff_only',
  optional: false,
  agreesPlan: false,
  plannedMinutes: 10,
};
const PRIVATE_TALK: TemplatePart = {
  title: {
    nn: 'Samtale åleine med pasienten',
    nb: 'Samtale alene med pasienten',
    en: 'Talk with the patient alone',
  },
  audience: 'private',
  optional: true,
  agreesPlan: false,
  plannedMinutes: 10,
};
const SUMMARY_AND_PLAN: TemplatePart = {
  title: { nn: 'Oppsummering og plan', nb: 'Oppsummering og plan', en: 'Summary and plan' },
  audience: 'everyone',
  optional: false,
  agreesPlan: true,
  plannedMinutes: 10,
};
const everyone = (title: Record<AgendaLanguage, string>, plannedMinutes: number): TemplatePart => ({
  title,
  audience: 'everyone',
  optional: false,
  agreesPlan: false,
  plannedMinutes,
});

/** The default agenda of each consultation kind (the LKT collaboration meeting). */
export const AGENDA_TEMPLATES: Record<ConsultationKind, readonly TemplatePart[]> = {
  co_consultation: [
    PREPARATION,
    everyone(
      {
        nn: 'Samtale med pasient og pårørande',
        nb: 'Samtale med pasient og pårørende',
        en: 'Talk with the patient and next of kin',
      },
      25,
    ),
    PRIVATE_TALK,
    SUMMARY_AND_PLAN,
  ],
  // Staff among themselves: no patient, so no private talk and no plan of the patient's.
  guidance: [
    everyone({ nn: 'Problemstilling', nb: 'Problemstilling', en: 'The question' }, 10),
    everyone({ nn: 'Drøfting og råd', nb: 'Drøfting og råd', en: 'Discussion and advice' }, 20),
    everyone({ nn: 'Oppsummering', nb: 'Oppsummering', en: 'Summary' }, 5),
  ],
  discharge_meeting: [
    PREPARATION,
    everyone(
      {
        nn: 'Status frå sjukehuset',
        nb: 'Status fra sykehuset',
        en: 'Status from the hospital',
      },
      10,
    ),
    everyone(
      {
        nn: 'Behov etter utskriving',
        nb: 'Behov etter utskrivning',
        en: 'Needs after discharge',
      },
      20,
    ),
    PRIVATE_TALK,
    SUMMARY_AND_PLAN,
  ],
  follow_up: [
    everyone({ nn: 'Korleis går det?', nb: 'Hvordan går det?', en: 'How are things?' }, 15),
    PRIVATE_TALK,
    SUMMARY_AND_PLAN,
  ],
};

/** The template of a kind as an editable draft, in one language. */
export function agendaTemplate(kind: ConsultationKind, lang: AgendaLanguage = 'nn'): AgendaDraft {
  return {
    template: kind,
    parts: AGENDA_TEMPLATES[kind].map((p) => ({
      title: p.title[lang],
      audience: p.audience,
      optional: p.optional,
      agreesPlan: p.agreesPlan,
      plannedMinutes: p.plannedMinutes,
      privateParticipantIds: [],
    })),
  };
}

/** The part plan items are agreed in, if the agenda has one. */
export const planPart = (a: Pick<Agenda, 'parts'>): AgendaPart | undefined =>
  a.parts.find((p) => p.agreesPlan);

/**
 * Who shares media in a part (the rule the live session enforces, here so the client can
 * show it): `everyone` all, `staff_only` health personnel, `private` the patient and the
 * named participants. Consent still applies on top of this.
 */
export function inPartAudience(
  part: Pick<AgendaPart, 'audience' | 'privateParticipantIds'>,
  participant: { id: string; role: Role },
): boolean {
  switch (part.audience) {
    case 'everyone':
      return true;
    case 'staff_only':
      return inStaffOnlyPart(participant.role);
    case 'private':
      return participant.role === 'patient' || part.privateParticipantIds.includes(participant.id);
  }
}
