import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  OidcStartResponse,
  PatientConsultationList,
  PatientLoginResponse,
  PatientSessionResponse,
} from '@samkons/shared';
import type { PatientPortal } from '../auth/patient-portal.js';
import { DomainError } from '../http/domain-error.js';
import {
  bearerSecurity,
  errorResponses,
  OidcCallbackQuery,
  requestMeta,
} from '../http/route-kit.js';

const PatientParticipantParams = z.object({ participantId: z.uuid() });

/**
 * The patient's own entry (/pasient): log in with the patient eID, list the consultations
 * booked under one's national identity number, open the pre-join of one. The bearer is the
 * patient token from the callback; it is good for these routes only.
 */
export function registerPatientRoutes(
  root: FastifyInstance,
  portal: PatientPortal | undefined,
  /** The per-address rate limit of login-like routes (http/auth-rate-limit.ts). */
  limited: preHandlerAsyncHookHandler,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['patient'];
  const entry = () => {
    if (!portal) {
      throw new DomainError('not_found', 'Login with an electronic ID is not configured');
    }
    return portal;
  };
  app.post(
    '/api/patient/oidc/start',
    {
      preHandler: limited,
      schema: {
        tags,
        description:
          'Begin the patient eID (ID-porten) login of the patient entry. The provider returns ' +
          'the browser to /pasient/callback, whose query goes to /api/patient/oidc/callback.',
        response: { 200: OidcStartResponse, ...errorResponses },
      },
    },
    async () => ({ authorizationUrl: await entry().start() }),
  );
  app.get(
    '/api/patient/oidc/callback',
    {
      preHandler: limited,
      schema: {
        tags,
        description:
          'Finish the eID login: a short-lived patient token (carrying a keyed hash of the ' +
          'national identity number, never the number) and the consultations the person is ' +
          'booked in as patient or next of kin.',
        querystring: OidcCallbackQuery,
        response: { 200: PatientLoginResponse, ...errorResponses },
      },
    },
    (req) => entry().callback(req.query, requestMeta(req)),
  );
  app.get(
    '/api/patient/consultations',
    {
      preHandler: limited,
      schema: {
        tags,
        security: bearerSecurity,
        description:
          "The consultations booked under the patient token's person: not cancelled, " +
          'ending no earlier than a day ago, by start. Audited per consultation.',
        response: { 200: PatientConsultationList, ...errorResponses },
      },
    },
    (req) => entry().consultations(req.headers.authorization, requestMeta(req)),
  );
  app.post(
    '/api/patient/consultations/:participantId/session',
    {
      preHandler: limited,
      schema: {
        tags,
        security: bearerSecurity,
        description:
          "A session token for one of the person's own participants, with the invite link " +
          "rules (window, cancellation) and the eID's assurance level; plus the invite token " +
          "whose pre-join (/join/<inviteToken>) uses it. Someone else's participant: 404.",
        params: PatientParticipantParams,
        response: { 200: PatientSessionResponse, ...errorResponses },
      },
    },
    (req) => entry().session(req.headers.authorization, req.params.participantId, requestMeta(req)),
  );
}
