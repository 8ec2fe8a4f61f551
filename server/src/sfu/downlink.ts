import type { types } from 'mediasoup';
import type { TrackSource } from '@samkons/shared';
import {
  DownlinkPolicy,
  layerForCeiling,
  type DownlinkMode,
  type DownlinkPolicyOptions,
} from './downlink-policy.js';

type Consumer = types.Consumer<{ peerId: string; source: TrackSource }>;
type ConsumerStat = types.ConsumerStat;

/** What the receiver's tile needs of one video stream (adaptive stream). */
export interface VideoDemand {
  /** Highest simulcast layer worth sending to the tile (0: smallest). */
  spatialLayer: number;
  /** Off screen, hidden or minimised: nothing to send. */
  visible: boolean;
}

interface Entry {
  consumer: Consumer;
  /** Paused by the client (not yet set up, or its own audio-only choice). */
  clientPaused: boolean;
  demand: VideoDemand;
  /** The producer's bitrate per simulcast layer (maxBitrate), smallest first. */
  layerBps: (number | undefined)[];
  /** Packets the receiver has reported lost so far (RTCP), to tell a fresh report. */
  packetsLost: number;
}

const TICK_MS = 250;
/**
 * No bytes from the receiver for this long: it is silent (its link is cut), and the
 * estimate says nothing (downlink-policy.ts). While video flows the browser's transport-cc
 * feedback comes every 100 ms or so.
 */
const SILENT_AFTER_MS = 1000;
/** How often the receiver's loss reports on the video sent to it are read. */
const LOSS_POLL_MS = 500;
/** Bitrate priorities (mediasoup `setPriority`): who gets the link first. */
const PRIORITY = { screen: 3, speaker: 2, other: 1 } as const;

export interface DownlinkState {
  audioOnly: boolean;
  /** The SFU's estimate of what reaches this receiver, kbit/s (undefined: none yet). */
  estimateKbps?: number;
}

/**
 * Adapts what one receiver gets to its link and its screen: the layer and pause state of
 * each video consumer (its tile's demand, the link's audio-only mode), bitrate priority for
 * the active speaker and screen shares, and the receive transport's outgoing ceiling. Audio
 * consumers are never paused here: audio is protected first.
 */
export class DownlinkAdapter {
  readonly #transport: types.WebRtcTransport;
  readonly #policy: DownlinkPolicy;
  readonly #entries = new Map<string, Entry>();
  readonly #onState: (state: DownlinkState) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #lossTimer: NodeJS.Timeout;
  #mode: DownlinkMode = 'video';
  #ceiling: number | undefined;
  #speakerPeerId: string | null = null;
  #closed = false;
  /** What the receive transport has received from the browser, and since when no more. */
  #heard = { bytes: -1, at: Date.now(), reading: false };
  /** A loss read still under way (a busy worker): the next one waits its turn. */
  #readingLoss = false;

  constructor(
    transport: types.WebRtcTransport,
    onState: (state: DownlinkState) => void,
    options: Partial<DownlinkPolicyOptions> = {},
  ) {
    this.#transport = transport;
    this.#onState = onState;
    this.#policy = new DownlinkPolicy(options);
    // Nothing consumed yet: no video wanted until a visible consumer is resumed.
    this.#policy.setVideoWanted(false, Date.now());
    transport.on('trace', (trace) => {
      if (trace.type !== 'bwe') return;
      const info = trace.info as { availableBitrate?: number };
      if (typeof info.availableBitrate !== 'number') return;
      this.#apply(this.#policy.estimate(info.availableBitrate, Date.now()));
    });
    transport.enableTraceEvent(['bwe']).catch(() => undefined);
    this.#timer = setInterval(() => {
      this.#apply(this.#policy.tick(Date.now()));
      void this.#listen();
    }, TICK_MS);
    this.#timer.unref();
    this.#lossTimer = setInterval(() => void this.#readLoss(), LOSS_POLL_MS);
    this.#lossTimer.unref();
  }

  get audioOnly(): boolean {
    return this.#mode !== 'video';
  }

  /** A consumer created on the receive transport (paused until the client has it). */
  add(consumer: Consumer, layerBps: (number | undefined)[] = []): void {
    const entry: Entry = {
      consumer,
      clientPaused: true,
      demand: { spatialLayer: 2, visible: true },
      layerBps,
      packetsLost: 0,
    };
    this.#entries.set(consumer.id, entry);
    consumer.observer.once('close', () => {
      this.#entries.delete(consumer.id);
      this.#noteVideoWanted();
    });
    // The sender stops or starts sending (its score: 0 while no packets arrive from it).
    consumer.observer.on('score', () => this.#noteVideoWanted());
    this.#prioritise(entry);
  }

  /** The client's own pause or resume (set-up done, or its manual audio-only choice). */
  async setClientPaused(consumerId: string, paused: boolean): Promise<void> {
    const entry = this.#entries.get(consumerId);
    if (!entry) return;
    entry.clientPaused = paused;
    this.#noteVideoWanted();
    await this.#sync(entry);
  }

  async setDemand(consumerId: string, demand: Partial<VideoDemand>): Promise<void> {
    const entry = this.#entries.get(consumerId);
    if (!entry) return;
    entry.demand = { ...entry.demand, ...demand };
    this.#noteVideoWanted();
    await this.#sync(entry);
  }

  /** The active speaker's camera goes first when the link is short. */
  setSpeaker(peerId: string | null): void {
    if (peerId === this.#speakerPeerId) return;
    this.#speakerPeerId = peerId;
    for (const entry of this.#entries.values()) this.#prioritise(entry);
  }

  state(): DownlinkState {
    const est = this.#policy.estimateBps;
    return {
      // A trial is still audio-only for the person: video shows once the link holds it.
      audioOnly: this.#mode !== 'video',
      ...(est !== undefined ? { estimateKbps: Math.round(est / 1000) } : {}),
    };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    clearInterval(this.#lossTimer);
    this.#entries.clear();
  }

  #requestKeyFrames(): void {
    for (const { consumer } of this.#entries.values()) {
      if (consumer.kind === 'video' && !consumer.paused) {
        consumer.requestKeyFrame().catch(() => undefined /* closed meanwhile */);
      }
    }
  }

  /** Reads whether the receiver is still heard (bytes from it rise), for the policy. */
  async #listen(): Promise<void> {
    const heard = this.#heard;
    if (heard.reading) return;
    heard.reading = true;
    try {
      const [stat] = await this.#transport.getStats();
      if (this.#closed || !stat) return;
      const now = Date.now();
      const wasSilent = heard.bytes >= 0 && now - heard.at >= SILENT_AFTER_MS;
      if (stat.bytesReceived > heard.bytes) {
        heard.bytes = stat.bytesReceived;
        heard.at = now;
      }
      const silent = now - heard.at >= SILENT_AFTER_MS;
      this.#apply(this.#policy.setReceiverSilent(silent, now));
      // Heard again after a cut: its pictures broke off, so each starts with a key frame now
      // rather than when the browser asks (about a second after media is back, measured).
      if (wasSilent && !silent) this.#requestKeyFrames();
    } catch {
      // Closed meanwhile.
    } finally {
      heard.reading = false;
    }
  }

  /**
   * Tells the policy whether any video is wanted (a visible tile the client has not paused):
   * without it the estimate only reflects the audio being sent.
   */
  #noteVideoWanted(): void {
    let wanted = false;
    for (const e of this.#entries.values()) {
      const { consumer } = e;
      // A sender whose own link is cut sends nothing: the estimate then sinks for want of
      // traffic (application-limited), which says nothing about this receiver's link.
      // (Any of its simulcast streams: the one this consumer takes may be held back here.)
      const { producerScore, producerScores } = consumer.score;
      const scores = producerScores?.length ? producerScores : [producerScore];
      // No score yet (just made): taken as sending.
      const sending = !consumer.producerPaused && (!scores.length || scores.some((s) => s > 0));
      if (consumer.kind === 'video' && sending && !e.clientPaused && e.demand.visible) {
        wanted = true;
      }
    }
    this.#apply(this.#policy.setVideoWanted(wanted, Date.now()));
  }

  /**
   * Reads the receiver's latest loss reports on the video it gets (mediasoup keeps the last
   * RTCP receiver report per stream). Only a report that is new since the last read counts:
   * a stream resumed for a trial still carries the report from before its pause.
   */
  async #readLoss(): Promise<void> {
    if (this.#closed || this.#mode === 'audio-only' || this.#readingLoss) return;
    this.#readingLoss = true;
    try {
      await this.#readLossOnce();
    } finally {
      this.#readingLoss = false;
    }
  }

  async #readLossOnce(): Promise<void> {
    let sent = 0;
    let lost = 0;
    const flowing = [...this.#entries.values()].filter(
      (e) => e.consumer.kind === 'video' && !e.consumer.closed && !e.consumer.paused,
    );
    for (const entry of flowing) {
      const stats = await entry.consumer.getStats().catch(() => []);
      const out = stats.find((x) => x.type === 'outbound-rtp') as ConsumerStat | undefined;
      if (!out) continue;
      const fresh = out.packetsLost > entry.packetsLost;
      entry.packetsLost = out.packetsLost;
      sent += out.bitrate;
      // fractionLost: the report's 8-bit fraction of the packets since the one before.
      if (fresh) lost += out.bitrate * (out.fractionLost / 256);
    }
    if (sent > 0 && !this.#closed) {
      this.#apply(this.#policy.delivery(sent, lost / sent, Date.now()));
    }
  }

  #apply(decision: { mode: DownlinkMode; ceilingBps: number | undefined }): void {
    if (this.#closed || this.#transport.closed) return;
    if (decision.ceilingBps !== this.#ceiling) {
      this.#ceiling = decision.ceilingBps;
      // 0 lifts the ceiling.
      this.#transport
        .setMaxOutgoingBitrate(Math.round(decision.ceilingBps ?? 0))
        .catch(() => undefined);
      // The layers follow the ceiling.
      if (decision.mode === this.#mode) {
        for (const entry of this.#entries.values()) void this.#sync(entry);
      }
    }
    if (decision.mode === this.#mode) return;
    const wasVideo = this.#mode === 'video';
    this.#mode = decision.mode;
    for (const entry of this.#entries.values()) void this.#sync(entry);
    // Between audio-only and a trial nothing changes for the person: no news.
    if (wasVideo !== (this.#mode === 'video')) this.#onState(this.state());
  }

  /** Pause state and layers of one consumer from the client's wish, its tile and the link. */
  async #sync(entry: Entry): Promise<void> {
    const { consumer, demand } = entry;
    if (consumer.closed) return;
    const video = consumer.kind === 'video';
    const paused =
      entry.clientPaused || (video && (!demand.visible || this.#mode === 'audio-only'));
    try {
      if (video && consumer.type === 'simulcast') {
        // A trial needs only the smallest layer to tell whether the link came back.
        // Otherwise the tile's layer, but none above what the ceiling carries.
        const layer =
          this.#mode === 'trial'
            ? 0
            : layerForCeiling(demand.spatialLayer, this.#ceiling, entry.layerBps);
        const current = consumer.preferredLayers?.spatialLayer;
        if (current !== layer) await consumer.setPreferredLayers({ spatialLayer: layer });
      }
      if (paused && !consumer.paused) await consumer.pause();
      else if (!paused && consumer.paused) {
        await consumer.resume();
        if (video) await consumer.requestKeyFrame();
      }
    } catch {
      // Closed meanwhile.
    }
  }

  #prioritise(entry: Entry): void {
    const { consumer } = entry;
    if (consumer.kind !== 'video' || consumer.closed) return;
    const priority =
      consumer.appData.source === 'screen'
        ? PRIORITY.screen
        : consumer.appData.peerId === this.#speakerPeerId
          ? PRIORITY.speaker
          : PRIORITY.other;
    if (consumer.priority !== priority) consumer.setPriority(priority).catch(() => undefined);
  }
}
