import { z } from 'zod';
import type { DomainEvents } from '../consent/events.js';

/**
 * The wire form of a domain event relayed between nodes. The contract keeps every instant
 * an ISO 8601 string (as consent/events.ts types them), so nothing needs reviving: a Date
 * that slips in anyway leaves as its ISO string (JSON) and decoding checks the format.
 */
const instant = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(128);

const schemas = {
  'consent.given': z.object({
    consultationId: id,
    consentId: id,
    givenByParticipantId: id,
    coveredParticipantIds: z.array(id),
    shareHealthInfo: z.boolean(),
    givenAt: instant,
  }),
  'consent.withdrawn': z.object({
    consultationId: id,
    consentId: id,
    reason: z.enum(['withdrawn', 'narrowed']),
    withdrawnAt: instant,
    // Empty when the withdrawer is unknown (consent-service.ts).
    withdrawnByParticipantId: z.string().max(128),
    affectedParticipantIds: z.array(id),
    shareHealthInfoWithdrawn: z.boolean(),
  }),
  'consent.refused': z.object({
    consultationId: id,
    refusedByParticipantId: id,
    method: z.enum(['in_app', 'verbal']),
    refusedAt: instant,
  }),
  'participant.removed': z.object({ consultationId: id, participantId: id, at: instant }),
  'consultation.changed': z.object({
    consultationId: id,
    change: z.enum(['updated', 'rescheduled', 'cancelled']),
    at: instant,
  }),
  'agenda.changed': z.object({
    consultationId: id,
    version: z.number().int().min(1),
    at: instant,
  }),
  'plan.changed': z.object({
    consultationId: id,
    itemId: id,
    change: z.enum(['added', 'updated', 'removed', 'progress']),
    at: instant,
  }),
} satisfies { [K in keyof DomainEvents]: z.ZodType<DomainEvents[K]> };

export type DomainEventName = keyof DomainEvents;
export const domainEventNames = Object.keys(schemas) as DomainEventName[];

/** One relayed event, with the node that emitted it (so it is never relayed back). */
export type RelayedEvent = {
  [K in DomainEventName]: { node: string; name: K; event: DomainEvents[K] };
}[DomainEventName];

const Envelope = z.object({
  v: z.literal(1),
  node: z.string().min(1).max(128),
  name: z.enum(domainEventNames as [DomainEventName, ...DomainEventName[]]),
  event: z.unknown(),
});

export function encodeEvent<K extends DomainEventName>(
  node: string,
  name: K,
  event: DomainEvents[K],
): string {
  return JSON.stringify({ v: 1, node, name, event });
}

export type DecodeResult = { ok: true; message: RelayedEvent } | { ok: false; error: string };

/** Never throws: malformed input comes back as an error to log and drop. */
export function decodeEvent(raw: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return { ok: false, error: `bad envelope: ${envelope.error.message}` };
  const { node, name } = envelope.data;
  const event = schemas[name].safeParse(envelope.data.event);
  if (!event.success) return { ok: false, error: `bad ${name} payload: ${event.error.message}` };
  return { ok: true, message: { node, name, event: event.data } as RelayedEvent };
}
