import { z } from 'zod';

/**
 * The agenda as the live session runs it (issue 11, item 1): the consultation's ordered
 * parts, which one is on now, and where each person in the call is during it. The server
 * enforces what a part means for media and admission; clients only draw it.
 *
 * - `staff_only` ("Førebuing"): the patient side (patient, next of kin) waits in the waiting
 *   room and is told the meeting will start shortly.
 * - `open`: everyone together.
 * - `private` ("Samtale åleine med pasienten"): the patient and the named clinicians share
 *   media in the `private` group; everyone else is in the `side` group (a side room where
 *   they see and hear each other, and nothing of the private group).
 * - `plan` ("Oppsummering og plan"): everyone together; the plan panel opens.
 *
 * Each person's group follows from the part and their role (`placementIn` below): clients
 * draw it from the participants they know, the server enforces the same rule.
 */

const Id = z.string().min(1).max(128);

export const LivePartKind = z.enum(['staff_only', 'open', 'private', 'plan']);
export type LivePartKind = z.infer<typeof LivePartKind>;

export const LiveAgendaPart = z.object({
  id: Id,
  kind: LivePartKind,
  title: z.string(),
  /** Private parts: the clinicians (participant ids) who stay with the patient. */
  privateParticipantIds: z.array(Id),
});
export type LiveAgendaPart = z.infer<typeof LiveAgendaPart>;

/** Whose media one shares: everyone (`plenary`), the private part, or its side room. */
export const MediaGroup = z.enum(['plenary', 'private', 'side']);
export type MediaGroup = z.infer<typeof MediaGroup>;

export const LiveAgenda = z.object({
  parts: z.array(LiveAgendaPart),
  /** The part on now; null when the agenda is not running (everyone together). */
  currentPartId: Id.nullable(),
  /** ISO instant the current part started. */
  currentSince: z.string().nullable(),
});
export type LiveAgenda = z.infer<typeof LiveAgenda>;

const Empty = z.object({}).strict();

/** Agenda requests (client -> server, acked); merged into signalling's `requests`. */
export const agendaRequests = {
  /**
   * Needs `canModerate` (the host). Moves the session to `partId` (any part, forwards or
   * back), or off the agenda with null (everyone together). Media, waiting room and side
   * room follow at once; the change is audited with who was present.
   */
  moveToPart: { req: z.object({ partId: Id.nullable() }).strict(), res: Empty },
} as const satisfies Record<string, { req: z.ZodType; res: z.ZodType }>;

/** Agenda notifications (server -> client); merged into signalling's `notifications`. */
export const agendaNotifications = {
  /** To everyone admitted, after every part change, and once at admission. */
  agendaChanged: z.object({ agenda: LiveAgenda }),
  /**
   * To a waiting person on the patient side: whether they wait because the current part
   * is for health personnel only ("the meeting will start shortly"), not for a host.
   */
  waitingForPart: z.object({ held: z.boolean() }),
} as const satisfies Record<string, z.ZodType>;

/** Roles on the patient's side: held back during staff-only parts. */
export const isPatientSideRole = (role: string | null | undefined): boolean =>
  role === 'patient' || role === 'next_of_kin';

/**
 * The rule the server enforces, as a pure function: the media group of a participant in a
 * part, or `held` (in the waiting room). Unknown parts and no part: everyone together.
 * In a private part, anyone not the patient and not named is in the side room: a default
 * of exclusion, so a person the part did not foresee never hears it.
 */
export function placementIn(
  part: LiveAgendaPart | null | undefined,
  person: { participantId: string; role: string | null | undefined },
): MediaGroup | 'held' {
  if (!part) return 'plenary';
  switch (part.kind) {
    case 'staff_only':
      return isPatientSideRole(person.role) ? 'held' : 'plenary';
    case 'private':
      return person.role === 'patient' || part.privateParticipantIds.includes(person.participantId)
        ? 'private'
        : 'side';
    case 'open':
    case 'plan':
      return 'plenary';
  }
}
