import type { OutboxMessage } from '@samkons/shared';
import type { Queryable } from './database.js';
import { iso } from './rows.js';

export const outboxRepo = {
  async insert(q: Queryable, m: OutboxMessage): Promise<void> {
    await q.query(
      `INSERT INTO notification_outbox (id, consultation_id, participant_id, kind, channel, recipient, subject, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        m.id,
        m.consultationId,
        m.participantId,
        m.kind,
        m.channel,
        m.recipient,
        m.subject,
        m.body,
        m.createdAt,
      ],
    );
  },
  async list(q: Queryable, consultationId: string): Promise<OutboxMessage[]> {
    const r = await q.query<{
      id: string;
      consultation_id: string;
      participant_id: string;
      kind: OutboxMessage['kind'];
      channel: OutboxMessage['channel'];
      recipient: string;
      subject: string;
      body: string;
      created_at: Date;
    }>('SELECT * FROM notification_outbox WHERE consultation_id = $1 ORDER BY created_at, id', [
      consultationId,
    ]);
    return r.rows.map((x) => ({
      id: x.id,
      consultationId: x.consultation_id,
      participantId: x.participant_id,
      kind: x.kind,
      channel: x.channel,
      recipient: x.recipient,
      subject: x.subject,
      body: x.body,
      createdAt: iso(x.created_at),
    }));
  },
};
