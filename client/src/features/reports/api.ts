import {
  ConsultationTravelPlans,
  ReportResponse,
  TravelPlaces,
  type ReportQuery,
  type TravelPlanInput,
} from '@samkons/shared';
import type { ApiClient } from '../../api/client';

/**
 * The evaluation routes (server/src/reports), bound by the pages that use them
 * (`useFeatureApi(reportsEndpoints)`), so their schemas load with those pages only.
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
  };
}

export type ReportsEndpoints = ReturnType<typeof reportsEndpoints>;
