/*
 * Is this receiver's link queueing? A link that gives way does not lose packets at first: its
 * bottleneck queue fills, and everything behind it arrives later and later. Loss comes only
 * once that queue overflows, and the receiver sees it only when the packets behind the gap
 * have waited through it: on the rig's 400 kbit/s cut (a 250 ms queue), the first loss showed
 * 0.57-0.78 s after the cut and the SFU's NACK-based reaction came at 0.77-0.94 s, while the
 * audio was already 100 ms late 0.1-0.3 s after it.
 *
 * Audio tells it best: Opus sends one packet every 20 ms while someone speaks (with DTX, a
 * few a second in silence, which is read as a pause: the reading starts afresh), and
 * the browser stamps each packet's arrival on its network thread (`lastPacketReceivedTimestamp`),
 * untouched by the jitter buffer or a busy page. Against the packets' sequence (received
 * plus lost), each arrival is `offset` = arrival - sequence x 20 ms; on a steady link that
 * stays within some 40 ms of its lowest. A queue pushes it up, sample after sample.
 */

import { QUEUE_ONSET_MEMORY_MS } from '@samkons/shared';

/** Bytes the receive transport had received, and when they were counted (ms, the stats' clock). */
export interface ReceivedCount {
  bytes: number;
  at: number;
}

/**
 * What the link delivered over a queue's span (bit/s), from the onset's count to the
 * report's: none when the two span no queue (no onset, or one older than
 * `QUEUE_ONSET_MEMORY_MS`), or when the count did not move. A queue is found from audio that
 * arrives late, so some arrived meanwhile: a count standing still is a stale read (a starved
 * page's stats), not a link that carried nothing, which the SFU would take for a link too weak
 * for video (once in CI, on a 3 Mbit/s link: audio only, then trials, for half a minute).
 */
export function receivedBpsOver(
  from: ReceivedCount | undefined,
  now: ReceivedCount | undefined,
): number | undefined {
  if (!from || !now || now.at <= from.at || now.at - from.at > QUEUE_ONSET_MEMORY_MS) {
    return undefined;
  }
  if (now.bytes <= from.bytes) return undefined;
  return Math.round(((now.bytes - from.bytes) * 8_000) / (now.at - from.at));
}

/** One read of an incoming audio stream's counters (its `inbound-rtp` stats). */
export interface ArrivalSample {
  /** When the last packet arrived (ms, the stats' clock). */
  lastPacketAt: number;
  /** Packets of the stream so far: received plus lost (its sequence's progress). */
  packets: number;
  /** Of those, lost. */
  lost: number;
  /**
   * What the whole link (the receive transport's selected candidate pair) has delivered so
   * far, in bytes, and when that was read (ms, the stats' clock). Without it a stall of the
   * audio is always taken for a pause of its sender (`#linkSlowed`).
   */
  link?: { at: number; bytes: number };
}

export interface Queueing {
  /**
   * How late the audio arrives now, beyond its usual (ms). Only told for the server's log:
   * what the SFU does about a queue does not depend on how long it is.
   */
  excessMs: number;
  /**
   * Found before the lateness has held `persistMs` (`provisionalMs`): a moment of queueing on
   * a good link looks the same so early. Only the count of what arrived meanwhile, weighed
   * by the SFU against what it sent, tells the two apart.
   */
  provisional: boolean;
}

/**
 * What a read found: the lateness has just gone over the threshold (`onset`: a queue may be
 * forming), then a queue, provisional and then confirmed (`queue`). From the onset on, a link
 * that queues is busy all the time: what it delivers then is what it carries.
 */
export type QueueingEvent = { type: 'onset' } | ({ type: 'queue' } & Queueing);

export interface QueueingOptions {
  /** The audio's packet spacing (Opus frames of 20 ms). */
  packetMs: number;
  /** Lateness over the lowest of this long is a queue's. */
  windowMs: number;
  /**
   * Lateness that says "queueing" when it lasts (`persistMs`): more than twice what a steady
   * link shows (up to 40 ms on the rig).
   */
  thresholdMs: number;
  /**
   * How long the lateness must stay over the threshold. A good link queues too, for a moment:
   * a key frame or a probe of the SFU's bandwidth estimate is a burst of 100 KB, a third of a
   * second's worth of a 3 Mbit/s link, and the audio behind it comes 100-270 ms late and then
   * on time again (on the rig: such a spike every 20-40 s on each side of a call, on a 3
   * Mbit/s link). A link that gave way keeps its queue until less is sent. Measured over
   * two cuts to 400 kbit/s and 110 s of a 3 Mbit/s link on both sides of a call: at 100 ms
   * held 250 ms, the cuts were found 0.12 and 0.48 s after them and nothing else was; held
   * 300 ms, for a loaded machine's sake.
   */
  persistMs: number;
  /**
   * A provisional queue after the lateness has held this long (rising or overflowing like a
   * confirmed one). The queue is found some 300 ms before the link overflows on the rig's
   * 400 kbit/s cut (the first loss behind it came 0.52-0.72 s after the cut, the confirmed
   * report 0.56-0.69 s): the 150 ms saved here are packets, audio among them, not dropped.
   */
  provisionalMs: number;
  /**
   * And rising by this much meanwhile: audio late by a step and no later (its sender paused,
   * then went on) is no queue.
   */
  risingMs: number;
  /**
   * Or, instead of rising, losing at least this share of its packets meanwhile. A link far
   * weaker than what is sent fills its queue at once (250 ms of 150 kbit/s is 4.7 KB, a few
   * packets) and drops what does not fit: the lateness is a step to the queue's length, then
   * flat, like a sender's pause, which loses nothing. Measured on the rig's 150 kbit/s cut,
   * without this and with a gap of 250 ms starting afresh (`MAX_GAP_SPACINGS`): the queue was
   * reported 0.4-1.7 s after the onset of its lateness, or not at all in 2 of 6 cuts; with
   * both, 0.3-0.4 s after it in 3 of 3.
   */
  overflowLoss: number;
  /**
   * And the packets still coming, at most this far apart on average (a queue delays them, a
   * pause or DTX's silence stops them): up to a link carrying a fifth of what is sent. A gap
   * of more than 3.5 times this starts the stream's reading afresh.
   */
  maxSpacingMs: number;
  /**
   * A gap in the audio this long or more, while the link as a whole delivered under
   * `slowedFraction` of its rate over the second before, is a queue's step (`#linkSlowed`).
   */
  stallMs: number;
  slowedFraction: number;
}

/**
 * A gap between packets of more than this many `maxSpacingMs` is no queue's (see `sample`):
 * DTX's silence sends a packet each 400 ms. Not less: a link far weaker than what is sent
 * fills its queue at once, and the first audio behind it comes a queue's length later (270 ms
 * on the rig's 150 kbit/s cut, with its 250 ms queue): at 2.5 that gap was taken for a pause,
 * which starts the reading afresh and so forgets how late the audio has become.
 */
const MAX_GAP_SPACINGS = 3.5;

export const DEFAULT_QUEUEING: QueueingOptions = {
  packetMs: 20,
  windowMs: 5_000,
  thresholdMs: 100,
  persistMs: 300,
  provisionalMs: 150,
  risingMs: 10,
  overflowLoss: 0.2,
  maxSpacingMs: 100,
  stallMs: 150,
  slowedFraction: 0.5,
};

/**
 * Reads of one audio stream in, a queue found out: lateness over the threshold on every read
 * with new packets for `persistMs`, rising (or overflowing: `overflowLoss`, or begun with a
 * stall of the whole link: `#linkSlowed`), and told provisionally after `provisionalMs`. Lateness held `persistMs` without rising is a plateau (the
 * sender's audio late by a step, a busy machine): a rise on top of it is a new onset, so the
 * queue is held and counted from its own start. Without it, in a fresh-clone CI run, a plateau
 * from before a 400 kbit/s cut made the cut's rise a queue at once (0.18 s after the cut), its
 * count of what arrived too old for the SFU to take: the ceiling stayed at 2 Mbit/s, and 720p
 * came back on the cut link. Stays silent on
 * a stream that does not keep the pace of `packetMs` (DTX, another frame size, a sender that
 * paused): its offsets
 * drift for reasons of its own. After a queue was reported, the next waits until the
 * lateness has fallen below half the threshold (the queue drained).
 */
export class QueueingDetector {
  readonly #o: QueueingOptions;
  /** Offsets of the arrivals of the last `windowMs`, oldest first, with the link's count. */
  #history: { at: number; packets: number; offset: number; link?: ArrivalSample['link'] }[] = [];
  /** The first arrival of the lateness over the threshold, held since. */
  #over:
    | {
        at: number;
        packets: number;
        lost: number;
        excess: number;
        provisional: boolean;
        /** Held `persistMs` without rising: a rise from here is a new onset. */
        plateau: boolean;
        /** Began with a stall of the whole link (`#linkSlowed`): a queue's step. */
        slowed: boolean;
      }
    | undefined;
  #reported = false;
  /**
   * Since the queue was reported (confirmed): the highest lateness, when it last rose, and
   * whether it has held since for `persistMs` (a plateau a new queue may rise from).
   */
  #sinceReport = { peak: 0, peakAt: 0, plateau: false };

  constructor(options: Partial<QueueingOptions> = {}) {
    this.#o = { ...DEFAULT_QUEUEING, ...options };
  }

  /** Forget everything (the stream changed, paused or the media set-up is new). */
  reset(): void {
    this.#history = [];
    this.#over = undefined;
    this.#reported = false;
  }

  /**
   * A new read; a queue when one is found (once provisionally, once confirmed), and before it
   * the onset of the lateness that may become one (once per crossing of the threshold, none
   * while a queue reported has not drained, unless it rises from a plateau: `#afterReport`).
   */
  sample(s: ArrivalSample): QueueingEvent | undefined {
    const o = this.#o;
    const last = this.#history.at(-1);
    // No new packet since the last read: nothing new to weigh.
    if (last && s.packets <= last.packets) {
      if (s.packets < last.packets) this.reset();
      return undefined;
    }
    const slowed = this.#linkSlowed(s);
    // A gap no queue makes (a pause of its sender, DTX's silence, where the sequence does not
    // keep time): the offsets before it are not comparable with those after. Start afresh.
    // Unless the whole link slowed meanwhile: the first audio behind a queue that filled at
    // once.
    const gap = last ? (s.lastPacketAt - last.at) / (s.packets - last.packets) : 0;
    if (gap > MAX_GAP_SPACINGS * o.maxSpacingMs && !slowed) {
      this.reset();
      return this.sample(s);
    }
    const offset = s.lastPacketAt - s.packets * o.packetMs;
    this.#history.push({ at: s.lastPacketAt, packets: s.packets, offset, link: s.link });
    while (this.#history.length > 2 && s.lastPacketAt - this.#history[0]!.at > o.windowMs) {
      this.#history.shift();
    }
    if (!this.#steadyPace()) {
      this.#over = undefined;
      return undefined;
    }
    const base = Math.min(...this.#history.map((h) => h.offset));
    const excess = offset - base;
    if (excess < o.thresholdMs / 2) this.#reported = false;
    if (excess < o.thresholdMs) {
      this.#over = undefined;
      return undefined;
    }
    if (!this.#over) return this.#onset(s, excess, slowed);
    const over = this.#over;
    const held = s.lastPacketAt - over.at;
    const packets = s.packets - over.packets;
    const spacing = packets > 0 ? held / packets : Infinity;
    const rose = excess >= over.excess + o.risingMs;
    const overflowing = packets > 0 && s.lost - over.lost >= o.overflowLoss * packets;
    if (spacing > o.maxSpacingMs) return undefined;
    if (this.#reported) return this.#afterReport(s, excess, slowed);
    if (!(rose || overflowing || over.slowed)) {
      if (held >= o.persistMs) over.plateau = true;
      return undefined;
    }
    if (over.plateau) return this.#onset(s, excess, slowed);
    const excessMs = Math.round(excess);
    if (held >= o.persistMs) {
      this.#reported = true;
      this.#sinceReport = { peak: excess, peakAt: s.lastPacketAt, plateau: false };
      return { type: 'queue', excessMs, provisional: false };
    }
    if (held >= o.provisionalMs && !over.provisional) {
      over.provisional = true;
      return { type: 'queue', excessMs, provisional: true };
    }
    return undefined;
  }

  /**
   * A queue reported and not drained: nothing more, unless it stops growing (a plateau: the
   * lateness held `persistMs` within `risingMs` of its peak) and then rises a threshold above
   * it: the link gave way on top of it, a new queue. In a CI run, audio late by a step of 212 ms
   * for seconds (a busy machine) was reported, and hid a cut to 400 kbit/s 3 s later: no
   * report, and the SFU learned of the cut only from loss.
   */
  #afterReport(s: ArrivalSample, excess: number, slowed: boolean): QueueingEvent | undefined {
    const since = this.#sinceReport;
    const o = this.#o;
    if (since.plateau) {
      if (excess < since.peak + o.thresholdMs) return undefined;
      this.#reported = false;
      return this.#onset(s, excess, slowed);
    }
    if (excess >= since.peak + o.risingMs) {
      since.peak = excess;
      since.peakAt = s.lastPacketAt;
    } else if (s.lastPacketAt - since.peakAt >= o.persistMs) since.plateau = true;
    return undefined;
  }

  /** The lateness that may become a queue begins (or rises from a plateau) with this read. */
  #onset(s: ArrivalSample, excess: number, slowed: boolean): QueueingEvent | undefined {
    const { lastPacketAt: at, packets, lost } = s;
    this.#over = { at, packets, lost, excess, provisional: false, plateau: false, slowed };
    return this.#reported ? undefined : { type: 'onset' };
  }

  /**
   * Whether this read ends a stall of the audio (`stallMs` or more since the last packet) in
   * which the whole link slowed: it delivered under `slowedFraction` of its rate over the
   * second before. A link that gives way under far more than it carries fills its queue at
   * once, and the first audio behind it comes a queue's length later, no later after that,
   * losing little (it fits where video does not): a step, like a sender's pause. Measured on
   * the rig's 150 kbit/s cut from 720p: no audio for up to the queue's length (463 ms: its
   * 250 ms and tbf's bucket), then late by a step, and 1 audio packet in 18 lost over the
   * first 0.9 s. Taken for a pause, the patient's browser told nothing, and the SFU went
   * audio only 3.1 s after the cut, on loss. Through a pause or DTX's silence the video keeps
   * coming, and the link does not slow. The SFU weighs the report's count as any other.
   */
  #linkSlowed(s: ArrivalSample): boolean {
    const o = this.#o;
    const last = this.#history.at(-1);
    const lastLink = last?.link;
    if (!last || !lastLink || !s.link || s.lastPacketAt - last.at < o.stallMs) return false;
    const ref = this.#history.find((h) => h.link && h.link.at >= lastLink.at - 1_000)?.link;
    if (!ref || lastLink.at - ref.at < 500 || s.link.at <= lastLink.at) return false;
    const before = (lastLink.bytes - ref.bytes) / (lastLink.at - ref.at);
    const during = (s.link.bytes - lastLink.bytes) / (s.link.at - lastLink.at);
    return during < before * o.slowedFraction;
  }

  /**
   * The stream kept its pace over the window's first part (the last second may be the queue
   * itself): at least a second of it, at `packetMs` within a quarter.
   */
  #steadyPace(): boolean {
    const h = this.#history;
    const end = h.at(-1)!.at - 1_000;
    const before = h.filter((x) => x.at <= end);
    if (before.length < 2) return false;
    const first = before[0]!;
    const lastBefore = before.at(-1)!;
    const span = lastBefore.at - first.at;
    if (span < 1_000) return false;
    const pace = span / (lastBefore.packets - first.packets);
    return pace >= this.#o.packetMs * 0.8 && pace <= this.#o.packetMs * 1.25;
  }
}
