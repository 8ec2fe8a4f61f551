import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConsultationSummary } from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { SummaryService } from './summary-service.js';

export function registerSummaryRoutes(
  root: FastifyInstance,
  summary: SummaryService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/consultations/:id/summary',
    {
      schema: {
        tags: ['summary'],
        security: bearerSecurity,
        description:
          'The printable summary for the reader: who took part and in which parts, the story ' +
          '(if shared with them), the plan (as they may see it), the next meeting, tariff hints ' +
          'for the GP (guidance) and the survey. Audited.',
        params: z.object({ id: z.uuid() }),
        response: { 200: ConsultationSummary, ...errorResponses },
      },
    },
    async (req) => summary.get(await principal(req), req.params.id, requestMeta(req)),
  );
}
