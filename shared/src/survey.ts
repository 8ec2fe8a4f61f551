import { z } from 'zod';
import { multilineText } from './plain-text.js';

/**
 * Post-session experience survey. Two question sets: one for patients and relatives, one for
 * staff. Every question is a Likert item 1–5 (1 = strongly disagree, 5 = strongly agree); a
 * question may be left unanswered (null). Question texts live in the client's i18n files,
 * keyed by question id.
 */
export const Likert = z.number().int().min(1).max(5);
export type Likert = z.infer<typeof Likert>;

export const SurveyAudience = z.enum(['patient_relative', 'staff']);
export type SurveyAudience = z.infer<typeof SurveyAudience>;

export const PATIENT_RELATIVE_QUESTIONS = [
  'easy_to_join',
  'sound_and_picture',
  'felt_safe',
  'felt_included',
  'would_choose_video_again',
] as const;

export const STAFF_QUESTIONS = [
  'easy_to_join',
  'sound_and_picture',
  'felt_included',
  'useful_for_collaboration',
  'would_choose_video_again',
] as const;

export type SurveyQuestionId =
  (typeof PATIENT_RELATIVE_QUESTIONS)[number] | (typeof STAFF_QUESTIONS)[number];

export const SURVEY_QUESTIONS: Record<SurveyAudience, readonly SurveyQuestionId[]> = {
  patient_relative: PATIENT_RELATIVE_QUESTIONS,
  staff: STAFF_QUESTIONS,
};

/** All question ids across both sets, in a stable order (for aggregates and CSV columns). */
export const ALL_SURVEY_QUESTIONS: readonly SurveyQuestionId[] = [
  ...new Set<SurveyQuestionId>([...PATIENT_RELATIVE_QUESTIONS, ...STAFF_QUESTIONS]),
];

export const SURVEY_FREE_TEXT_MAX = 2000;

const scores = <const Q extends readonly string[]>(ids: Q) =>
  z
    .object(
      Object.fromEntries(ids.map((id) => [id, Likert.nullable()])) as {
        [K in Q[number]]: z.ZodNullable<typeof Likert>;
      },
    )
    .strict();

const freeText = multilineText.trim().max(SURVEY_FREE_TEXT_MAX).optional();

/** An answer as submitted: the audience decides which questions are allowed. */
export const SurveyAnswerInput = z.discriminatedUnion('audience', [
  z.object({
    audience: z.literal('patient_relative'),
    scores: scores(PATIENT_RELATIVE_QUESTIONS),
    freeText,
  }),
  z.object({ audience: z.literal('staff'), scores: scores(STAFF_QUESTIONS), freeText }),
]);
export type SurveyAnswerInput = z.infer<typeof SurveyAnswerInput>;

/** Participant role codes (see CONTEXT.md). Kept as strings here to stay independent. */
const PATIENT_SIDE_ROLES = new Set(['patient', 'next_of_kin']);

/** Which question set a participant gets: patients and relatives, or staff. */
export function surveyAudienceForRole(role: string): SurveyAudience {
  return PATIENT_SIDE_ROLES.has(role) ? 'patient_relative' : 'staff';
}

/** Per-question mean and count over answers (nulls ignored); no names involved. */
export const SurveyScoreSummary = z.object({
  question: z.string(),
  answers: z.number().int().nonnegative(),
  mean: z.number().nullable(),
});
export type SurveyScoreSummary = z.infer<typeof SurveyScoreSummary>;

export function summariseScores(
  answers: readonly { scores: Partial<Record<string, number | null>> }[],
): SurveyScoreSummary[] {
  return ALL_SURVEY_QUESTIONS.map((question) => {
    const values = answers
      .map((a) => a.scores[question])
      .filter((v): v is number => typeof v === 'number');
    const mean = values.length
      ? Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 100) / 100
      : null;
    return { question, answers: values.length, mean };
  });
}
