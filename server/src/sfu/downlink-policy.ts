/*
 * What one receiver's link may carry, decided from the SFU's own bandwidth estimate of the
 * receive transport (mediasoup's transport-cc BWE, read from `trace` bwe events). Pure: time
 * comes in with every call, so the rules are unit-tested without a clock.
 *
 * Three things, in the spirit of LiveKit's stream allocator:
 * - a ceiling on what the SFU may send (`setMaxOutgoingBitrate`): after the estimate falls,
 *   the SFU may not probe far above what the link just carried, and the ceiling is raised step
 *   by step only while the estimate presses against it (the link may carry more), with longer
 *   holds after a step that failed. No jump back to 720p on a 400 kbit/s link.
 * - audio only: when the estimate stays below what video needs, every video stream to this
 *   receiver is paused so the audio gets the link;
 * - trials: while audio only, video is let through now and then (with a ceiling high enough
 *   to probe) to see whether the link came back, and video returns when it has.
 *
 * The estimate speaks for the link only while the receiver wants video: with every tile
 * hidden or the person's own "audio only" on, the SFU sends audio alone and the estimate sinks
 * to that (application-limited), which says nothing about the link. Such estimates neither
 * start audio-only nor lower the ceiling, and no trials run; when video is wanted again the
 * estimate starts afresh and an audio-only link is tried at once.
 *
 * Nor does it while the receiver is silent (no feedback reaches the SFU: the link is cut,
 * not weak). The estimate collapses then, and taking it at its word sent a call that lost
 * its link for 10 s to audio only, with trials backed off to 6 s: video came back 2 to 5 s
 * after the link did. Silent, nothing is decided; when the receiver is heard again the
 * estimate starts afresh (and a trial starts at once, if audio only already).
 */

export type DownlinkMode = 'video' | 'audio-only' | 'trial';

export interface DownlinkPolicyOptions {
  /** Below this estimate (bit/s), held for `audioOnlyAfterMs`, video stops. */
  audioOnlyBelowBps: number;
  audioOnlyAfterMs: number;
  /** During a trial, an estimate at or above this (bit/s) brings video back. */
  videoAboveBps: number;
  /** First trial this long after going audio only; the wait doubles after each failure. */
  trialEveryMs: number;
  trialEveryMaxMs: number;
  /** A trial that has not reached `videoAboveBps` by then has failed. */
  trialLengthMs: number;
  /** The ceiling a trial allows (room for the SFU to probe). */
  trialCeilingBps: number;
  /** After a fall, the ceiling is the estimate times this. */
  headroom: number;
  /** Never a ceiling below this (bit/s): the lowest layer and audio must fit. */
  minCeilingBps: number;
  /** Raise the ceiling only after this long without a fall, and by this factor. */
  raiseAfterMs: number;
  raiseFactor: number;
  /** The estimate presses against the ceiling when at or above this fraction of it. */
  pressFraction: number;
  /** A fall: the estimate below this fraction of the last one. */
  fallFraction: number;
}

export const DEFAULT_DOWNLINK_POLICY: DownlinkPolicyOptions = {
  audioOnlyBelowBps: 200_000,
  audioOnlyAfterMs: 1_200,
  videoAboveBps: 320_000,
  trialEveryMs: 1_500,
  trialEveryMaxMs: 6_000,
  trialLengthMs: 2_000,
  trialCeilingBps: 1_500_000,
  headroom: 1.25,
  minCeilingBps: 300_000,
  raiseAfterMs: 2_500,
  raiseFactor: 1.6,
  pressFraction: 0.9,
  fallFraction: 0.75,
};

export interface DownlinkDecision {
  mode: DownlinkMode;
  /** bit/s; undefined: no ceiling (the SFU's own estimate alone). */
  ceilingBps: number | undefined;
}

export class DownlinkPolicy {
  readonly #o: DownlinkPolicyOptions;
  #mode: DownlinkMode = 'video';
  #ceiling: number | undefined;
  #estimate: number | undefined;
  /** Since when the estimate has been below `audioOnlyBelowBps` (video mode). */
  #lowSince: number | undefined;
  #lastFallAt = -Infinity;
  #lastRaiseAt = -Infinity;
  /** Ceiling before the last raise: where to go back when the raise made it fall. */
  #beforeRaise: number | undefined;
  #raiseHoldMs: number;
  #trialAt = 0;
  #trialWaitMs: number;
  #trialStartedAt = 0;
  /** The receiver wants some video (a visible tile it has not paused itself). */
  #videoWanted = true;
  /** No feedback from the receiver lately (see the file's comment). */
  #silent = false;

  constructor(options: Partial<DownlinkPolicyOptions> = {}) {
    this.#o = { ...DEFAULT_DOWNLINK_POLICY, ...options };
    this.#raiseHoldMs = this.#o.raiseAfterMs;
    this.#trialWaitMs = this.#o.trialEveryMs;
  }

  get decision(): DownlinkDecision {
    return { mode: this.#mode, ceilingBps: this.#ceiling };
  }

  get estimateBps(): number | undefined {
    return this.#estimate;
  }

  /**
   * Whether the receiver wants any video now. Off: later estimates are set aside (see the
   * file's comment). On again: the estimate starts afresh, and audio-only is tried at once.
   */
  setVideoWanted(wanted: boolean, now: number): DownlinkDecision {
    if (wanted === this.#videoWanted) return this.decision;
    this.#videoWanted = wanted;
    this.#lowSince = undefined;
    if (wanted) {
      this.#estimate = undefined;
      if (this.#mode === 'audio-only') this.#trialAt = now;
    } else if (this.#mode === 'trial') {
      // A trial without video proves nothing: back to audio only until video is wanted.
      this.#mode = 'audio-only';
      this.#ceiling = this.#o.minCeilingBps;
    }
    return this.tick(now);
  }

  /**
   * Whether the receiver has gone silent (nothing from it for a while) or is heard again.
   * Silent: estimates are set aside and nothing is decided. Heard again: the estimate
   * starts afresh, and an audio-only link is tried at once.
   */
  setReceiverSilent(silent: boolean, now: number): DownlinkDecision {
    if (silent === this.#silent) return this.decision;
    this.#silent = silent;
    this.#lowSince = undefined;
    if (!silent) {
      this.#estimate = undefined;
      if (this.#mode === 'audio-only') this.#trialAt = now;
      // A trial that ran into the silence proved nothing: it starts over.
      if (this.#mode === 'trial') this.#trialStartedAt = now;
    }
    return this.tick(now);
  }

  /** A new estimate of what the SFU can send to this receiver (bit/s). */
  estimate(bps: number, now: number): DownlinkDecision {
    if (this.#silent) return this.decision;
    const previous = this.#estimate;
    this.#estimate = bps;
    const o = this.#o;
    if (!this.#videoWanted) return this.tick(now);
    if (this.#mode === 'trial') {
      if (bps >= o.videoAboveBps) {
        this.#mode = 'video';
        this.#trialWaitMs = o.trialEveryMs;
        this.#lowSince = undefined;
        this.#lastFallAt = now;
        this.#ceiling = Math.max(o.minCeilingBps, bps * o.headroom);
      }
      return this.tick(now);
    }
    if (this.#mode === 'audio-only') return this.tick(now);

    // Video: a fall caps the ceiling near what the link carried; a fall right after a raise
    // means the raise probed too far: back to the ceiling before it, and wait longer.
    if (previous !== undefined && bps < previous * o.fallFraction) {
      const recentRaise = now - this.#lastRaiseAt < this.#raiseHoldMs;
      if (recentRaise && this.#beforeRaise !== undefined) {
        this.#raiseHoldMs = Math.min(this.#raiseHoldMs * 2, 60_000);
      }
      this.#lastFallAt = now;
      this.#ceiling = Math.max(o.minCeilingBps, bps * o.headroom);
      this.#beforeRaise = undefined;
    }
    if (bps < o.audioOnlyBelowBps) this.#lowSince ??= now;
    else this.#lowSince = undefined;
    return this.tick(now);
  }

  /** Time passes (called every few hundred ms): audio-only entry, trials, ceiling raises. */
  tick(now: number): DownlinkDecision {
    const o = this.#o;
    // Nothing to judge or to try without video wanted, or while the receiver is silent.
    if (!this.#videoWanted || this.#silent) return this.decision;
    switch (this.#mode) {
      case 'video': {
        if (this.#lowSince !== undefined && now - this.#lowSince >= o.audioOnlyAfterMs) {
          this.#mode = 'audio-only';
          this.#trialAt = now + this.#trialWaitMs;
          // No probing while audio only: the link is too weak for it.
          this.#ceiling = o.minCeilingBps;
          break;
        }
        const est = this.#estimate;
        const held = now - Math.max(this.#lastFallAt, this.#lastRaiseAt) >= this.#raiseHoldMs;
        if (this.#ceiling !== undefined && est !== undefined && held) {
          if (est >= this.#ceiling * o.pressFraction) {
            this.#beforeRaise = this.#ceiling;
            this.#lastRaiseAt = now;
            const raised = this.#ceiling * o.raiseFactor;
            // Far above any layer: no ceiling any more.
            this.#ceiling = raised >= 4_000_000 ? undefined : raised;
          } else if (now - this.#lastRaiseAt >= this.#raiseHoldMs * 2) {
            // The step held: the next one may come sooner again.
            this.#raiseHoldMs = Math.max(o.raiseAfterMs, this.#raiseHoldMs / 2);
          }
        }
        break;
      }
      case 'audio-only':
        if (now >= this.#trialAt) {
          this.#mode = 'trial';
          this.#trialStartedAt = now;
          this.#ceiling = o.trialCeilingBps;
        }
        break;
      case 'trial':
        if (now - this.#trialStartedAt >= o.trialLengthMs) {
          this.#mode = 'audio-only';
          this.#trialWaitMs = Math.min(this.#trialWaitMs * 2, o.trialEveryMaxMs);
          this.#trialAt = now + this.#trialWaitMs;
          this.#ceiling = o.minCeilingBps;
        }
        break;
    }
    return this.decision;
  }
}

/**
 * The highest simulcast layer, at most `wanted`, whose bitrate fits under the ceiling
 * (`layerBps[i]`: the producer's maxBitrate of layer i, smallest first). A bitrate ceiling
 * alone does not stop the SFU from sending the top layer starved of bits (720p at 300 kbit/s
 * on a 400 kbit/s link); this caps the layer too. The smallest layer is always allowed; no
 * ceiling or unknown bitrates: `wanted` as it is.
 */
export function layerForCeiling(
  wanted: number,
  ceilingBps: number | undefined,
  layerBps: readonly (number | undefined)[],
): number {
  if (ceilingBps === undefined || layerBps.length === 0) return wanted;
  let layer = Math.min(wanted, layerBps.length - 1);
  while (layer > 0) {
    const bps = layerBps[layer];
    if (bps === undefined || bps <= ceilingBps) break;
    layer--;
  }
  return Math.max(0, Math.min(wanted, layer));
}
