import { randomUUID } from 'node:crypto';
import type { ChatMessage, Role } from '@samkons/shared';

/** Enough for a consultation; the oldest go first beyond it (memory stays bounded). */
const MAX_MESSAGES = 500;

/**
 * Chat of one live session, kept in server memory ONLY: it is never written to the
 * database and is discarded with the session (ended by a host, by withdrawn consent, or
 * when the last person leaves). Health information typed in chat therefore leaves no
 * trace beyond the call; documentation belongs in the patient record, not here.
 */
export class ChatLog {
  #messages: { message: ChatMessage; visibleTo: ReadonlySet<string> | null }[] = [];

  /**
   * `visibleTo`: the participants who may read it (a message written in a private part stays
   * with those who were in it); null: everyone in the session, now and later.
   */
  append(
    from: { participantId: string; displayName: string; role: Role | null },
    text: string,
    now: Date,
    visibleTo: ReadonlySet<string> | null = null,
  ): ChatMessage {
    const message: ChatMessage = {
      id: randomUUID(),
      fromParticipantId: from.participantId,
      fromDisplayName: from.displayName,
      fromRole: from.role,
      text,
      sentAt: now.toISOString(),
    };
    this.#messages.push({ message, visibleTo });
    if (this.#messages.length > MAX_MESSAGES) this.#messages.shift();
    return message;
  }

  /** The messages `participantId` may read (all of them without an id). */
  all(participantId?: string): ChatMessage[] {
    return this.#messages
      .filter((m) => !participantId || !m.visibleTo || m.visibleTo.has(participantId))
      .map((m) => m.message);
  }

  clear(): void {
    this.#messages = [];
  }
}
