import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FhirExportRequest } from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { FhirService } from './fhir-service.js';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const ConsultationParams = z.object({ id: z.uuid() });
/** A FHIR Bundle; its resources are validated against the official R4 schema in the tests. */
const Bundle = z.looseObject({ resourceType: z.literal('Bundle') });

export function registerFhirRoutes(
  root: FastifyInstance,
  fhir: FhirService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['fhir'];
  const description =
    'The consultation as a FHIR R4 Bundle (collection): Appointment, Patient, Practitioner, ' +
    'RelatedPerson, Consent, CareTeam, CarePlan. Health personnel taking part (staff login). ' +
    'See the README, "FHIR export", for the mapping.';
  app.get(
    '/api/consultations/:id/fhir',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description: `${description} Without national identity numbers.`,
        params: ConsultationParams,
        response: { 200: Bundle, ...errorResponses },
      },
    },
    async (req, reply) => {
      const bundle = await fhir.export(await principal(req), req.params.id, requestMeta(req));
      reply.header('content-type', FHIR_JSON);
      return bundle;
    },
  );
  app.post(
    '/api/consultations/:id/fhir',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description: `${description} With the patient's national identity number when the caller supplies it and it matches (403 otherwise).`,
        params: ConsultationParams,
        body: FhirExportRequest,
        response: { 200: Bundle, ...errorResponses },
      },
    },
    async (req, reply) => {
      const bundle = await fhir.export(
        await principal(req),
        req.params.id,
        requestMeta(req),
        req.body.patientNationalId,
      );
      reply.header('content-type', FHIR_JSON);
      return bundle;
    },
  );
}
