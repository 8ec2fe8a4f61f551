import { z } from 'zod';
import { lineText, multilineText } from './plain-text.js';
import { Consultation, ConsultationKind, Instant } from './consultation.js';
import { NewParticipant } from './participant.js';
import { AgendaDraft } from './agenda.js';

const title = lineText.trim().min(1).max(200);
const organisation = lineText.trim().min(1).max(200);

const checkTimes = (v: { startsAt: string; endsAt: string }, ctx: z.RefinementCtx) => {
  const start = Date.parse(v.startsAt);
  const end = Date.parse(v.endsAt);
  if (!(end > start))
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  if (end - start > 12 * 3600_000) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'at most 12 hours long' });
  }
};

export const CreateConsultationRequest = z
  .object({
    kind: ConsultationKind,
    title: title.nullable().optional(),
    startsAt: Instant,
    endsAt: Instant,
    documentingOrganisation: organisation,
    /** The organiser joins as a participant automatically; list the others here. */
    participants: z.array(NewParticipant).max(20).default([]),
    /** The agenda chosen at booking (shared/src/agenda.ts); absent: the kind's template. */
    agenda: AgendaDraft.optional(),
    /**
     * The earlier consultation whose patient this one is about (its care team, story and
     * plan carry on), for a patient booked without a national identity number; with a
     * number the patient is found by it. The booking staff member must have taken part.
     */
    continuesFrom: z.uuid().optional(),
  })
  .superRefine(checkTimes);
export type CreateConsultationRequest = z.input<typeof CreateConsultationRequest>;

export const UpdateConsultationRequest = z
  .object({
    kind: ConsultationKind.optional(),
    title: title.nullable().optional(),
    documentingOrganisation: organisation.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateConsultationRequest = z.infer<typeof UpdateConsultationRequest>;

export const RescheduleRequest = z
  .object({ startsAt: Instant, endsAt: Instant })
  .superRefine(checkTimes);
export type RescheduleRequest = z.infer<typeof RescheduleRequest>;

export const CancelRequest = z.object({ reason: multilineText.trim().max(500).optional() });
export type CancelRequest = z.infer<typeof CancelRequest>;

export const AddParticipantRequest = NewParticipant;
export type AddParticipantRequest = z.infer<typeof AddParticipantRequest>;

export const ListConsultationsQuery = z
  .object({ from: Instant, to: Instant })
  .refine((v) => Date.parse(v.to) > Date.parse(v.from), {
    path: ['to'],
    message: 'must be after from',
  })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) <= 366 * 86400_000, {
    path: ['to'],
    message: 'range at most one year',
  });
export type ListConsultationsQuery = z.infer<typeof ListConsultationsQuery>;

export const ConsultationList = z.object({ consultations: z.array(Consultation) });
export type ConsultationList = z.infer<typeof ConsultationList>;

/** survey: after the session, the link to the experience survey. */
export const NotificationKind = z.enum(['invite', 'change', 'reminder', 'cancellation', 'survey']);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const OutboxMessage = z.object({
  id: z.uuid(),
  consultationId: z.uuid(),
  participantId: z.uuid(),
  kind: NotificationKind,
  channel: z.enum(['email', 'sms']),
  recipient: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const OutboxList = z.object({ messages: z.array(OutboxMessage) });
export type OutboxList = z.infer<typeof OutboxList>;

/** GET /api/staff/search: staff accounts to book, by name (staff login only). */
export const StaffSearchQuery = z.object({
  q: lineText.trim().min(2).max(100),
  role: z.enum(['specialist', 'gp', 'municipal']).optional(),
});
export type StaffSearchQuery = z.infer<typeof StaffSearchQuery>;

/** The fewest fields that let the organiser pick the right person: no username, no contact. */
export const StaffDirectoryEntry = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(['specialist', 'gp', 'municipal']),
  organisation: z.string(),
});
export type StaffDirectoryEntry = z.infer<typeof StaffDirectoryEntry>;

export const StaffSearchResponse = z.object({ staff: z.array(StaffDirectoryEntry) });
export type StaffSearchResponse = z.infer<typeof StaffSearchResponse>;

/** PATCH /api/consultations/:id/participants/:participantId (the organiser only). */
export const UpdateParticipantRequest = z.object({ delegate: z.boolean() });
export type UpdateParticipantRequest = z.infer<typeof UpdateParticipantRequest>;
