import { EventEmitter } from 'node:events';

/**
 * Who may receive whose media in a room. Every peer belongs to exactly one media group;
 * media flows only between peers of the same group (consumer gating: the Room creates a
 * consumer only when `allows` says so, and closes existing ones when the groups change).
 *
 * The grouping is a rule, not a list: `groupOf` answers for any peer id, including one
 * that joins after the change (a reconnecting parent during a private part lands in the
 * side room, never in the private one).
 *
 * Why gating rather than a second router: measured in bench/side-room-switch.ts (results
 * in bench/results/side-room-switch.json). A peer moved to another router needs new
 * WebRTC transports (ICE + DTLS again, and `pipeToRouter` between routers of one worker is
 * refused), so the side room would lose its own media for the length of a reconnection;
 * gating only closes and creates consumers on the transports the peers already have.
 */
export interface MediaScope {
  groupOf(peerId: string): string;
  /** Emitted after the grouping changed: the Room re-gates every consumer. */
  on(event: 'change', listener: () => void): this;
  off(event: 'change', listener: () => void): this;
}

export const PLENARY_GROUP = 'plenary';

/** Everyone together: development rooms and sessions without an agenda. */
export const openScope: MediaScope = {
  groupOf: () => PLENARY_GROUP,
  on() {
    return this;
  },
  off() {
    return this;
  },
};

/** A scope whose rule can be replaced; the owner (the live agenda) calls `set`. */
export class RuleScope extends EventEmitter<{ change: [] }> implements MediaScope {
  #rule: (peerId: string) => string = () => PLENARY_GROUP;

  groupOf(peerId: string): string {
    return this.#rule(peerId);
  }

  set(rule: (peerId: string) => string): void {
    this.#rule = rule;
    this.emit('change');
  }
}

export const sameGroup = (scope: MediaScope, a: string, b: string): boolean =>
  scope.groupOf(a) === scope.groupOf(b);
