import type { LiveAgendaPart } from '@samkons/shared';

/**
 * Where a live session gets its consultation's agenda when it opens. The agenda itself
 * (templates per consultation kind, editing by the organiser) belongs to the booking side;
 * the live session reads it once at the start.
 */
export interface AgendaSource {
  /** Ordered parts; empty when the consultation has no agenda (the session runs without). */
  load(consultationId: string): Promise<LiveAgendaPart[]>;
}

/** Development rooms and servers without a database: no agenda. */
export const noAgendas: AgendaSource = { load: () => Promise.resolve([]) };

/** A fixed agenda per consultation id (tests). */
export function fixedAgendas(byConsultation: Map<string, LiveAgendaPart[]>): AgendaSource {
  return { load: (id) => Promise.resolve(byConsultation.get(id) ?? []) };
}
