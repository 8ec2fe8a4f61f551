import { randomUUID } from 'node:crypto';
import type { NotificationKind, OutboxMessage } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { outboxRepo } from '../db/outbox-repo.js';

export interface Notification {
  consultationId: string;
  participantId: string;
  kind: NotificationKind;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
}

/**
 * Sends invite, change, reminder and cancellation messages. `send` runs inside the
 * booking transaction: a provider must only record the message there (transactional
 * outbox) and deliver after commit, so a rolled-back booking never notifies anyone.
 */
export interface NotificationProvider {
  send(q: Queryable, n: Notification): Promise<void>;
}

/** Development transport: writes to `notification_outbox`, listable through the API. */
export class OutboxTransport implements NotificationProvider {
  async send(q: Queryable, n: Notification): Promise<void> {
    const msg: OutboxMessage = { id: randomUUID(), createdAt: new Date().toISOString(), ...n };
    await outboxRepo.insert(q, msg);
  }
}
