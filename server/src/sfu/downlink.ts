import type { types } from 'mediasoup';
import { QUEUE_ONSET_MEMORY_MS, type TrackSource } from '@samkons/shared';
import {
  DEFAULT_DOWNLINK_POLICY,
  DownlinkPolicy,
  layerForCeiling,
  type DownlinkDecision,
  type DownlinkMode,
  type DownlinkPolicyOptions,
} from './downlink-policy.js';
import { ReceiverListener, sentPacketLoss } from './receiver-listener.js';

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
  /**
   * The loss reads of the last `REPORT_HISTORY_MS`: packets sent on this stream and reported
   * lost so far, to weigh a fresh report's count (see `reportedShare`).
   */
  reportReads: { at: number; packets: number; lost: number }[];
  /**
   * At the last loss read: packets sent on this stream and packets resent at the receiver's
   * request (NACK) so far, to weigh the resends since (see `resentFraction`).
   */
  nacks: { at: number; packets: number; repaired: number } | undefined;
  /** The receiver asked for lost packets of this stream since its last read. */
  askedSinceRead: boolean;
  /** The stream's bitrate at its last read (bit/s; undefined: never read). */
  bitrate: number | undefined;
  /** Asks again for the key frame a resumed layered stream waits for (`KEY_FRAME_AGAIN_MS`). */
  keyFrameTimer: NodeJS.Timeout | undefined;
}

const TICK_MS = 250;
/**
 * A resumed simulcast stream sends nothing until its layer's key frame comes, and libwebrtc
 * answers one key frame request per stream every 300 ms: a request of mediasoup's own just
 * before (its estimate switched the layer as the link fell) leaves the resume's unanswered.
 * Measured on the rig: the smallest layer switched 0.84 s after the resume, against 42-178 ms
 * otherwise. Asked again once that interval is out, a few times, until the stream switches.
 */
const KEY_FRAME_AGAIN_MS = 350;
const KEY_FRAME_ASKS = 3;
/**
 * NACKed packets at or above this share are passed to the policy (its `heavyLossFraction`):
 * light loss is left to the receiver reports (it holds raises of the ceiling), since NACKs
 * overcount it. Light loss passed on as well, raises were held for good after a 400 kbit/s
 * cut on a busy machine (720p not back within 30 s of 3 Mbit/s: key frames overflow the
 * queue now and then, and the browser asks for each lost packet several times).
 */
const HEAVY_LOSS = DEFAULT_DOWNLINK_POLICY.heavyLossFraction;
/** How often the receiver's loss reports on the video sent to it are read, while in doubt. */
const LOSS_POLL_MS = 500;
/**
 * Nothing in Node per packet or per RTCP report on a good, steady link: the worker's own
 * events say when to look closer, and only then are its stats read. Whether the receiver is
 * heard at all is the receiver listener's (receiver-listener.ts). Loss reports are read only
 * while in doubt: a video consumer's score below 10 (mediasoup scores each receiver report),
 * a dense burst of NACKs from the receiver (`NACK_BURST`), for `LOSS_DOUBT_MS` after the
 * estimate went down or heavy loss was found, during a trial, and while a ceiling holds
 * (raises wait for a loss-free link).
 */
const LOSS_DOUBT_MS = 2000;
/**
 * The receiver asks for lost video packets (NACK) as soon as it sees a gap, before its next
 * receiver report and before transport-cc's loss, an average over the last 24 feedback
 * packets, has climbed (measured on a 400 kbit/s cut: NACKs from 0.85-0.9 s after the cut,
 * transport-cc loss at 3 % then and at 10 % only at 1.15-1.2 s). The worker reports each
 * NACK (a `nack` trace on a video consumer). NACKs now and then are the light random loss of
 * any real link, which retransmission mends: they cost Node those messages and no read (a
 * read on every few NACKs put Node's main thread at 7-10 times raw mediasoup's in the SFU
 * comparison, whose clients NACK a loss of 0.03 %: the reads, their JSON and the garbage).
 * Only a dense burst, `NACK_BURST` NACKs within `NACK_BURST_MS` (a link giving way: the
 * browser asks for each new gap as it sees it, many a second), starts a loss read, at most
 * every `NACK_READ_MS` while it goes on; the packets resent since the read before, over
 * those sent, count as lost when `HEAVY_LOSS` or more, and only then is the link in doubt
 * (more reads, the receiver listened to). Resent, not asked for: the worker counts a packet
 * the first time it resends it (`packetsRepaired`), however often the receiver asks for it.
 * Receivers ask for a gap again until it is filled (libwebrtc once per round trip, up to 10
 * times; werift every 5 ms), so one packet lost for good once counted up to 10 or 11 times:
 * in the SFU comparison, whose clients lose 0.03 % at times in bursts, that was heavy loss,
 * a ceiling and 5 s of reads each time. A packet the SFU never had (lost on the sender's
 * link) is not resent and does not count either. On a full queue this undercounts (NACKs are
 * lost on the way too, and the browser gives up on old gaps).
 *
 * A gap asked for ten times over is a burst by itself, so a receiver that loses packets for
 * good now and then (or a sender's link that does) starts a read on each. A read that weighed
 * the resends and found the link clean doubles the wait before the next one, up to
 * `NACK_READ_MAX_MS` (still within `NACK_SPAN_MS`, so each read weighs against the one
 * before); heavy loss, or a burst after `NACK_CALM_MS` without one, starts again at
 * `NACK_READ_MS`. A link giving way is found as fast as before: its first read has nothing
 * to weigh against and its second finds the resends. (In the SFU comparison's 4x5 NACK storm,
 * every receiver read every 150 ms for 3 s: most of Node's CPU beyond raw mediasoup's.)
 */
/**
 * NACKs are traced on one video stream per receiver, the one watched: flowing, from a sender
 * whose own link is clean, the largest layer asked for. A link giving way loses packets of
 * every stream it carries, the largest most; so one stream tells, and the worker sends Node a
 * message per NACK of one stream, not of all (in a room of five, a fourth). Another is
 * watched when it pauses, closes, or its sender's link starts losing.
 */
const NACK_BURST = 6;
const NACK_BURST_MS = 250;
const NACK_READ_MS = 150;
const NACK_READ_MAX_MS = 800;
const NACK_CALM_MS = 2000;
/**
 * A stream whose producer scores below this loses packets on the sender's link: the receiver
 * asks for those too and reports them lost, so its NACKs and reports do not speak for this
 * link alone (they still cap the estimate, as before, but start no audio-only).
 */
const UPSTREAM_CLEAN_SCORE = 9;
/**
 * Or the SFU's own last report on what it receives of the stream (a second's packets) found
 * this share missing. The score is an average over reports and falls seconds late: in a
 * 400 kbit/s cut of the patient's link both ways, the host's browser reported 11 % of the
 * patient's smallest layer lost (sent at 20 kbit/s, all the patient's link carried) while its
 * producer still scored clean, and the host, on a good link, went audio only for 1.6 s.
 */
const UPSTREAM_LOSS = DEFAULT_DOWNLINK_POLICY.someLossFraction;
/**
 * Heavy loss in the receiver's reports, with transport-cc's loss under this, is not this
 * link's: of what the SFU sent, next to nothing was lost. The reports count every gap in a
 * stream, and a sender's link that gives way leaves gaps the SFU's own report on it may miss
 * (packets that came late, resent by the sender): measured in a both-ways 400 kbit/s cut,
 * the host on a good link reported 27-28 % of the patient's video lost while the SFU found
 * under 2 % missing, its ceiling fell to the minimum, and with its estimate sunk to what the
 * starved sender sent, it went audio only.
 */
const LINK_CLEAN_LOSS = 0.01;
/** NACKs weighed over at most this long (an older read is only a new start), and this many packets. */
const NACK_SPAN_MS = 1000;
const NACK_MIN_PACKETS = 10;
/**
 * A read weighs few packets: 15-25 in 150 ms of 720p at 1.2 Mbit/s, fewer of a smaller layer.
 * There a couple of resends cross `HEAVY_LOSS` by chance on a link that loses a little at
 * random: under the rig's 5 % random loss, reads found 11-21 % (1-3 resends) against
 * transport-cc's 2-7.5 %, the ceiling fell to its minimum, and the patient went audio only
 * (2 of 3 runs of one bench). So resends count as heavy loss only when a link losing
 * `CHANCE_LOSS` at random would resend as many in fewer than `CHANCE_ODDS.resent` of such
 * reads: 5 of 15, 7 of 30, 14 of 100, 10 % from about 250 packets. One in a thousand, not one
 * in a hundred: a link in doubt is read 20-60 times in 10 s, and at one in a hundred, 4
 * resends of a thumbnail's 13 packets set the ceiling to its minimum in 1 of 4 e2e runs. Real
 * loss on a link giving way (30-75 % in the rig's cuts) is found in the first read or two all
 * the same.
 *
 * A receiver's count of lost packets (`reportedShare`) must be rarer still, one in ten
 * thousand (6 of 15, 8 of 30, 16 of 100). The resends of one read are new since the read
 * before, but the count spans 1.5 s and more and each read weighs it again: one unlucky
 * stretch of a random loss is tried three to ten times. At one in a thousand, a count of
 * 14.5 % of a thumbnail's packets set the ceiling to its minimum in a CI run while
 * transport-cc found the link losing 3.9 %, and a bench run at the rig's 5 % counted 23 of
 * 230 (one read in 770). The resends keep the lower bar: in a bench cut, 6 of 21 resent (one
 * read in 2,300) was the first count of the link giving way, 0.55 s before the next.
 */
const CHANCE_LOSS = HEAVY_LOSS / 2;
const CHANCE_ODDS: Record<Weighing['count'], number> = { resent: 0.001, reported: 0.0001 };
/**
 * A stream's count over `HEAVY_LOSS` as weighed against chance: `odds` is the share of reads
 * in which a link losing `against` at random (`chanceOnLink`) counts as many; heavy under its
 * `CHANCE_ODDS`. Logged with each read that weighed one, so the bars can be judged against
 * what links show.
 */
interface Weighing {
  count: 'resent' | 'reported';
  lost: number;
  packets: number;
  against: number;
  odds: number;
}
/**
 * A receiver report's own fraction of lost packets covers the packets since the receiver's
 * report before, and under loss that is a short span: libwebrtc sends a report with each NACK,
 * so each span ends on the gap just asked for. On the rig's 5 % random loss, on a loaded
 * machine, reports on the smallest layer read 10.5-18 % (3 to 5 lost of 7 to 50 packets) and
 * set the ceiling to its minimum in 2 of 6 bench runs; on a thumbnail's 15-20 packets a
 * second, the first report read in doubt said 22.7 % in e2e runs. So a fresh report is heavy
 * only if the count the receiver reports lost since a read at least `REPORT_SPAN_MS` before
 * (within `REPORT_HISTORY_MS`), against the packets sent meanwhile, is heavy too and beyond
 * chance (the test above); else, or with no such read yet, it is some loss, not heavy. The
 * count is weighed over some reads, not between two: it jumps a whole report's loss at once,
 * often into a read of half a second's packets (15-18 % on the same link). Replayed on that
 * bench's reads, 0 of its 6 heavy reports were heavy so weighed. A link giving way is found
 * all the same: by the resends a read after its first, by the receiver's queue report before
 * either, and by the reports from the third read on.
 */
const REPORT_SPAN_MS = 1500;
const REPORT_HISTORY_MS = 4000;
/** Where the adapter's decisions go, at debug level (pino's or Fastify's logger fits). */
/**
 * A queue report's count of what arrived is what the link carries when the link was busy all
 * the while: it delivered less than this share of what the SFU sent meanwhile (it dropped or
 * queued the rest), or transport-cc finds it losing (`BUSY_LINK_LOSS`). Not otherwise: the
 * lateness is then likely the sender's link's, the SFU sending only what reaches it, and
 * about that arriving (measured on a good link in 150 and 400 kbit/s cuts of the sender's:
 * 0.71-1.02 of what was sent, and no transport-cc loss, in 7 reports).
 */
const CARRIED_FRACTION = 0.5;
/**
 * A queue report whose count shows the link delivering at least this share of what the SFU
 * sent meanwhile, with transport-cc finding no loss to speak of, is not judged: the lateness
 * comes from before the SFU (the sender's link queues, and the SFU sends only what reaches
 * it), or the link is overloaded by so little that its queue grows slowly, which the
 * bandwidth estimate follows (a pause and the smallest layer would be far too much).
 * Measured in 400 kbit/s cuts both ways, the specialist on a good link reporting the
 * patient's audio late: 0.90-1.32 of what was sent in 21 reports (0.71-1.02 in 7 before), and
 * each report not set aside paused the specialist's video for 300 ms. The patient's own reports
 * of its cut link: 0.17-0.44 provisional, up to 0.65 confirmed after the pause.
 */
const DELIVERED_ALL = 0.8;
/**
 * A confirmed report's count (held `persistMs`, rising) is what the link carries also when the
 * link delivered under `DELIVERED_ALL`, if the SFU kept sending it at least this share of its
 * rate of the second before the onset: the SFU's sending did not fall, so less arriving is the
 * link's doing. When the sender's link queues, the SFU's sending falls with it. Measured in
 * 400 kbit/s cuts: the specialist's reports of the patient's late audio found the SFU sending
 * 0.30-0.46 of its rate before; the patient's of its own link, 0.91-1.39 (0.78 on a report
 * after the pause). Found by a CI run on a loaded machine: its 720p was sent at 500-800 kbit/s,
 * the 400 kbit/s cut delivered more than half of it, and the ceiling was left at the estimate
 * of before the cut. Midway between the two: at 0.8, an e2e cut downlink only found the SFU
 * sending 0.7990 of its rate before (its estimate had begun to fall), 60 % of it delivered,
 * and the count went unused.
 */
const KEPT_SENDING = 0.65;
/**
 * Transport-cc's loss (this link's own, whatever the senders' links lost; an average of the
 * last 24 feedback packets) that says the link overflows. Measured at 150 kbit/s both ways,
 * where the two reports crossed the congested uplink together and left no span to count
 * what was sent over: 7.5 % on arrival, 55-60 % later in the cut.
 */
const BUSY_LINK_LOSS = 0.05;
/**
 * Transport-cc's loss that says the link overflows, not that it loses at random: 16-54 % in
 * the rig's 150 and 400 kbit/s cuts, 5-10 % on its 5 % random loss on a loaded machine. With
 * it, a provisional queue report is judged though its count does not show the overflow (the
 * SFU had already cut what it sent), and a receiver report read heavy is believed before a
 * span of reads can weigh it (`reportedShare`). At 150 kbit/s both ways, each of the two waited
 * 1.3-1.5 s for the count or the span, and the audio-only notice came 3.2-3.5 s after the cut
 * in 3 of 9 bench cuts.
 */
const OVERFLOW_LINK_LOSS = 0.2;
/**
 * Nor is a count over less than this a rate: the two reports crossed a congested uplink
 * together (measured on the rig's 150 kbit/s both ways: they came 0.4-1 s after they were sent).
 * A provisional report comes 150-200 ms after the onset it counts from. What the SFU sent over
 * the last second then stands in, for a gross overflow only (`SentSince.bunchedBps`).
 */
const MIN_SENT_SPAN_MS = 100;

/** What a receiver tells of a queue on its link (`DownlinkAdapter.queueing`). */
export interface QueueReport {
  /** How late its audio arrives, beyond its usual (ms, for the log). */
  excessMs: number;
  /**
   * Found early (client/src/media/queueing.ts, `provisionalMs`), when a moment of queueing on
   * a good link looks the same: judged only when the count shows the link delivering less than
   * half of what was sent.
   */
  provisional: boolean;
  /** What its media transport received since the queue's onset (bit/s), when it counted. */
  receivedBps?: number;
}

export interface DownlinkLog {
  debug(obj: Record<string, unknown>, msg: string): void;
}

/** Bitrate priorities (mediasoup `setPriority`): who gets the link first. */
const PRIORITY = { screen: 3, speaker: 2, other: 1 } as const;

/**
 * One timer for every adapter of the process (not one or two per receiver): the policy's
 * clock and the reads while in doubt.
 */
const ticking = new Set<(now: number) => void>();
let ticker: NodeJS.Timeout | undefined;

function startTicking(tick: (now: number) => void): () => void {
  ticking.add(tick);
  if (!ticker) {
    ticker = setInterval(() => {
      const now = Date.now();
      for (const t of ticking) t(now);
    }, TICK_MS);
    ticker.unref();
  }
  return () => {
    ticking.delete(tick);
    if (ticking.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
}

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
  /** The policy's `drainMs`: video resumes on time, not at the next tick (up to 250 ms late). */
  readonly #drainMs: number;
  #drainTimer: NodeJS.Timeout | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #onState: (state: DownlinkState) => void;
  /** Set while the clock runs for this adapter; it rests while nothing is pending (`#rest`). */
  #stopTicking: (() => void) | undefined;
  /** While resting: wakes the clock for the listener's next quiet check. */
  #restTimer: NodeJS.Timeout | undefined;
  #mode: DownlinkMode = 'video';
  #ceiling: number | undefined;
  /** What the layers must fit (the policy's `layerCeilingBps`). */
  #layerCeiling: number | undefined;
  /** Video held back a moment after a sharp fall (the policy's `drain`). */
  #drain = false;
  #speakerPeerId: string | null = null;
  #closed = false;
  readonly #listener: ReceiverListener;
  /** What the SFU had sent this receiver at the onset of a queue (`queueOnset`), and when. */
  #onset: Promise<SentCount | undefined> | undefined;
  /** Loss reports are read until then (see `LOSS_DOUBT_MS`), and were last read then. */
  #lossDoubtUntil = 0;
  #lossReadAt = 0;
  /** A loss read still under way (a busy worker): the next one waits its turn. */
  #readingLoss = false;
  /** When the last `NACK_BURST` NACKs came, oldest first (see `NACK_BURST_MS`). */
  readonly #nackTimes: number[] = [];
  /** The video stream whose NACKs are traced (see `NACK_BURST`'s note on watching one). */
  #watched: Entry | undefined;
  /** The wait between reads on NACK bursts now, and when the last burst came. */
  #nackReadMs = NACK_READ_MS;
  #nackBurstAt = 0;
  readonly #log: DownlinkLog | undefined;
  /** Whether video was wanted at the last look (as the policy was told: for the log). */
  #videoWanted = false;
  /** What was last passed to the policy, for the decision log: why, and the loss. */
  #lastInput: Record<string, unknown> = {};

  constructor(
    transport: types.WebRtcTransport,
    onState: (state: DownlinkState) => void,
    options: Partial<DownlinkPolicyOptions> = {},
    log?: DownlinkLog,
  ) {
    this.#transport = transport;
    this.#log = log;
    this.#onState = onState;
    this.#policy = new DownlinkPolicy(options);
    this.#drainMs = options.drainMs ?? DEFAULT_DOWNLINK_POLICY.drainMs;
    // Nothing consumed yet: no video wanted until a visible consumer is resumed.
    this.#policy.setVideoWanted(false, Date.now());
    this.#listener = new ReceiverListener(
      transport,
      {
        estimate: (bps, now) => {
          // While audio only or in a trial, every estimate (one a second or so): what trials
          // start and end on. In video only those that change a decision.
          if (this.#mode !== 'video') {
            this.#log?.debug({ bwe: Math.round(bps) }, 'downlink estimate');
          }
          this.#lastInput = { by: 'bwe', bwe: Math.round(bps) };
          this.#apply(this.#policy.estimate(bps, now));
        },
        silence: (silent, now) => {
          // Rare, and it makes the policy forget its estimate: always worth a line.
          this.#log?.debug({ silent }, 'downlink receiver silence');
          this.#lastInput = { by: silent ? 'silent' : 'heard' };
          this.#apply(this.#policy.setReceiverSilent(silent, now));
        },
        transportLoss: (sendBps, loss, now) => {
          if (this.#mode === 'audio-only') return;
          this.#lastInput = { by: 'transport-cc', sent: Math.round(sendBps), loss: round3(loss) };
          this.#apply(this.#policy.delivery(sendBps, loss, now));
        },
        down: (now) => {
          this.#lossDoubtUntil = now + LOSS_DOUBT_MS;
          this.#wake();
        },
        // Its pictures broke off, so each starts with a key frame now rather than when the
        // browser asks (about a second after media is back, measured).
        back: () => this.#requestKeyFrames(),
      },
      TICK_MS,
    );
    transport.observer.once('close', () => this.close());
    this.#wake();
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
      reportReads: [],
      nacks: undefined,
      askedSinceRead: false,
      bitrate: undefined,
      keyFrameTimer: undefined,
    };
    this.#entries.set(consumer.id, entry);
    if (this.#log && consumer.kind === 'video') {
      // What the receiver gets, as the worker switches it (on the layer's key frame): told
      // when the spatial layer changes, for the tests' and the debugger's timelines.
      const log = this.#log;
      let spatialLayer: number | null = null;
      consumer.on('layerschange', (layers) => {
        if ((layers?.spatialLayer ?? null) === spatialLayer) return;
        spatialLayer = layers?.spatialLayer ?? null;
        log.debug({ consumer: consumer.id, spatialLayer }, 'downlink layers');
      });
    }
    consumer.observer.once('close', () => {
      clearTimeout(entry.keyFrameTimer);
      this.#entries.delete(consumer.id);
      this.#noteVideoWanted();
      this.#watchNacks();
    });
    if (consumer.kind === 'video') {
      consumer.on('trace', (trace) => {
        if (trace.type === 'nack') this.#onNack(entry, Date.now());
      });
    }
    consumer.observer.on('score', (score: types.ConsumerScore) => {
      this.#wake();
      // The sender stops or starts sending (its score: 0 while no packets arrive from it).
      this.#noteVideoWanted();
      // Or its link starts or stops losing packets.
      this.#watchNacks();
      // The receiver reports loss on this stream (mediasoup scores each receiver report).
      if (score.score < 10 && consumer.kind === 'video' && !consumer.paused) {
        this.#lossDoubtUntil = Math.max(this.#lossDoubtUntil, Date.now() + LOSS_DOUBT_MS);
        void this.#readLoss();
      }
    });
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

  /**
   * The receiver's audio begins to arrive late (the onset of a queue it may report): what
   * was sent to it so far is counted, to weigh against what it received by then.
   */
  async queueOnset(): Promise<void> {
    if (this.#closed || this.#mode !== 'video') return;
    // Kept as the read under way: a report that comes right behind the onset (the two crossed a
    // congested uplink together) waits for it rather than finding none. Measured at 150 kbit/s
    // both ways: the first report of 2 of 3 bench cuts found none and went uncounted, and audio
    // only came 0.9 and 1.3 s later.
    this.#onset = this.#sentCount();
    await this.#onset;
  }

  /**
   * The receiver's browser finds its link queueing (client/src/media/queueing.ts): the audio
   * of `audio` arrives later and later. Judged as a sharp fall, before the queue overflows and
   * long before the receiver's NACKs tell (the policy takes one such fall per
   * `sharpWindowMs`). Unless the lateness may be the sender's: its link gave way lately
   * (`senderGaveWay`: its own downlink did, see `gaveWayMemoryMs`), or loses packets
   * (`senderLoses`, read now), and so likely queues too. The receiver's count, against what
   * the SFU sent meanwhile, says whether the queue is this link's and what it carries
   * (`weighQueueReport`).
   */
  async queueing(audio: Consumer, report: QueueReport, senderGaveWay = false): Promise<void> {
    const { excessMs, provisional } = report;
    const onsetRead = this.#onset;
    // A provisional report's count runs on to the confirmed one's (the client's does too).
    if (!provisional) this.#onset = undefined;
    const onset = await onsetRead;
    if (this.#closed || this.#mode !== 'video') return;
    const sender = audio.appData.peerId;
    if (senderGaveWay) {
      this.#log?.debug({ excessMs, sender }, 'downlink queueing on the sender’s link: not judged');
      return;
    }
    const streams = [...this.#entries.values()]
      .map((e) => e.consumer)
      .filter((c) => c.appData.peerId === sender && !c.closed);
    const [losing, sent] = await Promise.all([
      Promise.all(streams.map(async (c) => senderLoses(c, await c.getStats().catch(() => [])))),
      this.#sentSince(onset),
    ]);
    if (this.#closed || this.#mode !== 'video') return;
    if (losing.some(Boolean)) {
      this.#log?.debug({ excessMs, sender }, 'downlink queueing on the sender’s link: not judged');
      return;
    }
    const { receivedBps } = report;
    const { judged, carried } = weighQueueReport(report, sent);
    const input = {
      by: 'queueing',
      excessMs,
      ...(provisional ? { provisional } : {}),
      ...(receivedBps !== undefined ? { received: receivedBps } : {}),
      ...(sent?.bps !== undefined
        ? { sent: Math.round(sent.bps), sentBefore: Math.round(sent.bpsBefore) }
        : {}),
      ...(sent ? { linkLoss: round3(sent.linkLoss) } : {}),
      ...(carried !== undefined ? { carried } : {}),
    };
    // Rare (a queue at most every two seconds or so): always worth a line, decided or not.
    this.#log?.debug(input, 'downlink queue report');
    // Only a report judged is a decision's input: one set aside left here would be logged as
    // the cause of the next tick's decision (a raise of the ceiling read as the report's).
    if (!judged) return;
    this.#lastInput = input;
    this.#apply(this.#policy.queueing(Date.now(), carried));
  }

  /** What the SFU has sent this receiver so far (its transport's count), and when. */
  async #sentCount(): Promise<SentCount | undefined> {
    const [stat] = await this.#transport.getStats().catch(() => []);
    if (!stat) return undefined;
    return {
      bytes: stat.bytesSent,
      at: Date.now(),
      bps: stat.sendBitrate,
      linkLoss: sentPacketLoss(stat) ?? 0,
    };
  }

  /**
   * What the SFU sent this receiver since `from`: its rate (bit/s; undefined: no onset, or
   * too long or short ago), its rate over the second before `from`, and the share
   * transport-cc finds lost now. Undefined: unknown.
   */
  async #sentSince(from: SentCount | undefined): Promise<SentSince | undefined> {
    const to = await this.#sentCount();
    if (!to) return undefined;
    const span = from ? to.at - from.at : 0;
    const bps =
      from && span >= MIN_SENT_SPAN_MS && span <= QUEUE_ONSET_MEMORY_MS
        ? ((to.bytes - from.bytes) * 8_000) / span
        : undefined;
    const bunched = from !== undefined && span < MIN_SENT_SPAN_MS;
    return {
      bps,
      bpsBefore: from?.bps ?? 0,
      ...(bunched ? { bunchedBps: to.bps } : {}),
      linkLoss: to.linkLoss,
    };
  }

  /** The active speaker's camera goes first when the link is short. */
  setSpeaker(peerId: string | null): void {
    if (peerId === this.#speakerPeerId) return;
    this.#speakerPeerId = peerId;
    for (const entry of this.#entries.values()) this.#prioritise(entry);
  }

  /** This receiver's link gave way lately (the policy's `gaveWayMemoryMs`). */
  gaveWayLately(now = Date.now()): boolean {
    return this.#policy.gaveWayLately(now);
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
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTicking?.();
    clearTimeout(this.#restTimer);
    this.#listener.close();
    clearTimeout(this.#drainTimer);
    for (const entry of this.#entries.values()) clearTimeout(entry.keyFrameTimer);
    this.#entries.clear();
  }

  #requestKeyFrames(): void {
    for (const { consumer } of this.#entries.values()) {
      if (consumer.kind === 'video' && !consumer.paused) {
        consumer.requestKeyFrame().catch(() => undefined /* closed meanwhile */);
      }
    }
  }

  #tick(now: number): void {
    if (this.#closed) return;
    this.#apply(this.#policy.tick(now));
    this.#listener.tick(now);
    const inDoubt = this.#lossInDoubt(now);
    if (now - this.#lossReadAt >= LOSS_POLL_MS - TICK_MS / 2 && inDoubt) {
      void this.#readLoss();
    }
    const quietCheckAt = this.#listener.restsUntil;
    if (quietCheckAt !== undefined && !inDoubt && !this.#readingLoss && this.#policy.restsAt(now)) {
      this.#rest(quietCheckAt, now);
    }
  }

  /**
   * Nothing pending (a steady link): the clock stops until an input comes (an estimate, a
   * loss report, a NACK burst, a score, a demand) or the listener's next quiet check is due.
   * A call's steady state then wakes the process only for those (measured at 1x5: the clock
   * was 4 of its 11 wake-ups a second, each about 125 µs of CPU on the test machine).
   */
  #rest(until: number, now: number): void {
    this.#stopTicking?.();
    this.#stopTicking = undefined;
    clearTimeout(this.#restTimer);
    this.#restTimer = setTimeout(
      () => {
        this.#restTimer = undefined;
        this.#wake();
        this.#tick(Date.now());
      },
      Math.max(0, until - now),
    );
    this.#restTimer.unref();
  }

  /** The clock runs again (no-op while it runs). */
  #wake(): void {
    if (this.#closed || this.#stopTicking) return;
    clearTimeout(this.#restTimer);
    this.#restTimer = undefined;
    this.#stopTicking = startTicking((now) => this.#tick(now));
  }

  /**
   * The receiver asked for lost video packets. Part of a burst: read the loss now (see
   * `NACK_BURST`) of the streams asked for; a lone one: nothing.
   */
  #onNack(entry: Entry, now: number): void {
    if (this.#closed || this.#mode === 'audio-only') return;
    entry.askedSinceRead = true;
    this.#wake();
    const times = this.#nackTimes;
    times.push(now);
    if (times.length > NACK_BURST) times.shift();
    if (times.length < NACK_BURST || now - times[0]! > NACK_BURST_MS) return;
    if (now - this.#nackBurstAt > NACK_CALM_MS) this.#nackReadMs = NACK_READ_MS;
    this.#nackBurstAt = now;
    if (now - this.#lossReadAt >= this.#nackReadMs) void this.#readLoss('asked');
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
      const sending = !consumer.producerPaused && senderScore(consumer) > 0;
      if (consumer.kind === 'video' && sending && !e.clientPaused && e.demand.visible) {
        wanted = true;
      }
    }
    if (wanted !== this.#videoWanted) {
      this.#videoWanted = wanted;
      this.#log?.debug({ wanted }, 'downlink video wanted');
    }
    this.#lastInput = { by: wanted ? 'video wanted' : 'no video wanted' };
    this.#apply(this.#policy.setVideoWanted(wanted, Date.now()));
  }

  /**
   * Reads the receiver's latest loss reports on the video it gets (mediasoup keeps the last
   * RTCP receiver report per stream). Only a report that is new since the last read counts:
   * a stream resumed for a trial still carries the report from before its pause.
   *
   * `asked`: only the streams the receiver asked for lost packets of since their last read
   * (a burst of NACKs); the others lost nothing it asked for, and weigh in at the bitrate of
   * their last read. A link giving way loses packets of every stream, and every stream is
   * read; a packet lost for good, asked for again and again (on the sender's link, which
   * every receiver of that stream asks for at once), costs one stream's read, not all.
   */
  async #readLoss(streams: 'all' | 'asked' = 'all'): Promise<void> {
    if (this.#closed || this.#mode === 'audio-only' || this.#readingLoss) return;
    this.#readingLoss = true;
    this.#lossReadAt = Date.now();
    try {
      await this.#readLossOnce(streams);
    } finally {
      this.#readingLoss = false;
    }
  }

  /** Whether the receiver's loss reports are worth reading now (see `LOSS_DOUBT_MS`). */
  #lossInDoubt(now: number): boolean {
    if (this.#mode === 'audio-only') return false;
    if (this.#mode === 'trial' || this.#ceiling !== undefined || now < this.#lossDoubtUntil) {
      return true;
    }
    for (const { consumer } of this.#entries.values()) {
      if (consumer.kind === 'video' && !consumer.paused && consumer.score.score < 10) return true;
    }
    return false;
  }

  async #readLossOnce(streams: 'all' | 'asked'): Promise<void> {
    let sent = 0;
    let lost = 0;
    let reported = 0;
    /** Some stream loses packets on the sender's link too: the reports are not this link's. */
    let upstream = false;
    /** Some stream's resends were weighed against a read before (see `resentFraction`). */
    let weighed = false;
    const flowing = [...this.#entries.values()].filter(
      (e) => e.consumer.kind === 'video' && !e.consumer.closed && !e.consumer.paused,
    );
    /** The counts over `HEAVY_LOSS` weighed against chance, for the log. */
    const weighings: Weighing[] = [];
    // Transport-cc's loss, read at most once a read and only when needed (one more request).
    let linkLossRead: Promise<number | undefined> | undefined;
    const linkLossNow = () =>
      (linkLossRead ??= this.#transport
        .getStats()
        .then(([stat]) => stat && sentPacketLoss(stat))
        .catch(() => undefined));
    for (const entry of flowing) {
      if (streams === 'asked' && !entry.askedSinceRead && entry.bitrate !== undefined) {
        sent += entry.bitrate;
        continue;
      }
      entry.askedSinceRead = false;
      const stats = await entry.consumer.getStats().catch(() => []);
      const out = stats.find((x) => x.type === 'outbound-rtp') as ConsumerStat | undefined;
      if (!out) continue;
      const now = Date.now();
      const fresh = out.packetsLost > entry.packetsLost;
      entry.packetsLost = out.packetsLost;
      entry.bitrate = out.bitrate;
      sent += out.bitrate;
      const fraction = await reportedShare(entry, out, now, fresh, linkLossNow, weighings);
      const resent = await resentFraction(entry, out, now, linkLossNow, weighings);
      if (resent !== undefined) weighed = true;
      // The receiver also reports the packets the sender's link lost (they leave gaps here),
      // and asks for them, which the SFU may fill once its own request to the sender is
      // answered: only the share beyond the sender's loss is this link's, this stream's
      // resends do not count, and no stream's reports decide alone.
      const senderLost = senderLoss(entry.consumer, stats);
      if (senderLost !== undefined) upstream = true;
      const own = senderLost === undefined ? fraction : linkShare(fraction, senderLost);
      reported += out.bitrate * own;
      lost += out.bitrate * Math.max(own, senderLost === undefined ? (resent ?? 0) : 0);
    }
    if (weighings.length) this.#log?.debug({ weighed: weighings }, 'downlink weighed');
    // Heavy: is it this link's? (One more read, only then.)
    let linkLoss: number | undefined;
    if (sent > 0 && lost / sent >= HEAVY_LOSS && !this.#closed) {
      linkLoss = await linkLossNow();
      if (linkLoss !== undefined && linkLoss < LINK_CLEAN_LOSS) {
        lost = sent * linkLoss;
        upstream = true;
      }
    }
    if (sent > 0 && !this.#closed) {
      const now = Date.now();
      if (lost / sent < HEAVY_LOSS) {
        // Clean, weighed on a burst: the next burst waits longer (see `NACK_READ_MAX_MS`).
        if (streams === 'asked' && weighed) {
          this.#nackReadMs = Math.min(2 * this.#nackReadMs, NACK_READ_MAX_MS);
        }
      } else {
        this.#nackReadMs = NACK_READ_MS;
        // The link gives way: keep reading, and hear transport-cc's loss too (heavy loss
        // shows there before the estimate falls).
        this.#lossDoubtUntil = Math.max(this.#lossDoubtUntil, now + LOSS_DOUBT_MS);
        this.#listener.doubt();
      }
      const reports = upstream ? undefined : reported / sent;
      this.#lastInput = {
        by: 'loss read',
        sent: Math.round(sent),
        loss: round3(lost / sent),
        reported: reports === undefined ? 'upstream' : round3(reports),
        ...(linkLoss !== undefined ? { linkLoss: round3(linkLoss) } : {}),
        ...(weighings.length ? { weighed: weighings } : {}),
      };
      this.#apply(this.#policy.delivery(sent, lost / sent, now, reports));
    }
  }

  #apply(decision: DownlinkDecision): void {
    if (this.#closed || this.#transport.closed) return;
    // An input reached the policy: it may have something pending now.
    this.#wake();
    if (
      this.#log &&
      (decision.ceilingBps !== this.#ceiling ||
        decision.layerCeilingBps !== this.#layerCeiling ||
        decision.drain !== this.#drain ||
        decision.mode !== this.#mode)
    ) {
      const est = this.#policy.estimateBps;
      this.#log.debug(
        {
          mode: decision.mode,
          ceiling: roundBps(decision.ceilingBps),
          layerCeiling: roundBps(decision.layerCeilingBps),
          drain: decision.drain,
          estimate: roundBps(est),
          ...this.#lastInput,
        },
        'downlink decision',
      );
    }
    this.#lastInput = { by: 'tick' };
    if (decision.ceilingBps !== this.#ceiling) {
      this.#ceiling = decision.ceilingBps;
      // 0 lifts the ceiling.
      this.#transport
        .setMaxOutgoingBitrate(Math.round(decision.ceilingBps ?? 0))
        .catch(() => undefined);
    }
    if (decision.layerCeilingBps !== this.#layerCeiling || decision.drain !== this.#drain) {
      this.#layerCeiling = decision.layerCeilingBps;
      if (decision.drain && !this.#drain) {
        clearTimeout(this.#drainTimer);
        this.#drainTimer = setTimeout(() => {
          if (!this.#closed) this.#apply(this.#policy.tick(Date.now()));
        }, this.#drainMs + 5);
      }
      this.#drain = decision.drain;
      // The layers follow.
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
      entry.clientPaused ||
      (video && (!demand.visible || this.#mode === 'audio-only' || this.#drain));
    // A trial needs only the smallest layer to tell whether the link came back. Otherwise
    // the tile's layer, but none above what the ceiling carries.
    const layer =
      video && consumer.type === 'simulcast'
        ? this.#mode === 'trial'
          ? 0
          : layerForCeiling(demand.spatialLayer, this.#layerCeiling, entry.layerBps)
        : undefined;
    const relayer = () =>
      layer === undefined || consumer.preferredLayers?.spatialLayer === layer
        ? []
        : [consumer.setPreferredLayers({ spatialLayer: layer })];
    // Each group goes out at once: the worker applies its channel's requests in order. On a
    // pause or a resume, the layer changes while the consumer is paused (after the pause,
    // before the resume): a paused consumer's change asks the sender for nothing, and
    // mediasoup asks for the new layer's key frame on resume. Asked at the pause as well,
    // that key frame is wasted, and the sender ignores the resume's request after the drain
    // (libwebrtc answers one key frame request per 300 ms, longer than the drain; mediasoup
    // asks again after 1 s): the smallest layer came 1.9-2.1 s after a 400 kbit/s cut instead
    // of 1.0-1.4 s (with a 300 ms drain, which ended on the limit).
    try {
      if (paused && !consumer.paused) await Promise.all([consumer.pause(), ...relayer()]);
      else if (!paused && consumer.paused) {
        // The key frame asked with the resume: one worker round trip sooner.
        await Promise.all([
          ...relayer(),
          consumer.resume(),
          ...(video ? [consumer.requestKeyFrame()] : []),
        ]);
        if (layer !== undefined) this.#askKeyFrameAgain(entry, KEY_FRAME_ASKS);
      } else await Promise.all(relayer());
    } catch {
      // Closed meanwhile.
    }
    if (video) this.#watchNacks();
  }

  /** Until the resumed layered stream of `entry` switches to a layer (`KEY_FRAME_AGAIN_MS`). */
  #askKeyFrameAgain(entry: Entry, asks: number): void {
    clearTimeout(entry.keyFrameTimer);
    entry.keyFrameTimer = setTimeout(() => {
      const c = entry.consumer;
      if (this.#closed || c.closed || c.paused || c.producerPaused || c.currentLayers) return;
      c.requestKeyFrame().catch(() => undefined /* closed meanwhile */);
      if (asks > 1) this.#askKeyFrameAgain(entry, asks - 1);
    }, KEY_FRAME_AGAIN_MS);
    entry.keyFrameTimer.unref();
  }

  /** Traces the NACKs of the stream worth watching now, and of no other (see `NACK_BURST`). */
  #watchNacks(): void {
    if (this.#closed) return;
    const rank = (e: Entry) => {
      const c = e.consumer;
      if (c.kind !== 'video' || c.closed || c.paused || c.producerPaused) return -1;
      const clean = senderScore(c) >= UPSTREAM_CLEAN_SCORE ? 10 : 0;
      return clean + (c.preferredLayers?.spatialLayer ?? e.demand.spatialLayer);
    };
    // The one watched stays on a tie: each change costs the worker two requests.
    let best = this.#watched && rank(this.#watched) >= 0 ? this.#watched : undefined;
    for (const e of this.#entries.values()) {
      if (rank(e) > (best ? rank(best) : -1)) best = e;
    }
    if (best === this.#watched) return;
    const before = this.#watched;
    this.#watched = best;
    if (before && !before.consumer.closed) {
      before.consumer.enableTraceEvent([]).catch(() => undefined);
    }
    best?.consumer.enableTraceEvent(['nack']).catch(() => undefined);
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
    if (consumer.priority === priority) return;
    consumer
      .setPriority(priority)
      .then(() => {
        // The worker's answer (mediasoup keeps what it confirmed), for the tests' and the
        // debugger's timelines: who this receiver's link serves first.
        const { peerId, source } = consumer.appData;
        this.#log?.debug(
          { consumer: consumer.id, sender: peerId, source, priority: consumer.priority },
          'downlink priority',
        );
      })
      .catch(() => undefined);
  }
}

/** What the SFU sent a receiver since a queue's onset (see `DownlinkAdapter.#sentSince`). */
interface SentSince {
  /** bit/s; undefined: no onset, or too long or short ago. */
  bps: number | undefined;
  /** Its rate over the second before the onset (bit/s). */
  bpsBefore: number;
  /**
   * The two reports came together (`MIN_SENT_SPAN_MS`): no span to count over, but what the
   * SFU sent over the last second (bit/s). They waited together in the receiver's congested
   * uplink, 0.4-1 s, so that second is about the one the receiver counted in.
   */
  bunchedBps?: number;
  /** The share transport-cc finds lost now. */
  linkLoss: number;
}

/**
 * A queue report weighed against what the SFU sent meanwhile: whether it is this link's
 * queue to act on (`judged`), and what the link carries when its count says so (`carried`:
 * the link was busy). Busy: it delivered under half of what was sent (`CARRIED_FRACTION`),
 * transport-cc finds it losing (`BUSY_LINK_LOSS`), or, on a confirmed report, it delivered
 * less than all while the SFU kept sending as before (`KEPT_SENDING`). Not judged: a count of
 * the link delivering what was sent (`DELIVERED_ALL`), nor a provisional report whose count
 * does not show the link overflowing (transport-cc's loss alone may be a lossy link's, with
 * no queue behind it, where a good link's moment of queueing looks the same so early), unless
 * transport-cc's loss is more than a lossy link's (`OVERFLOW_LINK_LOSS`). Two reports that
 * came together have no count, but under half of what the SFU sent over the last second
 * arriving is an overflow all the same (`bunchedBps`); nothing finer is read from it. Measured
 * at 150 kbit/s both ways from 720p: the provisional report, with 141 kbit/s arrived of some
 * 600 sent, was set aside, and audio only waited 0.36 s for the confirmed one.
 */
export function weighQueueReport(
  report: QueueReport,
  sent: SentSince | undefined,
): { judged: boolean; carried: number | undefined } {
  const { provisional, receivedBps } = report;
  // What arrived of what was sent since the onset (undefined: no count).
  const delivered = receivedBps !== undefined && sent?.bps ? receivedBps / sent.bps : undefined;
  const lossy = sent !== undefined && sent.linkLoss >= BUSY_LINK_LOSS;
  const deliveredLately =
    receivedBps !== undefined && sent?.bunchedBps ? receivedBps / sent.bunchedBps : undefined;
  const overflowing =
    (delivered !== undefined && delivered < CARRIED_FRACTION) ||
    (deliveredLately !== undefined && deliveredLately < CARRIED_FRACTION) ||
    (sent !== undefined && sent.linkLoss >= OVERFLOW_LINK_LOSS);
  const kept =
    sent?.bps !== undefined && sent.bpsBefore > 0 && sent.bps >= sent.bpsBefore * KEPT_SENDING;
  const filled = !provisional && kept && delivered !== undefined && delivered < DELIVERED_ALL;
  const deliversAll = !lossy && delivered !== undefined && delivered >= DELIVERED_ALL;
  const judged = !(provisional && !overflowing) && !deliversAll;
  const busy = lossy || overflowing || filled;
  return { judged, carried: judged && busy ? receivedBps : undefined };
}

/**
 * Bytes a transport had sent, when they were counted (ms), its rate over the second before
 * (bit/s), and the loss transport-cc found.
 */
interface SentCount {
  bytes: number;
  at: number;
  bps: number;
  linkLoss: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const roundBps = (bps: number | undefined) => (bps === undefined ? null : Math.round(bps));

/**
 * How well the sender's own link carries its streams: the best score of the producer's
 * streams (simulcast: one per layer). Not `producerScore`, the score of the layer this consumer
 * takes now: while it switches layers, or is paused, it has none and scores 0. Measured at
 * 150 kbit/s: the patient's reports on the host's video were set aside as the host's link's
 * (producerScore 0, the host's layers all scoring 10), and audio only came a second later. A
 * layer the sender does not send scores 0 too: the best one speaks for its link.
 */
function senderScore(consumer: Consumer): number {
  const { producerScore, producerScores } = consumer.score;
  return producerScores?.length ? Math.max(...producerScores) : producerScore;
}

/**
 * Whether the sender's own link loses packets of the stream `consumer` takes (`stats`: the
 * consumer's, which hold the producer's stream as the SFU receives it): its score
 * (`UPSTREAM_CLEAN_SCORE`) or, sooner, the SFU's last report on it (`UPSTREAM_LOSS`).
 */
function senderLoses(
  consumer: Consumer,
  stats: readonly { type: string; fractionLost: number }[],
): boolean {
  return senderLoss(consumer, stats) !== undefined;
}

/**
 * The share of the stream `consumer` takes that the sender's link lost, as the SFU's last
 * report on it found (0..1), when that link loses packets (`senderLoses`); undefined when it
 * is clean. 0 when only its score tells (an average over earlier reports).
 */
function senderLoss(
  consumer: Consumer,
  stats: readonly { type: string; fractionLost: number }[],
): number | undefined {
  const received = stats.find((x) => x.type === 'inbound-rtp');
  const lost = received ? received.fractionLost / 256 : 0;
  const scored = senderScore(consumer) < (consumer.kind === 'audio' ? 10 : UPSTREAM_CLEAN_SCORE);
  return scored || lost >= UPSTREAM_LOSS ? lost : undefined;
}

/**
 * This link's share of the loss a receiver reports (`total`, 0..1) on a stream of which the
 * sender's link already lost `upstream`: of the packets that reached the SFU, the share
 * missing here.
 */
function linkShare(total: number, upstream: number): number {
  if (upstream >= 1) return 0;
  return Math.max(0, 1 - (1 - total) / (1 - upstream));
}

/**
 * The share of the packets sent on a stream since its last loss read that were resent at the
 * receiver's request (see `NACK_BURST`); 0 when below `HEAVY_LOSS`; undefined (nothing to
 * weigh) when that read is too old or too few packets went out since. Keeps the counts for
 * the next read.
 */
async function resentFraction(
  entry: Entry,
  out: ConsumerStat,
  now: number,
  linkLoss: () => Promise<number | undefined>,
  weighings: Weighing[],
): Promise<number | undefined> {
  const before = entry.nacks;
  entry.nacks = { at: now, packets: out.packetCount, repaired: out.packetsRepaired };
  if (!before || now - before.at > NACK_SPAN_MS) return undefined;
  const packets = out.packetCount - before.packets;
  if (packets < NACK_MIN_PACKETS) return undefined;
  const resent = out.packetsRepaired - before.repaired;
  const fraction = Math.min(1, resent / packets);
  if (fraction < HEAVY_LOSS) return 0;
  return (await beyondChance(resent, packets, linkLoss, weighings, 'resent')) ? fraction : 0;
}

/**
 * The share of a stream's packets the receiver reports lost (0..1) when its latest report is
 * `fresh` (new since the read before), 0 otherwise: the report's own fraction, unless it is
 * heavy and the count weighed over a span of reads (see `REPORT_SPAN_MS`) is not, or only by
 * chance on a link losing at random (`chanceOnLink`): then `CHANCE_LOSS`, some loss (which
 * holds the ceiling's raises) but not heavy. A heavy report with no span of reads to weigh it
 * yet is believed only if transport-cc finds the link overflowing (`OVERFLOW_LINK_LOSS`).
 * Keeps the counts for the reads to come.
 */
async function reportedShare(
  entry: Entry,
  out: ConsumerStat,
  now: number,
  fresh: boolean,
  linkLoss: () => Promise<number | undefined>,
  weighings: Weighing[],
): Promise<number> {
  const reads = entry.reportReads.filter((r) => now - r.at <= REPORT_HISTORY_MS);
  entry.reportReads = [...reads, { at: now, packets: out.packetCount, lost: out.packetsLost }];
  if (!fresh) return 0;
  // fractionLost: the report's 8-bit fraction of the packets since the report before.
  const fraction = out.fractionLost / 256;
  if (fraction < HEAVY_LOSS) return fraction;
  const base = reads.findLast((r) => now - r.at >= REPORT_SPAN_MS);
  const packets = base ? out.packetCount - base.packets : 0;
  if (!base || packets < NACK_MIN_PACKETS) {
    return ((await linkLoss()) ?? 0) >= OVERFLOW_LINK_LOSS ? fraction : CHANCE_LOSS;
  }
  const lost = Math.max(0, out.packetsLost - base.lost);
  const share = Math.min(1, lost / packets);
  if (share < HEAVY_LOSS || !(await beyondChance(lost, packets, linkLoss, weighings, 'reported'))) {
    return CHANCE_LOSS;
  }
  // The lesser of the two: the count lags what was sent by up to a report's span, so after
  // the rate fell (a smaller layer, a pause) a second's loss is weighed against fewer packets.
  // Weighed alone, it read 11-17 % at 5 % random loss on a loaded machine, with transport-cc
  // finding 5-10 %, and set more ceilings than the reports had (4 against 1 in 6 runs).
  return Math.min(fraction, share);
}

/**
 * Whether `lost` (or resent) of a stream's `packets` is more than chance on this link: against
 * `CHANCE_LOSS`, and then against the random loss transport-cc finds on the whole link
 * (`chanceOnLink`), read only when the first says so.
 */
async function beyondChance(
  lost: number,
  packets: number,
  linkLoss: () => Promise<number | undefined>,
  weighings: Weighing[],
  count: Weighing['count'],
): Promise<boolean> {
  let against = CHANCE_LOSS;
  let odds = chanceOf(lost, packets);
  if (odds < CHANCE_ODDS[count]) {
    against = chanceOnLink(await linkLoss());
    if (against !== CHANCE_LOSS) odds = chanceOf(lost, packets, against);
  }
  weighings.push({
    count,
    lost,
    packets,
    against: round3(against),
    odds: Number(odds.toPrecision(2)),
  });
  return odds < CHANCE_ODDS[count];
}

/**
 * The random loss a stream's count (of losses or resends) is weighed against: what
 * transport-cc finds the whole link losing, over far more packets than one stream's, when
 * that is more than `CHANCE_LOSS` and still light. A thumbnail's few packets read heavy by chance on a link losing a little more
 * than `CHANCE_LOSS`: under the rig's 5 % random loss on a loaded machine, a CI run counted
 * 7 of 30 lost over 1.5 s (the report: 21.6 %) while transport-cc found 8.9 %, and the ceiling
 * fell to 300 kbit/s.
 */
function chanceOnLink(linkLoss: number | undefined): number {
  if (linkLoss === undefined || linkLoss >= HEAVY_LOSS) return CHANCE_LOSS;
  return Math.max(CHANCE_LOSS, linkLoss);
}

/**
 * The share of reads in which a link losing `p` (`CHANCE_LOSS` unless told) at random resends
 * (or loses) `resent` or more of `packets`: the binomial tail.
 */
function chanceOf(resent: number, packets: number, p = CHANCE_LOSS): number {
  let term = (1 - p) ** packets;
  // So many packets that a single one's odds underflow: any share above the bar is no chance.
  if (term === 0) return 0;
  let below = 0;
  for (let i = 0; i < resent && i < packets; i++) {
    below += term;
    term *= ((packets - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}
