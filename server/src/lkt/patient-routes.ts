import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  PatientCareOverview,
  PlanItem,
  PlanProgressRequest,
  SaveStoryRequest,
  StoryView,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { PatientCare } from './patient-care.js';

/**
 * The patient entry's LKT routes (bearer: the patient token from the ID-porten login, as
 * for /api/patient/consultations). Without a configured patient eID they answer 404.
 */
export function registerPatientCareRoutes(
  root: FastifyInstance,
  care: PatientCare | undefined,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['patient'];
  const entry = () => {
    if (!care) throw new DomainError('not_found', 'Login with an electronic ID is not configured');
    return care;
  };
  app.get(
    '/api/patient/care',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'Care team, agreed plan and "min historie" of each patient the person speaks for ' +
          '(themself; children under 16 they are guardian of). Audited.',
        response: { 200: PatientCareOverview, ...errorResponses },
      },
    },
    (req) => entry().overview(req.headers.authorization, requestMeta(req)),
  );
  app.put(
    '/api/patient/records/:patientRecordId/story',
    {
      schema: {
        tags,
        security: bearerSecurity,
        params: z.object({ patientRecordId: z.uuid() }),
        body: SaveStoryRequest,
        response: { 200: StoryView, ...errorResponses },
      },
    },
    (req) =>
      entry().saveStory(
        req.headers.authorization,
        req.params.patientRecordId,
        req.body,
        requestMeta(req),
      ),
  );
  app.post(
    '/api/patient/plan-items/:itemId/progress',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'The patient (or a guardian) marks an item the patient owns done, or adds a note.',
        params: z.object({ itemId: z.uuid() }),
        body: PlanProgressRequest,
        response: { 200: PlanItem, ...errorResponses },
      },
    },
    (req) =>
      entry().progress(req.headers.authorization, req.params.itemId, req.body, requestMeta(req)),
  );
}
