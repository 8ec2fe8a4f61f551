import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  MyPlanItems,
  NewPlanItem,
  PlanItem,
  PlanItemPatch,
  PlanProgressRequest,
  PlanView,
} from '@samkons/shared';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { Principal } from '../policy/principal.js';
import type { PlanService } from './plan-service.js';

const ConsultationParams = z.object({ id: z.uuid() });
const ItemParams = z.object({ id: z.uuid(), itemId: z.uuid() });
const OwnItemParams = z.object({ itemId: z.uuid() });

export function registerPlanRoutes(
  root: FastifyInstance,
  plan: PlanService,
  principal: (req: FastifyRequest) => Promise<Principal>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['plan'];
  app.get(
    '/api/consultations/:id/plan',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'The plan agreed in the consultation. Staff at the other care level see only their ' +
          'own items unless the consent in force shares health information (`withheld` counts ' +
          'the rest). Audited.',
        params: ConsultationParams,
        response: { 200: PlanView, ...errorResponses },
      },
    },
    async (req) => plan.view(await principal(req), req.params.id, requestMeta(req)),
  );
  app.post(
    '/api/consultations/:id/plan/items',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description: 'The host (specialist or organiser) adds an item. Emits `plan.changed`.',
        params: ConsultationParams,
        body: NewPlanItem,
        response: { 201: PlanItem, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await plan.addItem(await principal(req), req.params.id, req.body, requestMeta(req))),
  );
  app.patch(
    '/api/consultations/:id/plan/items/:itemId',
    {
      schema: {
        tags,
        security: bearerSecurity,
        params: ItemParams,
        body: PlanItemPatch,
        response: { 200: PlanItem, ...errorResponses },
      },
    },
    async (req) =>
      plan.updateItem(
        await principal(req),
        req.params.id,
        req.params.itemId,
        req.body,
        requestMeta(req),
      ),
  );
  app.delete(
    '/api/consultations/:id/plan/items/:itemId',
    {
      schema: {
        tags,
        security: bearerSecurity,
        params: ItemParams,
        response: { 200: z.object({ removed: z.literal(true) }), ...errorResponses },
      },
    },
    async (req) => {
      await plan.removeItem(
        await principal(req),
        req.params.id,
        req.params.itemId,
        requestMeta(req),
      );
      return { removed: true as const };
    },
  );
  app.post(
    '/api/plan/items/:itemId/progress',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          "The item's owner marks it done (or open again) and/or adds a note: a staff member " +
          'through the care team membership linked to their account, the patient or a guardian ' +
          'for items the patient owns. Audited.',
        params: OwnItemParams,
        body: PlanProgressRequest,
        response: { 200: PlanItem, ...errorResponses },
      },
    },
    async (req) =>
      plan.progress(await principal(req), req.params.itemId, req.body, requestMeta(req)),
  );
  app.get(
    '/api/plan/mine',
    {
      schema: {
        tags,
        security: bearerSecurity,
        description:
          'Staff: the items they own and the plans of consultations they took part in (last year).',
        response: { 200: MyPlanItems, ...errorResponses },
      },
    },
    async (req) => plan.mine(await principal(req), requestMeta(req)),
  );
}
