import type { LineReport, LineState } from '@samkons/shared';
import type { LineStats, MediaSession } from './session.js';
import {
  REPORT_INTERVAL_MS,
  SettledState,
  inboundWindow,
  lossOf,
  rateInbound,
  rateLine,
  rateRemote,
  type InboundCounters,
  type InboundWindow,
  type LineFigures,
  type LineReportSeen,
} from './quality.js';

/** One's own line and each remote participant's, as this page shows them. */
export interface LineSnapshot {
  /** Undefined: nothing to judge yet (no media, alone and sending nothing). */
  self: LineState | undefined;
  peers: ReadonlyMap<string, LineState>;
}

/** Sampling interval: a stall shows within about 1.5 s (a one-second window, read twice a second). */
const SAMPLE_MS = 500;
/** Stall window and the longer window for loss. */
const RECENT_MS = 1000;
const LONGER_MS = 4000;
/** The SFU's feedback to a video sender comes many times a second; give it some slack. */
const FEEDBACK_MS = 2500;

interface Sample extends LineStats {
  at: number;
}

const EMPTY: InboundCounters = {
  streams: 0,
  videoStreams: 0,
  packetsReceived: 0,
  packetsLost: 0,
  framesDecoded: 0,
};

/**
 * Watches the media session's stats twice a second and rates one's own line and each
 * remote participant's (media/quality.ts), sends one's own state to the others over
 * signalling (when it changes and every couple of seconds) and takes in theirs. One per
 * media session (`lineMonitorOf`): its socket listeners live as long as the session.
 */
export class LineMonitor {
  readonly #media: MediaSession;
  readonly #listeners = new Set<() => void>();
  readonly #history: Sample[] = [];
  readonly #reports = new Map<string, LineReportSeen>();
  readonly #seenSince = new Map<string, number>();
  readonly #selfState = new SettledState();
  readonly #peerStates = new Map<string, SettledState>();
  #snapshot: LineSnapshot = { self: undefined, peers: new Map() };
  #timer: ReturnType<typeof setInterval> | undefined;
  #users = 0;
  #sampling = false;
  #lastSent: { state: LineState; at: number } | undefined;
  #figures: Omit<LineReport, 'state'> = {};
  /** What the last rating of one's own line was made from (diagnostics, tests). */
  lastFigures: LineFigures | undefined;

  constructor(media: MediaSession) {
    this.#media = media;
    media.signalling.onSocket((socket) => {
      socket.on('peerLine', ({ peerId, state }) => {
        this.#reports.set(peerId, { state, receivedAt: Date.now() });
      });
      // A new connection: the others learn our state again at once.
      socket.on('connect', () => (this.#lastSent = undefined));
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#users++ === 0) this.#timer = setInterval(() => void this.#tick(), SAMPLE_MS);
    return () => {
      this.#listeners.delete(listener);
      if (--this.#users === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  };

  getSnapshot = (): LineSnapshot => this.#snapshot;

  async #tick(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const stats = await this.#media.lineStats();
      this.#update({ ...stats, at: Date.now() });
    } finally {
      this.#sampling = false;
    }
  }

  #update(now: Sample): void {
    const history = this.#history;
    history.push(now);
    while (history.length > 1 && now.at - history[0]!.at > LONGER_MS + SAMPLE_MS) history.shift();
    const ago = (ms: number) => [...history].reverse().find((s) => now.at - s.at >= ms - 100);
    const recentFrom = ago(RECENT_MS);
    const longerFrom = ago(LONGER_MS) ?? history[0];
    const feedbackFrom = ago(FEEDBACK_MS);

    const windowOf = (from: Sample | undefined, pick: (s: Sample) => InboundCounters) =>
      from && from !== now
        ? inboundWindow(pick(from), pick(now), (now.at - from.at) / 1000)
        : undefined;
    const total = (s: Sample): InboundCounters =>
      s.peers.reduce(
        (t, p) => ({
          streams: t.streams + p.streams,
          videoStreams: t.videoStreams + p.videoStreams,
          packetsReceived: t.packetsReceived + p.packetsReceived,
          packetsLost: t.packetsLost + p.packetsLost,
          framesDecoded: t.framesDecoded + p.framesDecoded,
        }),
        EMPTY,
      );
    const recent = windowOf(recentFrom, total);
    const longer = windowOf(longerFrom, total);
    // Feedback counts only while video went out over the whole window.
    const feedbackSince = (from: Sample | undefined) =>
      from &&
      from !== now &&
      from.sendingVideo &&
      now.sendingVideo &&
      from.sendBytesReceived !== undefined &&
      now.sendBytesReceived !== undefined
        ? Math.max(0, now.sendBytesReceived - from.sendBytesReceived)
        : undefined;
    const figures: LineFigures = {
      connection: now.connection,
      recent,
      longer,
      rttMs: now.rttMs,
      jitterMs: Math.max(0, ...now.peers.map((p) => p.jitterMs)),
      availableOutgoingKbps: now.sendingVideo ? now.availableOutgoingKbps : undefined,
      sendBandwidthLimited: now.sendBandwidthLimited,
      sendFeedbackBytes: feedbackSince(feedbackFrom),
      recentFeedbackBytes: feedbackSince(recentFrom),
      awaitingStreams: now.awaitingStreams,
    };
    this.lastFigures = figures;
    const measured = rateLine(figures);
    const self = this.#selfState.update(measured, now.at);
    this.#figures = figuresOf(longer, now);

    const peers = new Map<string, LineState>();
    const present = this.#media.getSnapshot().participants.map((p) => p.id);
    for (const id of present) {
      if (!this.#seenSince.has(id)) this.#seenSince.set(id, now.at);
      const pick = (s: Sample): InboundCounters => s.peers.find((p) => p.peerId === id) ?? EMPTY;
      const inbound = rateInbound(windowOf(recentFrom, pick), windowOf(longerFrom, pick));
      const settled = this.#peerStates.get(id) ?? new SettledState();
      this.#peerStates.set(id, settled);
      const state = settled.update(
        rateRemote({
          self,
          inbound,
          report: this.#reports.get(id),
          seenSince: this.#seenSince.get(id)!,
          now: now.at,
        }),
        now.at,
      );
      if (state) peers.set(id, state);
    }
    for (const id of [...this.#seenSince.keys()]) {
      if (present.includes(id)) continue;
      this.#seenSince.delete(id);
      this.#peerStates.delete(id);
      this.#reports.delete(id);
    }

    const prev = this.#snapshot;
    const same =
      prev.self === self &&
      prev.peers.size === peers.size &&
      [...peers].every(([id, s]) => prev.peers.get(id) === s);
    if (!same) {
      this.#snapshot = { self, peers };
      for (const l of this.#listeners) l();
    }
    this.#report(self, now.at);
  }

  /** Tells the others (not while the socket is down: socket.io would queue the reports). */
  #report(state: LineState | undefined, at: number): void {
    if (!state) return;
    const last = this.#lastSent;
    if (last && last.state === state && at - last.at < REPORT_INTERVAL_MS) return;
    const socket = this.#media.signalling.socket;
    if (!socket.connected) return;
    this.#lastSent = { state, at };
    // Straight on the socket, not `request`: a report is no round trip of the join path.
    const timed = socket.timeout(5000);
    const emit = timed.emit.bind(timed) as unknown as (
      event: 'reportLine',
      payload: LineReport,
      ack: () => void,
    ) => void;
    emit('reportLine', { state, ...this.#figures }, () => undefined);
  }
}

/** Figures that go with a report (for the host's detail), rounded. */
function figuresOf(longer: InboundWindow | undefined, now: LineStats): Omit<LineReport, 'state'> {
  return {
    ...(longer && longer.packets + longer.lost > 0
      ? { lossPct: Math.round(lossOf(longer) * 1000) / 10 }
      : {}),
    ...(now.rttMs !== undefined ? { rttMs: Math.round(now.rttMs) } : {}),
    ...(now.availableOutgoingKbps !== undefined
      ? { outKbps: Math.round(now.availableOutgoingKbps) }
      : {}),
  };
}

const monitors = new WeakMap<MediaSession, LineMonitor>();

/** The line monitor of a media session (made on first use). */
export function lineMonitorOf(media: MediaSession): LineMonitor {
  let m = monitors.get(media);
  if (!m) {
    m = new LineMonitor(media);
    monitors.set(media, m);
  }
  return m;
}
