import {
  ALL_SURVEY_QUESTIONS,
  REPORT_CSV_COLUMNS,
  TRAVEL_MODES,
  avoidedTrip,
  explainTotals,
  round2,
  sumAvoided,
  type AvoidedTrip,
  type ReportDimension,
  type ReportResponse,
  type ReportRow,
  type SurveyAudience,
  type TravelFactors,
  type TravelPlan,
} from '@samkons/shared';

/** Raw material for one consultation, as the repository reads it (no names). */
export interface RawConsultationFacts {
  id: string;
  kind: string;
  status: string;
  scheduledStart: string;
  scheduledEnd: string;
  startedAt: string | null;
  endedAt: string | null;
  participants: {
    id: string;
    role: string;
    joinsFrom: string;
    travelDistanceKm: number;
    /** Plan entered for the report; overrides what the booking implies. */
    travelPlan: TravelPlan | null;
  }[];
  attendance: { participantId: string; joinedAt: string; leftAt: string | null }[];
  survey: {
    participantId: string;
    role: string;
    audience: SurveyAudience;
    scores: Record<string, number | null>;
    freeText: string | null;
  }[];
  /** LKT: the plan agreed and the private parts held (absent: none). */
  lkt?: {
    planItems: { dueDate: string | null; status: 'open' | 'done'; doneAt: string | null }[];
    privatePartRuns: number;
  };
}

/** LKT figures of one session. */
export interface LktFacts {
  planItems: number;
  planItemsWithDue: number;
  /** Done on or before the due date, comparing Oslo calendar dates. */
  planItemsDoneOnTime: number;
  privatePartHeld: boolean;
}

export interface ParticipantFacts {
  participantId: string;
  role: string;
  attended: boolean;
  attendedMinutes: number;
  travelPlan: TravelPlan;
  travelPlanSource: 'report' | 'booking';
  /** The trip avoided; zero figures when the participant did not attend. */
  trip: AvoidedTrip;
  surveyAnswered: boolean;
}

export interface ConsultationFacts {
  consultationId: string;
  kind: string;
  status: string;
  startedAt: string;
  endedAt: string;
  durationMinutes: number;
  attendanceSource: 'live' | 'status';
  /** `YYYY-MM` in Europe/Oslo. */
  month: string;
  /** Oslo calendar date of the start, for period filters. */
  date: string;
  municipality: string;
  participants: ParticipantFacts[];
  survey: RawConsultationFacts['survey'];
  lkt: LktFacts;
}

const STAFF_ACCOMPANYING_ROLES = new Set(['municipal', 'gp']);
export const UNKNOWN_MUNICIPALITY = 'unknown';

const osloDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date (YYYY-MM-DD) of an instant in Europe/Oslo. */
export function osloDay(instant: string | Date): string {
  return osloDate.format(typeof instant === 'string' ? new Date(instant) : instant);
}

/**
 * The trip a participant would have made, from the booking when no plan was entered: the
 * booked distance by car, none when joining from the hospital; municipal staff or the GP
 * with a distance accompany the patient.
 */
export function planFromBooking(
  p: RawConsultationFacts['participants'][number],
  patientPresent: boolean,
): TravelPlan {
  const travels = p.joinsFrom !== 'hospital' && p.travelDistanceKm > 0;
  return {
    origin: travels ? { kind: 'km', oneWayKm: p.travelDistanceKm } : { kind: 'none' },
    mode: 'car',
    accompanying: travels && patientPresent && STAFF_ACCOMPANYING_ROLES.has(p.role),
  };
}

const minutesBetween = (a: string, b: string) =>
  Math.max(0, (Date.parse(b) - Date.parse(a)) / 60_000);

export function buildFacts(raw: RawConsultationFacts, factors: TravelFactors): ConsultationFacts {
  const startedAt = raw.startedAt ?? raw.scheduledStart;
  const endedAt = raw.endedAt ?? raw.scheduledEnd;
  const durationMinutes = round2(minutesBetween(startedAt, endedAt));
  const live = raw.attendance.length > 0;
  const patientPresent = raw.participants.some((p) => p.role === 'patient');
  const answered = new Set(raw.survey.map((s) => s.participantId));

  const participants = raw.participants.map((p): ParticipantFacts => {
    const intervals = raw.attendance.filter((a) => a.participantId === p.id);
    const attended = live ? intervals.length > 0 : true;
    const attendedMinutes = live
      ? round2(intervals.reduce((s, a) => s + minutesBetween(a.joinedAt, a.leftAt ?? endedAt), 0))
      : durationMinutes;
    const travelPlan = p.travelPlan ?? planFromBooking(p, patientPresent);
    const trip = avoidedTrip(
      attended ? travelPlan : { ...travelPlan, origin: { kind: 'none' } },
      factors,
    );
    return {
      participantId: p.id,
      role: p.role,
      attended,
      attendedMinutes,
      travelPlan,
      travelPlanSource: p.travelPlan ? 'report' : 'booking',
      trip,
      surveyAnswered: answered.has(p.id),
    };
  });

  // The patient's home municipality decides; otherwise the first known origin.
  const patientTrip = participants.find((p) => p.role === 'patient')?.trip.municipality;
  const anyTrip = participants.find((p) => p.trip.municipality)?.trip.municipality;
  const date = osloDay(startedAt);
  return {
    consultationId: raw.id,
    kind: raw.kind,
    status: raw.status,
    startedAt,
    endedAt,
    durationMinutes,
    attendanceSource: live ? 'live' : 'status',
    month: date.slice(0, 7),
    date,
    municipality: patientTrip ?? anyTrip ?? UNKNOWN_MUNICIPALITY,
    participants,
    survey: raw.survey,
    lkt: lktFacts(raw.lkt),
  };
}

export function lktFacts(raw: RawConsultationFacts['lkt']): LktFacts {
  const items = raw?.planItems ?? [];
  const withDue = items.filter((x) => x.dueDate !== null);
  return {
    planItems: items.length,
    planItemsWithDue: withDue.length,
    planItemsDoneOnTime: withDue.filter(
      (x) => x.status === 'done' && x.doneAt !== null && osloDay(x.doneAt) <= x.dueDate!,
    ).length,
    privatePartHeld: (raw?.privatePartRuns ?? 0) > 0,
  };
}

interface Slice {
  sessions: ConsultationFacts[];
  participants: ParticipantFacts[];
  survey: RawConsultationFacts['survey'];
}

function toRow(dimension: ReportDimension, key: string, s: Slice): ReportRow {
  const attended = s.participants.filter((p) => p.attended);
  const travel = sumAvoided(attended.map((p) => p.trip));
  const scores: Record<string, number | null> = {};
  let all = 0;
  let count = 0;
  for (const q of ALL_SURVEY_QUESTIONS) {
    const values = s.survey
      .map((a) => a.scores[q])
      .filter((v): v is number => typeof v === 'number');
    scores[q] = values.length ? round2(values.reduce((x, y) => x + y, 0) / values.length) : null;
    all += values.reduce((x, y) => x + y, 0);
    count += values.length;
  }
  return {
    dimension,
    key,
    sessions: s.sessions.length,
    sessionHours: round2(s.sessions.reduce((h, c) => h + c.durationMinutes, 0) / 60),
    participants: attended.length,
    attendanceHours: round2(attended.reduce((h, p) => h + p.attendedMinutes, 0) / 60),
    trips: travel.trips,
    km: travel.roundTripKm,
    travelHours: travel.hours,
    kgCo2: travel.kgCo2,
    costNok: travel.costNok,
    surveyAnswers: s.survey.length,
    surveyMean: count ? round2(all / count) : null,
    scores,
    sessionsWithPlan: s.sessions.filter((c) => c.lkt.planItems > 0).length,
    planItems: sum(s.sessions, (c) => c.lkt.planItems),
    planItemsWithDue: sum(s.sessions, (c) => c.lkt.planItemsWithDue),
    planItemsDoneOnTime: sum(s.sessions, (c) => c.lkt.planItemsDoneOnTime),
    sessionsWithPrivatePart: s.sessions.filter((c) => c.lkt.privatePartHeld).length,
  };
}

const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

function groupSessions(
  facts: ConsultationFacts[],
  dimension: ReportDimension,
  keyOf: (c: ConsultationFacts) => string,
): ReportRow[] {
  const keys = [...new Set(facts.map(keyOf))].sort();
  return keys.map((key) => {
    const sessions = facts.filter((c) => keyOf(c) === key);
    return toRow(dimension, key, {
      sessions,
      participants: sessions.flatMap((c) => c.participants),
      survey: sessions.flatMap((c) => c.survey),
    });
  });
}

function groupRoles(facts: ConsultationFacts[]): ReportRow[] {
  const roles = [...new Set(facts.flatMap((c) => c.participants.map((p) => p.role)))].sort();
  return roles.map((role) =>
    toRow('role', role, {
      sessions: facts.filter((c) => c.participants.some((p) => p.role === role && p.attended)),
      participants: facts.flatMap((c) => c.participants.filter((p) => p.role === role)),
      survey: facts.flatMap((c) => c.survey.filter((a) => a.role === role)),
    }),
  );
}

/** Totals and breakdowns of completed consultations whose Oslo start date is in the period. */
export function aggregate(
  facts: ConsultationFacts[],
  period: { from: string; to: string },
  factors: TravelFactors,
): ReportResponse {
  const inPeriod = facts.filter((c) => c.date >= period.from && c.date <= period.to);
  const total = toRow('total', 'all', {
    sessions: inPeriod,
    participants: inPeriod.flatMap((c) => c.participants),
    survey: inPeriod.flatMap((c) => c.survey),
  });
  const explanation = explainTotals(
    {
      trips: total.trips,
      roundTripKm: total.km,
      hours: total.travelHours,
      kgCo2: total.kgCo2,
      costNok: total.costNok,
    },
    factors,
  );
  return {
    period,
    total,
    explanation,
    breakdowns: {
      month: groupSessions(inPeriod, 'month', (c) => c.month),
      municipality: groupSessions(inPeriod, 'municipality', (c) => c.municipality),
      kind: groupSessions(inPeriod, 'kind', (c) => c.kind),
      role: groupRoles(inPeriod),
    },
    comments: inPeriod
      .flatMap((c) =>
        c.survey
          .filter((a) => a.freeText)
          .map((a) => ({ month: c.month, audience: a.audience, text: a.freeText as string })),
      )
      .slice(0, 500),
    factorsNote: factors.note,
    factors: TRAVEL_MODES.map((mode) => {
      const m = factors.modes[mode];
      return {
        mode,
        kgCo2PerKm: m.kgCo2PerKm.value,
        speedKmh: m.speedKmh.value,
        costPerKmNok: m.costPerKmNok.value,
        costPerTripNok: m.costPerTripNok.value,
        sources: [
          `kg CO2/km: ${m.kgCo2PerKm.source}`,
          `km/h: ${m.speedKmh.source}`,
          `NOK/km: ${m.costPerKmNok.source}`,
          `NOK/trip: ${m.costPerTripNok.source}`,
        ],
      };
    }),
  };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote when needed; a leading = + - @ would be read as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The same rows as the report, one line each: total, then each breakdown. */
export function toCsv(report: ReportResponse): string {
  const rows = [
    report.total,
    ...report.breakdowns.month,
    ...report.breakdowns.municipality,
    ...report.breakdowns.kind,
    ...report.breakdowns.role,
  ];
  const lines = [REPORT_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.dimension,
        r.key,
        r.sessions,
        r.sessionHours,
        r.participants,
        r.attendanceHours,
        r.trips,
        r.km,
        r.travelHours,
        r.kgCo2,
        r.costNok,
        r.surveyAnswers,
        r.surveyMean,
        ...ALL_SURVEY_QUESTIONS.map((q) => r.scores[q]),
        r.sessionsWithPlan,
        r.planItems,
        r.planItemsWithDue,
        r.planItemsDoneOnTime,
        r.sessionsWithPrivatePart,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
