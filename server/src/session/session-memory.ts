import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database.js';
import { KeyedOrder } from './keyed-order.js';
import { isDatabaseId } from './database-id.js';

/** What a live session remembers of one participant beyond their connection. */
export interface Remembered {
  /** A host muted them and they have not unmuted since. */
  mutedByHost: boolean;
  handRaised: boolean;
}

/**
 * The part of a live session that must survive its node: who was admitted (they go straight
 * back in, without the host admitting again), the host's mute and raised hands. A session
 * loads it when it opens (a restart, or another node taking over) and writes each change.
 *
 * Writes are started without blocking the session, like the journal's: a host action takes
 * effect in the same tick. `settled()` waits for what is in flight (tests, shutdown).
 */
export interface SessionMemory {
  /** Everyone admitted in the consultation's open session, by participant id. */
  load(consultationId: string): Promise<Map<string, Remembered>>;
  admitted(consultationId: string, participantId: string): void;
  setMutedByHost(consultationId: string, participantId: string, muted: boolean): void;
  setHandRaised(consultationId: string, participantId: string, raised: boolean): void;
  /** Removed, or their consent withdrawn: they must wait (or may not come) again. */
  forget(consultationId: string, participantId: string): void;
  /** The session ended, or emptied: the next one starts from the waiting room. */
  clear(consultationId: string): void;
  settled(): Promise<void>;
}

/** Memory of this process only: development rooms and media-only nodes. */
export function processSessionMemory(): SessionMemory {
  const sessions = new Map<string, Map<string, Remembered>>();
  const of = (cid: string) => {
    let m = sessions.get(cid);
    if (!m) sessions.set(cid, (m = new Map()));
    return m;
  };
  const update = (cid: string, pid: string, patch: Partial<Remembered>) => {
    const entry = of(cid).get(pid);
    if (entry) of(cid).set(pid, { ...entry, ...patch });
  };
  return {
    load: (cid) => Promise.resolve(new Map(of(cid))),
    admitted(cid, pid) {
      if (!of(cid).has(pid)) of(cid).set(pid, { mutedByHost: false, handRaised: false });
    },
    setMutedByHost: (cid, pid, mutedByHost) => update(cid, pid, { mutedByHost }),
    setHandRaised: (cid, pid, handRaised) => update(cid, pid, { handRaised }),
    forget: (cid, pid) => void of(cid).delete(pid),
    clear: (cid) => void sessions.delete(cid),
    settled: () => Promise.resolve(),
  };
}

/**
 * The database's memory (table `session_participants`), so it also holds on PostgreSQL
 * across nodes. Writes for one consultation are applied in the order they were made.
 */
export function databaseSessionMemory(deps: {
  db: Database;
  log: FastifyBaseLogger;
}): SessionMemory {
  const local = processSessionMemory();
  /** Writes of one consultation in the order made (admit, then mute). */
  const order = new KeyedOrder();
  const inFlight = new Set<Promise<void>>();
  const write = (cid: string, what: string, sql: string, params: unknown[]) => {
    const p: Promise<void> = order
      .run(cid, () => deps.db.query(sql, params))
      .then(
        () => undefined,
        (err: unknown) => deps.log.error({ err, what }, 'session memory write failed'),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  return {
    async load(cid) {
      if (!isDatabaseId(cid)) return local.load(cid);
      await order.idle(cid);
      const { rows } = await deps.db.query<{
        participant_id: string;
        muted_by_host: boolean;
        hand_raised: boolean;
      }>(
        `SELECT participant_id, muted_by_host, hand_raised FROM session_participants
          WHERE consultation_id = $1`,
        [cid],
      );
      return new Map(
        rows.map((r) => [
          r.participant_id,
          { mutedByHost: r.muted_by_host, handRaised: r.hand_raised },
        ]),
      );
    },
    admitted(cid, pid) {
      if (!isDatabaseId(cid)) return local.admitted(cid, pid);
      write(
        cid,
        'admitted',
        `INSERT INTO session_participants (consultation_id, participant_id) VALUES ($1, $2)
         ON CONFLICT (consultation_id, participant_id) DO NOTHING`,
        [cid, pid],
      );
    },
    setMutedByHost(cid, pid, muted) {
      if (!isDatabaseId(cid)) return local.setMutedByHost(cid, pid, muted);
      write(
        cid,
        'muted by host',
        `UPDATE session_participants SET muted_by_host = $3
          WHERE consultation_id = $1 AND participant_id = $2`,
        [cid, pid, muted],
      );
    },
    setHandRaised(cid, pid, raised) {
      if (!isDatabaseId(cid)) return local.setHandRaised(cid, pid, raised);
      write(
        cid,
        'hand raised',
        `UPDATE session_participants SET hand_raised = $3
          WHERE consultation_id = $1 AND participant_id = $2`,
        [cid, pid, raised],
      );
    },
    forget(cid, pid) {
      if (!isDatabaseId(cid)) return local.forget(cid, pid);
      write(
        cid,
        'forget',
        `DELETE FROM session_participants WHERE consultation_id = $1 AND participant_id = $2`,
        [cid, pid],
      );
    },
    clear(cid) {
      if (!isDatabaseId(cid)) return local.clear(cid);
      write(cid, 'clear', `DELETE FROM session_participants WHERE consultation_id = $1`, [cid]);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
