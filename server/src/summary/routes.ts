import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConsultationSummary } from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { PatientPortal } from '../auth/patient-portal.js';
import { bearerToken, TokenSigner } from '../auth/tokens.js';
import type { SummaryService } from './summary-service.js';

export function registerSummaryRoutes(
  root: FastifyInstance,
  summary: SummaryService,
  principal: (req: FastifyRequest) => Promise<Principal>,
  /** The patient entry (eID login): its token reads the person's own summaries too. */
  patientPortal?: Pick<PatientPortal, 'ownPrincipal'> | undefined,
): void {
  const reader = (req: FastifyRequest, consultationId: string): Promise<Principal> => {
    const authorization = req.headers.authorization;
    const fromEntry =
      patientPortal && TokenSigner.audienceOf(bearerToken(authorization)) === 'patient';
    return fromEntry ? patientPortal.ownPrincipal(authorization, consultationId) : principal(req);
  };
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
          'for the GP (guidance) and the survey. Staff login, session token, or the patient ' +
          "entry's token for one's own consultations. Audited.",
        params: z.object({ id: z.uuid() }),
        response: { 200: ConsultationSummary, ...errorResponses },
      },
    },
    async (req) => summary.get(await reader(req, req.params.id), req.params.id, requestMeta(req)),
  );
}
