/**
 * Keeps one WebRTC transport alive.
 *
 * - Its connection state: on `failed` at once, on `disconnected` after a short grace period
 *   (a blip heals by itself), it restarts ICE (new credentials on the server, then on the
 *   browser: the candidate checks run again, and find TCP or TURN when UDP is gone). A
 *   restart that does not reconnect in time is tried again; after `maxRestarts` the media
 *   is set up from scratch (a full rejoin on the same socket).
 * - Its traffic (transport-liveness.ts): media that flowed and stopped (`stalled`) is known
 *   within 2 s, while the browser calls the path `disconnected` only after 5 to 7 s. Then
 *   it asks the server for a round trip (`probe`). An answer while the media is still
 *   stalled means the server is reachable and the media path is broken (UDP blocked): the
 *   media is set up anew at once. An ICE restart would not help yet: Chromium keeps
 *   sending on the old pair as long as it believes in it (measured: the SFU saw the new
 *   TCP pair nominated 2 to 5 s after the restart). No answer means the whole link is down:
 *   nothing is torn down, so the old path carries the media again the moment the link
 *   returns; an answer slower than the grace period came through such a cut, so the old
 *   path gets the grace period first.
 * - While the person only waits (in the waiting room: the receive transport connects early,
 *   nothing flows), a transport that does not connect is not worth a full rejoin, which
 *   sets up the same transports on the same socket again and meets the same blocked path:
 *   ICE is restarted ever less often instead (doubling from `restartTimeoutMs` up to
 *   `waitingRestartMaxMs`), without end. Admission (`admitted`) restarts a transport that
 *   is not connected at once, so media starts as soon as the path lets it, and from then on
 *   the call's budget applies (`maxRestarts`, then a rejoin).
 *
 * Pure policy over its actions, so it is unit-tested with fake timers.
 */

/** RTCPeerConnectionState, as mediasoup-client reports it per transport. */
export type ConnectionState =
  'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What the call shows: `recovering` only once the grace period is over. */
export type TransportHealth = 'connecting' | 'connected' | 'recovering';

/**
 * What arrived on the transport over the last sample: `alive` (bytes from the SFU: media or
 * RTCP), `stalled` (media that flowed stopped, long enough to be the path's fault) or
 * `quiet` (nothing new, nothing to judge).
 */
export type Traffic = 'alive' | 'stalled' | 'quiet';

export interface RecoveryPolicy {
  /** `disconnected` this long before restarting ICE (a short loss burst heals alone). */
  graceMs: number;
  /** An ICE restart that has not reconnected after this long is tried again. */
  restartTimeoutMs: number;
  /** ICE restarts before a full rejoin (in the call; waiting, there is no rejoin). */
  maxRestarts: number;
  /** A transport that never connected within this long is restarted as if it failed. */
  connectTimeoutMs: number;
  /** Waiting: restarts come `restartTimeoutMs` apart, doubling up to this. */
  waitingRestartMaxMs: number;
}

export const DEFAULT_RECOVERY: RecoveryPolicy = {
  graceMs: 1000,
  restartTimeoutMs: 3000,
  maxRestarts: 3,
  connectTimeoutMs: 10_000,
  waitingRestartMaxMs: 30_000,
};

export interface RecoveryActions {
  /** Server first (new ICE parameters), then the browser's transport. */
  restartIce(why: string): Promise<void>;
  /** Give up on this transport: set the media up again. */
  rejoin(reason: string): void;
  /** A signalling round trip: resolves when the server answers, rejects when it does not. */
  probe(): Promise<void>;
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
  #traffic: Traffic = 'quiet';
  #probing = false;
  /** The person only waits (see the top of the file); `admitted` ends it. */
  #waiting: boolean;

  constructor(
    actions: RecoveryActions,
    policy: RecoveryPolicy = DEFAULT_RECOVERY,
    opts: { waiting?: boolean } = {},
  ) {
    this.#actions = actions;
    this.#policy = policy;
    this.#waiting = opts.waiting ?? false;
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
        this.#everConnected = true;
        this.#recovered();
        return;
      case 'disconnected':
        // Already restarting: its own timeout decides.
        if (this.#restarts === 0) this.#arm(this.#policy.graceMs, 'disconnected');
        return;
      case 'failed':
        // Waiting and restarting already: the backoff's timer decides (or the restart in flight).
        if (this.#waiting && this.#restarts > 0) {
          if (this.#timer === undefined && !this.#inFlight) this.#armRestart();
          return;
        }
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

  /**
   * What arrived on the transport since the last sample. A stall (outside an ICE restart,
   * which has its own timeout) probes the server; media arriving on a connected transport
   * ends the recovery, even when the browser never left `connected`.
   */
  traffic(traffic: Traffic): void {
    if (this.#closed) return;
    this.#traffic = traffic;
    if (traffic === 'stalled' && this.#restarts === 0 && this.#everConnected) {
      void this.#probe();
    } else if (traffic === 'alive' && this.#state === 'connected') {
      if (this.#health === 'recovering') this.#recovered();
    }
  }

  /**
   * The person was admitted: the media is to flow now. A transport still recovering (or
   * failed) is restarted at once instead of at the end of its backoff, and from now on
   * the call's budget of restarts applies. One still making its first connect keeps its
   * connect timeout.
   */
  admitted(): void {
    if (this.#closed || !this.#waiting) return;
    this.#waiting = false;
    const failing = this.#restarts > 0 || this.#state === 'failed';
    if (!failing || this.#state === 'connected') return;
    // A restart in flight is the immediate one (its new credentials start the checks anew).
    if (this.#inFlight) {
      this.#restarts = 1;
      return;
    }
    this.#restarts = 0;
    this.#clear();
    void this.#restart('admitted');
  }

  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #recovered(): void {
    this.#clear();
    this.#restarts = 0;
    this.#setHealth('connected');
  }

  async #probe(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    this.#setHealth('recovering');
    const sentAt = Date.now();
    let answered = true;
    try {
      await this.#actions.probe();
      // A late answer was stuck behind a cut link, like the media: the old path gets the
      // grace period to carry media again now that the link is back.
      if (Date.now() - sentAt > this.#policy.graceMs) await sleep(this.#policy.graceMs);
    } catch {
      answered = false;
    } finally {
      this.#probing = false;
    }
    // An ICE restart began meanwhile (the browser gave up the path): it decides.
    if (this.#closed || this.#restarts > 0) return;
    if (this.#traffic === 'stalled') {
      // No answer: the link is down. Nothing is torn down: the old path carries the media
      // again once it is back (the next stalled sample asks again).
      if (!answered) return;
      this.close();
      this.#actions.rejoin('media stopped while the server answers');
    } else if (this.#state === 'connected') {
      this.#recovered();
    }
  }

  async #restart(why: string): Promise<void> {
    // One restart at a time: the answer may be stuck behind a link that is down, and
    // queueing more only makes the server change credentials again and again once it is up.
    if (this.#closed || this.#inFlight) return;
    if (!this.#waiting && this.#restarts >= this.#policy.maxRestarts) {
      this.close();
      this.#actions.rejoin(`ICE restarts did not reconnect (${why})`);
      return;
    }
    this.#restarts++;
    this.#setHealth('recovering');
    this.#clear();
    this.#inFlight = true;
    try {
      // Applied even when the path came back meanwhile: the server drops the credentials
      // in use at its next restart, so the browser must keep in step with it.
      await this.#actions.restartIce(why);
    } catch (err) {
      this.#inFlight = false;
      // Back by itself meanwhile (the old path returned): nothing to set up again.
      if (this.#closed || this.#restarts === 0) return;
      this.close();
      this.#actions.rejoin(`ICE restart failed: ${String(err)}`);
      return;
    }
    this.#inFlight = false;
    if (this.#closed || this.#restarts === 0) return;
    // The browser checks the candidates with the new credentials now: back, or again.
    this.#armRestart();
  }

  /** The next restart, unless the transport connects before: soon in the call, backed off waiting. */
  #armRestart(): void {
    const { restartTimeoutMs, waitingRestartMaxMs } = this.#policy;
    const ms = this.#waiting
      ? Math.min(waitingRestartMaxMs, restartTimeoutMs * 2 ** Math.max(0, this.#restarts - 1))
      : restartTimeoutMs;
    this.#arm(
      ms,
      this.#waiting ? `restart timed out, waiting (after ${ms} ms)` : 'restart timed out',
    );
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
