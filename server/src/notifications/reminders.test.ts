/**
 * The reminder scheduler on each database driver: one reminder per participant with
 * contact details, once; nothing for consultations not yet due or cancelled; due again
 * after a reschedule; two schedulers racing on one database send once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '@samkons/shared';
import { bookWorld, buildTestApp, staffLogin, type TestApp } from '../booking/testing.js';
import { outboxRepo } from '../db/outbox-repo.js';
import { logDrivers, testDrivers } from '../db/testing.js';
import { ReminderScheduler } from './reminders.js';
import { longDateTime } from './messages.js';

logDrivers('reminders');

const HOUR = 3600_000;
const meta = { clientAddress: '127.0.0.1' };

describe.each(testDrivers)('reminders on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(driver);
  });
  afterAll(() => t.close());

  // Every scheduler scans the whole database: each test works in its own stretch of time,
  // far from the others, so one test's consultations are never due in another's run.
  let stretch = 0;
  const nextStretch = () => new Date(Date.now() + ++stretch * 1000 * HOUR);

  const scheduler = () =>
    new ReminderScheduler({
      db: t.db,
      notifier: t.services.booking.notifier,
      hoursBefore: 24,
      intervalSeconds: 60,
    });

  /** `bookWorld` with fresh staff, so worlds never clash in the staff's calendars. */
  const world = async (startsAt: Date) => {
    const staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    return { ...(await bookWorld(t, staff, startsAt)), organiser: staff.specialist.principal };
  };
  type World = Awaited<ReturnType<typeof world>>;

  const reminders = async (consultationId: string): Promise<OutboxMessage[]> =>
    (await outboxRepo.list(t.db, consultationId)).filter((m) => m.kind === 'reminder');

  /** The patient (e-mail), next of kin (mobile) and interpreter (e-mail); staff have none. */
  const expectOneEach = (msgs: OutboxMessage[], w: World) => {
    expect(msgs.map((m) => m.participantId).sort()).toEqual(
      [w.byRole.patient, w.byRole.next_of_kin, w.byRole.interpreter].sort(),
    );
    expect(msgs.find((m) => m.participantId === w.byRole.patient)).toMatchObject({
      channel: 'email',
      recipient: 'p@example.no',
    });
    expect(msgs.find((m) => m.participantId === w.byRole.next_of_kin)).toMatchObject({
      channel: 'sms',
      recipient: '+4790000000',
    });
    // Each carries that participant's own short link, as the invite does.
    for (const m of msgs) expect(m.body).toMatch(/\nhttps:\/\/samkons\.test\/m\/[\w-]{22}\n/);
    expect(new Set(msgs.map((m) => m.body)).size).toBe(msgs.length);
  };

  it('reminds each participant with contact details once; not before due, never when cancelled', async () => {
    const now = nextStretch();
    const due = await world(new Date(now.getTime() + 3 * HOUR));
    const notYet = await world(new Date(now.getTime() + 30 * HOUR));
    const cancelled = await world(new Date(now.getTime() + 4 * HOUR));
    await t.services.booking.cancel(cancelled.organiser, cancelled.consultation.id, 'x', meta);
    const s = scheduler();

    expect(await s.runOnce(now)).toEqual({ consultations: 1, messages: 3, failed: 0 });
    const sent = await reminders(due.consultation.id);
    expectOneEach(sent, due);
    expect(sent[0]!.subject).toMatch(
      /^Påminning om videomøte: \S+dag \d+\. \S+ \d{4} kl\. \d\d:\d\d$/,
    );
    expect(await reminders(notYet.consultation.id)).toEqual([]);
    expect(await reminders(cancelled.consultation.id)).toEqual([]);
    const audit = await t.db.query<{ actor_type: string }>(
      `SELECT actor_type FROM audit_log WHERE consultation_id = $1 AND action = 'consultation.remind'`,
      [due.consultation.id],
    );
    expect(audit.rows).toEqual([{ actor_type: 'system' }]);

    // A second run, on this scheduler or a fresh one, sends nothing more.
    expect(await s.runOnce(now)).toEqual({ consultations: 0, messages: 0, failed: 0 });
    expect(await scheduler().runOnce(new Date(now.getTime() + HOUR))).toEqual({
      consultations: 0,
      messages: 0,
      failed: 0,
    });
    expect(await reminders(due.consultation.id)).toHaveLength(3);

    // Once inside its window the later one is reminded too; the cancelled one never is.
    const later = new Date(now.getTime() + 7 * HOUR);
    expect(await s.runOnce(later)).toMatchObject({ consultations: 1, messages: 3 });
    expectOneEach(await reminders(notYet.consultation.id), notYet);
    expect(await reminders(cancelled.consultation.id)).toEqual([]);
    expect(await reminders(due.consultation.id)).toHaveLength(3);
  });

  it('makes the reminder due again after a reschedule', async () => {
    const now = nextStretch();
    const w = await world(new Date(now.getTime() + 2 * HOUR));
    const s = scheduler();
    expect(await s.runOnce(now)).toMatchObject({ consultations: 1, messages: 3 });

    const startsAt = new Date(now.getTime() + 5 * HOUR);
    await t.services.booking.reschedule(
      w.organiser,
      w.consultation.id,
      {
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + HOUR).toISOString(),
      },
      meta,
    );
    expect(await s.runOnce(now)).toMatchObject({ consultations: 1, messages: 3 });
    const all = await reminders(w.consultation.id);
    expect(all).toHaveLength(6);
    const newWhen = longDateTime(startsAt.toISOString(), 'nn');
    expectOneEach(
      all.filter((m) => m.subject.includes(newWhen)),
      w,
    );
    expect(await s.runOnce(now)).toMatchObject({ consultations: 0, messages: 0 });
  });

  it('sends no reminder to whoever got the invite inside the reminder window', async () => {
    // Booked two hours ahead: the invite went out just now, well inside the 24 h window.
    const now = new Date();
    const w = await world(new Date(now.getTime() + 2 * HOUR));
    expect(await scheduler().runOnce(now)).toEqual({ consultations: 1, messages: 0, failed: 0 });
    expect(await reminders(w.consultation.id)).toEqual([]);
    const invites = (await outboxRepo.list(t.db, w.consultation.id)).filter(
      (m) => m.kind === 'invite',
    );
    expect(invites).toHaveLength(3);
    // It counts as reminded: later runs leave it alone.
    expect(await scheduler().runOnce(new Date(now.getTime() + HOUR))).toMatchObject({
      consultations: 0,
    });
  });

  it('sends once when two schedulers race on the same database', async () => {
    const now = nextStretch();
    const worlds = [
      await world(new Date(now.getTime() + 1 * HOUR)),
      await world(new Date(now.getTime() + 2 * HOUR)),
      await world(new Date(now.getTime() + 3 * HOUR)),
    ];
    const runs = await Promise.all([scheduler().runOnce(now), scheduler().runOnce(now)]);
    expect(runs.map((r) => r.failed)).toEqual([0, 0]);
    expect(runs[0]!.consultations + runs[1]!.consultations).toBe(3);
    expect(runs[0]!.messages + runs[1]!.messages).toBe(9);
    for (const w of worlds) expectOneEach(await reminders(w.consultation.id), w);
  });

  it('starts and stops idempotently', async () => {
    // The composition may close twice; no test waits on the timer itself.
    const s = scheduler();
    s.start();
    s.start();
    await s.stop();
    await s.stop();
  });
});
