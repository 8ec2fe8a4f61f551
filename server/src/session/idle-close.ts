import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { SYSTEM_ACTOR } from '../audit/actor.js';
import type { ReportsService } from '../reports/service.js';
import type { SessionMemory } from './session-memory.js';
import { PeriodicRun } from '../scheduling/periodic-run.js';

interface IdleCloseLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * A session token outlives the scheduled end by 30 minutes (auth-service.ts): a consultation
 * with no recorded emptying (its node died without a word) is not judged before then.
 */
const TOKEN_GRACE_MS = 30 * 60_000;

export interface IdleCloseRun {
  closed: string[];
}

/**
 * Closes consultations left "in progress" after everyone left without "end for all": once
 * nobody has been in the live session for `idleMinutes`, the consultation is completed,
 * audited (`consultation.auto_closed`, by the system) and its end time recorded as when the
 * last person left, so the evaluation counts it with its real length.
 *
 * "Nobody present" is read from the database (`vacated_at`, set by the session journal when
 * a live session empties, cleared when someone enters), so any node may run this; the
 * status transition is atomic, so two nodes never both close one consultation. A session
 * still open on this node is never closed.
 */
export class IdleSessionCloser {
  readonly #db: Database;
  readonly #idleMs: number;
  readonly #isOpenHere: (consultationId: string) => boolean;
  readonly #reports: Pick<ReportsService, 'recordSessionTimes'> | undefined;
  readonly #memory: Pick<SessionMemory, 'clear'> | undefined;
  readonly #log: IdleCloseLog | undefined;
  readonly #periodic: PeriodicRun;

  constructor(deps: {
    db: Database;
    idleMinutes: number;
    /** How often to look; default a quarter of the idle time, at most a minute. */
    intervalSeconds?: number;
    isOpenHere: (consultationId: string) => boolean;
    reports?: Pick<ReportsService, 'recordSessionTimes'> | undefined;
    memory?: Pick<SessionMemory, 'clear'> | undefined;
    log?: IdleCloseLog;
  }) {
    this.#db = deps.db;
    this.#idleMs = deps.idleMinutes * 60_000;
    this.#isOpenHere = deps.isOpenHere;
    this.#reports = deps.reports;
    this.#memory = deps.memory;
    this.#log = deps.log;
    this.#periodic = new PeriodicRun({
      run: (now) => this.runOnce(now),
      intervalMs: (deps.intervalSeconds ?? Math.min(60, Math.max(1, deps.idleMinutes * 15))) * 1000,
      onError: (err) => this.#log?.error({ err }, 'idle session close failed'),
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
  async runOnce(now: Date): Promise<IdleCloseRun> {
    const emptySince = new Date(now.getTime() - this.#idleMs);
    const endedBefore = new Date(emptySince.getTime() - TOKEN_GRACE_MS);
    const candidates = await consultationsRepo.idleInProgress(
      this.#db,
      emptySince.toISOString(),
      endedBefore.toISOString(),
    );
    const closed: string[] = [];
    for (const c of candidates) {
      if (this.#isOpenHere(c.id)) continue;
      const endedAt = c.vacatedAt ?? c.endsAt;
      const done = await this.#db.transaction(async (tx) => {
        if (!(await consultationsRepo.transitionStatus(tx, c.id, 'in_progress', 'completed'))) {
          return false;
        }
        await appendAudit(tx, {
          actor: SYSTEM_ACTOR,
          action: 'consultation.auto_closed',
          consultationId: c.id,
          clientAddress: null,
          detail: {
            emptySince: endedAt,
            idleMinutes: this.#idleMs / 60_000,
            from: 'in_progress',
            to: 'completed',
          },
        });
        return true;
      });
      if (!done) continue;
      closed.push(c.id);
      // The evaluation counts it from when the last person left, not from now.
      await this.#reports?.recordSessionTimes(c.id, { endedAt: new Date(endedAt) });
      this.#memory?.clear(c.id);
      this.#log?.info({ consultationId: c.id, emptySince: endedAt }, 'idle session closed');
    }
    return { closed };
  }
}
