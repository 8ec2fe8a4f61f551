import { TravelPlan, type SurveyAnswerInput } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { iso, isoOrNull } from '../db/rows.js';
import type { RawConsultationFacts } from './aggregate.js';

/** SQL for evaluation reports. Reads no names: only ids, roles, distances and times. */
export const reportsRepo = {
  async hasReportingGrant(q: Queryable, accountId: string): Promise<boolean> {
    const r = await q.query('SELECT 1 FROM reporting_grants WHERE account_id = $1', [accountId]);
    return r.rows.length > 0;
  },

  async grantReporting(q: Queryable, accountId: string): Promise<void> {
    await q.query(
      'INSERT INTO reporting_grants (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING',
      [accountId],
    );
  },

  async revokeReporting(q: Queryable, accountId: string): Promise<void> {
    await q.query('DELETE FROM reporting_grants WHERE account_id = $1', [accountId]);
  },

  /**
   * Completed consultations whose actual (else scheduled) start is in [from, to), or the one
   * consultation asked for (any status), with everything needed to compute their figures.
   */
  async completedFacts(
    q: Queryable,
    filter: { from: string; to: string } | { consultationId: string },
  ): Promise<RawConsultationFacts[]> {
    const consultationId = 'consultationId' in filter ? filter.consultationId : undefined;
    const head = await q.query<{
      id: string;
      kind: string;
      status: string;
      starts_at: Date;
      ends_at: Date;
      started_at: Date | null;
      ended_at: Date | null;
    }>(
      `SELECT c.id, c.kind, c.status, c.starts_at, c.ends_at, f.started_at, f.ended_at
         FROM consultations c LEFT JOIN report_session_facts f ON f.consultation_id = c.id
        WHERE ${
          consultationId
            ? 'c.id = $1'
            : `c.status = 'completed'
          AND COALESCE(f.started_at, c.starts_at) >= $1
          AND COALESCE(f.started_at, c.starts_at) < $2`
        }
        ORDER BY COALESCE(f.started_at, c.starts_at), c.id`,
      'consultationId' in filter ? [filter.consultationId] : [filter.from, filter.to],
    );
    const ids = head.rows.map((r) => r.id);
    if (ids.length === 0) return [];

    const [participants, attendance, survey, planItems, privateRuns] = await Promise.all([
      q.query<{
        id: string;
        consultation_id: string;
        role: string;
        joins_from: string;
        travel_distance_km: number;
        plan: unknown;
      }>(
        `SELECT p.id, p.consultation_id, p.role, p.joins_from, p.travel_distance_km, t.plan
           FROM participants p LEFT JOIN report_travel t ON t.participant_id = p.id
          WHERE p.consultation_id = ANY($1::uuid[]) AND p.removed_at IS NULL
          ORDER BY p.created_at, p.id`,
        [ids],
      ),
      q.query<{
        consultation_id: string;
        participant_id: string;
        joined_at: Date;
        left_at: Date | null;
      }>(
        `SELECT consultation_id, participant_id, joined_at, left_at FROM report_attendance
          WHERE consultation_id = ANY($1::uuid[]) ORDER BY id`,
        [ids],
      ),
      q.query<{
        consultation_id: string;
        participant_id: string;
        role: string;
        audience: 'patient_relative' | 'staff';
        scores: unknown;
        free_text: string | null;
      }>(
        `SELECT consultation_id, participant_id, role, audience, scores, free_text
           FROM survey_answers WHERE consultation_id = ANY($1::uuid[]) ORDER BY submitted_at, id`,
        [ids],
      ),
      // LKT (lkt-data): the plan agreed (plan_items, migration 33) and the private parts held
      // (lkt-live's session_part_runs, migration 40).
      q.query<{
        consultation_id: string;
        due_date: string | null;
        status: 'open' | 'done';
        done_at: Date | null;
      }>(
        `SELECT consultation_id, to_char(due_date, 'YYYY-MM-DD') AS due_date, status, done_at
           FROM plan_items WHERE consultation_id = ANY($1::uuid[]) AND removed_at IS NULL`,
        [ids],
      ),
      q.query<{ consultation_id: string; runs: string | number }>(
        `SELECT consultation_id, count(*) AS runs FROM session_part_runs
          WHERE consultation_id = ANY($1::uuid[]) AND audience = 'private'
          GROUP BY consultation_id`,
        [ids],
      ),
    ]);

    return head.rows.map((c) => ({
      id: c.id,
      kind: c.kind,
      status: c.status,
      scheduledStart: iso(c.starts_at),
      scheduledEnd: iso(c.ends_at),
      startedAt: isoOrNull(c.started_at),
      endedAt: isoOrNull(c.ended_at),
      participants: participants.rows
        .filter((p) => p.consultation_id === c.id)
        .map((p) => ({
          id: p.id,
          role: p.role,
          joinsFrom: p.joins_from,
          travelDistanceKm: Number(p.travel_distance_km),
          travelPlan: p.plan == null ? null : TravelPlan.parse(parseJson(p.plan)),
        })),
      attendance: attendance.rows
        .filter((a) => a.consultation_id === c.id)
        .map((a) => ({
          participantId: a.participant_id,
          joinedAt: iso(a.joined_at),
          leftAt: isoOrNull(a.left_at),
        })),
      survey: survey.rows
        .filter((s) => s.consultation_id === c.id)
        .map((s) => ({
          participantId: s.participant_id,
          role: s.role,
          audience: s.audience,
          scores: parseJson(s.scores) as Record<string, number | null>,
          freeText: s.free_text,
        })),
      lkt: {
        planItems: planItems.rows
          .filter((x) => x.consultation_id === c.id)
          .map((x) => ({ dueDate: x.due_date, status: x.status, doneAt: isoOrNull(x.done_at) })),
        privatePartRuns: Number(
          privateRuns.rows.find((x) => x.consultation_id === c.id)?.runs ?? 0,
        ),
      },
    }));
  },

  async setTravelPlan(
    q: Queryable,
    consultationId: string,
    participantId: string,
    plan: TravelPlan,
  ): Promise<void> {
    await q.query(
      `INSERT INTO report_travel (participant_id, consultation_id, plan) VALUES ($1, $2, $3)
       ON CONFLICT (participant_id) DO UPDATE SET plan = EXCLUDED.plan, updated_at = now()`,
      [participantId, consultationId, JSON.stringify(plan)],
    );
  },

  /** Saved travel plans of a consultation's current participants, keyed by participant id. */
  async travelPlans(q: Queryable, consultationId: string): Promise<Record<string, TravelPlan>> {
    const r = await q.query<{ participant_id: string; plan: unknown }>(
      `SELECT t.participant_id, t.plan
         FROM report_travel t JOIN participants p ON p.id = t.participant_id
        WHERE t.consultation_id = $1 AND p.removed_at IS NULL
        ORDER BY t.participant_id`,
      [consultationId],
    );
    const plans: Record<string, TravelPlan> = {};
    for (const row of r.rows) plans[row.participant_id] = TravelPlan.parse(parseJson(row.plan));
    return plans;
  },

  /** False when this participant already answered for this consultation. */
  async insertSurvey(
    q: Queryable,
    a: {
      id: string;
      consultationId: string;
      participantId: string;
      role: string;
      answer: SurveyAnswerInput;
    },
  ): Promise<boolean> {
    const r = await q.query(
      `INSERT INTO survey_answers (id, consultation_id, participant_id, role, audience, scores, free_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (consultation_id, participant_id) DO NOTHING`,
      [
        a.id,
        a.consultationId,
        a.participantId,
        a.role,
        a.answer.audience,
        JSON.stringify(a.answer.scores),
        a.answer.freeText || null,
      ],
    );
    return r.rowCount > 0;
  },

  async hasAnswered(q: Queryable, consultationId: string, participantId: string): Promise<boolean> {
    const r = await q.query(
      'SELECT 1 FROM survey_answers WHERE consultation_id = $1 AND participant_id = $2',
      [consultationId, participantId],
    );
    return r.rows.length > 0;
  },

  async recordAttendance(
    q: Queryable,
    consultationId: string,
    participantId: string,
    joinedAt: string,
    leftAt: string | null,
  ): Promise<void> {
    await q.query(
      `INSERT INTO report_attendance (consultation_id, participant_id, joined_at, left_at)
       VALUES ($1, $2, $3, $4)`,
      [consultationId, participantId, joinedAt, leftAt],
    );
  },

  async recordSessionTimes(
    q: Queryable,
    consultationId: string,
    times: { startedAt?: string; endedAt?: string },
  ): Promise<void> {
    await q.query(
      `INSERT INTO report_session_facts (consultation_id, started_at, ended_at) VALUES ($1, $2, $3)
       ON CONFLICT (consultation_id) DO UPDATE
         SET started_at = COALESCE(EXCLUDED.started_at, report_session_facts.started_at),
             ended_at = COALESCE(EXCLUDED.ended_at, report_session_facts.ended_at)`,
      [consultationId, times.startedAt ?? null, times.endedAt ?? null],
    );
  },
};

/** jsonb arrives parsed from both drivers; tolerate a string just in case. */
function parseJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}
