import {
  SURVEY_QUESTIONS,
  SurveyAnswerInput,
  type SurveyAudience,
  type SurveyQuestionId,
} from '@samkons/shared';
import type { SurveyMessages } from './i18n';

/** The form's state: one score (or none) per question, and the free text. */
export interface SurveyDraft {
  scores: Partial<Record<SurveyQuestionId, number | null>>;
  freeText: string;
}

export const emptyDraft = (): SurveyDraft => ({ scores: {}, freeText: '' });

/** The i18n key of a question's text for an audience. */
export const questionKey = (audience: SurveyAudience, q: SurveyQuestionId) =>
  `q_${audience}_${q}` as keyof SurveyMessages;

/**
 * The answer to submit: every question of the audience's set present (unanswered = null),
 * free text trimmed and left out when empty. Null when the draft breaks the shared schema.
 */
export function toAnswer(audience: SurveyAudience, draft: SurveyDraft): SurveyAnswerInput | null {
  const scores = Object.fromEntries(
    SURVEY_QUESTIONS[audience].map((q) => [q, draft.scores[q] ?? null]),
  );
  const text = draft.freeText.trim();
  const parsed = SurveyAnswerInput.safeParse({
    audience,
    scores,
    ...(text ? { freeText: text } : {}),
  });
  return parsed.success ? parsed.data : null;
}
