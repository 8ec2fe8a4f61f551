/**
 * Evaluation of the LKT collaboration (issue 11 item 8): the dashboard and its CSV count
 * sessions with an agreed plan, plan items done on time and the use of private parts, from
 * the real tables (plan_items; lkt-live's session_part_runs), on both database drivers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CareTeamMember, PlanItem, REPORT_CSV_COLUMNS, ReportResponse } from '@samkons/shared';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { consultationsRepo } from '../../server/src/db/consultations-repo.js';
import type { Database } from '../../server/src/db/database.js';
import { logDrivers, openTestDatabase, testDrivers } from '../../server/src/db/testing.js';
import { createDomainServices, type DomainServices } from '../../server/src/booking/services.js';
import { createWorld, staffLogin, type World } from '../../server/src/booking/testing.js';
import { createReports } from '../../server/src/reports/index.js';

logDrivers('lkt-reports');

const h = (token: string) => ({ authorization: `Bearer ${token}` });
const osloDay = (t: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(t));
const PERIOD = `from=${osloDay(Date.now() - 2 * 86400_000)}&to=${osloDay(Date.now() + 2 * 86400_000)}`;

describe.each(testDrivers)('LKT figures in the evaluation on %s', (driver) => {
  let db: Database;
  let app: FastifyInstance;
  let services: DomainServices;
  let analystToken: string;
  let w: World;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
      DEMO_DATA: 'false',
      INVITE_OPENS_MINUTES_BEFORE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    services = createDomainServices(config, db);
    const reports = await createReports(db);
    app = await buildApp({
      config,
      domain: services,
      reports: { reports, authenticate: (x) => services.auth.authenticate(x) },
    });
    await app.ready();
    const t = { app, db, services, close: async () => undefined };
    const spec = await staffLogin(t, 'specialist');
    const gp = await staffLogin(t, 'gp');
    const analyst = await staffLogin(t, 'specialist');
    await reports.grantReporting(analyst.accountId);
    analystToken = analyst.accessToken;
    // A consultation that started 40 minutes ago.
    w = await createWorld(
      t,
      { specialist: spec, gp, municipal: await staffLogin(t, 'municipal') },
      new Date(Date.now() - 40 * 60_000),
    );
    const base = `/api/consultations/${w.consultation.id}`;
    const gpMember = CareTeamMember.parse(
      (
        await app.inject({
          method: 'POST',
          url: `${base}/care-team/members`,
          headers: h(spec.accessToken),
          payload: { role: 'gp', name: gp.participantName, accountId: gp.accountId },
        })
      ).json(),
    );
    const item = async (what: string, dueDate: string | null, owner: object) =>
      PlanItem.parse(
        (
          await app.inject({
            method: 'POST',
            url: `${base}/plan/items`,
            headers: h(spec.accessToken),
            payload: { what, owner, dueDate },
          })
        ).json(),
      );
    const tomorrow = osloDay(Date.now() + 86400_000);
    const onTime = await item('Justere medisin', tomorrow, {
      kind: 'care_team_member',
      memberId: gpMember.id,
    });
    await item('Gå tur', tomorrow, { kind: 'patient' });
    await item('Vere med i kor', null, { kind: 'patient' });
    const removed = await item('Feilført', tomorrow, { kind: 'patient' });
    await app.inject({
      method: 'DELETE',
      url: `${base}/plan/items/${removed.id}`,
      headers: h(spec.accessToken),
    });
    const done = await app.inject({
      method: 'POST',
      url: `/api/plan/items/${onTime.id}/progress`,
      headers: h(gp.accessToken),
      payload: { status: 'done' },
    });
    expect(done.statusCode, done.body).toBe(200);
    // The private part as the live session records it (lkt-live's table, migration 40).
    await db.query(
      `INSERT INTO session_part_runs (id, consultation_id, part_id, position, audience, agrees_plan,
         title, started_at, ended_at)
       VALUES ($1, $2, $3, 2, 'private', false, 'Samtale åleine med pasienten', now() - interval '20 minutes', now() - interval '10 minutes')`,
      [randomUUID(), w.consultation.id, randomUUID()],
    );
    await consultationsRepo.transitionStatus(db, w.consultation.id, 'booked', 'in_progress');
    await consultationsRepo.transitionStatus(db, w.consultation.id, 'in_progress', 'completed');
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('the dashboard counts the plan, items done on time and private parts', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/reports/summary?${PERIOD}`,
      headers: h(analystToken),
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = ReportResponse.parse(res.json());
    expect(r.total).toMatchObject({
      sessions: 1,
      sessionsWithPlan: 1,
      planItems: 3,
      planItemsWithDue: 2,
      planItemsDoneOnTime: 1,
      sessionsWithPrivatePart: 1,
    });
    expect(r.breakdowns.kind[0]).toMatchObject({ key: 'co_consultation', sessionsWithPlan: 1 });
  });

  it('the CSV carries the same', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/reports/export.csv?${PERIOD}`,
      headers: h(analystToken),
    });
    expect(res.statusCode).toBe(200);
    const [head, total] = res.body.split('\r\n');
    expect(head).toBe(REPORT_CSV_COLUMNS.join(','));
    const cells = Object.fromEntries(head!.split(',').map((c, i) => [c, total!.split(',')[i]]));
    expect(cells).toMatchObject({
      dimension: 'total',
      sessions_with_plan: '1',
      plan_items: '3',
      plan_items_with_due: '2',
      plan_items_done_on_time: '1',
      sessions_with_private_part: '1',
    });
  });
});
