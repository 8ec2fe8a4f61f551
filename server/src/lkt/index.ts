import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import type { DomainEventBus } from '../consent/events.js';
import type { Principal } from '../policy/principal.js';
import { AgendaService } from '../agenda/agenda-service.js';
import { registerAgendaRoutes } from '../agenda/routes.js';

/**
 * The LKT collaboration framework around a consultation (issue 11): agenda, and (growing)
 * the patient's story, care team and agreed plan. Built once with the domain services.
 */
export interface LktServices {
  agenda: AgendaService;
}

export function createLktServices(db: Database, events: DomainEventBus): LktServices {
  return { agenda: new AgendaService(db, events) };
}

/** Registers every LKT route; `principal` authenticates the bearer like the booking routes. */
export function lktRoutes(
  services: LktServices,
  principal: (req: FastifyRequest) => Promise<Principal>,
) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    registerAgendaRoutes(app, services.agenda, principal);
  };
}
