import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_LAYERS, cameraLayerHeight } from '@samkons/shared';
import { DEFAULT_DOWNLINK_POLICY } from '../../server/src/sfu/downlink-policy.js';
import {
  downlinkLog,
  lateStepThenCut,
  lossyLink,
  openAdaptationRig,
  peerIdOf,
  rateCut,
  watchNotice,
  weakLink,
  TOP_LAYER_HEIGHT,
  type AdaptationRig,
  type DownlinkLogLine,
} from '../support/adaptation.js';
import { waitForFirstRemoteFrame } from '../support/journey.js';
import { netLabAvailable, queueCapacityMs } from '../support/netlab.js';
import { readStats, saveStats } from '../support/stats-sampler.js';
import { screenshotAtSizes } from '../support/screens.js';

/*
 * Adaptation on a shaped link (issue 9 item 5), real server, worker and Chromium: the
 * patient's browser sits behind tests/support/netlab.ts while the specialist sends 720p.
 * What the patient gets is judged from its own getStats (frames decoded, their size, audio
 * arriving and concealed), with bounds generous enough for a loaded 2-core machine;
 * `npm run bench:adaptation` keeps the figures (switch times, concealment, recovery).
 */

const available = netLabAvailable();
if (!available.ok) console.warn(`adaptation e2e not run: ${available.reason}`);

const ARTEFACTS = 'test-results/adaptation';

/** The 720p layer's cap (bit/s). */
const LAYER_720P_BPS = CAMERA_LAYERS[2].maxBitrate;

/**
 * Whether the SFU's own estimate (not a queue report) lowered the ceiling under what 720p
 * needs (`LAYER_720P_BPS`) before `time`, and after `since`. Downlink only it may: its
 * transport-cc feedback crosses the clean uplink at once. A queue report that follows finds
 * the SFU already sending less than before, and is then no count of a busy link.
 */
function estimateLowered(decisions: DownlinkLogLine[], time: number, since = -Infinity): boolean {
  return decisions.some(
    (d) =>
      d.by !== 'queueing' &&
      d.time < time &&
      d.time > since &&
      (d.ceiling ?? Infinity) < LAYER_720P_BPS,
  );
}

describe.runIf(available.ok)('adaptation to the patient’s link', () => {
  let rig: AdaptationRig;

  beforeAll(async () => {
    await rm(ARTEFACTS, { recursive: true, force: true });
    await mkdir(ARTEFACTS, { recursive: true });
    // The downlink adapter's decisions (ceiling, layer ceiling, mode, estimate, loss) go to
    // server.log at debug level: what to read when a bound is missed.
    rig = await openAdaptationRig({ room: 'e2e-adaptation' });
    await Promise.all([
      waitForFirstRemoteFrame(rig.host, 60_000),
      waitForFirstRemoteFrame(rig.patient, 60_000),
    ]);
  }, 120_000);

  afterAll(async () => {
    if (rig) {
      await saveStats(`${ARTEFACTS}/patient-stats.json`, await readStats(rig.patient));
      await saveStats(`${ARTEFACTS}/host-stats.json`, await readStats(rig.host));
      await writeFile(`${ARTEFACTS}/server.log`, rig.server.output());
      // What the patient's browser told of its link queueing, onsets included (the server logs
      // only the reports it weighed).
      await writeFile(`${ARTEFACTS}/queue-reports.json`, JSON.stringify(rig.queueReports, null, 1));
    }
    await rig?.close();
  });

  it('drops to a smaller picture on a 400 kbit/s link, keeps the sound, and does not climb back above it', async () => {
    const hostPeer = await peerIdOf(rig.patient, 'Spesialist Sol');
    const start = Date.now();
    const f = await rateCut(rig, 400, { holdMs: 12_000, recoveryTimeoutMs: 0 });
    await writeFile(`${ARTEFACTS}/rate-cut.json`, JSON.stringify(f, null, 1));
    expect(f.heightBefore).toBeGreaterThanOrEqual(TOP_LAYER_HEIGHT);
    // A smaller layer within seconds (the issue's 1 s: a figure of the bench).
    expect(f.lowerLayerMs).not.toBeNull();
    expect(f.lowerLayerMs!).toBeLessThan(6_000);
    // Once the switch has arrived, no 720p while the link is 400 kbit/s (720p needs 1.2
    // Mbit/s: sent anyway, it would freeze and crowd out the sound).
    expect(f.maxHeightSettled).toBeGreaterThan(0);
    expect(f.maxHeightSettled).toBeLessThan(TOP_LAYER_HEIGHT);
    // The smaller picture is one of the camera table's layers (@samkons/shared): the client
    // encodes them from it, and the SFU fits them under its ceiling by the caps it reads back.
    expect(CAMERA_LAYERS.map(cameraLayerHeight)).toContain(f.maxHeightSettled);
    // And the smaller picture plays: frames decoded in most seconds.
    expect(f.playingSettled).toBeGreaterThan(0.7);
    // The sound keeps coming: some in every second, and little concealed (the issue's 1 %
    // is a figure of the bench).
    expect(f.minAudioPacketsPerSecond).toBeGreaterThan(10);
    expect(f.audioConcealed10s).toBeLessThan(0.1);
    // Nor late for long: the link's queue (the kernel's, read every 100 ms) empties while the
    // link is still cut, and stays empty (1.5 s after the cut measured).
    expect(f.queue.emptiedMs, JSON.stringify(f.queue)).not.toBeNull();
    expect(f.queue.emptiedMs!, JSON.stringify(f.queue)).toBeLessThan(6_000);
    expect(f.queue.meanSettledMs, JSON.stringify(f.queue)).toBeLessThan(100);
    // The specialist's link is good. The patient's cut uplink leaves gaps in the patient's
    // video as it reaches the specialist, which its browser reports lost, but they are not the
    // specialist's link's loss: its downlink is never judged lossy, and it keeps its video.
    const lossy = downlinkLog(rig, start).filter(
      (d) => d.peer === hostPeer && (d.loss ?? 0) >= 0.1,
    );
    expect(lossy).toEqual([]);
    // Nor is its video paused on its reports of the patient's audio arriving late when its
    // own count shows its link delivering what the SFU sent (the patient's uplink queued).
    const delivering = downlinkLog(rig, start).filter(
      (d) =>
        d.peer === hostPeer &&
        d.by === 'queueing' &&
        d.received !== undefined &&
        d.sent !== undefined &&
        d.received >= d.sent * 0.8,
    );
    expect(delivering).toEqual([]);
    expect(f.hostAudioOnly).toBe(false);
    // The patient's link was counted carrying what it delivered while it queued. For the rest
    // of the cut (12 s, within the count's 15 s), the ceiling rises no higher than that count
    // put it, however the estimate, blind behind the patient's full uplink, presses: no
    // probing above what the link carries.
    const patientPeer = await peerIdOf(rig.host, 'Pasient Pål');
    const reports = downlinkLog(rig, start, 'queue report').filter((r) => r.peer === patientPeer);
    const counts = reports.filter((r) => r.carried !== undefined);
    if (counts.length === 0) {
      // Or the SFU's own estimate fell first (its transport-cc feedback came through, in a CI
      // run the ceiling was at 393 kbit/s 0.54 s after the cut), and the reports then found it
      // sending no more than arrived: nothing to count, and the ceiling is already the link's.
      const decisions = downlinkLog(rig, start).filter((d) => d.peer === patientPeer);
      const fellFirst = estimateLowered(decisions, reports[0]?.time ?? Infinity);
      expect(fellFirst, JSON.stringify(reports)).toBe(true);
      return;
    }
    const counted = downlinkLog(rig, counts[0]!.time - 1).filter(
      (d) => d.peer === patientPeer && d.mode === 'video' && d.time < counts[0]!.time + 10_000,
    );
    for (const d of counted) {
      const count = counts.filter((c) => c.time <= d.time).at(-1)!;
      expect(d.ceiling ?? Infinity, JSON.stringify({ d, count })).toBeLessThanOrEqual(
        Math.max(300_000, count.carried! * 1.25) + 1,
      );
    }
  }, 90_000);

  it('finds its downlink queueing before it loses packets, and holds video back at once', async () => {
    // The receiver's own link alone: its word reaches the SFU at once (its uplink is clean).
    const start = Date.now();
    const f = await rateCut(rig, 400, { direction: 'down', holdMs: 8_000, recoveryTimeoutMs: 0 });
    await writeFile(`${ARTEFACTS}/rate-cut-down.json`, JSON.stringify(f, null, 1));
    // The patient's browser said so on its socket (media/queueing.ts), within a second or so
    // of the cut (0.3-0.4 s measured; the SFU's NACK-based reaction came at 0.4-0.9 s).
    expect(f.timeline.queueingReportMs).not.toBeNull();
    expect(f.timeline.queueingReportMs!).toBeLessThan(2_500);
    // The browser tells a queue provisionally (client/src/media/queueing.ts: the lateness held
    // 150 ms and rising, not yet 300), once per queue, after the onset its count runs from and
    // before the confirmed report. Measured: the first word of this cut was the provisional
    // one in 8 of 8 cuts (the onset 0.31-0.40 s after the cut, the report 0.56-0.65 s); both
    // ways, its reads held up behind the full uplink, the confirmed one came first once in 3,
    // so the order is asserted over the reports of every cut so far.
    const told = rig.queueReports;
    const provisional = told.filter((r) => r.type === 'provisional');
    expect(provisional.length).toBeGreaterThan(0);
    for (const p of provisional) {
      expect(told.slice(0, told.indexOf(p)).at(-1)?.type).toBe('onset');
    }
    // With what arrived since the lateness began: the link's 400 kbit/s (less its headers),
    // not the 0.8-1.7 Mbit/s the SFU was sending into it (364-374 kbit/s measured). The SFU
    // goes audio only at once on such a count under 200 kbit/s (downlink.test.ts).
    expect(f.timeline.queueingReceivedBps).toBeGreaterThan(250_000);
    expect(f.timeline.queueingReceivedBps).toBeLessThan(450_000);
    // And the SFU acted on it: a smaller picture, no 720p once switched, the sound on.
    expect(f.lowerLayerMs).not.toBeNull();
    expect(f.lowerLayerMs!).toBeLessThan(6_000);
    expect(f.maxHeightSettled).toBeGreaterThan(0);
    expect(f.maxHeightSettled).toBeLessThan(TOP_LAYER_HEIGHT);
    expect(f.minAudioPacketsPerSecond).toBeGreaterThan(10);
    const patientPeer = await peerIdOf(rig.host, 'Pasient Pål');
    // The SFU weighed each report against what it sent since the onset (the report's count),
    // whichever path lowered the picture first.
    const reports = downlinkLog(rig, start, 'queue report').filter((d) => d.peer === patientPeer);
    const log = JSON.stringify(reports);
    expect(reports.length, log).toBeGreaterThan(0);
    expect(
      reports.some((d) => d.received !== undefined && d.sent !== undefined),
      log,
    ).toBe(true);
    // A report whose count the SFU takes for what the link carries (the link was busy: it
    // delivered under half of what was sent, transport-cc found it losing, or the SFU kept
    // sending as before and less arrived) sets the ceiling at once near that count (1.25 times
    // it, or the 300 kbit/s minimum), not at the estimate the link had before the cut (2
    // Mbit/s and more): no probing far above the link while the smallest layer's key frame
    // crosses it. (Measured: 435-484 kbit/s. A report may also find the SFU sending less
    // already, its estimate fallen: that one leaves the ceiling to the estimate.)
    const patientDecisions = downlinkLog(rig, start).filter((d) => d.peer === patientPeer);
    for (const d of patientDecisions.filter(
      (x) => x.by === 'queueing' && x.carried !== undefined,
    )) {
      expect(d.ceiling, log).toBeLessThanOrEqual(Math.max(300_000, d.carried! * 1.25) + 1);
    }
    // Which path lowered the picture first: downlink only, the SFU's own estimate may, its
    // transport-cc feedback crossing the clean uplink at once. In a CI run the picture shrank
    // 0.59 s after the cut, before the report, which then found the SFU sending half of before
    // and was not judged (the both-ways cut asserts the report's path too).
    const loweredFirst =
      f.lowerLayerMs! <= f.timeline.queueingReportMs! ||
      estimateLowered(patientDecisions, reports[0]!.time, reports[0]!.time - 1_500);
    if (!loweredFirst) {
      // The report's path: the SFU acted on it, and held the video back while the queue drained.
      expect(
        patientDecisions.some((d) => d.by === 'queueing'),
        JSON.stringify(patientDecisions),
      ).toBe(true);
      // Once the queue drained, the smallest layer's key frame comes at the first request: the
      // layer changed while the video was paused, so nothing was asked of the sender at the
      // pause, which it would have held against the resume's request (libwebrtc answers one
      // per 300 ms, the drain's length), and mediasoup asks again only after 1 s. Measured: the
      // layer switched 45-120 ms after the drain (before: 1.03-1.06 s in 2 of 4 cuts).
      const drained = patientDecisions.find(
        (d, i) => d.drain === false && patientDecisions[i - 1]?.drain === true,
      );
      expect(drained, JSON.stringify(patientDecisions)).toBeDefined();
      const layers = downlinkLog(rig, drained!.time - 1, 'layers').filter(
        (d) => d.peer === patientPeer,
      );
      const switched = layers.find((d) => d.spatialLayer !== null);
      expect(switched, JSON.stringify(layers)).toBeDefined();
      expect(switched!.time - drained!.time, JSON.stringify(layers)).toBeLessThan(700);
    }
  }, 90_000);

  it('finds a cut that comes while the sound already arrives late by a step', async () => {
    const patientPeer = await peerIdOf(rig.host, 'Pasient Pål');
    const f = await lateStepThenCut(rig);
    await writeFile(`${ARTEFACTS}/late-step.json`, JSON.stringify(f, null, 1));
    const told = JSON.stringify(rig.queueReports.filter((r) => r.at >= f.stepAt));
    // The step is reported: a queue to the detector, all it sees is lateness (0.29-0.63 s
    // after the step in probes).
    expect(f.stepReport, told).toBeDefined();
    expect(f.stepReport!.at, told).toBeLessThan(f.cutAt);
    // ...and the SFU does not take it for this link's: what arrived matched what it sent.
    const stepDecisions = downlinkLog(rig, f.stepAt).filter(
      (d) => d.peer === patientPeer && d.by === 'queueing' && d.time < f.cutAt,
    );
    expect(stepDecisions, JSON.stringify(stepDecisions)).toEqual([]);
    // The cut's queue rises on top of the step, and is reported again within seconds (0.5-1.9
    // s measured), with what the link carried: 400 kbit/s less headers (367-386 kbit/s), not
    // what the SFU sent into it. Before, the step's report hid the cut: no second report.
    expect(f.cutReport, told).toBeDefined();
    expect(f.cutReport!.at - f.cutAt, told).toBeLessThan(3_000);
    expect(f.cutReport!.receivedBps, told).toBeGreaterThan(250_000);
    expect(f.cutReport!.receivedBps, told).toBeLessThan(450_000);
    const decisions = downlinkLog(rig, f.cutAt).filter((d) => d.peer === patientPeer);
    const reports = downlinkLog(rig, f.cutAt, 'queue report').filter((d) => d.peer === patientPeer);
    const log = JSON.stringify({ decisions, reports });
    expect(reports.length, log).toBeGreaterThan(0);
    // Whichever path lowered the picture, a report the SFU took for what the link carries
    // sets the ceiling near that count (the count 1.25 times, or the 300 kbit/s minimum:
    // 459-463 kbit/s measured), not at the 2 Mbit/s of before the cut.
    const counted = decisions.filter((d) => d.by === 'queueing' && d.carried !== undefined);
    for (const d of counted) {
      expect(d.ceiling, JSON.stringify(d)).toBeLessThanOrEqual(
        Math.max(300_000, d.carried! * 1.25) + 1,
      );
    }
    // Downlink only, the SFU's own estimate may lower the picture first: its transport-cc
    // feedback crosses the clean uplink at once, and the report, rising on top of the step,
    // came 0.8 s after the cut in an e2e run. What that report then finds varies: the SFU
    // already sending about what arrives (349 of 356 kbit/s), or, provisional and counting
    // from the queue's onset before the estimate fell, still more (494 of 366 kbit/s in a CI
    // run, set aside; the confirmed one 200 ms later was counted, 354 kbit/s). Either way the
    // bound above holds and the picture gets smaller.
    if (estimateLowered(decisions, reports[0]!.time)) {
      expect(f.smallerAt, log).toBeDefined();
      return;
    }
    // The report's path: the SFU takes that count for what the link carries.
    expect(counted.length, log).toBeGreaterThan(0);
    // The SFU held the video back while the link's queue drained (200 ms: 205-207 ms in the
    // server's log), then sent the smallest layer. The link's queue was still draining as the
    // video resumed, but nothing is sent until the sender's key frame comes (42-178 ms), and
    // that key frame crossed the link: the picture got smaller on the patient's screen some
    // 0.2 s after the switch. A key frame lost in the queue waits for mediasoup's next request,
    // a second later.
    const paused = decisions.find((d) => d.drain === true);
    const resumed = paused && decisions.find((d) => d.time >= paused.time && d.drain === false);
    expect(resumed, log).toBeDefined();
    expect(resumed!.time - paused!.time, log).toBeLessThan(400);
    const layers = downlinkLog(rig, resumed!.time - 1, 'layers').filter(
      (d) => d.peer === patientPeer,
    );
    const switched = layers.find((d) => d.spatialLayer !== null);
    expect(switched, JSON.stringify(layers)).toBeDefined();
    expect(switched!.time - resumed!.time, JSON.stringify(layers)).toBeLessThan(700);
    expect(f.smallerAt).toBeDefined();
    expect(f.smallerAt! - switched!.time).toBeLessThan(1_000);
  }, 60_000);

  it('on a mobile link that queues a second before it drops, holds video back before anything is lost and brings the sound back on time', async () => {
    // Mobile links buffer deeply (bufferbloat): cut to 400 kbit/s, the link queues up to 1 s
    // of what the SFU sends before it drops a packet, and the sound behind it comes that late.
    // Loss, the SFU's other word of a fall, comes late (1.3-1.6 s after the cut measured): the
    // receiver's queue report is what the SFU acts on. Downlink only: its word crosses a clean
    // uplink (both ways, it waits up to 1 s in the patient's own queue; the bench has both).
    const patientPeer = await peerIdOf(rig.host, 'Pasient Pål');
    const start = Date.now();
    const f = await rateCut(rig, 400, {
      direction: 'down',
      queueMs: 1_000,
      holdMs: 10_000,
      recoveryTimeoutMs: 0,
      // Video at 550 kbit/s or more before the cut, 1.5 times the link with the audio: a cut
      // that overloads the link only a little fills its queue too slowly to test a deep one.
      // Here once 720p was sent at 400 kbit/s (a loaded machine encodes fewer frames), and the
      // queue was at 316 ms when the SFU held video back, 1.26 s after the cut.
      minKbpsBefore: 550,
    });
    await writeFile(`${ARTEFACTS}/rate-cut-deep-queue.json`, JSON.stringify(f, null, 1));
    const decisions = downlinkLog(rig, start).filter((d) => d.peer === patientPeer);
    const log = JSON.stringify({ decisions, f });
    // The link queued deeper than the rig's usual queue can hold at this rate (330 ms: its
    // 250 ms and tbf's bucket; the usual cut peaks at 315-327 ms), so the sound came later
    // than any wired line here would let it... Not "over half a second": how deep it gets
    // depends on what the SFU sent before the cut and how soon it held video back. Once in
    // CI it sent 690 kbit/s, held back 413 ms after the cut, and the queue peaked at 439 ms.
    expect(f.queue.maxMs, log).toBeGreaterThan(queueCapacityMs(400));
    // ...and the SFU acted before the patient had lost a single packet (the first loss 1.3-1.6
    // s after the cut with the bench's camera; with this flat one nothing was lost at all). It
    // held the video back on the patient's word (0.3-0.7 s after the cut), or its own estimate
    // fell under what it sent before the cut first (downlink only, transport-cc's feedback
    // crosses a clean uplink), and mediasoup sent a smaller layer by itself: once here the
    // estimate fell to 325 kbit/s 0.4 s after the cut, the picture got smaller at 0.7 s, and
    // the patient's report then found the SFU sending less already (nothing to hold back).
    const firstLossMs = f.timeline.firstLossMs ?? Infinity;
    const paused = decisions.find((d) => d.drain === true);
    const estimateFell = decisions.find(
      (d) => d.by === 'bwe' && d.time > f.cutAt && (d.bwe ?? Infinity) < f.kbpsBefore * 1000,
    );
    const heldOnReport = paused !== undefined && paused.time < (estimateFell?.time ?? Infinity);
    if (heldOnReport) {
      expect(paused.by, log).toBe('queueing');
      expect(paused.time - f.cutAt, log).toBeLessThan(firstLossMs);
    } else {
      expect(estimateFell, log).toBeDefined();
      expect(f.lowerLayerMs ?? Infinity, log).toBeLessThan(firstLossMs);
    }
    // The smaller picture, and never 720p again while the link is cut.
    expect(f.lowerLayerMs, log).not.toBeNull();
    expect(f.lowerLayerMs!, log).toBeLessThan(6_000);
    expect(f.maxHeightSettled, log).toBeGreaterThan(0);
    expect(f.maxHeightSettled, log).toBeLessThan(TOP_LAYER_HEIGHT);
    // Nor a layer larger than the link was counted carrying, while that count holds (15 s),
    // though the ceiling probes up to 1.25 times it: a deep queue's count came out at 412
    // kbit/s, and 360p (500 kbit/s) queued and was lost. A count comes unless the SFU's own
    // estimate came first: once in CI its ceiling fell to 449 kbit/s 0.35 s after the cut, and
    // the report 0.3 s later found it sending 480 kbit/s (810 before) and 365 arriving, which
    // is no count of a busy link. The smaller picture then came 0.85 s after the cut, and the
    // estimate kept it at 360p.
    const counts = downlinkLog(rig, start, 'queue report').filter(
      (r) => r.peer === patientPeer && r.carried !== undefined,
    );
    if (heldOnReport && !estimateLowered(decisions, paused.time)) {
      expect(counts.length, log).toBeGreaterThan(0);
    }
    const counted = counts[0]?.time ?? Infinity;
    for (const d of decisions.filter((x) => x.mode === 'video' && x.time >= counted)) {
      const count = counts.filter((c) => c.time <= d.time).at(-1)!;
      expect(d.layerCeiling ?? Infinity, log).toBeLessThanOrEqual(count.carried!);
    }
    // The SFU now sends less than the link carries: its queue empties while the link is still
    // cut, and the sound is on time again (2.6-4.8 s after the cut measured, the queue
    // draining behind the smallest layer), and stays so.
    expect(f.queue.emptiedMs, log).not.toBeNull();
    expect(f.queue.emptiedMs!, log).toBeLessThan(8_000);
    expect(f.queue.meanSettledMs, log).toBeLessThan(300);
    expect(f.minAudioPacketsPerSecond, log).toBeGreaterThan(10);
  }, 90_000);

  it('goes audio-only with the notice at 150 kbit/s, and brings video back once the link is good, even just after a trial failed', async () => {
    // (The watcher that tells the bench whether the specialist's page showed the notice in a
    // 400 kbit/s cut sees a notice shown.)
    const noticeSeen = await watchNotice(rig.patient);
    const f = await weakLink(rig, 150, {
      holdAfterNoticeMs: 6_000,
      // Back just after a trial failed: the slowest return there is (see the bound below).
      returnAt: 'failed',
      // What the patient sees, on a laptop, a tablet and a phone.
      onNotice: (page) =>
        screenshotAtSizes(
          page,
          ({ width, height }) => `${ARTEFACTS}/weak-link-notice-${width}x${height}.png`,
        ),
    });
    await writeFile(`${ARTEFACTS}/weak-link.json`, JSON.stringify(f, null, 1));
    expect(f.noticeMs).not.toBeNull();
    expect(await noticeSeen()).toBe(true);
    expect(f.noticeMs!).toBeLessThan(8_000);
    // The patient's browser counted what its link delivered while it queued: less than video
    // needs beside the audio (109-144 kbit/s measured), the count on which the SFU goes audio
    // only at once, before any receiver report says the smallest layer starves.
    expect(f.queueingReceivedBps).not.toBeNull();
    expect(f.queueingReceivedBps!).toBeLessThan(200_000);
    // Audio only: next to no video (short trials let the smallest layer through now and then
    // to see whether the link is back), the sound still arriving.
    expect(f.videoKbpsWhileAudioOnly).toBeLessThan(100);
    expect(f.returnedAt).toBe('failed');
    expect(f.audioPacketsPerSecond).toBeGreaterThan(10);
    // Video shown again (the notice gone) within seconds of the link's return; frames decoded
    // before that belong to the trials, which the person does not see. The issue's 5 s is a
    // figure of the bench. Back just after a trial failed, the next trial waits the longest
    // spacing (2.5 s, `trialEveryMaxMs`) and brings video back once the estimate has held
    // 0.4 s over two estimates, or at its end (1.5 s, `trialLengthMs`) when it lost nothing:
    // 3.5-4 s, plus the notice's way to the page (with 3.5 s and 2 s, 8.7 s was seen once at
    // load 18, with the return at a random moment). 10 s leaves room for a loaded machine and
    // one more trial that fails on the link just back; video back only two trials later fails.
    expect(f.noticeGoneMs).not.toBeNull();
    expect(f.noticeGoneMs!).toBeLessThan(10_000);
    expect(f.videoBackMs).not.toBeNull();
  }, 90_000);

  it('tries again at once when the link comes back during a trial that then fails', async () => {
    const patientPeer = await peerIdOf(rig.host, 'Pasient Pål');
    const f = await weakLink(rig, 150, { holdMs: 3_000, returnAt: 'started' });
    await writeFile(`${ARTEFACTS}/weak-link-trial.json`, JSON.stringify(f, null, 1));
    expect(f.returnedAt).toBe('started');
    expect(f.noticeGoneMs).not.toBeNull();
    expect(f.noticeGoneMs!).toBeLessThan(10_000);
    // The trial the link came back under (0.8 s into it) fails, as a rule: the estimate, low on
    // the weak link, climbs too slowly to be up by its end (measured: 107-121 kbit/s 0.1-0.9 s
    // after the return). It is up a moment later, though, at what a trial needs (200 kbit/s and
    // more), where audio alone cannot lift it: two such estimates over 0.8 s
    // (`trialAgainHeldMs`) start the next trial at once, not after the 2.5 s wait (video was
    // shown again 4.5-4.9 s after such a return; the bench keeps the figures). The SFU logs
    // every estimate while audio only.
    const since = f.restoredAt - 2_000;
    const modes = downlinkLog(rig, since).filter((d) => d.peer === patientPeer);
    const estimates = downlinkLog(rig, since, 'estimate').filter((d) => d.peer === patientPeer);
    const failures = modes.filter(
      (d, i) => d.time >= f.restoredAt && d.mode === 'audio-only' && modes[i - 1]?.mode === 'trial',
    );
    // Or the trial held under the link's return: video shown again at once.
    if (failures.length === 0) expect(f.noticeGoneMs!).toBeLessThan(2_500);
    for (const failure of failures) {
      const next = modes.find((d) => d.time > failure.time && d.mode === 'trial');
      const log = JSON.stringify({ failure, next, estimates });
      expect(next, log).toBeDefined();
      let held: { since: number; count: number } | undefined;
      let tryAgainAt: number | undefined;
      for (const e of estimates.filter((x) => x.time > failure.time && x.time <= next!.time)) {
        if (e.bwe! < 200_000) held = undefined;
        else {
          held ??= { since: e.time, count: 0 };
          held.count++;
          if (held.count >= 2 && e.time - held.since >= 800) tryAgainAt ??= e.time;
        }
      }
      if (tryAgainAt !== undefined) expect(next!.time - tryAgainAt, log).toBeLessThan(100);
      console.info(
        `back during a trial: trial failed ${failure.time - f.restoredAt} ms after the return, ` +
          `the next ${next!.time - failure.time} ms later (estimates up and held: ` +
          `${tryAgainAt === undefined ? 'no' : `${tryAgainAt - failure.time} ms`})`,
      );
    }
  }, 90_000);

  it('keeps the video and the sound on a link that loses 5 % at random', async () => {
    const f = await lossyLink(rig, 0.05, 10);
    await writeFile(`${ARTEFACTS}/loss.json`, JSON.stringify(f, null, 1));
    // Random loss is no link too weak for video: neither page goes audio only (a queue report
    // counted on a lossy link must not be taken for a busy one), and the picture plays.
    expect(f.audioOnly).toBe(false);
    expect(f.hostAudioOnly).toBe(false);
    expect(f.videoPlaying).toBeGreaterThan(0.7);
    // And little of the sound is concealed (1.1-1.9 % over 15 s in the bench, 2.9 % over
    // these 10 s; tests/e2e/audio-fec.test.ts weighs Opus's in-band FEC, which takes some
    // seconds of loss to begin).
    expect(f.audioConcealed).toBeLessThan(0.1);
  }, 90_000);

  it('does not take 5 % random loss for a link giving way on a thumbnail tile (the smallest layer’s few packets)', async () => {
    const f = await lossyLink(rig, 0.05, 10, { thumbnail: true });
    await writeFile(`${ARTEFACTS}/loss-thumbnail.json`, JSON.stringify(f, null, 1));
    // Each of the SFU's loss reads weighs some 10-20 packets of the smallest layer: a couple
    // resent among them, or reported lost since the receiver's report before, is 10 % and
    // more by chance. Before resends were weighed against chance, that was heavy loss, and the
    // ceiling fell to its minimum (2 of 2 runs). Before the reports were weighed too, and the
    // odds asked were one in a thousand, it still did at times (5 of 15 runs on the way; since,
    // 2 CI runs): the receiver's counts now ask one in ten thousand. The decision that set the
    // lowest ceiling, with the counts it weighed, is in the message.
    expect(f.lowestCeilingKbps ?? Infinity, JSON.stringify(f)).toBeGreaterThan(
      DEFAULT_DOWNLINK_POLICY.minCeilingBps / 1000,
    );
    // The reports themselves, as the SFU weighed them: none counted heavy loss in a decision
    // (a short report reads 10-23 % here; weighed over 1.5 s and against chance, it is 5 %).
    expect(f.heavyReportDecisions).toEqual([]);
    expect(f.audioOnly).toBe(false);
    expect(f.hostAudioOnly).toBe(false);
    expect(f.videoPlaying).toBeGreaterThan(0.7);
  }, 90_000);
});
