import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser as PuppeteerBrowser, Page as PuppeteerPage } from 'puppeteer-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_LAYERS } from '@samkons/shared';
import { QueueingDetector, type ArrivalSample } from '../../client/src/media/queueing.js';
import { launchChromium } from '../support/browser.js';
import { admitFromLobby, bookCall, callJoined, openCall } from '../support/call.js';
import { buildClient } from '../support/client-build.js';
import { defaultRouteAddress, FIREFOX_PATH, launchFirefox } from '../support/firefox.js';
import type { MediaStat } from '../support/journey.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  readStats,
  saveStats,
  statsSamplerScript,
  type EvaluatingPage,
  type StatsSeries,
} from '../support/stats-sampler.js';

/**
 * Chromium and Firefox ESR in one booked consultation: the specialist in Chromium, the
 * patient in Firefox (Debian firefox-esr over WebDriver BiDi, fake camera and microphone).
 * Media both ways, checked where it plays: frames decoded and sound energy in the remote
 * audio on each side. And Firefox sends its camera's simulcast layers within their caps
 * (client/src/media/session.ts), measured per rid where they arrive: the SFU's producer.
 *
 * The server runs in this process so the test can read that producer. Its media listen on
 * the machine's own address: Firefox gathers no loopback candidates and pairs none with a
 * loopback server candidate, so it never reaches an SFU that announces 127.0.0.1.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/firefox-call/', import.meta.url));
const PATIENT = 'Per Pasient';
const hasFirefox = existsSync(FIREFOX_PATH);
if (!hasFirefox) console.warn(`firefox e2e not run: ${FIREFOX_PATH} missing`);
const mediaAddress = await defaultRouteAddress();
if (!mediaAddress) console.warn('firefox e2e not run: this machine has no default route');

/** Each layer's cap (kbit/s), as the client asks (lowest first). */
const CAPS_KBPS: Record<string, number> = Object.fromEntries(
  CAMERA_LAYERS.map((l) => [l.rid, l.maxBitrate / 1000]),
);
/** Encoder overshoot and RTP headers (the SFU counts whole packets) on top of a cap. */
const CAP_MARGIN = 1.4;

/** What both kinds of page can do here: evaluate a function or an expression. */
type AnyPage = Page | PuppeteerPage;

/** Frames and audio packets per remote participant (the app's test hook). */
const stats = (page: AnyPage): Promise<MediaStat[]> =>
  (page as PuppeteerPage).evaluate(() => {
    const hook = (
      window as unknown as { __samkonsMedia?: { participantStats(): Promise<MediaStat[]> } }
    ).__samkonsMedia;
    if (!hook) throw new Error('test hook missing: build with VITE_SAMKONS_TEST_HOOKS=true');
    return hook.participantStats();
  });

/**
 * The loudest moment (RMS, 0..1) of each remote audio the page plays, over `ms`: every
 * <audio> element's track through an analyser. Fake microphones beep or hum: not silence.
 */
const audioEnergy = (page: AnyPage, ms: number): Promise<number[]> =>
  (page as PuppeteerPage).evaluate(async (ms: number) => {
    const ctx = new AudioContext();
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 1000))]);
    const tracks = Array.from(document.querySelectorAll('audio'))
      .map((a) => (a.srcObject as MediaStream | null)?.getAudioTracks()[0])
      .filter((t): t is MediaStreamTrack => !!t && t.readyState === 'live');
    const peaks = await Promise.all(
      tracks.map(async (track) => {
        const source = ctx.createMediaStreamSource(new MediaStream([track]));
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        source.connect(analyser);
        const buf = new Float32Array(analyser.fftSize);
        let peak = 0;
        const end = performance.now() + ms;
        while (performance.now() < end) {
          analyser.getFloatTimeDomainData(buf);
          let sum = 0;
          for (const v of buf) sum += v * v;
          peak = Math.max(peak, Math.sqrt(sum / buf.length));
          await new Promise((r) => setTimeout(r, 50));
        }
        source.disconnect();
        return peak;
      }),
    );
    await ctx.close();
    return peaks;
  }, ms);

/**
 * What the client's queue detector reads (client/src/media/queueing.ts), every 50 ms for `ms`:
 * the incoming audio's last arrival, its packets so far and the lost of them, on the page's
 * connections.
 */
const audioArrivals = (page: AnyPage, ms: number): Promise<ArrivalSample[]> =>
  (page as PuppeteerPage).evaluate(async (ms: number) => {
    const pcs = (window as unknown as { __netPcs?: RTCPeerConnection[] }).__netPcs ?? [];
    const out: { lastPacketAt: number; packets: number; lost: number }[] = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (const pc of pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
          const lost = Number(s.packetsLost ?? 0);
          out.push({
            lastPacketAt: s.lastPacketReceivedTimestamp as number,
            packets: Number(s.packetsReceived ?? 0) + lost,
            lost,
          });
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  }, ms);

/** Frames and audio rising for every remote between two samples `ms` apart. */
async function mediaRising(page: AnyPage, ms: number): Promise<{ frames: number; audio: number }> {
  const before = await stats(page);
  await new Promise((r) => setTimeout(r, ms));
  const now = await stats(page);
  const d = now.map((s) => {
    const b = before.find((x) => x.peerId === s.peerId);
    return {
      frames: s.framesDecoded - (b?.framesDecoded ?? 0),
      audio: s.audioPacketsReceived - (b?.audioPacketsReceived ?? 0),
    };
  });
  return {
    frames: Math.min(...d.map((x) => x.frames)),
    audio: Math.min(...d.map((x) => x.audio)),
  };
}

/**
 * Send rate per rid (kbit/s) as Firefox reports it (outbound-rtp bytesSent without
 * retransmissions), between the first and last sample. For the record only: Firefox adds
 * the bandwidth probes it sends as RTX padding to the lowest layer's bytesSent and not to
 * retransmittedBytesSent, so r0 reads several times its media rate.
 */
function reportedRates(series: StatsSeries): Record<string, { kbps: number; height: number }> {
  const first = series.samples[0];
  const last = series.samples.at(-1);
  const out: Record<string, { kbps: number; height: number }> = {};
  if (!first || !last || first === last) return out;
  const seconds = (last.at - first.at) / 1000;
  const video = (s: typeof first) =>
    s.pcs.flatMap((pc) => pc.outbound.filter((o) => o.kind === 'video' && o.rid));
  for (const o of video(last)) {
    const b = video(first).find((x) => x.rid === o.rid);
    const bytes =
      o.bytesSent -
      (b?.bytesSent ?? 0) -
      ((o.retransmittedBytesSent ?? 0) - (b?.retransmittedBytesSent ?? 0));
    out[o.rid!] = { kbps: (bytes * 8) / 1000 / seconds, height: o.frameHeight ?? 0 };
  }
  return out;
}

/** Per rid, what the SFU's producer has received: media bytes, and RTX packets (padding). */
interface LayerCounters {
  at: number;
  layers: Record<string, { bytes: number; rtxPackets: number }>;
}

function cameraProducer(server: TestServer, roomId: string, peerId: string) {
  const producer = server.rooms
    .get(roomId)
    ?.peer(peerId)
    ?.producers.find((p) => p.appData.source === 'camera');
  if (!producer) throw new Error(`no camera producer of ${peerId} in room ${roomId}`);
  return producer;
}

/** The rids whose media reaches the SFU now (mediasoup's bitrate over the last second). */
async function flowing(server: TestServer, roomId: string, peerId: string): Promise<string[]> {
  const stats = await cameraProducer(server, roomId, peerId).getStats();
  return stats
    .filter((s) => s.rid && s.bitrate > 0)
    .map((s) => s.rid!)
    .sort();
}

async function producerCounters(server: TestServer, roomId: string, peerId: string) {
  const producer = cameraProducer(server, roomId, peerId);
  const layers: LayerCounters['layers'] = {};
  for (const s of await producer.getStats()) {
    if (s.rid) layers[s.rid] = { bytes: s.byteCount, rtxPackets: s.packetsRetransmitted };
  }
  return { at: Date.now(), layers, rtpParameters: producer.rtpParameters };
}

/** Media rate (kbit/s) and RTX packets per second of each layer between two readings. */
function producerRates(a: LayerCounters, b: LayerCounters) {
  const seconds = (b.at - a.at) / 1000;
  return Object.fromEntries(
    Object.entries(b.layers).map(([rid, l]) => {
      const before = a.layers[rid] ?? { bytes: 0, rtxPackets: 0 };
      return [
        rid,
        {
          kbps: ((l.bytes - before.bytes) * 8) / 1000 / seconds,
          rtxPerSecond: (l.rtxPackets - before.rtxPackets) / seconds,
        },
      ];
    }),
  );
}

describe.runIf(hasFirefox && mediaAddress)(
  'Chromium and Firefox in one booked consultation',
  () => {
    let server: TestServer | undefined;
    let clientDist: string | undefined;
    let chromium: Browser | undefined;
    let firefox: PuppeteerBrowser | undefined;
    beforeAll(async () => {
      clientDist = await buildClient();
      server = await startTestServer({
        domain: true,
        env: {
          CLIENT_DIST: clientDist,
          DEMO_DATA: 'true',
          // The demo seed books the specialist for the next hour: this test books later.
          INVITE_OPENS_MINUTES_BEFORE: '300',
          MEDIASOUP_LISTEN_IP: mediaAddress!,
          MEDIASOUP_ANNOUNCED_IP: mediaAddress!,
        },
      });
      chromium = await launchChromium();
      await rm(ARTEFACTS, { recursive: true, force: true });
      await mkdir(ARTEFACTS, { recursive: true });
    });
    afterAll(async () => {
      await firefox?.close();
      await chromium?.close();
      await server?.close();
      if (clientDist) await rm(clientDist, { recursive: true, force: true });
    });

    it('carry media both ways, and Firefox keeps its layers within their caps', async () => {
      const url = server!.url;
      const call = await bookCall(url, {
        title: 'Samkonsultasjon: Firefox',
        hoursAhead: 2,
        invitees: [
          {
            role: 'patient',
            name: PATIENT,
            birthDate: '1941-03-14',
            joinsFrom: 'home',
            travelDistanceKm: 92,
          },
        ],
      });
      const host = await openCall(chromium!, url, call.host, {
        viewport: { width: 1280, height: 800 },
      });
      await callJoined(host.page);

      // The patient in Firefox, straight on the call page with the token the pre-join keeps.
      firefox = await launchFirefox();
      const patient = await firefox.newPage();
      await patient.setViewport({ width: 1280, height: 800 });
      const session = call.invitees[PATIENT]!;
      const roomId = session.participant.consultationId;
      const key = `samkons.room.${roomId}`;
      await patient.evaluateOnNewDocument(
        `sessionStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(JSON.stringify(session))});`,
      );
      await patient.evaluateOnNewDocument(statsSamplerScript(1000));
      await patient.goto(`${url}/room/${roomId}`);
      await patient.waitForSelector('[data-testid="waiting-screen"]', { timeout: 30_000 });
      await admitFromLobby(host.page, PATIENT);
      await patient.waitForFunction(
        () =>
          document.querySelector('[data-testid="room-page"]')?.getAttribute('data-state') ===
          'in-call',
        { timeout: 30_000 },
      );

      // Both ways: decoded frames and received audio keep rising, and the sound has energy.
      await host.page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('[data-testid="remote-participant"] video')).some(
            (v) => (v as HTMLVideoElement).videoWidth > 0,
          ),
        null,
        { timeout: 30_000 },
      );
      await patient.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('[data-testid="remote-participant"] video')).some(
            (v) => (v as HTMLVideoElement).videoWidth > 0,
          ),
        { timeout: 30_000 },
      );
      const toFirefox = await mediaRising(patient, 2000);
      const toChromium = await mediaRising(host.page, 2000);
      expect(toFirefox.frames, 'frames decoded in Firefox').toBeGreaterThan(5);
      expect(toFirefox.audio, 'audio packets into Firefox').toBeGreaterThan(20);
      expect(toChromium.frames, 'frames decoded in Chromium').toBeGreaterThan(5);
      expect(toChromium.audio, 'audio packets into Chromium').toBeGreaterThan(20);
      const [energyInFirefox, energyInChromium] = await Promise.all([
        audioEnergy(patient, 2500),
        audioEnergy(host.page, 2500),
      ]);
      expect(energyInFirefox.length).toBeGreaterThan(0);
      expect(energyInChromium.length).toBeGreaterThan(0);
      expect(Math.min(...energyInFirefox), 'sound energy in Firefox').toBeGreaterThan(0.005);
      expect(Math.min(...energyInChromium), 'sound energy in Chromium').toBeGreaterThan(0.005);

      // Firefox stamps each audio packet's arrival, as the queue detector needs (without it,
      // a Firefox receiver would never tell the SFU its link queues): the stamps advance with
      // the packets, and on this steady link the detector finds no queue in them. (A moment of
      // lateness may start an onset, which only has the SFU count what it sends: a fresh-clone
      // CI run had two, and no queue.)
      const arrivals = await audioArrivals(patient, 3000);
      expect(arrivals.length).toBeGreaterThan(20);
      for (const a of arrivals)
        expect(typeof a.lastPacketAt, 'lastPacketReceivedTimestamp').toBe('number');
      const [first, last] = [arrivals[0]!, arrivals.at(-1)!];
      expect(last.packets - first.packets).toBeGreaterThan(100);
      // Some 20 ms a packet: Opus frames at their pace, stamped in ms.
      const spacing = (last.lastPacketAt - first.lastPacketAt) / (last.packets - first.packets);
      expect(spacing).toBeGreaterThan(15);
      expect(spacing).toBeLessThan(25);
      const detector = new QueueingDetector();
      const events = arrivals.map((a) => detector.sample(a));
      expect(events.filter((e) => e?.type === 'queue')).toEqual([]);

      await patient.screenshot({ path: `${ARTEFACTS}/firefox-patient-1280.png` });
      await host.page.screenshot({ path: `${ARTEFACTS}/chromium-host-1280.png` });

      // Firefox's layers over 8 s of steady sending, as the SFU receives them.
      const [firefoxPeer] = await stats(host.page);
      expect(firefoxPeer?.displayName).toBe(PATIENT);
      // Firefox starts with r0 and adds r1 and r2 as its bandwidth estimate grows (it
      // ignores x-google-start-bitrate): measure once all three flow.
      await expect
        .poll(async () => flowing(server!, roomId, firefoxPeer!.peerId), {
          timeout: 45_000,
          interval: 1000,
        })
        .toEqual(Object.keys(CAPS_KBPS));
      const from = await producerCounters(server!, roomId, firefoxPeer!.peerId);
      await new Promise((r) => setTimeout(r, 8000));
      const to = await producerCounters(server!, roomId, firefoxPeer!.peerId);
      const layers = producerRates(from, to);
      const series = await readStats(patient as unknown as EvaluatingPage);
      await saveStats(`${ARTEFACTS}/firefox-stats.json`, series);
      const reported = reportedRates({
        ...series,
        samples: series.samples.filter((s) => s.at >= from.at && s.at <= to.at + 1000),
      });
      const figures = {
        caps: CAPS_KBPS,
        layers,
        reportedByFirefox: reported,
        encodings: to.rtpParameters.encodings,
        energyInFirefox,
        energyInChromium,
        toFirefox,
        toChromium,
      };
      console.log('[firefox-call] figures', JSON.stringify(figures));
      await writeFile(`${ARTEFACTS}/figures.json`, `${JSON.stringify(figures, null, 1)}\n`);

      // The producer carries the three rid layers the client asked for, each with its cap.
      expect(to.rtpParameters.encodings?.map((e) => [e.rid, e.maxBitrate])).toEqual(
        Object.entries(CAPS_KBPS).map(([rid, kbps]) => [rid, kbps * 1000]),
      );
      // Firefox encodes them in that order (r0 smallest), so each cap applies to its size.
      const heights = Object.keys(CAPS_KBPS).map((rid) => reported[rid]?.height ?? 0);
      expect(heights[0], 'r0 height').toBeGreaterThan(0);
      expect(heights, 'frame heights r0 < r1 < r2').toEqual([...heights].sort((a, b) => a - b));
      expect(new Set(heights).size, 'three sizes').toBe(3);
      // Every layer arrives, and within its cap.
      for (const [rid, cap] of Object.entries(CAPS_KBPS)) {
        expect(layers[rid]?.kbps ?? 0, `${rid} arrives`).toBeGreaterThan(cap / 20);
        expect(layers[rid]?.kbps ?? Infinity, `${rid} within ${cap} kbit/s`).toBeLessThan(
          cap * CAP_MARGIN,
        );
      }
    });
  },
);
