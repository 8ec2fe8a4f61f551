import type { AgendaPart } from '@samkons/shared';
import { isDatabaseId } from '../database-id.js';

/**
 * Where a live session gets its consultation's agenda when it opens. The agenda itself
 * (templates per consultation kind, editing by the organiser) belongs to the booking side;
 * the live session reads it once at the start.
 */
export interface AgendaSource {
  /** Ordered parts; empty when the consultation has no agenda (the session runs without). */
  load(consultationId: string): Promise<AgendaPart[]>;
}

/** Development rooms and servers without a database: no agenda. */
export const noAgendas: AgendaSource = { load: () => Promise.resolve([]) };

/** A fixed agenda per consultation id (tests). */
export function fixedAgendas(byConsultation: Map<string, AgendaPart[]>): AgendaSource {
  return { load: (id) => Promise.resolve(byConsultation.get(id) ?? []) };
}

/**
 * The consultation's agenda as the booking side keeps it (server/src/agenda). Development
 * rooms (names, not consultation ids) have none.
 */
export function domainAgendas(agendas: {
  forSession(consultationId: string): Promise<{ parts: AgendaPart[] }>;
}): AgendaSource {
  return {
    load: async (id) => (isDatabaseId(id) ? (await agendas.forSession(id)).parts : []),
  };
}
