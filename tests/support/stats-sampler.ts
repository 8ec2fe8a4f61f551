import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pageScript } from './page-script.js';

/*
 * A `getStats` time series recorded inside the browser: an init script wraps
 * RTCPeerConnection so every connection the page opens is sampled on a fixed interval
 * (1 s by default), independent of the app's code. Works in Chromium (Playwright
 * `addInitScript`) and Firefox (Puppeteer `evaluateOnNewDocument`). Node reads the series
 * with `readStats`, marks its own actions in it with `markStats`, and keeps it as JSON.
 */

export interface InboundRtp {
  kind: 'audio' | 'video';
  ssrc: number;
  /** The id of the track it plays into (matches `FrameResize.track`). */
  trackIdentifier?: string;
  mid?: string;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  jitter?: number;
  framesDecoded?: number;
  framesDropped?: number;
  keyFramesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  freezeCount?: number;
  totalFreezesDuration?: number;
  totalSamplesReceived?: number;
  /** Audio: the energy of what was played out (rises only while sound, not silence, arrives). */
  totalAudioEnergy?: number;
  concealedSamples?: number;
  silentConcealedSamples?: number;
  /** Audio: seconds the emitted samples spent in the jitter buffer, summed (with its count). */
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  concealmentEvents?: number;
  fecPacketsReceived?: number;
  fecPacketsDiscarded?: number;
  nackCount?: number;
  pliCount?: number;
}

export interface OutboundRtp {
  kind: 'audio' | 'video';
  ssrc: number;
  rid?: string;
  mid?: string;
  packetsSent: number;
  bytesSent: number;
  retransmittedBytesSent?: number;
  framesEncoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  targetBitrate?: number;
  qualityLimitationReason?: string;
  active?: boolean;
  nackCount?: number;
  pliCount?: number;
}

/** The connection's selected (or nominated) candidate pair. */
export interface CandidatePair {
  state: string;
  currentRoundTripTime?: number;
  availableOutgoingBitrate?: number;
  availableIncomingBitrate?: number;
  bytesSent?: number;
  bytesReceived?: number;
  protocol?: string;
  localCandidateType?: string;
}

export interface PeerConnectionSample {
  /** Index of the connection in the page, in creation order. */
  pc: number;
  connectionState: string;
  iceConnectionState: string;
  inbound: InboundRtp[];
  outbound: OutboundRtp[];
  pair?: CandidatePair;
}

export interface StatsSample {
  /** Date.now() in the page (same machine clock as Node's). */
  at: number;
  pcs: PeerConnectionSample[];
}

export interface StatsMark {
  at: number;
  label: string;
}

/**
 * A video element's picture changed size (its `resize` event): when the person saw the first
 * frame of another simulcast layer, to the millisecond rather than at the next sample.
 */
export interface FrameResize {
  at: number;
  /** The id of the element's video track (an incoming stream's `trackIdentifier`). */
  track: string | undefined;
  width: number;
  height: number;
}

export interface StatsSeries {
  intervalMs: number;
  samples: StatsSample[];
  marks: StatsMark[];
  /** Absent in series recorded before it was kept. */
  resizes?: FrameResize[];
}

/** What Playwright and Puppeteer pages have in common: evaluating an expression. */
export interface EvaluatingPage {
  evaluate(expression: string): Promise<unknown>;
}

/**
 * The sampler itself (serialised into the page by `statsSamplerScript`: self-contained).
 * Samples every connection every `intervalMs`, keeping at most an hour of samples.
 */
export function installStatsSampler(intervalMs: number): void {
  type Stat = Record<string, unknown> & { type: string; id: string };
  const w = window as unknown as { __netStats?: StatsSeries; RTCPeerConnection: unknown };
  if (w.__netStats) return;
  const series: StatsSeries = { intervalMs, samples: [], marks: [], resizes: [] };
  w.__netStats = series;
  // `resize` does not bubble: heard on its way down (capture).
  document.addEventListener(
    'resize',
    (e) => {
      const v = e.target;
      if (!(v instanceof HTMLVideoElement)) return;
      const stream = v.srcObject instanceof MediaStream ? v.srcObject : undefined;
      series.resizes!.push({
        at: Date.now(),
        track: stream?.getVideoTracks()[0]?.id,
        width: v.videoWidth,
        height: v.videoHeight,
      });
      if (series.resizes!.length > 10_000) series.resizes!.shift();
    },
    true,
  );
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const pcs: RTCPeerConnection[] = [];
  // The page's connections, for tests that read their descriptions (negotiated codecs).
  (window as unknown as { __netPcs?: RTCPeerConnection[] }).__netPcs = pcs;
  class Sampled extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  }
  w.RTCPeerConnection = Sampled;

  const pick = (s: Stat, keys: string[]) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (s[k] !== undefined) out[k] = s[k];
    return out;
  };
  const common = ['kind', 'ssrc', 'mid', 'nackCount', 'pliCount', 'frameWidth', 'frameHeight'];
  const inboundKeys = [
    ...common,
    'trackIdentifier',
    'packetsReceived',
    'packetsLost',
    'bytesReceived',
    'jitter',
    'framesDecoded',
    'framesDropped',
    'keyFramesDecoded',
    'framesPerSecond',
    'freezeCount',
    'totalFreezesDuration',
    'totalSamplesReceived',
    'totalAudioEnergy',
    'concealedSamples',
    'silentConcealedSamples',
    'jitterBufferDelay',
    'jitterBufferEmittedCount',
    'concealmentEvents',
    'fecPacketsReceived',
    'fecPacketsDiscarded',
  ];
  const outboundKeys = [
    ...common,
    'rid',
    'packetsSent',
    'bytesSent',
    'retransmittedBytesSent',
    'framesEncoded',
    'framesPerSecond',
    'targetBitrate',
    'qualityLimitationReason',
    'active',
  ];

  const sampleOne = async (pc: RTCPeerConnection, index: number) => {
    const report = await pc.getStats();
    const byId = new Map<string, Stat>();
    report.forEach((s: Stat) => byId.set(s.id, s));
    const stats = [...byId.values()];
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair =
      byId.get(String(transport?.selectedCandidatePairId)) ??
      stats.find((s) => s.type === 'candidate-pair' && (s.selected === true || s.nominated));
    const local = pair ? byId.get(String(pair.localCandidateId)) : undefined;
    const sample: PeerConnectionSample = {
      pc: index,
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      inbound: stats
        .filter((s) => s.type === 'inbound-rtp')
        .map((s) => pick(s, inboundKeys) as unknown as InboundRtp),
      outbound: stats
        .filter((s) => s.type === 'outbound-rtp')
        .map((s) => pick(s, outboundKeys) as unknown as OutboundRtp),
    };
    if (pair) {
      sample.pair = {
        ...(pick(pair, [
          'state',
          'currentRoundTripTime',
          'availableOutgoingBitrate',
          'availableIncomingBitrate',
          'bytesSent',
          'bytesReceived',
        ]) as unknown as CandidatePair),
        ...(local ? pick(local, ['protocol']) : {}),
        ...(local?.candidateType ? { localCandidateType: String(local.candidateType) } : {}),
      };
    }
    return sample;
  };

  const tick = async () => {
    const at = Date.now();
    const open = pcs.filter((pc) => pc.connectionState !== 'closed');
    const sampled = await Promise.all(
      open.map((pc) => sampleOne(pc, pcs.indexOf(pc)).catch(() => undefined)),
    );
    series.samples.push({ at, pcs: sampled.filter((s) => s !== undefined) });
    if (series.samples.length > 3_600_000 / intervalMs) series.samples.shift();
  };
  setInterval(() => void tick(), intervalMs);
}

/** The sampler as a script for `addInitScript` or `evaluateOnNewDocument` (see `pageScript`). */
export function statsSamplerScript(intervalMs = 1000): string {
  return pageScript(installStatsSampler, intervalMs);
}

/** The series recorded so far (a copy). */
export async function readStats(page: EvaluatingPage, sinceAt?: number): Promise<StatsSeries> {
  // From `sinceAt` on, filtered in the page: a poll that needs the last seconds only does not
  // copy the whole series out of the page each time (some 2.7 kB a sample, 9 MB after 13
  // minutes of a bench, read every 250 ms).
  const series = (await page.evaluate(
    sinceAt === undefined
      ? 'window.__netStats'
      : `window.__netStats && { ...window.__netStats, samples: window.__netStats.samples.filter((x) => x.at >= ${sinceAt}) }`,
  )) as StatsSeries | undefined;
  if (!series) throw new Error('stats sampler missing: install installStatsSampler first');
  return series;
}

/**
 * Records a label at `at` (default: now), e.g. when a rate cut took effect; returns that time.
 */
export async function markStats(
  page: EvaluatingPage,
  label: string,
  at = Date.now(),
): Promise<number> {
  const mark = JSON.stringify({ at, label });
  await page.evaluate(`window.__netStats && window.__netStats.marks.push(${mark})`);
  return at;
}

/** Writes the series as pretty JSON (for a failed test's artefacts or a benchmark). */
export async function saveStats(file: string, data: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 1)}\n`);
}

// --- reading a series ----------------------------------------------------------------------

/** Per-second figures of the inbound streams of one kind, between consecutive samples. */
export interface InboundWindow {
  /** End of the window (ms, Date.now()). */
  at: number;
  kbps: number;
  packets: number;
  lost: number;
  /** Largest decoded frame height at the end of the window (video). */
  frameHeight: number;
  framesDecoded: number;
  /** Concealed audio samples / samples received in the window (audio). */
  concealedRatio: number;
  fecPackets: number;
  /** Outgoing estimate of the connection carrying the stream, bit/s. */
  availableOutgoingBitrate?: number;
}

type Totals = {
  bytes: number;
  packets: number;
  lost: number;
  frames: number;
  samples: number;
  concealed: number;
  fec: number;
  height: number;
  /** Jitter buffer: seconds summed over the samples emitted, and their count. */
  buffered: number;
  emitted: number;
};

function inboundTotals(sample: StatsSample, kind: 'audio' | 'video'): Totals {
  const t: Totals = {
    bytes: 0,
    packets: 0,
    lost: 0,
    frames: 0,
    samples: 0,
    concealed: 0,
    fec: 0,
    height: 0,
    buffered: 0,
    emitted: 0,
  };
  for (const pc of sample.pcs) {
    for (const s of pc.inbound) {
      if (s.kind !== kind) continue;
      t.bytes += s.bytesReceived;
      t.packets += s.packetsReceived;
      t.lost += Math.max(0, s.packetsLost);
      t.frames += s.framesDecoded ?? 0;
      t.samples += s.totalSamplesReceived ?? 0;
      t.concealed += (s.concealedSamples ?? 0) - (s.silentConcealedSamples ?? 0);
      t.fec += s.fecPacketsReceived ?? 0;
      t.height = Math.max(t.height, s.frameHeight ?? 0);
      t.buffered += s.jitterBufferDelay ?? 0;
      t.emitted += s.jitterBufferEmittedCount ?? 0;
    }
  }
  return t;
}

/**
 * Windows between consecutive samples for one kind of inbound media (summed over every
 * connection of the page). Counters that went backwards (a new connection) count from 0.
 */
export function inboundWindows(series: StatsSeries, kind: 'audio' | 'video'): InboundWindow[] {
  const out: InboundWindow[] = [];
  for (let i = 1; i < series.samples.length; i++) {
    const a = series.samples[i - 1]!;
    const b = series.samples[i]!;
    const ta = inboundTotals(a, kind);
    const tb = inboundTotals(b, kind);
    const d = (k: keyof Totals) => (tb[k] >= ta[k] ? tb[k] - ta[k] : tb[k]);
    const seconds = Math.max(0.001, (b.at - a.at) / 1000);
    const samples = d('samples');
    const aob = b.pcs.map((p) => p.pair?.availableOutgoingBitrate).find((x) => x !== undefined);
    out.push({
      at: b.at,
      kbps: (d('bytes') * 8) / 1000 / seconds,
      packets: d('packets'),
      lost: d('lost'),
      frameHeight: tb.height,
      framesDecoded: d('frames'),
      concealedRatio: samples > 0 ? Math.min(1, d('concealed') / samples) : 0,
      fecPackets: d('fec'),
      ...(aob !== undefined ? { availableOutgoingBitrate: aob } : {}),
    });
  }
  return out;
}

/** The samples taken in [from, to] (ms, Date.now()). */
export function between(series: StatsSeries, from: number, to = Infinity): StatsSeries {
  return { ...series, samples: series.samples.filter((s) => s.at >= from && s.at <= to) };
}

/**
 * Fraction of the audio samples received in [from, to] that the decoder concealed (loss or
 * late packets), not counting silence it generated itself.
 */
export function audioConcealment(series: StatsSeries, from: number, to = Infinity): number {
  const totals = audioTotalsBetween(series, from, to);
  if (!totals) return 0;
  const [a, b] = totals;
  const samples = b.samples - a.samples;
  return samples > 0 ? Math.max(0, b.concealed - a.concealed) / samples : 0;
}

/** The audio's totals at the first and the last sample in [from, to] (none: under two). */
function audioTotalsBetween(
  series: StatsSeries,
  from: number,
  to: number,
): [Totals, Totals] | undefined {
  const inRange = between(series, from, to).samples;
  const first = inRange[0];
  const last = inRange.at(-1);
  if (!first || !last || first === last) return undefined;
  return [inboundTotals(first, 'audio'), inboundTotals(last, 'audio')];
}

/**
 * Fraction of the audio packets of [from, to] that were lost (received plus lost counted).
 * Beside `audioConcealment`: what the decoder concealed beyond it came late, not lost (its
 * jitter buffer ran dry while the packets waited in a queue).
 */
export function audioLoss(series: StatsSeries, from: number, to = Infinity): number {
  const totals = audioTotalsBetween(series, from, to);
  if (!totals) return 0;
  const [a, b] = totals;
  const lost = Math.max(0, b.lost - a.lost);
  const packets = Math.max(0, b.packets - a.packets) + lost;
  return packets > 0 ? lost / packets : 0;
}

/**
 * How long the audio of [from, to] waited in the receiver's jitter buffer on average (ms):
 * what the buffer adds to the mouth-to-ear delay. Undefined without samples emitted.
 */
export function audioBufferMs(
  series: StatsSeries,
  from: number,
  to = Infinity,
): number | undefined {
  const totals = audioTotalsBetween(series, from, to);
  if (!totals) return undefined;
  const [a, b] = totals;
  const emitted = b.emitted - a.emitted;
  return emitted > 0 ? ((b.buffered - a.buffered) / emitted) * 1000 : undefined;
}

/** Time (ms after `from`) of the first sample at or after `from` that satisfies `test`. */
export function firstAfter(
  series: StatsSeries,
  from: number,
  test: (sample: StatsSample) => boolean,
): number | undefined {
  const hit = series.samples.find((s) => s.at >= from && test(s));
  return hit ? hit.at - from : undefined;
}

/** The opus `a=fmtp` parameters of each connection's local and remote description. */
export async function opusFmtp(
  page: EvaluatingPage,
): Promise<{ pc: number; local: string[]; remote: string[] }[]> {
  return (await page.evaluate(`(() => {
    const pcs = window.__netPcs || [];
    const fmtp = (sdp) => {
      if (!sdp) return [];
      const pts = [...sdp.matchAll(/a=rtpmap:(\\d+) opus\\/48000/gi)].map((m) => m[1]);
      return pts.flatMap((pt) =>
        [...sdp.matchAll(new RegExp('a=fmtp:' + pt + ' (.*)', 'g'))].map((m) => m[1].trim()),
      );
    };
    return pcs
      .map((pc, i) => ({
        pc: i,
        state: pc.connectionState,
        local: fmtp(pc.localDescription && pc.localDescription.sdp),
        remote: fmtp(pc.remoteDescription && pc.remoteDescription.sdp),
      }))
      .filter((x) => x.state !== 'closed');
  })()`)) as { pc: number; local: string[]; remote: string[] }[];
}

/** Largest inbound video frame height in a sample (0 when no video arrives). */
export const inboundVideoHeight = (sample: StatsSample): number =>
  inboundTotals(sample, 'video').height;
