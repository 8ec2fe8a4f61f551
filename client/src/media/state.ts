/**
 * The call's lifecycle as an explicit state machine, from the pre-join to the end screen.
 * `next` is pure so every transition is unit-tested; the live session applies it and
 * ignores events that do not fit.
 *
 *   idle -> prejoin (warm-up: socket, device, ICE servers) -> joining -> lobby | in-call
 *   lobby -> in-call (admitted)         in-call <-> reconnecting (socket, transport or room lost)
 *   in-call -> lobby (held back for an agenda part for health personnel only)
 *   any -> ended (left, denied, removed, session ended, failed, replaced by another tab)
 */
export type CallState =
  'idle' | 'prejoin' | 'joining' | 'lobby' | 'in-call' | 'reconnecting' | 'ended';

/** Why a call ended; the end screen words it. */
export type EndReason = 'left' | 'denied' | 'removed' | 'session_ended' | 'failed' | 'replaced';

export type CallEvent =
  /** The pre-join warms the call up. */
  | { type: 'prepare' }
  /** The person joins (the join button, or the call page opened directly). */
  | { type: 'join' }
  /** `join` answered: the waiting room. */
  | { type: 'waiting' }
  /** Admitted, with the media opened (first time, or after a reconnect or rejoin). */
  | { type: 'admitted' }
  /** The socket, a media transport or the media room was lost: recovery runs. */
  | { type: 'connectionLost' }
  /** A transport recovered by itself or by an ICE restart: media flows again. */
  | { type: 'recovered' }
  /**
   * The session sent this participant back to the waiting room (an agenda part for health
   * personnel only): media is off, the socket stays, and `admitted` opens it again.
   */
  | { type: 'held' }
  | { type: 'end'; reason: EndReason };

/** The state after `event`, or null when the event does not apply in `state`. */
export function next(state: CallState, event: CallEvent): CallState | null {
  if (event.type === 'end') return state === 'ended' ? null : 'ended';
  switch (state) {
    case 'idle':
      if (event.type === 'prepare') return 'prejoin';
      if (event.type === 'join') return 'joining';
      return null;
    case 'prejoin':
      if (event.type === 'join') return 'joining';
      return null;
    case 'joining':
      if (event.type === 'waiting') return 'lobby';
      if (event.type === 'admitted') return 'in-call';
      return null;
    case 'lobby':
      if (event.type === 'admitted') return 'in-call';
      if (event.type === 'connectionLost') return 'reconnecting';
      return null;
    case 'in-call':
      if (event.type === 'connectionLost') return 'reconnecting';
      if (event.type === 'held') return 'lobby';
      return null;
    case 'reconnecting':
      if (event.type === 'waiting' || event.type === 'held') return 'lobby';
      if (event.type === 'admitted' || event.type === 'recovered') return 'in-call';
      return null;
    case 'ended':
      return null;
    default:
      return assertUnreachable(state);
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
