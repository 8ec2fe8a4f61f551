/**
 * Keeps one WebRTC transport alive. It watches the transport's connection state: after
 * `disconnected` for a short grace period (a blip heals by itself), or at once on `failed`,
 * it restarts ICE (new credentials on the server, then on the browser: the candidate
 * checks run again, and find TCP or TURN when UDP is gone). A restart that does not
 * reconnect in time is tried again; after `maxRestarts` the media is set up from scratch
 * (a full rejoin on the same socket). Pure policy over two actions, so it is unit-tested
 * with fake timers.
 */

/** RTCPeerConnectionState, as mediasoup-client reports it per transport. */
export type ConnectionState =
  'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What the call shows: `recovering` only once the grace period is over. */
export type TransportHealth = 'connecting' | 'connected' | 'recovering';

export interface RecoveryPolicy {
  /** `disconnected` this long before restarting ICE (a short loss burst heals alone). */
  graceMs: number;
  /** An ICE restart that has not reconnected after this long is tried again. */
  restartTimeoutMs: number;
  /** ICE restarts before a full rejoin. */
  maxRestarts: number;
  /** A transport that never connected within this long is restarted as if it failed. */
  connectTimeoutMs: number;
}

export const DEFAULT_RECOVERY: RecoveryPolicy = {
  graceMs: 1000,
  restartTimeoutMs: 3000,
  maxRestarts: 3,
  connectTimeoutMs: 10_000,
};

export interface RecoveryActions {
  /** Server first (new ICE parameters), then the browser's transport. */
  restartIce(): Promise<void>;
  /** Give up on this transport: set the media up again. */
  rejoin(reason: string): void;
  health(health: TransportHealth): void;
}

export class TransportRecovery {
  readonly #actions: RecoveryActions;
  readonly #policy: RecoveryPolicy;
  #state: ConnectionState = 'new';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #restarts = 0;
  #everConnected = false;
  #health: TransportHealth = 'connecting';
  #closed = false;
  /** A restart waits for the server's answer (over a link that may still be down). */
  #inFlight = false;

  constructor(actions: RecoveryActions, policy: RecoveryPolicy = DEFAULT_RECOVERY) {
    this.#actions = actions;
    this.#policy = policy;
  }

  get health(): TransportHealth {
    return this.#health;
  }

  /** The transport's `connectionstatechange`. */
  update(state: ConnectionState): void {
    if (this.#closed || state === this.#state) return;
    this.#state = state;
    switch (state) {
      case 'connected':
        this.#clear();
        this.#everConnected = true;
        this.#restarts = 0;
        this.#setHealth('connected');
        return;
      case 'disconnected':
        // Already restarting: its own timeout decides.
        if (this.#restarts === 0) this.#arm(this.#policy.graceMs, 'disconnected');
        return;
      case 'failed':
        this.#clear();
        void this.#restart('failed');
        return;
      case 'closed':
        this.close();
        return;
      case 'connecting':
        // A transport starts when it first carries media (in the waiting room it does not):
        // from then on it must connect in time.
        if (!this.#everConnected && this.#restarts === 0) {
          this.#arm(this.#policy.connectTimeoutMs, 'did not connect');
        }
        return;
      case 'new':
        return;
    }
  }

  close(): void {
    this.#closed = true;
    this.#clear();
  }

  async #restart(why: string): Promise<void> {
    // One restart at a time: the answer may be stuck behind a link that is down, and
    // queueing more only makes the server change credentials again and again once it is up.
    if (this.#closed || this.#inFlight) return;
    if (this.#restarts >= this.#policy.maxRestarts) {
      this.close();
      this.#actions.rejoin(`ICE restarts did not reconnect (${why})`);
      return;
    }
    this.#restarts++;
    this.#setHealth('recovering');
    this.#clear();
    this.#inFlight = true;
    try {
      await this.#actions.restartIce();
    } catch (err) {
      this.#inFlight = false;
      // Back by itself meanwhile (the old path returned): nothing to set up again.
      if (this.#closed || this.#state === 'connected') return;
      this.close();
      this.#actions.rejoin(`ICE restart failed: ${String(err)}`);
      return;
    }
    this.#inFlight = false;
    if (this.#closed || this.#state === 'connected') return;
    // The browser checks the candidates with the new credentials now: connected, or again.
    this.#arm(this.#policy.restartTimeoutMs, 'restart timed out');
  }

  #arm(ms: number, why: string): void {
    this.#clear();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#state === 'connected' && this.#everConnected) return;
      void this.#restart(why);
    }, ms);
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #setHealth(health: TransportHealth): void {
    if (health === this.#health) return;
    this.#health = health;
    this.#actions.health(health);
  }
}
