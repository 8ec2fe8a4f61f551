/*
 * What one receiver's link may carry, decided from the SFU's own bandwidth estimate of the
 * receive transport (mediasoup's transport-cc BWE, read from `trace` bwe events). Pure: time
 * comes in with every call, so the rules are unit-tested without a clock.
 *
 * Three things, in the spirit of LiveKit's stream allocator:
 * - a ceiling on what the SFU may send (`setMaxOutgoingBitrate`): after the estimate falls,
 *   the SFU may not probe far above what the link just carried, and the ceiling is raised step
 *   by step while the estimate presses against it (the link may carry more) or, with nothing
 *   lost lately, while too little is sent for it to press, with longer holds after a step that
 *   failed. No jump back to 720p on a 400 kbit/s link.
 * - audio only: when the estimate stays far below what video needs and packets are lost,
 *   every video stream to this receiver is paused so the audio gets the link;
 * - trials: while audio only, video is let through now and then (with a ceiling high enough
 *   to probe) to see whether the link came back, and video returns when it has.
 *
 * The estimate alone is slow when a link gives way under a full queue: the queue's delay stops
 * growing, and the estimate may stay at the old rate for seconds while most packets are
 * dropped. So heavy loss reported by the receiver (RTCP receiver reports on the video
 * streams) counts too: what got through, the rate sent less the loss, caps the estimate for
 * a while.
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
  /**
   * Below this bandwidth estimate (bit/s), held for `audioOnlyAfterMs`, with heavy loss
   * reported within `lossMemoryMs`, video stops: not even the smallest layer gets through
   * beside the audio. Low, because after a dip the estimate settles near 85 % of what was
   * sent: with only the smallest layer (~150 kbit/s) sent on a link that carries it well,
   * about 130 kbit/s. The loss must confirm it: at such low rates the estimate also dips when
   * packets are only delayed (a busy device), and a link too weak for video loses packets.
   * The loss-capped estimate does not count here: while a larger layer is still being
   * switched down, its loss says little about the smallest.
   */
  audioOnlyBelowBps: number;
  audioOnlyAfterMs: number;
  /**
   * Or: while only the smallest layer is sent (after a sharp fall, or with the ceiling at its
   * minimum), its receiver reports show heavy loss with what got through below
   * `audioOnlyBelowBps`, each report within this long of the one before (the browser reports
   * about once a second). The estimate alone
   * can stay up for seconds on such a link: measured at 150 kbit/s with the smallest layer
   * already sent, it stayed at the ceiling (300 kbit/s) while 10-40 % of the video was lost.
   * Reports from the first `starvedSettleMs` after a pause are left out (the receiver still
   * asks for packets lost before it). Such a report is confirmation enough: audio only at
   * once, without the `audioOnlyAfterMs` hold the estimate needs.
   */
  starvedMemoryMs: number;
  starvedSettleMs: number;
  /**
   * Such reports count only with at least this much sent (bit/s). A sender whose own link is
   * starved sends its smallest layer at a few kbit/s, a handful of packets a second, and one
   * of them lost is "25 %": measured in 400 kbit/s cuts both ways, the host on a good link
   * went audio only on such reports of the patient's layer, sent at 8 and 20 kbit/s over the
   * patient's cut uplink. On a loaded machine the smallest layer is sent at 70-150 kbit/s.
   */
  starvedSentBps: number;
  lossMemoryMs: number;
  /**
   * The link gave way lately (`gaveWayLately`): it lost heavily or was audio only within this
   * long. A link that gives way one way mostly does both, and the audio it sends then comes
   * late to everyone (its own queue): their reports of that audio queueing are not judged
   * (`DownlinkAdapter.queueing`). Measured in a both-ways 400 kbit/s cut: the host on a good
   * link reported the patient's audio late again and again while the patient's sender filled
   * its cut uplink, and went audio only. Not a queue report: the host's own, of the patient's
   * audio, would then set aside the patient's reports of the host's.
   */
  gaveWayMemoryMs: number;
  /**
   * During a trial, estimates at or above this (bit/s), held `trialHoldMs`, bring video back.
   * A trial sends only the smallest layer and the audio (some 200 kbit/s), and the estimate
   * of a link that carries them stays near what is sent: measured on the rig after 150
   * kbit/s, back on 3 Mbit/s, 200-250 kbit/s in trial after trial with nothing lost (at
   * 320 kbit/s, the bar before, video came back only when a probe happened to overshoot,
   * 6-26 s after the link did). On 150 kbit/s the estimate falls to 110-130 kbit/s.
   */
  videoAboveBps: number;
  /**
   * A single probe result can overshoot; the estimate must stay up this long, from one of the
   * worker's estimates to a later one (a probe's results come in a burst): the first one of a
   * trial may still be the value capped under the audio-only ceiling (300 kbit/s), whatever
   * the link.
   */
  trialHoldMs: number;
  /** First trial this long after going audio only; the wait doubles after each failure. */
  trialEveryMs: number;
  trialEveryMaxMs: number;
  /** A trial that has not reached `videoAboveBps` by then has failed. */
  trialLengthMs: number;
  /**
   * Or: a trial that lost nothing (no loss in the receiver's reports from `starvedSettleMs`
   * after its start to its end, two reports at least) brings video back at its end with the
   * estimate at or above this (bit/s). On a loaded machine the sender sends the smallest layer
   * at 70-150 kbit/s, and the estimate of a restored link, following what is sent, stayed at
   * 120-190 kbit/s: trials failed on the good link, the notice went 12.7 s after its return.
   * On 150 kbit/s a trial loses packets (its layer and the audio are more than the link).
   */
  cleanTrialAboveBps: number;
  /** The ceiling a trial allows (room for the SFU to probe). */
  trialCeilingBps: number;
  /**
   * After a trial failed, estimates at or above what a trial needs (`videoAboveBps`) held this
   * long, over two estimates at least, start the next trial at once: the link came back as the
   * trial ended. Audio alone cannot lift the estimate that high (it grows to some 1.5 times what
   * is sent); only the trial's video left it there, with nothing queueing on the link. After a
   * trial on a weak link it sank (to 50-120 kbit/s, once 204 kbit/s for a moment, measured on
   * 150 kbit/s). Measured on links back 0.4-1.1 s before a trial failed: the estimate at
   * 200-300 kbit/s 0.03-0.15 s after the failure and as high or higher a second later (at the
   * audio-only ceiling, which caps it, or climbing: 202, 238, 258 kbit/s), and the next trial,
   * 2.5 s after the failure, brought video back 3.7-4.9 s after the link.
   */
  trialAgainHeldMs: number;
  /** After a fall, the ceiling is the estimate times this. */
  headroom: number;
  /** Never a ceiling below this (bit/s): the lowest layer and audio must fit. */
  minCeilingBps: number;
  /** Raise the ceiling only after this long without a fall, and by this factor. */
  raiseAfterMs: number;
  raiseFactor: number;
  /** The estimate presses against the ceiling when at or above this fraction of it. */
  pressFraction: number;
  /**
   * With no heavy loss for `lossMemoryMs`, the ceiling is also raised when the estimate is at
   * least this fraction of it: with the layer held down by the ceiling, too little is sent
   * for the estimate to press against it (it stays near what is sent), and without this a
   * dip on a good link would keep the smallest layer for good.
   */
  probeFraction: number;
  /**
   * Such a raise goes at most this far above the lowest recent estimate while heavy loss was
   * seen within `probeReachMs` (the link gave way lately): enough for the next layer when the
   * estimate follows what is sent, not for 720p (1.2 Mbit/s) while it stays under 480 kbit/s.
   * Measured 12 s after a 400 kbit/s cut: with 360p arriving clean at 430 kbit/s, a raise from
   * 785 kbit/s to 1.26 Mbit/s let 720p through, starved of bits.
   */
  probeReachFactor: number;
  probeReachMs: number;
  /**
   * What the link was counted carrying while it queued (the receiver's count, see
   * `queueing`) bounds the ceiling's raises for this long: no higher than where the count put
   * it (`headroom` above it), whatever the estimate. An estimate that presses against the
   * ceiling is no proof the link carries more when the receiver's own uplink is full: its
   * transport-cc feedback waits in that queue at a steady delay, and the estimate climbs
   * blind. Measured in 400 kbit/s cuts both ways: 367 kbit/s counted, then the estimate
   * pressed at ceilings of 300, 480 and 750 kbit/s, and 10 s after the count a raise to 1.2
   * Mbit/s let 720p through (lost within 0.5 s); bounded at one raise above the count (1.6
   * times it), 360p came through at 629 kbit/s, queued and was lost. Once the count is this
   * old, the raises go on as before: the link may be back.
   */
  countedMemoryMs: number;
  /** A fall: the estimate below this fraction of the last one. */
  fallFraction: number;
  /**
   * A sharp fall: heavy loss with what got through below this fraction of the ceiling (no
   * ceiling: of the highest estimate of the last `sharpWindowMs`).
   */
  sharpFallFraction: number;
  sharpWindowMs: number;
  /**
   * Also a sharp fall: the bandwidth estimate below `sharpFallFraction` of its highest of the
   * last `sharpWindowMs`, with loss of `someLossFraction` or more reported within this long.
   * Measured on a 400 kbit/s cut: the estimate fell to 290 kbit/s 0.45 s after the cut, the
   * first loss was reported 0.9 s after, and transport-cc's loss, an average, reached 10 % at
   * 1.15 s; switched down to the smaller layer at once (no pause), its key frame was lost in
   * the full queue and nothing was decoded until 2.7 s after the cut.
   */
  sharpLossMs: number;
  /**
   * After a sharp fall only the smallest layer is sent for this long, whatever the ceiling
   * (see `DownlinkDecision.layerCeilingBps`); each further fall starts it again.
   */
  floorMs: number;
  /**
   * And at its start no video at all for this long, so the bottleneck's queue drains (a few
   * hundred ms on a real link) before the smallest layer's key frame is sent. A little less
   * than the queue: resumed, the stream sends nothing until that key frame has come from its
   * sender (42-178 ms after the resume, measured), and the queue drains on meanwhile. On the
   * rig's 250 ms queue, 200 ms brought the smaller picture 0.10-0.18 s sooner after the report
   * than 300 ms did (6 cuts each, 400 kbit/s), none of its key frames lost. Shorter is no
   * better: 100 ms brought it some 80 ms sooner still, but the key frame then crossed a fuller
   * queue ahead of the sound, and no less of it was concealed (README, "The drain's length").
   */
  drainMs: number;
  /** Loss at or above this fraction of the video sent caps the estimate at what got through. */
  heavyLossFraction: number;
  /** Loss at or above this fraction holds raises for `raiseAfterMs`: no climbing while losing. */
  someLossFraction: number;
  /** How long such a cap holds after the last report of heavy loss. */
  lossCapMs: number;
}

export const DEFAULT_DOWNLINK_POLICY: DownlinkPolicyOptions = {
  audioOnlyBelowBps: 110_000,
  audioOnlyAfterMs: 500,
  starvedMemoryMs: 1_500,
  starvedSettleMs: 500,
  starvedSentBps: 55_000,
  lossMemoryMs: 5_000,
  gaveWayMemoryMs: 5_000,
  videoAboveBps: 200_000,
  trialHoldMs: 400,
  trialEveryMs: 1_500,
  // Video back within ~5 s of the link's return, at the cost of a short trial that often.
  // A trial on a link that is back is up within 1.0-1.3 s (its first probe, then two
  // estimates over 0.4 s), or ends clean: 1.5 s long, every 2.5 s at most, trials take the
  // same share of a weak link as 2 s every 3.5 s did, and the wait after a trial that failed
  // just as the link came back is 1 s shorter (video was shown again up to 8.6 s after the
  // link came back on the rig with 2 s trials up to 3.5 s apart).
  trialEveryMaxMs: 2_500,
  trialLengthMs: 1_500,
  cleanTrialAboveBps: 150_000,
  trialCeilingBps: 1_500_000,
  trialAgainHeldMs: 800,
  headroom: 1.25,
  minCeilingBps: 300_000,
  raiseAfterMs: 2_500,
  raiseFactor: 1.6,
  pressFraction: 0.9,
  probeFraction: 0.5,
  probeReachFactor: 2.5,
  probeReachMs: 30_000,
  countedMemoryMs: 15_000,
  fallFraction: 0.75,
  sharpFallFraction: 0.5,
  sharpWindowMs: 2_000,
  sharpLossMs: 1_000,
  floorMs: 1_500,
  drainMs: 200,
  heavyLossFraction: 0.1,
  someLossFraction: 0.02,
  lossCapMs: 2_000,
};

export interface DownlinkDecision {
  mode: DownlinkMode;
  /** bit/s; undefined: no ceiling (the SFU's own estimate alone). */
  ceilingBps: number | undefined;
  /**
   * What the simulcast layers must fit (bit/s, `layerForCeiling`): the ceiling, or 0 (the
   * smallest layer) for a while after a sharp fall. The estimate falls in steps and lags the
   * link by a second or more, while the layer it still allows fills the bottleneck's queue:
   * the audio queued behind it is late or dropped, and the smaller layer's key frame waits
   * behind it too. Dropping to the smallest layer at once drains the queue; the layer the
   * ceiling carries follows once the estimate has settled.
   */
  layerCeilingBps: number | undefined;
  /**
   * No video for a moment after a sharp fall. Measured on a 400 kbit/s cut: switched to the
   * smallest layer alone, the queue stayed full for two more seconds with retransmissions of
   * the large layer's lost packets, the smaller layer's key frame was lost in it, and nothing
   * was decoded until the browser asked for another key frame (5 s after the cut). Paused,
   * the SFU sends nothing (nor retransmits); resumed, it starts with a key frame.
   */
  drain: boolean;
}

export class DownlinkPolicy {
  readonly #o: DownlinkPolicyOptions;
  #mode: DownlinkMode = 'video';
  #ceiling: number | undefined;
  /** What the link carries, as judged: the bandwidth estimate, capped under heavy loss. */
  #estimate: number | undefined;
  #bwe: number | undefined;
  /** What got through while loss was heavy, and until when that caps the estimate. */
  #lossCap: { bps: number; until: number } | undefined;
  /** What the link was last counted carrying while it queued, and when (`countedMemoryMs`). */
  #counted: { bps: number; at: number } | undefined;
  #heavyLossAt = -Infinity;
  #someLossAt = -Infinity;
  /**
   * The last heavy loss, kept when the estimate starts afresh (`probeReachMs`): a short
   * silence or a tile hidden for a moment does not make the link that gave way a good one.
   */
  #gaveWayAt = -Infinity;
  /** When video last came back after audio only (see `gaveWayLately`). */
  #videoBackAt = -Infinity;
  /** Since when the estimate has been judged afresh: no raise on its first words. */
  #freshSince = -Infinity;
  /** Since when the estimate has been below `audioOnlyBelowBps` (video mode). */
  #lowSince: number | undefined;
  /** The smallest layer's streams last reported too little getting through (see `starvedMemoryMs`). */
  #starvedAt = -Infinity;
  #lastSharpAt = -Infinity;
  #lastFallAt = -Infinity;
  /**
   * The estimates of the last `raiseAfterMs`: raises go by the lowest of them, so that one
   * probe's overshooting result does not open a layer the link does not carry.
   */
  #recent: { at: number; bps: number }[] = [];
  #lastRaiseAt = -Infinity;
  /** Ceiling before the last raise: where to go back when the raise made it fall. */
  #beforeRaise: number | undefined;
  #raiseHoldMs: number;
  #trialAt = 0;
  #trialWaitMs: number;
  #trialStartedAt = 0;
  /** Since a trial failed: the estimate held at what a trial needs (`trialAgainHeldMs`). */
  #upAfterTrial: EstimateHold | undefined;
  /** In a trial: the estimate held at what video needs (`trialHoldMs`). */
  readonly #trialHold: EstimateHold;
  /** Reports without loss in this trial (see `cleanTrialAboveBps`), and the last with loss. */
  #trialCleanReports = 0;
  #trialLossAt = -Infinity;
  /** Only the smallest layer until then (a sharp fall). */
  #floorUntil = -Infinity;
  #drainUntil = -Infinity;
  /** The receiver wants some video (a visible tile it has not paused itself). */
  #videoWanted = true;
  /** No feedback from the receiver lately (see the file's comment). */
  #silent = false;

  constructor(options: Partial<DownlinkPolicyOptions> = {}) {
    this.#o = { ...DEFAULT_DOWNLINK_POLICY, ...options };
    this.#raiseHoldMs = this.#o.raiseAfterMs;
    this.#trialHold = new EstimateHold(this.#o.videoAboveBps);
    this.#trialWaitMs = this.#o.trialEveryMs;
  }

  get decision(): DownlinkDecision {
    return {
      mode: this.#mode,
      ceilingBps: this.#ceiling,
      layerCeilingBps: this.#layerCeiling,
      drain: this.#drain,
    };
  }

  #layerCeiling: number | undefined;
  #drain = false;

  get estimateBps(): number | undefined {
    return this.#estimate;
  }

  /** This link lost heavily, or was audio only, within `gaveWayMemoryMs`. */
  gaveWayLately(now: number): boolean {
    const since = Math.max(this.#gaveWayAt, this.#videoBackAt);
    return this.#mode !== 'video' || now - since <= this.#o.gaveWayMemoryMs;
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
      this.#forgetEstimate(now);
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
      this.#forgetEstimate(now);
      if (this.#mode === 'audio-only') this.#trialAt = now;
      // A trial that ran into the silence proved nothing: it starts over.
      if (this.#mode === 'trial') this.#startTrial(now);
    }
    return this.tick(now);
  }

  /** The estimate starts afresh (it said nothing about the link meanwhile). */
  #forgetEstimate(now: number): void {
    this.#freshSince = now;
    this.#estimate = undefined;
    this.#recent = [];
    this.#bwe = undefined;
    this.#lossCap = undefined;
    this.#heavyLossAt = -Infinity;
    this.#someLossAt = -Infinity;
  }

  /** A new estimate of what the SFU can send to this receiver (bit/s). */
  estimate(bps: number, now: number): DownlinkDecision {
    if (this.#silent) return this.decision;
    this.#bwe = bps;
    return this.#judge(now, false, true);
  }

  /**
   * What the receiver reports of the video sent to it: `sentBps` sent, `lossFraction` of it
   * lost on this link (0..1). Heavy loss caps the estimate at what got through. Only this
   * link's share: what the senders' links lost before the SFU leaves gaps here too, and says
   * nothing of this one (the adapter takes it out). Counted, the host on a good link was
   * capped, lowered and sent audio only by the loss on the patient's cut uplink.
   */
  delivery(
    sentBps: number,
    lossFraction: number,
    now: number,
    /**
     * The loss the video streams' own receiver reports show (undefined: not known). Not the
     * transport-wide loss (audio included, its average lingers) nor the NACKs (a packet may
     * be asked for many times, and more so around a layer switch).
     */
    reportedLoss?: number,
  ): DownlinkDecision {
    if (this.#silent) return this.decision;
    if (
      reportedLoss !== undefined &&
      this.#mode === 'video' &&
      reportedLoss >= this.#o.heavyLossFraction &&
      sentBps >= this.#o.starvedSentBps &&
      sentBps * (1 - reportedLoss) < this.#o.audioOnlyBelowBps &&
      this.#smallestOnly(now)
    ) {
      this.#starvedAt = now;
    }
    if (sentBps <= 0) return this.tick(now);
    if (this.#mode === 'trial' && now - this.#trialStartedAt >= this.#o.starvedSettleMs) {
      const some = this.#o.someLossFraction;
      if (lossFraction >= some || (reportedLoss ?? 0) >= some) this.#trialLossAt = now;
      else this.#trialCleanReports++;
    }
    if (lossFraction < this.#o.heavyLossFraction) {
      if (lossFraction < this.#o.someLossFraction) return this.tick(now);
      // Some loss: a sharp fall if the estimate has just collapsed (see `sharpLossMs`).
      this.#someLossAt = now;
      return this.#judge(now);
    }
    this.#someLossAt = now;
    this.#lossCap = { bps: sentBps * (1 - lossFraction), until: now + this.#o.lossCapMs };
    this.#heavyLossAt = now;
    this.#gaveWayAt = now;
    // A trial that loses packets has not shown the link carries video, whatever the estimate.
    this.#trialHold.reset();
    return this.#judge(now, true);
  }

  /**
   * The receiver finds its link queueing: its audio arrives later and later, before anything
   * is lost (client/src/media/queueing.ts). A sharp fall, found half a second or more before
   * the receiver's loss tells: video held back while the queue drains, then the smallest
   * layer for `floorMs`. The ceiling is left to the estimate and the loss that follow (they
   * come within a second on a link that gave way): a moment of queueing on a good link then
   * costs the pause and the floor, not seconds of climbing back.
   *
   * A queue while only the smallest layer is sent, since a moment after the pause (its key
   * frame has crossed the link: at 400 kbit/s it made the audio later and later for 0.4 s),
   * says the link does not carry even that layer beside the audio: audio only at once, as on
   * a receiver report of it starving (`starvedMemoryMs`), which comes a second or more later
   * (on 150 kbit/s the notice came 2.2-3.9 s after the cut, waiting for such a report). The
   * receiver reports a second queue once the first has drained (its lateness under 50 ms). On
   * a link that carries the smallest layer its queue drains and no second queue is found.
   *
   * Only soon after a pause, though: with no pause lately (the smallest layer sent because
   * the ceiling is at its minimum), a queue is a first one, a sharp fall like any other. It
   * may also be the sender's: its link queues, and its audio arrives late here, before it
   * loses anything. Measured in a both-ways 400 kbit/s cut: the host, its ceiling at the
   * minimum for a while and on a good link, went audio only on its first report of the
   * patient's audio arriving late.
   *
   * `carriedBps`: what the link delivered while it queued, when known (the receiver's count,
   * far below what the SFU sent meanwhile: the adapter weighs the two). A queued link is busy
   * all the while, so that is what it carries, known half a second after the cut, where the
   * estimate takes seconds: below what a trial needs to bring video back, audio only at once.
   * Above it, it caps the estimate as what got through does on heavy loss (`lossCapMs`), and
   * the ceiling follows at once. Measured on 400 kbit/s cuts both ways with the estimate still
   * at 1.5-1.6 Mbit/s: the ceiling stayed at 2 Mbit/s, the SFU's bandwidth probes (padding at
   * up to 900 kbit/s) filled the link as the pause ended, and the smallest layer's key frame
   * was lost in them: its picture came 1.2-1.3 s after the pause began, 0.25 s in a cut one way.
   * The link gave way (`gaveWayLately`): the others' reports of its audio arriving late are
   * its queue's.
   */
  queueing(now: number, carriedBps?: number): DownlinkDecision {
    if (this.#silent || !this.#videoWanted || this.#mode !== 'video') return this.decision;
    const pausedLately = now - this.#drainUntil <= this.#o.floorMs;
    // And the link as judged carries less than a trial needs to bring video back: otherwise
    // audio only would not last. Measured in a 400 kbit/s cut both ways: the queue was still
    // full 0.9 s after the pause (the estimate at 274 kbit/s), and the link went audio only.
    const short = (this.#estimate ?? Infinity) < this.#o.videoAboveBps;
    if (pausedLately && short && this.#smallestOnly(now)) this.#starvedAt = now;
    if (carriedBps !== undefined) {
      if (carriedBps < this.#o.videoAboveBps) this.#starvedAt = now;
      this.#lossCap = { bps: carriedBps, until: now + this.#o.lossCapMs };
      this.#counted = { bps: carriedBps, at: now };
      this.#gaveWayAt = now;
    }
    return this.#judge(now, carriedBps !== undefined, false, true);
  }

  /** What the link was counted carrying, while that count is recent (`countedMemoryMs`; bit/s). */
  #recentCount(now: number): number | undefined {
    const counted = this.#counted;
    return counted && now - counted.at <= this.#o.countedMemoryMs ? counted.bps : undefined;
  }

  /** Where a recent count of what the link carries bounds the ceiling. */
  #countReach(now: number): number {
    return (this.#recentCount(now) ?? Infinity) * this.#o.headroom;
  }

  /**
   * The ceiling's headroom over a count lets the estimate probe above it; a layer has to fit
   * what the link was counted carrying. Measured on a 400 kbit/s cut that queued 1 s deep: 412
   * kbit/s counted, a raise to 1.25 times that let 360p (capped at 500 kbit/s) through 3.8 s
   * after the cut, and the link queued and lost again.
   */
  #countedLayerCeiling(now: number): number | undefined {
    const count = this.#recentCount(now);
    return count === undefined ? this.#ceiling : Math.min(this.#ceiling ?? Infinity, count);
  }

  /** Only the smallest layer is sent, and has been since a moment after the last pause. */
  #smallestOnly(now: number): boolean {
    const o = this.#o;
    const smallest = now < this.#floorUntil || (this.#ceiling ?? Infinity) <= o.minCeilingBps;
    return smallest && now - this.#drainUntil >= o.starvedSettleMs;
  }

  /** The estimate as judged now: the bandwidth estimate, under a recent loss cap. */
  #judged(now: number): number | undefined {
    const cap = this.#lossCap && now < this.#lossCap.until ? this.#lossCap.bps : undefined;
    if (cap === undefined) return this.#bwe;
    return Math.min(cap, this.#bwe ?? cap);
  }

  /**
   * `lossy`: called on a report of heavy loss, or of a queue with what the link carried
   * (what got through is known); `fresh`: on a new bandwidth estimate; `queued`: on the
   * receiver's word that its link queues (a sharp fall).
   */
  #judge(now: number, lossy = false, fresh = false, queued = false): DownlinkDecision {
    const bps = this.#judged(now);
    if (bps === undefined) return this.tick(now);
    const previous = this.#estimate;
    this.#estimate = bps;
    this.#recent.push({ at: now, bps });
    const o = this.#o;
    if (!this.#videoWanted) return this.tick(now);
    if (this.#mode === 'trial') {
      // The estimate itself (a loss cap would outlast the loss it came from); a report of
      // heavy loss has just reset the hold instead.
      if (now > this.#heavyLossAt) this.#trialHold.note(now, this.#bwe ?? 0, fresh);
      return this.tick(now);
    }
    if (this.#mode === 'audio-only') {
      const up = this.#upAfterTrial;
      if (up && fresh) {
        up.note(now, this.#bwe ?? 0, true);
        if (up.held(o.trialAgainHeldMs)) this.#trialAt = now;
      }
      return this.tick(now);
    }

    // Video: a fall caps the ceiling near what the link carried; a fall right after a raise
    // means the raise probed too far: back to the ceiling before it, and wait longer.
    // Heavy loss with the ceiling above what got through is a fall too: the estimate may
    // not have moved, but the layer sent does not fit.
    const lossLately = now - this.#heavyLossAt <= o.lossMemoryMs;
    const fell = previous !== undefined && bps < previous * o.fallFraction;
    const overLoss = lossy && (this.#ceiling ?? Infinity) > bps * o.headroom;
    // `#recent` holds the last `raiseAfterMs` and this estimate: its top within the window.
    // Only loss tells a link that gave way: on a busy machine the estimate alone collapses
    // now and then on a good link (delayed feedback), and pausing video on each such dip
    // starved the call (measured: 20-150 kbit/s arriving on a 3 Mbit/s link).
    const top = Math.max(
      ...this.#recent.filter((x) => now - x.at <= o.sharpWindowMs).map((x) => x.bps),
    );
    // Or the estimate itself collapsed, and the receiver has begun to lose packets.
    // Not the same fall once more (the estimate settles within `sharpWindowMs`).
    const collapsed =
      now - this.#lastSharpAt > o.sharpWindowMs &&
      now - this.#someLossAt <= o.sharpLossMs &&
      (this.#bwe ?? Infinity) < top * o.sharpFallFraction;
    const sharp =
      (queued && now - this.#lastSharpAt > o.sharpWindowMs) ||
      (overLoss && bps < (this.#ceiling ?? top) * o.sharpFallFraction) ||
      collapsed;
    if (sharp) {
      this.#lastSharpAt = now;
      // A new fall, not one more report of the same (the loss reports linger).
      if (now >= this.#floorUntil) this.#drainUntil = now + o.drainMs;
      this.#floorUntil = now + o.floorMs;
    }
    // A sharp fall is a fall, and until its floor ends every lower estimate is the link's:
    // a collapse in steps of under a quarter each (seen on a 400 kbit/s cut under load) set
    // the floor but no ceiling, and 720p came back when the floor ended.
    const sinking = now < this.#floorUntil && bps * o.headroom < (this.#ceiling ?? Infinity);
    if (fell || overLoss || sharp || sinking) {
      // Only a raise that lost packets overshot the link; a dip without loss (a busy moment)
      // is no reason to wait longer.
      const recentRaise = now - this.#lastRaiseAt < this.#raiseHoldMs;
      if (recentRaise && lossLately && this.#beforeRaise !== undefined) {
        this.#raiseHoldMs = Math.min(this.#raiseHoldMs * 2, 60_000);
      }
      this.#lastFallAt = now;
      // A fall may find the ceiling under the new estimate's: no higher than a count put it
      // either (a fall of the estimate 80 ms after a count of 377 kbit/s set it just above).
      this.#ceiling = Math.max(o.minCeilingBps, Math.min(bps * o.headroom, this.#countReach(now)));
      // A dip without loss right after a raise goes back no lower than the ceiling before it,
      // which the link carried clean: the larger layer's key frame delays the feedback on a
      // busy machine. Measured after a 400 kbit/s cut, back on 3 Mbit/s (load 10-25): the raise
      // that let 360p through dipped the estimate to 180 kbit/s with nothing lost, the ceiling
      // went back to the minimum, and 720p was not back within 30 s. On a link that gave way,
      // its loss follows within a second and lowers the ceiling then.
      const lossFree = !lossLately && now - this.#someLossAt >= o.raiseAfterMs;
      if (recentRaise && lossFree && !overLoss && this.#beforeRaise !== undefined) {
        this.#ceiling = Math.max(this.#ceiling, this.#beforeRaise);
      }
      this.#beforeRaise = undefined;
    }
    const starved = now - this.#starvedAt <= o.starvedMemoryMs;
    if (((this.#bwe ?? Infinity) < o.audioOnlyBelowBps && lossLately) || starved) {
      this.#lowSince ??= now;
    } else this.#lowSince = undefined;
    return this.tick(now);
  }

  /** Time passes (called every few hundred ms): audio-only entry, trials, ceiling raises. */
  /**
   * Whether `tick` can change nothing from `now` until the next input: video flows with no
   * ceiling and nothing pending, or there is nothing to decide (no video wanted, or the
   * receiver silent). The adapter's clock rests then: every wake-up of the process costs.
   */
  restsAt(now: number): boolean {
    if (now < this.#floorUntil || now < this.#drainUntil) return false;
    if (!this.#videoWanted || this.#silent) return true;
    return (
      this.#mode === 'video' &&
      this.#ceiling === undefined &&
      this.#lowSince === undefined &&
      now - this.#starvedAt > this.#o.starvedMemoryMs
    );
  }

  tick(now: number): DownlinkDecision {
    this.#step(now);
    const video = this.#mode === 'video';
    this.#layerCeiling = !video
      ? this.#ceiling
      : now < this.#floorUntil
        ? 0
        : this.#countedLayerCeiling(now);
    this.#drain = video && now < this.#drainUntil;
    return this.decision;
  }

  /**
   * A trial (re)starts at `now`: judged on what comes from then on, with a ceiling that lets
   * the SFU probe the link.
   */
  #startTrial(now: number): void {
    this.#trialStartedAt = now;
    this.#upAfterTrial = undefined;
    this.#trialHold.reset();
    this.#trialCleanReports = 0;
    this.#ceiling = this.#o.trialCeilingBps;
  }

  #step(now: number): void {
    const o = this.#o;
    // Nothing to judge or to try without video wanted, or while the receiver is silent.
    if (!this.#videoWanted || this.#silent) return;
    switch (this.#mode) {
      case 'video': {
        // The smallest layer's own reports saying it does not get through are confirmation
        // enough: no hold. Held, they cost half a second more of video that does not arrive
        // beside audio that barely does (the notice came 3.5-3.9 s after a cut to 150 kbit/s).
        const starved = now - this.#starvedAt <= o.starvedMemoryMs;
        const lowHeld = this.#lowSince !== undefined && now - this.#lowSince >= o.audioOnlyAfterMs;
        if (starved || lowHeld) {
          this.#mode = 'audio-only';
          this.#trialAt = now + this.#trialWaitMs;
          this.#upAfterTrial = undefined;
          // No probing while audio only: the link is too weak for it.
          this.#ceiling = o.minCeilingBps;
          break;
        }
        this.#recent = this.#recent.filter((x) => now - x.at <= o.raiseAfterMs);
        const est = this.#recent.length
          ? Math.min(...this.#recent.map((x) => x.bps))
          : this.#estimate;
        const held =
          now - Math.max(this.#lastFallAt, this.#lastRaiseAt, this.#freshSince) >=
            this.#raiseHoldMs && now - this.#someLossAt >= o.raiseAfterMs;
        if (this.#ceiling !== undefined && est !== undefined && held) {
          const lossFree = now - this.#heavyLossAt > o.lossMemoryMs;
          const presses = est >= this.#ceiling * o.pressFraction;
          // Not pressing, within `probeReachMs` of heavy loss: at most `probeReachFactor`
          // times the estimate (see there). Heavy loss from before the estimate started
          // afresh counts too: forgotten, a silence of a second after a 400 kbit/s cut let the
          // ceiling climb by `raiseFactor` every `raiseAfterMs`, to 720p within 5 s. Pressing
          // or not, no higher than a recent count put it (`countedMemoryMs`).
          const estimateReach =
            !presses && now - this.#gaveWayAt <= o.probeReachMs
              ? est * o.probeReachFactor
              : Infinity;
          const reach = Math.min(estimateReach, this.#countReach(now));
          const probes = lossFree && est >= this.#ceiling * o.probeFraction;
          if ((presses || probes) && reach > this.#ceiling) {
            // The last raise held (no fall since): the next may come sooner again. Otherwise a
            // hold doubled on the weak link outlasts it (raises 5 s apart after its return).
            if (this.#lastFallAt < this.#lastRaiseAt) {
              this.#raiseHoldMs = Math.max(o.raiseAfterMs, this.#raiseHoldMs / 2);
            }
            this.#beforeRaise = this.#ceiling;
            this.#lastRaiseAt = now;
            const raised = Math.min(this.#ceiling * o.raiseFactor, reach);
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
          this.#startTrial(now);
          // Loss from before says nothing about the smallest layer the trial sends.
          this.#lossCap = undefined;
        }
        break;
      case 'trial': {
        const hold = this.#trialHold;
        const over = now - this.#trialStartedAt >= o.trialLengthMs;
        const clean =
          over &&
          this.#trialCleanReports >= 2 &&
          this.#trialLossAt < this.#trialStartedAt &&
          now - this.#heavyLossAt > 0 &&
          (this.#bwe ?? 0) >= o.cleanTrialAboveBps;
        if (hold.held(o.trialHoldMs) || clean) {
          // The link holds video again: back to video, the ceiling near what it carries.
          this.#mode = 'video';
          this.#videoBackAt = now;
          this.#trialWaitMs = o.trialEveryMs;
          this.#lowSince = undefined;
          this.#lastFallAt = now;
          // From the lowest estimate of the hold, not the last: a trial's ceiling leaves room
          // to probe, and one probe's result overshoots. Measured on a 400 kbit/s cut (load
          // 7): video back on an estimate of 882 kbit/s, a ceiling of 1.1 Mbit/s, a step
          // short of 720p (1.2 Mbit/s). On a link that is back the estimate of a trial stays
          // near what it sends (see `videoAboveBps`): nothing lost there.
          const low = Math.min(hold.holding ? hold.low : (this.#bwe ?? 0), this.#estimate ?? 0);
          this.#ceiling = Math.max(o.minCeilingBps, low * o.headroom);
          // Nor is a probe's result a top the estimate can fall sharply from: measured on the
          // rig, back from 150 kbit/s, the estimate went from a probe's 882 kbit/s to 380
          // kbit/s with a trial's loss still in the reports, and the video just back was
          // paused again and held at the smallest layer for 1.5 s. What the link carries is
          // taken as that lowest estimate until the next one comes.
          this.#bwe = low;
          this.#estimate = low;
          this.#recent = [{ at: now, bps: low }];
          break;
        }
        // Over, unless the estimate is up and only waits out its hold.
        if (over && !hold.holding) {
          this.#mode = 'audio-only';
          this.#trialWaitMs = Math.min(this.#trialWaitMs * 2, o.trialEveryMaxMs);
          this.#trialAt = now + this.#trialWaitMs;
          this.#ceiling = o.minCeilingBps;
          this.#upAfterTrial = new EstimateHold(o.videoAboveBps);
        }
        break;
      }
    }
  }
}

/**
 * Estimates held at or above a bar: since when, from the first of the worker's own to the
 * last (two at least make a hold: one probe's result overshoots), and the lowest of them.
 */
class EstimateHold {
  readonly #bar: number;
  #since: number | undefined;
  #count = 0;
  #firstFreshAt = 0;
  #lastFreshAt = 0;
  #low = Infinity;

  constructor(bar: number) {
    this.#bar = bar;
  }

  /** An estimate at `now`; `fresh`: the worker's own, not the last one judged again. */
  note(now: number, bps: number, fresh: boolean): void {
    if (bps < this.#bar) {
      this.reset();
      return;
    }
    if (this.#since === undefined) {
      this.#since = now;
      this.#count = 0;
      this.#low = Infinity;
    }
    if (fresh) {
      if (this.#count === 0) this.#firstFreshAt = now;
      this.#lastFreshAt = now;
      this.#count++;
      this.#low = Math.min(this.#low, bps);
    }
  }

  reset(): void {
    this.#since = undefined;
  }

  get holding(): boolean {
    return this.#since !== undefined;
  }

  /** The lowest estimate of the hold (Infinity before a fresh one). */
  get low(): number {
    return this.#low;
  }

  /**
   * Two fresh estimates at least, `ms` or more apart: held that long by what the worker said,
   * not by its silence since. A probe gives its results in a burst and the next estimate comes
   * up to a second later. Measured on 150 kbit/s: a trial's probe gave 266 and 536 kbit/s 45 ms
   * apart, 0.4 s passed with no other estimate, video came back, and the next one said 117
   * kbit/s (counted from the first of them, the hold held by then).
   */
  held(ms: number): boolean {
    return (
      this.#since !== undefined && this.#count >= 2 && this.#lastFreshAt - this.#firstFreshAt >= ms
    );
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
