import type { FastifyBaseLogger } from 'fastify';
import type { AgendaAudience, AgendaPart } from '@samkons/shared';
import { appendAudit, type AuditActor } from '../../audit/audit-log.js';
import { SYSTEM_ACTOR } from '../../audit/actor.js';
import type { Database, Queryable } from '../../db/database.js';
import { iso } from '../../db/rows.js';
import type { SocketPrincipal } from '../../signalling/authenticator.js';
import type { Placement } from './agenda-runner.js';
import { isDatabaseId } from '../database-id.js';

export interface PartPresence {
  participantId: string;
  group: Placement;
}

export interface RunStart {
  runId: string;
  part: AgendaPart;
  position: number;
  startedAt: Date;
  /** The host who moved to it; null for the system. */
  by: SocketPrincipal | null;
}

/** A part change (or an edit of the current part), with who was where right after it. */
export interface PartChange {
  runId: string;
  part: AgendaPart;
  position: number;
  by: SocketPrincipal | null;
  change: 'moved' | 'edited';
  /** Everyone present (admitted with their group, or held in the waiting room). */
  present: PartPresence[];
}

/**
 * What the agenda records: each part as it ran (audited with who was present, the Normen
 * requirement for a part change) and every interval a person spent in it, by media group.
 * Like the session journal, writes never block the session; they are applied in order
 * (a presence row needs its run row) and `settled()` waits for them.
 */
export interface PartJournal {
  runStarted(consultationId: string, start: RunStart): void;
  partAudited(consultationId: string, change: PartChange): void;
  runEnded(consultationId: string, runId: string, at: Date): void;
  presence(
    consultationId: string,
    runId: string,
    interval: PartPresence & { from: Date; to: Date },
  ): void;
  settled(): Promise<void>;
}

export const nullPartJournal: PartJournal = {
  runStarted: () => undefined,
  partAudited: () => undefined,
  runEnded: () => undefined,
  presence: () => undefined,
  settled: () => Promise.resolve(),
};

function actorOf(p: SocketPrincipal | null): AuditActor {
  if (!p) return SYSTEM_ACTOR;
  return {
    type: 'participant',
    id: p.grants.participantId,
    name: p.displayName,
    role: p.role ?? null,
    assuranceLevel: p.session?.assuranceLevel ?? null,
  };
}

export function databasePartJournal(deps: { db: Database; log: FastifyBaseLogger }): PartJournal {
  const { db } = deps;
  let chain: Promise<void> = Promise.resolve();
  const write = (what: string, consultationId: string, work: () => Promise<unknown>) => {
    if (!isDatabaseId(consultationId)) return;
    chain = chain.then(
      () =>
        work().then(
          () => undefined,
          (err: unknown) => deps.log.error({ err, what }, 'agenda journal write failed'),
        ),
      () => undefined,
    );
  };
  return {
    runStarted(consultationId, s) {
      write('part started', consultationId, () =>
        db.query(
          `INSERT INTO session_part_runs
               (id, consultation_id, part_id, position, audience, agrees_plan, title, started_at,
                started_by_participant_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            s.runId,
            consultationId,
            s.part.id,
            s.position,
            s.part.audience,
            s.part.agreesPlan,
            s.part.title,
            s.startedAt,
            s.by && isDatabaseId(s.by.grants.participantId) ? s.by.grants.participantId : null,
          ],
        ),
      );
    },
    partAudited(consultationId, c) {
      write('part audit', consultationId, () =>
        db.transaction((tx) =>
          appendAudit(tx, {
            actor: actorOf(c.by),
            action: c.change === 'moved' ? 'session.agenda.part' : 'session.agenda.part_edited',
            consultationId,
            clientAddress: c.by?.clientAddress ?? null,
            detail: {
              runId: c.runId,
              partId: c.part.id,
              audience: c.part.audience,
              position: c.position,
              present: c.present,
            },
          }),
        ),
      );
    },
    runEnded(consultationId, runId, at) {
      write('part ended', consultationId, () =>
        db.query('UPDATE session_part_runs SET ended_at = $2 WHERE id = $1', [runId, at]),
      );
    },
    presence(consultationId, runId, p) {
      if (!isDatabaseId(p.participantId)) return;
      write('part presence', consultationId, () =>
        db.query(
          `INSERT INTO session_part_presence
             (run_id, consultation_id, participant_id, media_group, from_at, to_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [runId, consultationId, p.participantId, p.group, p.from, p.to],
        ),
      );
    },
    async settled() {
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
  };
}

/** One run of a part, with the time each person spent in each media group. */
export interface PartAttendance {
  runId: string;
  partId: string;
  position: number;
  audience: AgendaAudience;
  agreesPlan: boolean;
  title: string;
  startedAt: string;
  endedAt: string | null;
  participants: { participantId: string; group: Placement; seconds: number }[];
}

/**
 * Attendance per part for the summary page (lkt-data) and reports: runs in the order they
 * happened; per participant and group the seconds spent (intervals summed).
 */
export async function partAttendance(
  db: Queryable,
  consultationId: string,
): Promise<PartAttendance[]> {
  const runs = await db.query<{
    id: string;
    part_id: string;
    position: number;
    audience: AgendaAudience;
    agrees_plan: boolean;
    title: string;
    started_at: Date;
    ended_at: Date | null;
  }>(
    `SELECT id, part_id, position, audience, agrees_plan, title, started_at, ended_at
       FROM session_part_runs WHERE consultation_id = $1 ORDER BY started_at, id`,
    [consultationId],
  );
  const presence = await db.query<{
    run_id: string;
    participant_id: string;
    media_group: Placement;
    seconds: string | number;
  }>(
    `SELECT run_id, participant_id, media_group,
            sum(extract(epoch FROM to_at - from_at)) AS seconds
       FROM session_part_presence WHERE consultation_id = $1
      GROUP BY run_id, participant_id, media_group
      ORDER BY run_id, participant_id, media_group`,
    [consultationId],
  );
  return runs.rows.map((r) => ({
    runId: r.id,
    partId: r.part_id,
    position: r.position,
    audience: r.audience,
    agreesPlan: r.agrees_plan,
    title: r.title,
    startedAt: iso(r.started_at),
    endedAt: r.ended_at ? iso(r.ended_at) : null,
    participants: presence.rows
      .filter((p) => p.run_id === r.id)
      .map((p) => ({
        participantId: p.participant_id,
        group: p.media_group,
        seconds: Math.round(Number(p.seconds) * 10) / 10,
      })),
  }));
}
