/**
 * Adaptation figures on the network rig (issue 9 item 5): a patient's Chromium behind a
 * shaped link (tests/support/netlab.ts, needs root) receives a specialist's 720p simulcast.
 * Per run and scenario:
 * - rate cut 3 Mbit/s -> 400 kbit/s, both ways and on the patient's downlink only (its
 *   uplink clean, so its NACKs and feedback reach the SFU at once): ms to a lower layer,
 *   audio concealed over the next 10 s (and in the first second) beside the audio packets
 *   lost (the rest of what was concealed came late) and how long the sound waited in the
 *   jitter buffer over the 5 s before the cut (how much lateness it could ride over), the
 *   largest frame and video rate afterwards, ms until the frame size of before is back once
 *   the link is, and
 *   when the patient saw its first loss, sent its first NACK and reported its link queueing,
 *   and what queued on its downlink (the most, when it emptied, on average once settled);
 *   the same on a link that queues up to 1 s before it drops (a mobile link's deep buffer);
 * - 150 kbit/s: ms to the audio-only notice, video and audio arriving meanwhile, ms until
 *   video and the notice are back/gone after 3 Mbit/s; and again with 3 Mbit/s back just
 *   after a trial failed (the slowest return), and during a trial (it fails under the link's
 *   return, or not);
 * - 5 % loss both ways (after all the runs above), on the large tile and on a thumbnail (the
 *   smallest layer): Opus FEC packets received, audio concealed, whether either page went
 *   audio only, the share of seconds with video decoded, and the ceilings heavy loss set;
 * - the specialist's computer too busy for its browser on a good link (held to a share of one
 *   CPU for 10 s, before the lossy link; needs a cgroup cpu controller): whether either page
 *   showed the audio-only notice, the specialist's queue reports and those the SFU acted on,
 *   the lowest ceiling on its link, its video playing and audio concealed meanwhile.
 *
 * The specialist's camera shows a camera-like moving picture and both microphones speak
 * (BENCH_CAMERA, BENCH_MICROPHONE below). The cut's time is when the rate change took effect.
 *
 *   npm run bench:adaptation   (BENCH_RUNS, default 2) -> bench/results/adaptation.json
 *   (BENCH_SERVER_LOG=<file>: the server's log too, with the SFU's decisions;
 *   BENCH_SCENARIOS=cuts,weak,loss: only some, written to adaptation-<those>.json)
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  busyComputer,
  lossyLink,
  openAdaptationRig,
  rateCut,
  weakLink,
  type BusyComputerFigures,
  type LossFigures,
  type RateCutFigures,
  type WeakLinkFigures,
} from '../tests/support/adaptation.js';
import { cameraClipFile } from '../tests/support/camera-clip.js';
import { cpuStarveAvailable } from '../tests/support/cpu-starve.js';
import { waitForFirstRemoteFrame } from '../tests/support/journey.js';
import { netLabAvailable } from '../tests/support/netlab.js';
import { speechWavFile } from '../tests/support/speech-wav.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 2);
/**
 * What the specialist's camera shows: `clip` (default), a camera-like moving picture that
 * fills the 720p layer's cap as a person before a webcam does (tests/support/camera-clip.ts),
 * or `fake`, Chromium's own flat picture, which leaves it at about half.
 */
const CAMERA = process.env.BENCH_CAMERA === 'fake' ? 'fake' : 'clip';
/** What the microphones hear: `speech` (default, tests/support/speech-wav.ts) or Chromium's `beep`. */
const MICROPHONE = process.env.BENCH_MICROPHONE === 'beep' ? 'beep' : 'speech';
const ALL_SCENARIOS = ['cuts', 'weak', 'busy', 'loss'] as const;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(',')).split(',');
const unknown = SCENARIOS.filter((s) => !(ALL_SCENARIOS as readonly string[]).includes(s));
if (unknown.length) {
  console.error(
    `BENCH_SCENARIOS: unknown ${unknown.join(', ')} (known: ${ALL_SCENARIOS.join(', ')})`,
  );
  process.exit(1);
}
const RESULTS_FILE =
  SCENARIOS.length === ALL_SCENARIOS.length
    ? 'bench/results/adaptation.json'
    : `bench/results/adaptation-${SCENARIOS.join('-')}.json`;

const available = netLabAvailable();
if (!available.ok) {
  console.error(`bench:adaptation needs the network rig: ${available.reason}`);
  process.exit(1);
}

const median = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};

const summary = (cuts: RateCutFigures[]) => ({
  medianLowerLayerMs: median(cuts.map((r) => r.lowerLayerMs)),
  medianAudioConcealed10s: median(cuts.map((r) => r.audioConcealed10s)),
  medianAudioConcealedFirstSecond: median(cuts.map((r) => r.audioConcealedFirstSecond)),
  medianAudioLost10s: median(cuts.map((r) => r.audioLost10s)),
  medianAudioBufferMsBefore: median(cuts.map((r) => r.audioBufferMsBefore)),
  maxHeightAfter: Math.max(0, ...cuts.map((r) => r.maxHeightAfter)),
  maxHeightSettled: Math.max(0, ...cuts.map((r) => r.maxHeightSettled)),
  maxVideoKbpsAfter: Math.max(0, ...cuts.map((r) => r.maxVideoKbpsAfter)),
  medianRecoveryMs: median(cuts.map((r) => r.recoveryMs)),
  medianFirstNackMs: median(cuts.map((r) => r.timeline.firstNackMs)),
  medianQueueingReportMs: median(cuts.map((r) => r.timeline.queueingReportMs)),
  medianQueueEmptiedMs: median(cuts.map((r) => r.queue.emptiedMs)),
  medianQueueSettledMs: median(cuts.map((r) => r.queue.meanSettledMs)),
  // The latest any reaction could have kept the concealment within 1 % (QueueFigures).
  medianLateBudgetMs: median(cuts.map((r) => r.queue.lateBudgetMs)),
  medianUplinkQueueMaxMs: median(cuts.map((r) => r.uplinkQueue?.maxMs ?? null)),
  runs: cuts,
});

const lossSummary = (runs: Omit<LossFigures, 'opusFmtp' | 'hostOpusFmtp'>[]) => ({
  medianFecPackets: median(runs.map((l) => l.fecPacketsReceived)),
  medianAudioConcealed: median(runs.map((l) => l.audioConcealed)),
  audioOnlyRuns: runs.filter((l) => l.audioOnly || l.hostAudioOnly).length,
  medianSmallestPictureShare: median(runs.map((l) => l.smallestPictureShare)),
  ceilingRuns: runs.filter((l) => l.lowestCeilingKbps !== null).length,
  heavyReportDecisions: runs.reduce((n, l) => n + l.heavyReportDecisions.length, 0),
  runs,
});

const rateCuts: RateCutFigures[] = [];
const downCuts: RateCutFigures[] = [];
/** The same cuts on a link that queues up to `DEEP_QUEUE_MS` before it drops. */
const deepCuts: RateCutFigures[] = [];
const deepDownCuts: RateCutFigures[] = [];
const DEEP_QUEUE_MS = 1_000;
const cuts = [
  ['both', undefined, rateCuts],
  ['down', undefined, downCuts],
  ['both', DEEP_QUEUE_MS, deepCuts],
  ['down', DEEP_QUEUE_MS, deepDownCuts],
] as const;
const weak: WeakLinkFigures[] = [];
/** The same, with the link back just after a trial failed (the slowest return). */
const weakTrial: WeakLinkFigures[] = [];
/** And with the link back during a trial. */
const weakInTrial: WeakLinkFigures[] = [];
/**
 * The specialist's computer too busy for its browser (`busyComputer`): a share of one CPU in
 * short periods (stalls of 170 ms), and in long ones (stalls of 440 ms).
 */
const BUSY = [
  { share: 0.15, periodMs: 200 },
  { share: 0.12, periodMs: 500 },
] as const;
const busy: BusyComputerFigures[] = [];
const loss: Omit<LossFigures, 'opusFmtp' | 'hostOpusFmtp'>[] = [];
const lossThumbnail: typeof loss = [];
const errors: string[] = [];
const started = Date.now();
/** The media files made for the browsers (the camera clip is some 80 MB): removed at the end. */
const madeFiles: string[] = [];
const made = async (file: Promise<string>) => {
  madeFiles.push(await file);
  return madeFiles.at(-1)!;
};
const rig = await openAdaptationRig({
  room: 'bench-adaptation',
  chromiumArgs:
    MICROPHONE === 'speech'
      ? [`--use-file-for-fake-audio-capture=${await made(speechWavFile())}`]
      : [],
  hostChromiumArgs:
    CAMERA === 'clip' ? [`--use-file-for-fake-video-capture=${await made(cameraClipFile())}`] : [],
});
try {
  await Promise.all([waitForFirstRemoteFrame(rig.host), waitForFirstRemoteFrame(rig.patient)]);
  for (let run = 1; run <= RUNS; run++) {
    // A scenario whose link never got congested (a starved machine) is recorded as such.
    for (const [direction, queueMs, into] of SCENARIOS.includes('cuts') ? cuts : []) {
      const label = `run ${run} rate cut (${direction}${queueMs ? `, ${queueMs} ms queue` : ''})`;
      const r = await rateCut(rig, 400, {
        direction,
        ...(queueMs ? { queueMs } : {}),
        ...(CAMERA === 'clip' ? { minKbpsBefore: 800 } : {}),
      }).catch((err: unknown) => ({
        error: String(err),
      }));
      if ('error' in r) errors.push(`${label}: ${r.error}`);
      else if (
        r.lowerLayerMs !== null &&
        [r.timeline.firstLossMs, r.timeline.queueingReportMs].every(
          (signal) => signal === null || r.lowerLayerMs! < signal,
        )
      ) {
        // A smaller layer before anything was lost or reported: the SFU switched for its own
        // reasons (an estimate that dipped on the good link of a busy machine), not for the cut.
        errors.push(`${label}: switched before the cut congested`);
      } else into.push(r);
      console.log(label, r);
    }
    if (!SCENARIOS.includes('weak')) continue;
    const w = await weakLink(rig, 150).catch((err: unknown) => ({ error: String(err) }));
    if ('error' in w) errors.push(`run ${run} 150 kbit/s: ${w.error}`);
    else weak.push(w);
    console.log(`run ${run} 150 kbit/s`, w);
    for (const [returnAt, into, label] of [
      ['failed', weakTrial, 'back after a failed trial'],
      ['started', weakInTrial, 'back during a trial'],
    ] as const) {
      const t = await weakLink(rig, 150, { holdMs: 10_000, returnAt }).catch((err: unknown) => ({
        error: String(err),
      }));
      if ('error' in t) errors.push(`run ${run} 150 kbit/s, ${label}: ${t.error}`);
      else into.push(t);
      console.log(`run ${run} 150 kbit/s, ${label}`, t);
    }
  }
  const busyAvailable = cpuStarveAvailable();
  if (SCENARIOS.includes('busy') && !busyAvailable.ok) {
    errors.push(`busy computer: not run (${busyAvailable.reason})`);
  }
  for (let run = 1; run <= (SCENARIOS.includes('busy') && busyAvailable.ok ? RUNS : 0); run++) {
    for (const pattern of BUSY) {
      const label = `run ${run} busy computer (${pattern.share * 100} % of a CPU, ${pattern.periodMs} ms periods)`;
      const b = await busyComputer(rig, { ...pattern, seconds: 10 }).catch((err: unknown) => ({
        error: String(err),
      }));
      if ('error' in b) errors.push(`${label}: ${b.error}`);
      else busy.push(b);
      console.log(label, b);
    }
  }
  // The lossy link last: after it the SFU takes its time to trust the link with 720p again
  // (a link that lost packets lately gets no more than 2.5 times its estimate for 30 s), and
  // a cut after it waited out that climb, or found too little arriving to congest the link.
  // Each run on the large tile, then on a thumbnail (the smallest layer's few packets a read).
  for (let run = 1; run <= (SCENARIOS.includes('loss') ? RUNS : 0); run++) {
    for (const [thumbnail, into] of [
      [false, loss],
      [true, lossThumbnail],
    ] as const) {
      const {
        opusFmtp: _a,
        hostOpusFmtp: _b,
        ...l
      } = await lossyLink(rig, 0.05, 15, {
        thumbnail,
      });
      into.push(l);
      console.log(`run ${run} 5 % loss${thumbnail ? ', thumbnail' : ''}`, l);
    }
  }
} finally {
  // The SFU's decisions behind the figures (debug level), when asked for.
  if (process.env.BENCH_SERVER_LOG)
    await writeFile(process.env.BENCH_SERVER_LOG, rig.server.output());
  await rig.close();
  for (const file of madeFiles) await rm(path.dirname(file), { recursive: true, force: true });
}

const result = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, load: os.loadavg() },
  runs: RUNS,
  camera: CAMERA,
  microphone: MICROPHONE,
  seconds: Math.round((Date.now() - started) / 1000),
  errors,
  rateCut400: summary(rateCuts),
  rateCut400DownlinkOnly: summary(downCuts),
  rateCut400DeepQueue: summary(deepCuts),
  rateCut400DeepQueueDownlinkOnly: summary(deepDownCuts),
  weak150: {
    medianNoticeMs: median(weak.map((w) => w.noticeMs)),
    medianVideoBackMs: median(weak.map((w) => w.videoBackMs)),
    medianNoticeGoneMs: median(weak.map((w) => w.noticeGoneMs)),
    runs: weak,
  },
  weak150BackAfterFailedTrial: {
    medianNoticeGoneMs: median(weakTrial.map((w) => w.noticeGoneMs)),
    runs: weakTrial,
  },
  weak150BackDuringTrial: {
    medianNoticeGoneMs: median(weakInTrial.map((w) => w.noticeGoneMs)),
    runs: weakInTrial,
  },
  busyComputer: {
    audioOnlyRuns: busy.filter((b) => b.hostAudioOnly || b.patientAudioOnly).length,
    judgedQueueReports: busy.reduce((n, b) => n + b.hostQueueReportsJudged, 0),
    medianHostVideoPlaying: median(busy.map((b) => b.hostVideoPlaying)),
    runs: busy,
  },
  loss5: lossSummary(loss),
  loss5Thumbnail: lossSummary(lossThumbnail),
};
await mkdir('bench/results', { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  JSON.stringify(
    {
      ...result,
      rateCut400: { ...result.rateCut400, runs: undefined },
      rateCut400DownlinkOnly: { ...result.rateCut400DownlinkOnly, runs: undefined },
      rateCut400DeepQueue: { ...result.rateCut400DeepQueue, runs: undefined },
      rateCut400DeepQueueDownlinkOnly: {
        ...result.rateCut400DeepQueueDownlinkOnly,
        runs: undefined,
      },
      busyComputer: { ...result.busyComputer, runs: undefined },
      loss5: { ...result.loss5, runs: undefined },
      loss5Thumbnail: { ...result.loss5Thumbnail, runs: undefined },
    },
    null,
    2,
  ),
);
process.exit(0);
