import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database.js';
import { appendAudit, type AuditActor } from '../audit/audit-log.js';
import { SYSTEM_ACTOR } from '../audit/actor.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import type { ConsultationStatus } from '@samkons/shared';
import type { ReportsService } from '../reports/service.js';
import type { SocketPrincipal } from '../signalling/authenticator.js';
import { KeyedOrder } from './keyed-order.js';
import { isDatabaseId } from './database-id.js';

/**
 * What the live session records: audit rows (Normen: who joined, was admitted, denied,
 * removed, left; who ended the session) and attendance intervals for the reports.
 *
 * Writes are started without blocking the session: a removal must take effect in the same
 * tick, not after a database round trip. Failures are logged; `settled()` lets tests and
 * shutdown wait for what is in flight.
 */
export interface SessionJournal {
  audit(
    consultationId: string,
    actor: SocketPrincipal | null,
    action: string,
    detail?: Record<string, unknown>,
  ): void;
  attendance(consultationId: string, participantId: string, joinedAt: Date, leftAt: Date): void;
  /** The first admission: a booked consultation is now in progress. */
  started(consultationId: string): void;
  /** The session ended for everyone: an in-progress consultation is completed. */
  ended(consultationId: string, at: Date): void;
  /** A live session opened: someone is present (the idle close waits). */
  occupied(consultationId: string): void;
  /** The last person left without ending it: the idle close counts from `at`. */
  vacated(consultationId: string, at: Date): void;
  settled(): Promise<void>;
}

export const nullJournal: SessionJournal = {
  audit: () => undefined,
  attendance: () => undefined,
  started: () => undefined,
  ended: () => undefined,
  occupied: () => undefined,
  vacated: () => undefined,
  settled: () => Promise.resolve(),
};

function actorOfPrincipal(p: SocketPrincipal | null): AuditActor {
  if (!p) return SYSTEM_ACTOR;
  return {
    type: 'participant',
    id: p.grants.participantId,
    name: p.displayName,
    role: p.role ?? null,
    assuranceLevel: p.session?.assuranceLevel ?? null,
  };
}

export function databaseJournal(deps: {
  db: Database;
  reports?: Pick<ReportsService, 'recordAttendance' | 'recordSessionTimes'> | undefined;
  log: FastifyBaseLogger;
  /**
   * After this node moved a consultation to completed (once, whichever node ends it): the
   * message with the survey link (server/src/notifications/after-session.ts).
   */
  onCompleted?: ((consultationId: string) => Promise<unknown>) | undefined;
}): SessionJournal {
  const inFlight = new Set<Promise<unknown>>();
  // The status change and its audit row are one transaction; the reports trigger on the
  // consultations table records the actual start and end times from it.
  const transition = (id: string, from: ConsultationStatus, to: ConsultationStatus) =>
    deps.db.transaction(async (tx) => {
      if (!(await consultationsRepo.transitionStatus(tx, id, from, to))) return false;
      await appendAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: 'consultation.status',
        consultationId: id,
        clientAddress: null,
        detail: { from, to },
      });
      return true;
    });
  // Presence writes of one consultation in order: a session emptying and the next opening
  // must not land reversed (pg may run two transactions in any order).
  const presence = new KeyedOrder();
  const setVacated = (id: string, at: Date | null) =>
    presence.run(id, () => consultationsRepo.setVacated(deps.db, id, at ? at.toISOString() : null));
  const track = (what: string, work: () => Promise<unknown>) => {
    const p = work()
      .catch((err: unknown) => deps.log.error({ err, what }, 'session journal write failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  return {
    audit(consultationId, actor, action, detail) {
      if (!isDatabaseId(consultationId)) return;
      track(action, () =>
        deps.db.transaction((tx) =>
          appendAudit(tx, {
            actor: actorOfPrincipal(actor),
            action,
            consultationId,
            clientAddress: actor?.clientAddress ?? null,
            ...(detail ? { detail } : {}),
          }),
        ),
      );
    },
    attendance(consultationId, participantId, joinedAt, leftAt) {
      const reports = deps.reports;
      if (!reports || !isDatabaseId(consultationId)) return;
      track('attendance', () =>
        reports.recordAttendance(consultationId, participantId, joinedAt, leftAt),
      );
    },
    started(consultationId) {
      if (!isDatabaseId(consultationId)) return;
      track('consultation started', () => transition(consultationId, 'booked', 'in_progress'));
    },
    ended(consultationId, at) {
      if (!isDatabaseId(consultationId)) return;
      // A cancelled consultation stays cancelled: the transition only moves in_progress.
      track('consultation completed', async () => {
        if (await transition(consultationId, 'in_progress', 'completed')) {
          await deps.onCompleted?.(consultationId);
        }
      });
      const reports = deps.reports;
      if (reports) {
        track('session times', () => reports.recordSessionTimes(consultationId, { endedAt: at }));
      }
    },
    occupied(consultationId) {
      if (!isDatabaseId(consultationId)) return;
      track('session occupied', () => setVacated(consultationId, null));
    },
    vacated(consultationId, at) {
      if (!isDatabaseId(consultationId)) return;
      track('session vacated', () => setVacated(consultationId, at));
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
