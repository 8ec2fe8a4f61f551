import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SaveStoryRequest, StoryView } from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { StoryService } from './story-service.js';

const ConsultationParams = z.object({ id: z.uuid() });

export function registerStoryRoutes(
  root: FastifyInstance,
  story: StoryService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['story'];
  app.get(
    '/api/consultations/:id/story',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          '"Min historie / min gode dag" of the patient: the patient and guardians always; ' +
          'others as the writer chose (`sharing`). Every read is audited.',
        params: ConsultationParams,
        response: { 200: StoryView, ...errorResponses },
      },
    },
    async (req) => story.get(await principal(req), req.params.id, requestMeta(req)),
  );
  app.put(
    '/api/consultations/:id/story',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'The patient or a guardian writes it (from the pre-join). `expectedVersion` as read ' +
          '(absent the first time); 409 if it moved. Audited.',
        params: ConsultationParams,
        body: SaveStoryRequest,
        response: { 200: StoryView, ...errorResponses },
      },
    },
    async (req) => story.save(await principal(req), req.params.id, req.body, requestMeta(req)),
  );
}
