import {
  ConsultationTravelPlans,
  ReportResponse,
  SurveyStatus,
  TravelPlaces,
  type ReportQuery,
  type SurveyAnswerInput,
  type TravelPlanInput,
} from '@samkons/shared';
import { z } from 'zod';
import type { ApiClient } from '../../api/client';

/**
 * The evaluation and survey routes (server/src/reports). Spread into the app's endpoints
 * (client/src/api/endpoints.ts) so every route the client calls stays in one object.
 * `token`: an invite session token (participants without an account answer the survey).
 */
export function reportsEndpoints(api: ApiClient) {
  return {
    reportSummary: (q: ReportQuery, signal?: AbortSignal) =>
      api.get('/reports/summary', { query: q, schema: ReportResponse, signal }),
    reportCsv: (q: ReportQuery) =>
      api.blob(
        `/reports/export.csv?from=${encodeURIComponent(q.from)}&to=${encodeURIComponent(q.to)}`,
      ),
    travelPlaces: (signal?: AbortSignal) =>
      api.get('/reports/places', { schema: TravelPlaces, signal }),
    travelPlans: (consultationId: string, signal?: AbortSignal) =>
      api.get(`/reports/consultations/${encodeURIComponent(consultationId)}/travel`, {
        schema: ConsultationTravelPlans,
        signal,
      }),
    setTravelPlan: (consultationId: string, participantId: string, body: TravelPlanInput) =>
      api.request(
        'PUT',
        `/reports/consultations/${encodeURIComponent(consultationId)}/participants/${encodeURIComponent(participantId)}/travel`,
        { body },
      ),
    surveyStatus: (consultationId: string, token?: string, signal?: AbortSignal) =>
      api.get(`/surveys/${encodeURIComponent(consultationId)}`, {
        schema: SurveyStatus,
        signal,
        ...(token ? { token } : {}),
      }),
    answerSurvey: (consultationId: string, body: SurveyAnswerInput, token?: string) =>
      api.post(`/surveys/${encodeURIComponent(consultationId)}`, {
        body,
        schema: z.object({ ok: z.literal(true) }),
        ...(token ? { token } : {}),
      }),
  };
}

export type ReportsEndpoints = ReturnType<typeof reportsEndpoints>;
