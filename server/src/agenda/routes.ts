import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Agenda, UpdateAgendaRequest } from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { AgendaService } from './agenda-service.js';

const ConsultationParams = z.object({ id: z.uuid() });

export function registerAgendaRoutes(
  root: FastifyInstance,
  agenda: AgendaService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['agenda'];
  app.get(
    '/api/consultations/:id/agenda',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description: 'The ordered parts of the consultation; every participant reads it.',
        params: ConsultationParams,
        response: { 200: Agenda, ...errorResponses },
      },
    },
    async (req) => agenda.get(await principal(req), req.params.id, requestMeta(req)),
  );
  app.put(
    '/api/consultations/:id/agenda',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'The organiser replaces the whole list (booked or in progress). Existing parts keep ' +
          'their id, new parts have none; `expectedVersion` must be the current version (409 ' +
          'otherwise). Emits `agenda.changed`.',
        params: ConsultationParams,
        body: UpdateAgendaRequest,
        response: { 200: Agenda, ...errorResponses },
      },
    },
    async (req) => agenda.update(await principal(req), req.params.id, req.body, requestMeta(req)),
  );
}
