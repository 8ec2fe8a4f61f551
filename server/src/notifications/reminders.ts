import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { outboxRepo } from '../db/outbox-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { SYSTEM_ACTOR } from '../audit/actor.js';
import type { ParticipantNotifier } from './notifier.js';
import { PeriodicRun } from '../scheduling/periodic-run.js';
import { claimReminder, dueReminders, markReminderSent } from './reminders-repo.js';

export interface ReminderLog {
  error(obj: object, msg: string): void;
}

export interface ReminderRun {
  /** Consultations this run claimed and reminded. */
  consultations: number;
  /** Messages handed to the notification provider. */
  messages: number;
  /** Consultations whose transaction failed; they stay due for the next run. */
  failed: number;
}

/**
 * Sends each booked consultation's reminder once it starts within `hoursBefore`, to every
 * participant with an e-mail or mobile (except those whose invite or change message went
 * out inside that window), through the same provider and join links as the
 * invites. Each consultation is one transaction: claim (row lock, SKIP LOCKED), messages
 * into the outbox, `reminder_sent_at`, audit row. So every node may run a scheduler: two
 * never both send, and a failed transaction leaves the reminder due rather than half-sent.
 */
export class ReminderScheduler {
  readonly #db: Database;
  readonly #notifier: ParticipantNotifier;
  readonly #windowMs: number;
  readonly #batch: number;
  readonly #log: ReminderLog | undefined;
  readonly #periodic: PeriodicRun;

  constructor(deps: {
    db: Database;
    notifier: ParticipantNotifier;
    hoursBefore: number;
    intervalSeconds: number;
    /** Most consultations per run; the rest are due on the next tick. */
    batchSize?: number;
    log?: ReminderLog;
  }) {
    this.#db = deps.db;
    this.#notifier = deps.notifier;
    this.#windowMs = deps.hoursBefore * 3600_000;
    this.#batch = deps.batchSize ?? 500;
    this.#log = deps.log;
    this.#periodic = new PeriodicRun({
      run: (now) => this.runOnce(now),
      intervalMs: deps.intervalSeconds * 1000,
      onError: (err) => this.#log?.error({ err }, 'reminder run failed'),
    });
  }

  start(): void {
    this.#periodic.start();
  }

  /** Stops the timer and waits for a run in progress, so the database can close after. */
  stop(): Promise<void> {
    return this.#periodic.stop();
  }

  /** One pass at time `now`; tests call it directly instead of waiting for the timer. */
  async runOnce(now: Date): Promise<ReminderRun> {
    const until = new Date(now.getTime() + this.#windowMs);
    const ids = await dueReminders(this.#db, now, until, this.#batch);
    const run: ReminderRun = { consultations: 0, messages: 0, failed: 0 };
    for (const id of ids) {
      try {
        const sent = await this.#db.transaction(async (tx) => {
          if (!(await claimReminder(tx, id, now, until))) return undefined;
          const c = await consultationsRepo.byId(tx, id);
          if (!c) return undefined;
          // Whoever got their invite (or the new time) inside the reminder window has the
          // link fresh in hand: a reminder a minute after the invite only confuses.
          const windowStart = Date.parse(c.startsAt) - this.#windowMs;
          const fresh = new Set(
            (await outboxRepo.list(tx, id))
              .filter((m) => m.kind === 'invite' || m.kind === 'change')
              .filter((m) => Date.parse(m.createdAt) > windowStart)
              .map((m) => m.participantId),
          );
          let n = 0;
          for (const x of c.participants) {
            if (fresh.has(x.id)) continue;
            if (await this.#notifier.notify(tx, c, x, 'reminder')) n++;
          }
          await markReminderSent(tx, id, now);
          await appendAudit(tx, {
            actor: SYSTEM_ACTOR,
            action: 'consultation.remind',
            consultationId: id,
            clientAddress: null,
            detail: { messages: n, startsAt: c.startsAt },
          });
          return n;
        });
        if (sent === undefined) continue;
        run.consultations++;
        run.messages += sent;
      } catch (err) {
        // One broken consultation must not hold back everyone else's reminder.
        run.failed++;
        this.#log?.error({ err, consultationId: id }, 'reminder failed');
      }
    }
    return run;
  }
}
