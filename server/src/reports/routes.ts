import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { bearerSecurity, errorResponses, requestMeta } from '../http/route-kit.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ConsultationReport,
  ConsultationTravelPlans,
  ErrorBody,
  ReportQuery,
  ReportResponse,
  SurveyAnswerInput,
  SurveyStatus,
  TravelPlaces,
  TravelPlan,
} from '@samkons/shared';
import type { Principal } from '../policy/principal.js';
import type { ReportsService } from './service.js';

export interface ReportsRoutesOptions {
  reports: ReportsService;
  /** Resolves the `Authorization` header to a principal (the domain's AuthService). */
  authenticate: (authorization: string | undefined) => Promise<Principal>;
  /**
   * For /api/surveys/* only: also accepts the participant's invite link
   * (survey-auth.ts), so the survey works later and from another tab. Default: `authenticate`.
   */
  authenticateSurvey?: (
    authorization: string | undefined,
    consultationId: string,
  ) => Promise<Principal>;
}

const ConsultationParams = z.object({ consultationId: z.uuid() });
const TravelParams = z.object({ consultationId: z.uuid(), participantId: z.uuid() });

/** Evaluation reports and the experience survey: /api/reports/* and /api/surveys/*. */
export const reportsRoutes: FastifyPluginAsync<ReportsRoutesOptions> = async (base, opts) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { reports } = opts;
  const who = (req: FastifyRequest) => opts.authenticate(req.headers.authorization);
  const surveyTaker = (req: FastifyRequest, consultationId: string) =>
    opts.authenticateSurvey
      ? opts.authenticateSurvey(req.headers.authorization, consultationId)
      : opts.authenticate(req.headers.authorization);

  app.get(
    '/api/reports/summary',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'Totals and breakdowns (month, municipality, kind, role) for a period',
        querystring: ReportQuery,
        response: { 200: ReportResponse, ...errorResponses },
      },
    },
    async (req) => reports.summary(await who(req), req.query),
  );

  app.get(
    '/api/reports/export.csv',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'The same rows as the summary, as CSV',
        querystring: ReportQuery,
        produces: ['text/csv'],
        response: { 200: z.string(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const csv = await reports.csv(await who(req), req.query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="samkons-evaluering-${req.query.from}_${req.query.to}.csv"`,
        )
        .send(csv);
    },
  );

  app.get(
    '/api/reports/consultations/:consultationId',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'Session facts and travel avoided per participant (no names)',
        params: ConsultationParams,
        response: { 200: ConsultationReport, ...errorResponses },
      },
    },
    async (req) =>
      reports.consultation(await who(req), req.params.consultationId, requestMeta(req)),
  );

  app.get(
    '/api/reports/consultations/:consultationId/travel',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'The saved travel plans, keyed by participant id (only those with one)',
        params: ConsultationParams,
        response: { 200: ConsultationTravelPlans, ...errorResponses },
      },
    },
    async (req) => reports.travelPlans(await who(req), req.params.consultationId, requestMeta(req)),
  );

  app.put(
    '/api/reports/consultations/:consultationId/participants/:participantId/travel',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'Enter the trip a participant would otherwise have made',
        params: TravelParams,
        body: TravelPlan,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await reports.setTravelPlan(
        await who(req),
        req.params.consultationId,
        req.params.participantId,
        req.body,
        requestMeta(req),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/reports/places',
    {
      schema: {
        tags: ['reports'],
        security: bearerSecurity,
        summary: 'Configured places with road distances, for booking forms',
        response: { 200: TravelPlaces, 401: ErrorBody },
      },
    },
    async (req) => {
      await who(req);
      return reports.places();
    },
  );

  app.get(
    '/api/surveys/:consultationId',
    {
      schema: {
        tags: ['survey'],
        security: bearerSecurity,
        summary: "The caller's question set and whether it is answered",
        params: ConsultationParams,
        response: { 200: SurveyStatus, ...errorResponses },
      },
    },
    async (req) =>
      reports.surveyStatus(
        await surveyTaker(req, req.params.consultationId),
        req.params.consultationId,
      ),
  );

  app.post(
    '/api/surveys/:consultationId',
    {
      schema: {
        tags: ['survey'],
        security: bearerSecurity,
        summary: 'Answer the experience survey (once per participant and consultation)',
        params: ConsultationParams,
        body: SurveyAnswerInput,
        response: { 201: z.object({ ok: z.literal(true) }), ...errorResponses },
      },
    },
    async (req, reply) => {
      await reports.answerSurvey(
        await surveyTaker(req, req.params.consultationId),
        req.params.consultationId,
        req.body,
        requestMeta(req),
      );
      return reply.status(201).send({ ok: true });
    },
  );
};

/** Registers the routes; `app.register` keeps their encapsulation. */
export async function registerReports(
  app: FastifyInstance,
  opts: ReportsRoutesOptions,
): Promise<void> {
  await app.register(reportsRoutes, opts);
}
