import type { LineState } from '@samkons/shared';

/**
 * Line quality from what actually arrives: packets and decoded frames in the last second,
 * loss, round trip, jitter and the sender's bandwidth estimate, reduced to a word a patient
 * understands. Pure, so every threshold is unit-tested; `line-monitor.ts` feeds it samples.
 *
 * The rule that matters most: a line is never "good" while nothing arrives. A stream that
 * should flow (not paused by its sender or by us) and brought no packet in the last second
 * is a stall, whatever the counters said before; an unknown round trip is unknown, not 0.
 */
export type { LineState };

/** Best first: `worst` picks the later of two. */
const ORDER: readonly LineState[] = ['good', 'ok', 'poor', 'lost', 'reconnecting'];

/** The worse of two states. */
export function worst(a: LineState, b: LineState): LineState {
  return ORDER[Math.max(ORDER.indexOf(a), ORDER.indexOf(b))]!;
}

/** True when `a` is better than `b`. */
export const better = (a: LineState, b: LineState): boolean => ORDER.indexOf(a) < ORDER.indexOf(b);

/** Cumulative counters of the inbound streams that should flow (summed), at one instant. */
export interface InboundCounters {
  /** Streams counted: not paused by their sender, nor by this browser. */
  streams: number;
  videoStreams: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
}

/** What changed over one window, from two `InboundCounters`. */
export interface InboundWindow {
  seconds: number;
  /** Streams that should have flowed during the whole window. */
  streams: number;
  videoStreams: number;
  packets: number;
  lost: number;
  frames: number;
}

/**
 * The window between two cumulative samples. A counter that went back (a new consumer, a
 * rejoin) counts from 0; a stream count that changed counts the smaller one, so a stream that
 * just started or stopped does not make a stall.
 */
export function inboundWindow(
  before: InboundCounters,
  now: InboundCounters,
  seconds: number,
): InboundWindow {
  const d = (k: 'packetsReceived' | 'packetsLost' | 'framesDecoded') =>
    now[k] >= before[k] ? now[k] - before[k] : now[k];
  return {
    seconds,
    streams: Math.min(before.streams, now.streams),
    videoStreams: Math.min(before.videoStreams, now.videoStreams),
    packets: d('packetsReceived'),
    lost: d('packetsLost'),
    frames: d('framesDecoded'),
  };
}

/** Loss over a window, 0..1 (0 when nothing was expected). */
export function lossOf(w: Pick<InboundWindow, 'packets' | 'lost'>): number {
  const expected = w.packets + w.lost;
  return expected > 0 ? w.lost / expected : 0;
}

export interface LineFigures {
  /** The media transports: recovering while ICE restarts or the media is set up again. */
  connection: 'idle' | 'connecting' | 'connected' | 'recovering';
  /** What arrived in the last second or so (stall detection). */
  recent?: InboundWindow | undefined;
  /** What arrived in the last few seconds (loss; steadier than one second). */
  longer?: InboundWindow | undefined;
  /** Milliseconds to the SFU; undefined when the stats gave none. */
  rttMs?: number | undefined;
  /** Worst inbound jitter, milliseconds. */
  jitterMs?: number | undefined;
  /** The send side's bandwidth estimate, kbit/s, while sending video. */
  availableOutgoingKbps?: number | undefined;
  /**
   * Whether the video encoder is held back by that estimate (Chromium's
   * qualityLimitationReason 'bandwidth'). false: the encoder sends all it wants (small video,
   * or limited by CPU), so a low estimate only mirrors the little that is sent (the
   * estimator does not probe above an application-limited rate) and says nothing about the
   * line. undefined: the browser does not say; the estimate is judged alone.
   */
  sendBandwidthLimited?: boolean | undefined;
  /**
   * While sending: bytes the send transport received in the last seconds (the SFU's RTCP
   * feedback). 0 means nothing of ours reaches the SFU, or nothing comes back.
   */
  sendFeedbackBytes?: number | undefined;
  /**
   * The same over the stall window (`recent`): only feedback that came while nothing else
   * did proves the link works. The longer window still holds what came before a cut.
   */
  recentFeedbackBytes?: number | undefined;
  /**
   * Streams that should flow and have brought no packet yet (just set up). While every
   * stream is such, nothing has arrived to judge: the round trip alone does not make the
   * line good (admitted on a transport that connected in the waiting room, the round trip
   * is known before the first packet comes, seconds later on a TCP path).
   */
  awaitingStreams?: number | undefined;
}

/**
 * The state of one's own line. Thresholds follow common VoIP guidance: below 2 % loss,
 * 250 ms RTT and 30 ms jitter a call feels normal; above 8 % loss, 500 ms RTT or 60 ms
 * jitter speech breaks up. Video needs about 150 kbit/s for its lowest layer and 300 for
 * something one can read faces from.
 * Returns undefined when there is nothing to judge (no media yet, alone in the room).
 */
export function rateLine(f: LineFigures): LineState | undefined {
  if (f.connection === 'recovering') return 'reconnecting';
  if (f.connection !== 'connected') return undefined;
  if ((f.awaitingStreams ?? 0) > 0 && !(f.recent && f.recent.streams > 0)) return undefined;
  // Streams that should flow brought nothing in the last window: a stall. It is ours unless
  // the SFU demonstrably answers what we send in that same window (then the senders' lines
  // failed: their tiles say so, and one's own line is judged by the rest).
  const sfuAnswers = (f.recentFeedbackBytes ?? 0) > 0;
  const stalled = !!f.recent && f.recent.streams > 0 && f.recent.packets === 0;
  if (stalled && !sfuAnswers) return 'lost';
  const recent = stalled ? undefined : f.recent;
  let state: LineState = 'good';
  const bump = (s: LineState) => (state = worst(state, s));
  // Audio arrives but the picture froze.
  if (recent && recent.videoStreams > 0 && recent.frames === 0) bump('poor');
  // We send, and nothing comes back from the SFU: our media is not getting through.
  if (f.sendFeedbackBytes === 0) bump('poor');
  const window = stalled ? undefined : (f.longer ?? recent);
  const loss = window ? lossOf(window) : 0;
  if (loss > 0.08) bump('poor');
  else if (loss > 0.02) bump('ok');
  if (f.rttMs === undefined) bump('ok');
  else if (f.rttMs > 500) bump('poor');
  else if (f.rttMs > 250) bump('ok');
  const jitter = f.jitterMs ?? 0;
  if (jitter > 60) bump('poor');
  else if (jitter > 30) bump('ok');
  const aob = f.sendBandwidthLimited === false ? undefined : f.availableOutgoingKbps;
  if (aob !== undefined && aob < 150) bump('poor');
  else if (aob !== undefined && aob < 300) bump('ok');
  // Nothing flows either way (nobody sends, we send nothing): only the round trip speaks.
  const evidence =
    (window?.streams ?? 0) > 0 || f.sendFeedbackBytes !== undefined || f.rttMs !== undefined;
  return evidence ? state : undefined;
}

/**
 * What arrives from one remote participant: a stall of their streams is `lost`, loss and
 * frozen video make it weaker. Undefined when nothing of theirs should flow (muted, camera
 * off) or nothing was measured yet.
 */
export function rateInbound(
  recent: InboundWindow | undefined,
  longer: InboundWindow | undefined,
): LineState | undefined {
  if (!recent || recent.streams === 0) return undefined;
  if (recent.packets === 0) return 'lost';
  let state: LineState = 'good';
  if (recent.videoStreams > 0 && recent.frames === 0) state = 'poor';
  const loss = lossOf(longer ?? recent);
  if (loss > 0.08) state = worst(state, 'poor');
  else if (loss > 0.02) state = worst(state, 'ok');
  return state;
}

/** A participant's own report, as received (`receivedAt`: ms, this browser's clock). */
export interface LineReportSeen {
  state: LineState;
  receivedAt: number;
}

/** Reports are sent at least this often; a report older than `REPORT_STALE_MS` is stale. */
export const REPORT_INTERVAL_MS = 2000;
export const REPORT_STALE_MS = 6000;

/**
 * How a remote participant's line shows on this page: the worse of what arrives from them
 * and what they report about their own line. Their reports stopping while they are in the
 * call means their line is at least poor. While one's own line is lost or reconnecting,
 * nothing is said about the others (it would blame them for one's own line); while it is
 * not judged yet (media being set up), their report alone says nothing either: it vouches
 * for their line, not for what reaches us.
 */
export function rateRemote(opts: {
  self: LineState | undefined;
  inbound: LineState | undefined;
  report: LineReportSeen | undefined;
  /** When this page first saw the participant (ms): reports may not have come yet. */
  seenSince: number;
  now: number;
}): LineState | undefined {
  if (opts.self === 'lost' || opts.self === 'reconnecting') return undefined;
  const { report, now } = opts;
  const stale = report
    ? now - report.receivedAt > REPORT_STALE_MS
    : now - opts.seenSince > REPORT_STALE_MS;
  const reported: LineState | undefined = stale ? 'poor' : report?.state;
  if (opts.inbound === undefined) return opts.self === undefined ? undefined : reported;
  if (reported === undefined) return opts.inbound;
  return worst(opts.inbound, reported);
}

/**
 * Hysteresis: a worse state shows at once (a stall must show within 2 s); a better one
 * only once it has held for `holdMs`, so the badge does not flicker on a wobbly line.
 */
export class SettledState {
  #shown: LineState | undefined;
  #candidate: LineState | undefined;
  #candidateSince = 0;

  constructor(readonly holdMs = 2000) {}

  get shown(): LineState | undefined {
    return this.#shown;
  }

  update(measured: LineState | undefined, now: number): LineState | undefined {
    const shown = this.#shown;
    if (measured === undefined || shown === undefined || !better(measured, shown)) {
      this.#shown = measured;
      this.#candidate = undefined;
      return this.#shown;
    }
    // The clock runs from the first better sample, as long as every sample stays better.
    if (this.#candidate === undefined) this.#candidateSince = now;
    this.#candidate = measured;
    if (now - this.#candidateSince >= this.holdMs) {
      this.#shown = measured;
      this.#candidate = undefined;
    }
    return this.#shown;
  }
}
