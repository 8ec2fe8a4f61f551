import type { Queryable } from '../db/database.js';

/** SQL of the reminder scheduler (migration 5: `consultations.reminder_sent_at`). */

/** Booked consultations starting in (now, until] whose reminder has not been sent. */
export async function dueReminders(
  q: Queryable,
  now: Date,
  until: Date,
  limit: number,
): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM consultations
      WHERE status = 'booked' AND reminder_sent_at IS NULL
        AND starts_at > $1 AND starts_at <= $2
      ORDER BY starts_at, id
      LIMIT $3`,
    [now.toISOString(), until.toISOString(), limit],
  );
  return r.rows.map((x) => x.id);
}

/**
 * Takes one due consultation for this transaction. The conditions are checked again under
 * the row lock (another node may have sent it, or it was cancelled or moved since the
 * scan), and SKIP LOCKED makes a node whose peer holds the row move on instead of waiting
 * and then sending a second reminder.
 */
export async function claimReminder(
  q: Queryable,
  consultationId: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const r = await q.query(
    `SELECT id FROM consultations
      WHERE id = $1 AND status = 'booked' AND reminder_sent_at IS NULL
        AND starts_at > $2 AND starts_at <= $3
      FOR UPDATE SKIP LOCKED`,
    [consultationId, now.toISOString(), until.toISOString()],
  );
  return r.rows.length > 0;
}

export async function markReminderSent(
  q: Queryable,
  consultationId: string,
  at: Date,
): Promise<void> {
  await q.query('UPDATE consultations SET reminder_sent_at = $2 WHERE id = $1', [
    consultationId,
    at.toISOString(),
  ]);
}

/** A rescheduled consultation is reminded again before its new start time. */
export async function resetReminder(q: Queryable, consultationId: string): Promise<void> {
  await q.query('UPDATE consultations SET reminder_sent_at = NULL WHERE id = $1', [consultationId]);
}
