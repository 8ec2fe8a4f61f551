import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CareTeam,
  CareTeamLookupRequest,
  CareTeamLookupResponse,
  CareTeamMember,
  CareTeamMemberPatch,
  NewCareTeamMember,
} from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { CareTeamService } from './care-team-service.js';

const ConsultationParams = z.object({ id: z.uuid() });
const MemberParams = z.object({ id: z.uuid(), memberId: z.uuid() });

export function registerCareTeamRoutes(
  root: FastifyInstance,
  careTeam: CareTeamService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['care team'];
  app.get(
    '/api/consultations/:id/care-team',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          "The care team of the consultation's patient (kept across consultations): health " +
          'personnel taking part, the patient and guardians read it. Audited.',
        params: ConsultationParams,
        response: { 200: CareTeam, ...errorResponses },
      },
    },
    async (req) => careTeam.get(await principal(req), req.params.id, requestMeta(req)),
  );
  app.post(
    '/api/consultations/:id/care-team/members',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'Health personnel taking part (staff login) add a member; `isCoordinator` makes them ' +
          'the one coordinator (the previous one stops being it).',
        params: ConsultationParams,
        body: NewCareTeamMember,
        response: { 201: CareTeamMember, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await careTeam.addMember(await principal(req), req.params.id, req.body, requestMeta(req)),
        ),
  );
  app.patch(
    '/api/consultations/:id/care-team/members/:memberId',
    {
      schema: {
        tags,
        security: bearerSecurity,
        params: MemberParams,
        body: CareTeamMemberPatch,
        response: { 200: CareTeamMember, ...errorResponses },
      },
    },
    async (req) =>
      careTeam.updateMember(
        await principal(req),
        req.params.id,
        req.params.memberId,
        req.body,
        requestMeta(req),
      ),
  );
  app.delete(
    '/api/consultations/:id/care-team/members/:memberId',
    {
      schema: {
        tags,
        security: bearerSecurity,
        params: MemberParams,
        response: { 200: z.object({ removed: z.literal(true) }), ...errorResponses },
      },
    },
    async (req) => {
      await careTeam.removeMember(
        await principal(req),
        req.params.id,
        req.params.memberId,
        requestMeta(req),
      );
      return { removed: true as const };
    },
  );
  app.post(
    '/api/care-teams/lookup',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'Booking pre-fill: the care team of the patient with this national identity number, or ' +
          'of an earlier consultation. Only staff already involved in the patient’s care get it; ' +
          'everyone else 404. Audited.',
        body: CareTeamLookupRequest,
        response: { 200: CareTeamLookupResponse, ...errorResponses },
      },
    },
    async (req) => careTeam.lookup(await principal(req), req.body, requestMeta(req)),
  );
}
