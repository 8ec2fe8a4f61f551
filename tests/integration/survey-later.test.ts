/**
 * The survey after the session, reachable later and from anywhere (issue 10 item 2): when
 * the session ends each participant with contact details gets a message whose personal
 * short link leads, through the pre-join of the ended meeting, to the survey; the survey
 * accepts that invite link (not only the room's session token, which lapses). A link that
 * was revoked, belongs to another meeting, or comes before the meeting opens nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../server/src/config.js';
import { buildApp } from '../../server/src/app.js';
import { openTestDatabase } from '../../server/src/db/testing.js';
import { outboxRepo } from '../../server/src/db/outbox-repo.js';
import { invitesRepo } from '../../server/src/db/invites-repo.js';
import { createDomainServices } from '../../server/src/booking/services.js';
import { bookWorld, staffLogin, type TestApp } from '../../server/src/booking/testing.js';
import { createReports } from '../../server/src/reports/index.js';
import { surveyAuthenticator } from '../../server/src/reports/survey-auth.js';
import { databaseJournal } from '../../server/src/session/session-journal.js';
import { sendSurveyMessages } from '../../server/src/notifications/after-session.js';

const patientScores = {
  easy_to_join: 5,
  sound_and_picture: 4,
  felt_safe: 5,
  felt_included: 4,
  would_choose_video_again: 5,
};

describe('the survey after the session', () => {
  let t: TestApp;
  beforeAll(async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
      PUBLIC_URL: 'https://samkons.test',
      DEMO_DATA: 'false',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      CONTACT_PHONE: '55 00 00 00',
    });
    const db = await openTestDatabase('pglite');
    const reports = await createReports(db);
    const services = createDomainServices(config, db);
    const app = await buildApp({
      config,
      domain: services,
      reports: {
        reports,
        authenticate: (h) => services.auth.authenticate(h),
        authenticateSurvey: surveyAuthenticator(services.auth, db, services.patientPortal),
      },
    });
    await app.ready();
    t = {
      app,
      db,
      services,
      close: async () => {
        await app.close();
        await db.close();
      },
    };
  });
  afterAll(() => t.close());

  it('sends the survey link when the session ends; the link answers the survey later', async () => {
    const staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    const w = await bookWorld(t, staff, new Date(Date.now() - 10 * 60_000));
    const c = w.consultation;
    const patientLink = await t.services.auth.inviteLink(
      t.db,
      c,
      c.participants.find((p) => p.id === w.byRole.patient)!,
    );
    const survey = (token: string, id = c.id) =>
      t.app.inject({
        method: 'GET',
        url: `/api/surveys/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });

    // Before the meeting has taken place the link opens no survey.
    expect((await survey(patientLink.token)).statusCode).toBe(403);

    // The session starts and ends (the journal the live session writes to).
    const journal = databaseJournal({
      db: t.db,
      log: pino({ level: 'silent' }),
      onCompleted: (id) => sendSurveyMessages(t.db, t.services.booking.notifier, id),
    });
    journal.started(c.id);
    await journal.settled();
    journal.ended(c.id, new Date());
    await journal.settled();
    // Ending twice (another node, a late event) sends nothing more.
    journal.ended(c.id, new Date());
    await journal.settled();

    const messages = (await outboxRepo.list(t.db, c.id)).filter((m) => m.kind === 'survey');
    expect(messages.map((m) => m.participantId).sort()).toEqual(
      [w.byRole.patient, w.byRole.next_of_kin, w.byRole.interpreter].sort(),
    );
    const toPatient = messages.find((m) => m.participantId === w.byRole.patient)!;
    expect(toPatient.subject).toMatch(/^Korleis gjekk videomøtet\? \(/);
    expect(toPatient.body).toContain('Vil du svare på nokre korte spørsmål');
    const short = /https:\/\/samkons\.test(\/m\/[\w-]{22})\n/.exec(toPatient.body)?.[1];
    expect(short).toBeDefined();

    // The short link leads to the pre-join with the patient's own invite token...
    const hop = await t.app.inject({ method: 'GET', url: short! });
    expect(hop.statusCode).toBe(302);
    const token = String(hop.headers.location).split('/join/')[1]!;
    // ...which the survey accepts now that the meeting is over.
    const status = await survey(token);
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({
      participantId: w.byRole.patient,
      audience: 'patient_relative',
      answered: false,
      open: true,
    });
    const answer = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${c.id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { audience: 'patient_relative', scores: patientScores },
    });
    expect(answer.statusCode, answer.body).toBe(201);
    expect((await survey(token)).json()).toMatchObject({ answered: true });

    // Not for another meeting, and not once the link is revoked.
    const other = await bookWorld(t, staff, new Date(Date.now() + 5 * 86400_000));
    expect((await survey(token, other.consultation.id)).statusCode).toBe(403);
    await invitesRepo.revokeForParticipant(t.db, w.byRole.patient);
    expect((await survey(token)).statusCode).toBe(401);
  });
});
