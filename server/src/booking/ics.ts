import { createEvent } from 'ics';
import type { Consultation, Participant } from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';

const KIND_TITLE: Record<Consultation['kind'], string> = {
  co_consultation: 'Samkonsultasjon',
  guidance: 'Rettleiing',
  discharge_meeting: 'Samarbeidsmøte før utskriving',
  follow_up: 'Oppfølging',
};

/** One calendar event per participant, carrying that participant's own join link. */
export function icsFor(c: Consultation, p: Participant, joinUrl: string): string {
  const { error, value } = createEvent({
    uid: `${c.id}.${p.id}@samkons`,
    productId: 'samkons',
    start: Date.parse(c.startsAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(c.endsAt),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: c.title ? `${KIND_TITLE[c.kind]}: ${c.title}` : KIND_TITLE[c.kind],
    description: `Video: ${joinUrl}\nAnsvarleg for dokumentasjon: ${c.documentingOrganisation}`,
    url: joinUrl,
    location: 'Video (samkons)',
    status: c.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    ...(p.email ? { attendees: [{ name: p.name, email: p.email, rsvp: false }] } : {}),
  });
  if (error || !value) throw new DomainError('invalid_state', 'Could not build the calendar file');
  return value;
}
