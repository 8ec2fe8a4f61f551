import { describe, expect, it } from 'vitest';
import { loadTravelFactors, REPORT_CSV_COLUMNS } from '@samkons/shared';
import { aggregate, buildFacts, osloDay, toCsv, type RawConsultationFacts } from './aggregate.js';

const factors = loadTravelFactors();

function consultation(over: Partial<RawConsultationFacts> = {}): RawConsultationFacts {
  return {
    id: 'c1',
    kind: 'co_consultation',
    status: 'completed',
    scheduledStart: '2024-03-05T09:00:00.000Z',
    scheduledEnd: '2024-03-05T10:00:00.000Z',
    startedAt: '2024-03-05T09:05:00.000Z',
    endedAt: '2024-03-05T09:50:00.000Z',
    participants: [
      { id: 'pat', role: 'patient', joinsFrom: 'home', travelDistanceKm: 90, travelPlan: null },
      { id: 'nurse', role: 'municipal', joinsFrom: 'home', travelDistanceKm: 90, travelPlan: null },
      {
        id: 'spec',
        role: 'specialist',
        joinsFrom: 'hospital',
        travelDistanceKm: 0,
        travelPlan: null,
      },
    ],
    attendance: [],
    survey: [],
    ...over,
  };
}

describe('LKT figures', () => {
  it('counts sessions with a plan, items done on time (Oslo dates), and private parts held', () => {
    const withPlan = buildFacts(
      consultation({
        lkt: {
          planItems: [
            // Done 23:30 UTC on the 14th = 00:30 on the 15th in Oslo: on time for the 15th.
            { dueDate: '2024-03-15', status: 'done', doneAt: '2024-03-14T23:30:00.000Z' },
            // Done on the 16th in Oslo: late.
            { dueDate: '2024-03-15', status: 'done', doneAt: '2024-03-15T23:30:00.000Z' },
            { dueDate: '2024-03-20', status: 'open', doneAt: null },
            { dueDate: null, status: 'done', doneAt: '2024-03-10T10:00:00.000Z' },
          ],
          privatePartRuns: 1,
        },
      }),
      factors,
    );
    const without = buildFacts(consultation({ id: 'c2' }), factors);
    const r = aggregate([withPlan, without], { from: '2024-03-01', to: '2024-03-31' }, factors);
    expect(r.total).toMatchObject({
      sessions: 2,
      sessionsWithPlan: 1,
      planItems: 4,
      planItemsWithDue: 3,
      planItemsDoneOnTime: 1,
      sessionsWithPrivatePart: 1,
    });
    const csv = toCsv(r).split('\r\n');
    expect(
      csv[0]!.endsWith(
        'sessions_with_plan,plan_items,plan_items_with_due,plan_items_done_on_time,sessions_with_private_part',
      ),
    ).toBe(true);
    expect(csv[1]!.endsWith(',1,4,3,1,1')).toBe(true);
  });
});

describe('session facts', () => {
  it('derives trips from the booking: patient and accompanying nurse 360 km, specialist zero', () => {
    const f = buildFacts(consultation(), factors);
    expect(f.durationMinutes).toBe(45);
    expect(f.attendanceSource).toBe('status');
    const [pat, nurse, spec] = f.participants;
    expect(pat!.trip.roundTripKm).toBe(180);
    expect(nurse!.travelPlan.accompanying).toBe(true);
    expect(nurse!.trip.explanation.km.nn).toContain('følgjer pasienten');
    expect(spec!.trip.roundTripKm).toBe(0);
    expect(f.participants.every((p) => p.attended && p.attendedMinutes === 45)).toBe(true);

    const r = aggregate([f], { from: '2024-03-01', to: '2024-03-31' }, factors);
    expect(r.total).toMatchObject({
      sessions: 1,
      sessionHours: 0.75,
      participants: 3,
      attendanceHours: 2.25,
      trips: 2,
      km: 360,
      travelHours: 6,
      kgCo2: 43.2,
      costNok: 900,
    });
    expect(r.explanation.km.en).toContain('= 360 km');
  });

  it('uses live attendance when recorded: an absent participant avoided no trip', () => {
    const f = buildFacts(
      consultation({
        attendance: [
          {
            participantId: 'pat',
            joinedAt: '2024-03-05T09:05:00.000Z',
            leftAt: '2024-03-05T09:35:00.000Z',
          },
          { participantId: 'spec', joinedAt: '2024-03-05T09:00:00.000Z', leftAt: null },
        ],
      }),
      factors,
    );
    expect(f.attendanceSource).toBe('live');
    const byId = Object.fromEntries(f.participants.map((p) => [p.participantId, p]));
    expect(byId.pat).toMatchObject({ attended: true, attendedMinutes: 30 });
    expect(byId.spec).toMatchObject({ attended: true, attendedMinutes: 50 });
    expect(byId.nurse).toMatchObject({ attended: false, attendedMinutes: 0 });
    expect(byId.nurse!.trip.roundTripKm).toBe(0);
    const r = aggregate([f], { from: '2024-03-01', to: '2024-03-31' }, factors);
    expect(r.total.km).toBe(180);
    expect(r.total.participants).toBe(2);
  });

  it('a plan entered for the report replaces the booking and sets the municipality', () => {
    const raw = consultation();
    raw.participants[0]!.travelPlan = {
      origin: { kind: 'place', placeId: 'fedje' },
      mode: 'boat',
      accompanying: false,
    };
    const f = buildFacts(raw, factors);
    expect(f.municipality).toBe('Fedje');
    expect(f.participants[0]!.travelPlanSource).toBe('report');
    expect(f.participants[0]!.trip.kgCo2).toBe(round(160 * factors.modes.boat.kgCo2PerKm.value));
  });

  it('falls back to the scheduled times without status changes', () => {
    const f = buildFacts(consultation({ startedAt: null, endedAt: null }), factors);
    expect(f.durationMinutes).toBe(60);
  });
});

const round = (n: number) => Math.round(n * 100) / 100;

describe('aggregates', () => {
  it('breaks down by month (Oslo time), municipality, kind and role, within the period', () => {
    const jan = buildFacts(
      consultation({
        id: 'jan',
        startedAt: '2024-01-31T23:30:00.000Z', // 1 February in Oslo
        endedAt: '2024-02-01T00:30:00.000Z',
        kind: 'follow_up',
        survey: [
          {
            participantId: 'pat',
            role: 'patient',
            audience: 'patient_relative',
            scores: { easy_to_join: 4, felt_safe: 5 },
            freeText: 'Fint',
          },
          {
            participantId: 'spec',
            role: 'specialist',
            audience: 'staff',
            scores: { easy_to_join: 2 },
            freeText: null,
          },
        ],
      }),
      factors,
    );
    const mar = buildFacts(consultation({ id: 'mar' }), factors);
    const outside = buildFacts(
      consultation({
        id: 'old',
        startedAt: '2023-12-01T10:00:00.000Z',
        endedAt: '2023-12-01T11:00:00.000Z',
      }),
      factors,
    );
    expect(osloDay('2024-01-31T23:30:00.000Z')).toBe('2024-02-01');

    const r = aggregate([jan, mar, outside], { from: '2024-01-01', to: '2024-12-31' }, factors);
    expect(r.total.sessions).toBe(2);
    expect(r.total.km).toBe(720);
    expect(r.breakdowns.month.map((m) => [m.key, m.sessions])).toEqual([
      ['2024-02', 1],
      ['2024-03', 1],
    ]);
    expect(r.breakdowns.kind.map((k) => k.key)).toEqual(['co_consultation', 'follow_up']);
    expect(r.breakdowns.municipality).toEqual([
      expect.objectContaining({ key: 'unknown', sessions: 2 }),
    ]);
    const roles = Object.fromEntries(r.breakdowns.role.map((x) => [x.key, x]));
    expect(roles.patient).toMatchObject({
      sessions: 2,
      participants: 2,
      km: 360,
      surveyAnswers: 1,
    });
    expect(roles.patient!.scores.easy_to_join).toBe(4);
    expect(roles.specialist).toMatchObject({ km: 0, surveyAnswers: 1, surveyMean: 2 });
    expect(r.total.scores.easy_to_join).toBe(3);
    expect(r.total.surveyMean).toBe(round((4 + 5 + 2) / 3));
    // Comments carry no identity.
    expect(r.comments).toEqual([{ month: '2024-02', audience: 'patient_relative', text: 'Fint' }]);
  });

  it('exports the same rows as CSV, spreadsheet-safe', () => {
    const f = buildFacts(consultation(), factors);
    const r = aggregate([f], { from: '2024-03-01', to: '2024-03-31' }, factors);
    r.breakdowns.municipality[0]!.key = '=HYPERLINK("x"),y';
    const lines = toCsv(r).trimEnd().split('\r\n');
    expect(lines[0]).toBe(REPORT_CSV_COLUMNS.join(','));
    const rows =
      1 +
      r.breakdowns.month.length +
      r.breakdowns.municipality.length +
      r.breakdowns.kind.length +
      r.breakdowns.role.length;
    expect(lines).toHaveLength(1 + rows);
    expect(lines[1]!.startsWith('total,all,1,0.75,3,2.25,2,360,6,43.2,900,0,,')).toBe(true);
    expect(lines).toContain(
      `municipality,"'=HYPERLINK(""x""),y",1,0.75,3,2.25,2,360,6,43.2,900,0,${','.repeat(REPORT_CSV_COLUMNS.length - 18)},0,0,0,0,0`,
    );
  });
});
