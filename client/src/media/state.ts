/**
 * The media session's lifecycle as an explicit state machine. `next` is pure so every
 * transition is unit-tested; the session applies it and ignores events that do not fit.
 */
export type SessionState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'closed';

export type SessionEvent =
  /** The user starts the call. */
  | { type: 'start' }
  /** The join handshake succeeded (first time or after a reconnect). */
  | { type: 'joined' }
  /** The socket dropped, or the server closed the room (e.g. its media worker died). */
  | { type: 'connectionLost' }
  /**
   * The session sent this participant back to the waiting room (an agenda part for health
   * personnel only): media is off, the socket stays, and `admitted` joins again.
   */
  | { type: 'held' }
  /** Unrecoverable: refused by the server, or replaced by another tab. */
  | { type: 'failed'; reason: string }
  /** The user left. */
  | { type: 'close' };

/** The state after `event`, or null when the event does not apply in `state`. */
export function next(state: SessionState, event: SessionEvent): SessionState | null {
  switch (state) {
    case 'idle':
      if (event.type === 'start') return 'connecting';
      if (event.type === 'close' || event.type === 'failed') return 'closed';
      return null;
    case 'connecting':
    case 'reconnecting':
      if (event.type === 'joined') return 'joined';
      if (event.type === 'held') return 'connecting';
      if (event.type === 'connectionLost') return 'reconnecting';
      if (event.type === 'close' || event.type === 'failed') return 'closed';
      return null;
    case 'joined':
      if (event.type === 'connectionLost') return 'reconnecting';
      if (event.type === 'held') return 'connecting';
      if (event.type === 'close' || event.type === 'failed') return 'closed';
      return null;
    case 'closed':
      return null;
    default:
      return assertUnreachable(state);
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
