import { ConsultationSummary } from '@samkons/shared';
import type { ApiClient } from '../../api/client';

/**
 * The summary after a session (server/src/summary). `token`: a room session token or the
 * patient entry's token; without it the staff login is used.
 */
export function summaryEndpoints(api: ApiClient) {
  return {
    summary: (consultationId: string, token?: string, signal?: AbortSignal) =>
      api.get(`/consultations/${encodeURIComponent(consultationId)}/summary`, {
        schema: ConsultationSummary,
        signal,
        ...(token ? { token } : {}),
      }),
  };
}
