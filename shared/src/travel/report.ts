import { z } from 'zod';
import { ALL_SURVEY_QUESTIONS, SurveyAudience } from '../survey.js';
import { TravelMode } from './factors.js';
import { TravelPlan } from './model.js';

/** API contract of the evaluation reports (server/src/reports, client/src/features/reports). */

const Localized = z.object({ nn: z.string(), nb: z.string(), en: z.string() });

/** Calendar dates (Europe/Oslo), both inclusive. At most about two years. */
export const ReportQuery = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .refine((v) => v.to >= v.from, { path: ['to'], message: 'must not be before from' })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) <= 800 * 86400_000, {
    path: ['to'],
    message: 'period at most two years',
  });
export type ReportQuery = z.infer<typeof ReportQuery>;

export const ReportDimension = z.enum(['total', 'month', 'municipality', 'kind', 'role']);
export type ReportDimension = z.infer<typeof ReportDimension>;

export const ReportRow = z.object({
  dimension: ReportDimension,
  /** Month `YYYY-MM`, municipality name or `unknown`, kind code, role code; `all` for total. */
  key: z.string(),
  sessions: z.number().int(),
  sessionHours: z.number(),
  /** Participants who attended, and their summed time in the session. */
  participants: z.number().int(),
  attendanceHours: z.number(),
  /** Participants with a trip avoided, and the trips' sums. */
  trips: z.number().int(),
  km: z.number(),
  travelHours: z.number(),
  kgCo2: z.number(),
  costNok: z.number(),
  surveyAnswers: z.number().int(),
  /** Mean over every Likert answer in the rows' surveys (1–5), null with none. */
  surveyMean: z.number().nullable(),
  scores: z.record(z.string(), z.number().nullable()),
  /** LKT (issue 11): sessions where a plan was agreed (at least one plan item). */
  sessionsWithPlan: z.number().int(),
  /** Plan items agreed in these sessions (removed ones not counted). */
  planItems: z.number().int(),
  /** Of those, the items with a due date, and those done on or before it (Oslo dates). */
  planItemsWithDue: z.number().int(),
  planItemsDoneOnTime: z.number().int(),
  /** Sessions in which a private part ("Samtale åleine med pasienten") was held. */
  sessionsWithPrivatePart: z.number().int(),
});
export type ReportRow = z.infer<typeof ReportRow>;

export const ReportComment = z.object({
  month: z.string(),
  audience: SurveyAudience,
  text: z.string(),
});

export const ReportResponse = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  total: ReportRow,
  explanation: z.object({ km: Localized, hours: Localized, kgCo2: Localized, costNok: Localized }),
  breakdowns: z.object({
    month: z.array(ReportRow),
    municipality: z.array(ReportRow),
    kind: z.array(ReportRow),
    role: z.array(ReportRow),
  }),
  /** Free-text survey comments without any identity. */
  comments: z.array(ReportComment),
  factorsNote: z.string(),
  /** Factor per mode with its source, as used for these figures. */
  factors: z.array(
    z.object({
      mode: TravelMode,
      kgCo2PerKm: z.number(),
      speedKmh: z.number(),
      costPerKmNok: z.number(),
      costPerTripNok: z.number(),
      sources: z.array(z.string()),
    }),
  ),
});
export type ReportResponse = z.infer<typeof ReportResponse>;

/** CSV columns, in order: the rows of ReportResponse flattened. */
export const REPORT_CSV_COLUMNS = [
  'dimension',
  'key',
  'sessions',
  'session_hours',
  'participants',
  'attendance_hours',
  'trips',
  'km',
  'travel_hours',
  'kg_co2',
  'cost_nok',
  'survey_answers',
  'survey_mean',
  ...ALL_SURVEY_QUESTIONS.map((q) => `score_${q}`),
  'sessions_with_plan',
  'plan_items',
  'plan_items_with_due',
  'plan_items_done_on_time',
  'sessions_with_private_part',
] as const;

export const ParticipantReport = z.object({
  participantId: z.string(),
  role: z.string(),
  attended: z.boolean(),
  attendedMinutes: z.number(),
  travelPlan: TravelPlan,
  /** Whether the plan was entered for the report or derived from the booking. */
  travelPlanSource: z.enum(['report', 'booking']),
  roundTripKm: z.number(),
  hours: z.number(),
  kgCo2: z.number(),
  costNok: z.number(),
  explanation: z.object({ km: Localized, hours: Localized, kgCo2: Localized, costNok: Localized }),
  surveyAnswered: z.boolean(),
});

/** Session facts of one consultation, without names. */
export const ConsultationReport = z.object({
  consultationId: z.string(),
  kind: z.string(),
  status: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMinutes: z.number().nullable(),
  attendanceSource: z.enum(['live', 'status']),
  municipality: z.string(),
  participants: z.array(ParticipantReport),
});
export type ConsultationReport = z.infer<typeof ConsultationReport>;

/** What the survey form needs: which question set, and whether it is already answered. */
export const SurveyStatus = z.object({
  consultationId: z.string(),
  participantId: z.string(),
  audience: SurveyAudience,
  questions: z.array(z.string()),
  answered: z.boolean(),
  /** Whether the consultation is in a state where answers are taken. */
  open: z.boolean(),
});
export type SurveyStatus = z.infer<typeof SurveyStatus>;

/** The place table for booking forms: id, name, municipality, one-way km per destination. */
export const TravelPlaces = z.object({
  defaultDestination: z.string(),
  destinations: z.array(z.object({ id: z.string(), name: z.string() })),
  places: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      municipality: z.string(),
      roadKm: z.record(z.string(), z.number()),
    }),
  ),
  placesSource: z.string(),
});
export type TravelPlaces = z.infer<typeof TravelPlaces>;
