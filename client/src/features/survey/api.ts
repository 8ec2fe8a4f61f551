import { SurveyStatus, type SurveyAnswerInput } from '@samkons/shared';
import { z } from 'zod';
import type { ApiClient } from '../../api/client';

/**
 * The experience survey's routes (server/src/reports), bound by the survey page
 * (`useFeatureApi(surveyEndpoints)`). `token`: an invite session token (participants
 * without an account answer too).
 */
export function surveyEndpoints(api: ApiClient) {
  return {
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
