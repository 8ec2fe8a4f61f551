import { randomUUID } from 'node:crypto';
import {
  AgendaDraft,
  agendaTemplate,
  privatePartRoles,
  type AgendaPart,
  type AgendaPartInput,
  type Consultation,
  type Participant,
} from '@samkons/shared';
import type { z } from 'zod';
import { DomainError } from '../http/domain-error.js';

type PartIn = z.output<typeof AgendaDraft>['parts'][number];

const badRequest = (message: string, path: string) =>
  new DomainError('bad_request', message, [{ path, message }]);

const organiserOf = (c: Consultation): Participant | undefined =>
  c.participants.find((p) => p.accountId === c.organiserId);

const mayBePrivate = (p: Participant) => privatePartRoles.includes(p.role);

/**
 * Checks parts written by an editor against the consultation and gives every part an id
 * (kept for existing parts, new for new ones). `knownIds`: the ids of the stored agenda,
 * the only ids an edit may keep.
 */
export function materialiseParts(
  parts: readonly (PartIn & Pick<AgendaPartInput, 'id'>)[],
  c: Consultation,
  knownIds: ReadonlySet<string>,
): AgendaPart[] {
  const hasPatient = c.participants.some((p) => p.role === 'patient');
  const seen = new Set<string>();
  return parts.map((part, i) => {
    if (part.id !== undefined) {
      if (!knownIds.has(part.id)) {
        throw badRequest('not a part of this agenda (new parts have no id)', `parts.${i}.id`);
      }
      if (seen.has(part.id)) throw badRequest('the same part twice', `parts.${i}.id`);
      seen.add(part.id);
    }
    if (part.audience === 'private') {
      if (!hasPatient) {
        throw badRequest('a private part needs a patient in the consultation', `parts.${i}`);
      }
      for (const id of part.privateParticipantIds) {
        const p = c.participants.find((x) => x.id === id);
        if (!p || !mayBePrivate(p)) {
          throw badRequest(
            'a private part names clinicians or the interpreter taking part',
            `parts.${i}.privateParticipantIds`,
          );
        }
      }
    }
    return {
      id: part.id ?? randomUUID(),
      title: part.title,
      audience: part.audience,
      optional: part.optional,
      agreesPlan: part.agreesPlan,
      plannedMinutes: part.plannedMinutes,
      privateParticipantIds: [...new Set(part.privateParticipantIds)],
    };
  });
}

/**
 * The agenda a consultation starts with: the booking's draft, else the template of its kind.
 * Without a patient, private parts are left out (nobody to talk with alone).
 */
export function agendaAtBooking(
  c: Consultation,
  draft: z.output<typeof AgendaDraft> | undefined,
): { template: z.output<typeof AgendaDraft>['template']; parts: AgendaPart[] } {
  const chosen = draft ?? AgendaDraft.parse(agendaTemplate(c.kind));
  const hasPatient = c.participants.some((p) => p.role === 'patient');
  const parts = hasPatient ? chosen.parts : chosen.parts.filter((p) => p.audience !== 'private');
  if (parts.length === 0) {
    throw badRequest('the agenda needs a part besides private ones', 'agenda.parts');
  }
  return { template: chosen.template, parts: materialiseParts(parts, c, new Set()) };
}

/**
 * The agenda as read: private parts name only clinicians still taking part, and the
 * organiser when none is left (nobody named would leave the patient alone with no one).
 */
export function resolveParts(parts: readonly AgendaPart[], c: Consultation): AgendaPart[] {
  const organiser = organiserOf(c);
  return parts.map((part) => {
    if (part.audience !== 'private') return { ...part, privateParticipantIds: [] };
    const named = part.privateParticipantIds.filter((id) =>
      c.participants.some((p) => p.id === id && mayBePrivate(p)),
    );
    return {
      ...part,
      privateParticipantIds: named.length > 0 ? named : organiser ? [organiser.id] : [],
    };
  });
}
