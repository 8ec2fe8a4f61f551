import { z } from 'zod';
import { AgendaPart, inPartAudience } from './agenda.js';
import { Role } from './roles.js';

/**
 * The agenda as the live session runs it (issue 11, item 1): the consultation's ordered
 * parts (shared/src/agenda.ts), which one is on now, and where each person in the call is
 * during it. The server enforces what a part means for media and admission; clients only
 * draw it.
 *
 * - `staff_only` ("Førebuing"): health personnel only; the patient side waits in the waiting
 *   room and is told the meeting will start shortly.
 * - `everyone`: everyone together (the part that `agreesPlan` opens the plan panel).
 * - `private` ("Samtale åleine med pasienten"): the patient and the named clinicians share
 *   media in the `private` group; everyone else is in the `side` group (a side room where
 *   they see and hear each other, and nothing of the private group).
 *
 * Each person's group follows from the part and their role (`placementIn` below): clients
 * draw it from the participants they know, the server enforces the same rule.
 */

const Id = z.string().min(1).max(128);

/** Whose media one shares: everyone (`plenary`), the private part, or its side room. */
export const MediaGroup = z.enum(['plenary', 'private', 'side']);
export type MediaGroup = z.infer<typeof MediaGroup>;

export const LiveAgenda = z.object({
  parts: z.array(AgendaPart),
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

/**
 * The rule the server enforces, as a pure function: the media group of a participant in a
 * part, or `held` (in the waiting room). No part: everyone together. The audience of a part
 * is lkt-data's `inPartAudience`; whoever is outside it waits (staff-only) or goes to the
 * side room (private). A person of unknown role is outside every restricted audience: a
 * default of exclusion, so someone the part did not foresee never hears it.
 */
export function placementIn(
  part: Pick<AgendaPart, 'audience' | 'privateParticipantIds'> | null | undefined,
  person: { participantId: string; role: string | null | undefined },
): MediaGroup | 'held' {
  if (!part || part.audience === 'everyone') return 'plenary';
  const role = Role.safeParse(person.role);
  const inside =
    role.success && inPartAudience(part, { id: person.participantId, role: role.data });
  if (part.audience === 'staff_only') return inside ? 'plenary' : 'held';
  return inside ? 'private' : 'side';
}
