import type { types } from 'mediasoup';
import { DEFAULT_DOWNLINK_POLICY } from './downlink-policy.js';

/** What the listener tells the downlink adapter (downlink.ts). */
export interface ReceiverEvents {
  /** An estimate that speaks for the link. */
  estimate(bps: number, now: number): void;
  /** The receiver went silent (its link is cut), or was heard again. */
  silence(silent: boolean, now: number): void;
  /**
   * Heavy loss in the receiver's transport-cc feedback on what is sent to it (`HEAVY_LOSS`
   * or more; mediasoup keeps a weighted average of the last 24 feedback packets).
   */
  transportLoss(sendBps: number, loss: number, now: number): void;
  /** The estimate went down: worth reading the loss reports for a while. */
  down(now: number): void;
  /** Heard again after a silence, once the estimates held back meanwhile are judged. */
  back(): void;
}

/**
 * No bytes from the receiver for this long: it is silent (its link is cut). While video
 * flows the browser's transport-cc feedback comes every 100 ms or so.
 */
const SILENT_AFTER_MS = 1000;
const BWE_QUIET_MS = 1500;
const BWE_QUIET_MAX_MS = 12_000;
/**
 * The estimate went down: below this fraction of the highest since the receiver was last
 * heard (jitter of a few per cent on a steady link is no doubt; a slow collapse adds up).
 */
const DOUBT_FRACTION = 0.85;
/** An estimate below this fraction of the last one judged waits until the receiver is heard. */
const FALL_FRACTION = 0.75;
/** Estimates kept while waiting to hear the receiver (the worker sends a few at most). */
const MAX_PENDING = 8;
/**
 * Transport-cc loss at or above this goes to the policy (its `heavyLossFraction`): light loss
 * is left to the receiver reports, since transport-cc overcounts it.
 */
const HEAVY_LOSS = DEFAULT_DOWNLINK_POLICY.heavyLossFraction;

/**
 * The share of what the SFU sent on `stat`'s transport that the receiver's transport-cc
 * feedback finds lost (mediasoup's weighted average of the last 24 feedback packets; in the
 * worker's stats, not in its typings): this link's own loss, whatever the senders' links
 * lost. Undefined: no transport-cc feedback.
 */
export function sentPacketLoss(stat: types.WebRtcTransportStat): number | undefined {
  return (stat as { rtpPacketLossSent?: number }).rtpPacketLossSent;
}

/**
 * Is the receiver heard, and does the worker's estimate of its link speak for that link?
 *
 * A cut link and a weak one look alike in the estimate: both collapse. Only what comes back
 * from the receiver tells them apart: on a cut link its bytes stop (it is silent, and the
 * estimate says nothing about the link), on a weak one they keep coming. So an estimate that
 * falls sharply waits until the receiver is heard (a tick or two) before the policy gets it.
 *
 * Nothing is read from the worker on a good, steady link. The receiver is listened to
 * (transport stats: do its bytes rise?) only while in doubt: after the estimate went down,
 * when no estimate has come for `BWE_QUIET_MS` (mediasoup 3.12 sends one about every second
 * while the receiver's transport-cc feedback flows), when the downlink adapter found heavy
 * loss (`doubt()`), while silent (to hear it come back) and until it is heard again. A
 * receiver that sends no transport-cc feedback gets no estimate at all: each quiet spell that
 * ends with it heard doubles the next, up to `BWE_QUIET_MAX_MS`.
 */
export class ReceiverListener {
  readonly #transport: types.WebRtcTransport;
  readonly #events: ReceiverEvents;
  /** The adapter's clock: a rise in bytes between reads this close together is heard now. */
  readonly #tickMs: number;
  readonly #freshReadMs: number;
  /**
   * What the receive transport had received from the browser at the last read (`readAt`),
   * since when no more (`at`), and when a rise between two close reads last showed the
   * receiver heard right then (`confirmedAt`).
   */
  #heard = { bytes: -1, at: 0, readAt: 0, confirmedAt: 0, reading: false };
  #silent = false;
  /** Listening to the receiver: until it is heard, or silent and back. */
  #doubt = false;
  /** Estimates that fell, waiting for the receiver to be heard before the policy gets them. */
  #pending: number[] = [];
  /**
   * When the worker's last estimate came, the highest since the receiver was last heard, and
   * the last one judged.
   */
  #bwe: { at: number; high: number; applied: number | undefined } = {
    at: Date.now(),
    high: 0,
    applied: undefined,
  };
  /** How long without an estimate starts a listen now (see `BWE_QUIET_MAX_MS`). */
  #quietMs = BWE_QUIET_MS;
  #closed = false;

  constructor(transport: types.WebRtcTransport, events: ReceiverEvents, tickMs: number) {
    this.#transport = transport;
    this.#events = events;
    this.#tickMs = tickMs;
    this.#freshReadMs = 2 * tickMs + 100;
    transport.on('trace', (trace) => {
      if (trace.type !== 'bwe') return;
      const info = trace.info as { availableBitrate?: number };
      if (typeof info.availableBitrate !== 'number') return;
      this.#onEstimate(info.availableBitrate, Date.now());
    });
    transport.enableTraceEvent(['bwe']).catch(() => undefined);
  }

  get silent(): boolean {
    return this.#silent;
  }

  /**
   * When the listener next needs the clock (a quiet spell to check, `BWE_QUIET_MS`), if it
   * needs it only then; undefined while it listens (in doubt, silent, or holding estimates).
   */
  get restsUntil(): number | undefined {
    if (this.#doubt || this.#silent || this.#heard.reading || this.#pending.length > 0) {
      return undefined;
    }
    return this.#bwe.at + this.#quietMs;
  }

  /** The adapter's clock. */
  tick(now: number): void {
    if (this.#closed) return;
    // No estimate for a while: a cut link, or merely a steady one. One listen tells.
    if (!this.#doubt && now - this.#bwe.at >= this.#quietMs) {
      this.#bwe.at = now;
      this.#doubt = true;
      // The next one may be longer; an estimate, or the receiver found silent, resets it.
      this.#quietMs = Math.min(2 * this.#quietMs, BWE_QUIET_MAX_MS);
    }
    if (this.#doubt || this.#silent) void this.#listen();
  }

  /** Heavy loss found elsewhere: listen now, transport-cc's loss with it. */
  doubt(): void {
    if (this.#doubt || this.#closed) return;
    this.#doubt = true;
    void this.#listen();
  }

  close(): void {
    this.#closed = true;
  }

  /** A new estimate from the worker (its `bwe` trace). */
  #onEstimate(bps: number, now: number): void {
    if (this.#closed) return;
    const bwe = this.#bwe;
    bwe.at = now;
    this.#quietMs = BWE_QUIET_MS;
    bwe.high = Math.max(bwe.high, bps);
    if (bps < DOUBT_FRACTION * bwe.high) {
      // Down: a cut link's estimate collapses. Is the receiver still heard?
      this.#events.down(now);
      this.doubt();
    }
    const fell = bps < FALL_FRACTION * (bwe.applied ?? 0);
    const heardNow = now - this.#heard.confirmedAt <= this.#tickMs;
    if (!this.#silent && (this.#pending.length > 0 || (fell && !heardNow))) {
      this.#pending.push(bps);
      if (this.#pending.length > MAX_PENDING) this.#pending.shift();
      // Heard right after the last read (a tick ago at most): judged now, not a tick later.
      void this.#listen();
      return;
    }
    this.#judge(bps, now);
  }

  #judge(bps: number, now: number): void {
    this.#bwe.applied = bps;
    this.#events.estimate(bps, now);
  }

  /** Reads whether the receiver is still heard (bytes from it rise). */
  async #listen(): Promise<void> {
    const heard = this.#heard;
    if (heard.reading || this.#closed) return;
    heard.reading = true;
    try {
      const [stat] = await this.#transport.getStats();
      if (this.#closed || !stat) return;
      const now = Date.now();
      // A rise since a read just before: heard right now. Since an older read (the reads
      // stop while all is well): heard at some time since, taken as now, as at the start.
      const fresh = heard.readAt > 0 && now - heard.readAt <= this.#freshReadMs;
      heard.readAt = now;
      const rose = stat.bytesReceived > heard.bytes;
      if (rose) {
        heard.bytes = stat.bytesReceived;
        heard.at = now;
        if (fresh) heard.confirmedAt = now;
      }
      const wasSilent = this.#silent;
      const silent = now - heard.at >= SILENT_AFTER_MS;
      this.#silent = silent;
      if (silent !== wasSilent) this.#events.silence(silent, now);
      if (silent) {
        // What the estimate did meanwhile says nothing about the link.
        this.#pending = [];
        // Once back, listened to soon again if no estimate comes.
        this.#quietMs = BWE_QUIET_MS;
      } else if (rose && fresh) {
        // Heard: the estimates held back speak for the link after all.
        const pending = this.#pending;
        this.#pending = [];
        for (const bps of pending) this.#judge(bps, now);
        this.#doubt = false;
        this.#bwe.high = this.#bwe.applied ?? 0;
      }
      // A link that gives way shows in transport-cc's loss within a few hundred ms, a second
      // or more before its RTCP receiver reports and the estimate do.
      const loss = sentPacketLoss(stat) ?? 0;
      if (!silent && loss >= HEAVY_LOSS && stat.sendBitrate > 0) {
        this.#events.transportLoss(stat.sendBitrate, loss, now);
      }
      if (wasSilent && !silent) this.#events.back();
    } catch {
      // Closed meanwhile.
    } finally {
      heard.reading = false;
    }
  }
}
