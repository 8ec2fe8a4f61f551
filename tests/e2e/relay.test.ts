import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { mediaFlowingOnEveryPage } from '../support/faults.js';
import { healthDetail } from '../support/health.js';
import type { ServerProcess } from '../support/server-process.js';
import { startBrowserStage, type BrowserStage } from '../support/stage.js';
import { screenshotAtSizes } from '../support/screens.js';
import {
  admitFromLobby,
  bookCall,
  callJoined,
  expectMediaChange,
  iceRoutes,
  openCall,
  type IceRoute,
} from '../support/call.js';
import {
  joinToFirstFrameMs,
  mediaStats,
  participantContext,
  remoteVideosDecoding,
} from '../support/journey.js';

/**
 * A whole call forced through a real coturn: the specialist opens the call page and the
 * patient the invite link (its pre-join warms the call up) with `?relay=1` (ICE transport
 * policy "relay"), so every packet between each browser
 * and the mediasoup SFU goes browser -> coturn -> SFU. Both pages must use a relay
 * candidate on their send and receive transports (whose addresses coturn logged as its
 * relay addresses, with a permission and a channel to the SFU), decode each other's video
 * and receive each other's audio, and come to decode the top simulcast layer of a 720p camera.
 * Then the worker is SIGKILLed: media comes back on both pages by itself, still relayed.
 *
 * Everything listens on 127.0.0.1, so coturn runs with --allow-loopback-peers (coturn 4.6
 * refuses to relay to loopback peers by default). Figures: test-results/relay-e2e.json.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/relay/', import.meta.url));
const BENCH = fileURLToPath(new URL('../../test-results/relay-e2e.json', import.meta.url));
const PATIENT = 'Per Pasient';
/** A real camera's size (the fake device delivers it): what a patient at home would send. */
const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
/** The window the received bitrate is measured over. */
const WINDOW_MS = 5_000;

let coturn: Coturn;
let stage: BrowserStage;
let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  coturn = await startCoturn({ allowLoopbackPeers: true, verbose: true });
  stage = await startBrowserStage({
    env: {
      TURN_URLS: coturn.url,
      TURN_SECRET: coturn.secret,
      // The demo seed books the specialist for the next hour: this test books later.
      INVITE_OPENS_MINUTES_BEFORE: '300',
    },
    artefacts: ARTEFACTS,
  });
  ({ server, browser } = stage);
});

afterAll(async () => {
  await stage?.close();
  await coturn?.close();
});

/** Both transports' selected routes, once both exist and have carried bytes. */
async function relayedRoutes(page: Page): Promise<{ send: IceRoute; recv: IceRoute }> {
  let routes: Awaited<ReturnType<typeof iceRoutes>> = {};
  await expect
    .poll(
      async () => {
        routes = await iceRoutes(page);
        return (routes.send?.bytesSent ?? 0) > 0 && (routes.recv?.bytesReceived ?? 0) > 0;
      },
      { timeout: 15_000, interval: 250 },
    )
    .toBe(true);
  return routes as { send: IceRoute; recv: IceRoute };
}

describe('a call forced through TURN', () => {
  it('carries video and audio both ways via coturn', async () => {
    const call = await bookCall(server.url, {
      title: 'Oppfølging over TURN',
      hoursAhead: 3,
      invitees: [
        {
          role: 'patient',
          name: PATIENT,
          birthDate: '1944-09-02',
          joinsFrom: 'home',
          travelDistanceKm: 140,
        },
      ],
    });

    const host = await openCall(browser, server.url, call.host, { query: 'relay=1', video: VIDEO });
    await callJoined(host.page);
    // The patient opens the invite link with ?relay=1: into the running call the pre-join
    // warms the transports up (and connects the receive one) before the click. Made there,
    // they are relayed too; the join keeps them.
    const patientContext = await participantContext(browser, {
      viewport: { width: 1100, height: 800 },
      joinLabel: 'Gå inn i møtet',
    });
    await patientContext.addInitScript((video) => {
      (window as unknown as { __samkonsVideoConstraints: unknown }).__samkonsVideoConstraints =
        video;
    }, VIDEO);
    const patientPage = await patientContext.newPage();
    await patientPage.goto(`${server.url}/join/${call.inviteTokens[PATIENT]}?relay=1`);
    let warmRoute: IceRoute | undefined;
    await expect
      .poll(async () => (warmRoute = (await iceRoutes(patientPage)).recv), { timeout: 15_000 })
      .toBeDefined();
    expect(warmRoute).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'host' });
    // What the patient sees meanwhile, on a laptop, a tablet and a phone.
    await screenshotAtSizes(
      patientPage,
      ({ width, height }) => `${ARTEFACTS}patient-prejoin-relay-${width}x${height}.png`,
    );
    await patientPage.setViewportSize({ width: 1100, height: 800 });
    await patientPage.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await patientPage.getByTestId('waiting-screen').waitFor();
    await admitFromLobby(host.page, PATIENT);

    // Admission to the first decoded remote frame, on the patient's clock.
    const join = await joinToFirstFrameMs(patientPage);
    expect(join.via).toBe('lobby');
    const pages = { host: host.page, patient: patientPage };
    for (const page of Object.values(pages)) await remoteVideosDecoding(page, 1);
    const firstFramesAt = performance.now();

    // (a) Every transport on both pages runs over a relay candidate, to the SFU's host one.
    const first = {
      host: await relayedRoutes(pages.host),
      patient: await relayedRoutes(pages.patient),
    };
    for (const routes of Object.values(first)) {
      for (const route of [routes.send, routes.recv]) {
        expect(route).toMatchObject({
          localCandidateType: 'relay',
          relayProtocol: 'udp',
          remoteCandidateType: 'host',
        });
      }
    }

    // (b) Remote video keeps decoding and remote audio keeps arriving, both ways.
    for (const page of Object.values(pages)) {
      await expectMediaChange(
        page,
        (before, now) =>
          now.length === 1 &&
          before.length === 1 &&
          now[0]!.framesDecoded > before[0]!.framesDecoded &&
          now[0]!.audioPacketsReceived > before[0]!.audioPacketsReceived &&
          now[0]!.frameWidth > 0,
      );
    }

    // coturn's side: one allocation per transport (two per browser), each with a permission
    // and a channel for the SFU's address; the browsers' relay candidates are its relay
    // addresses, so the media these pages count came through this coturn.
    const log = coturn.output();
    const count = (re: RegExp) => log.match(re)?.length ?? 0;
    const allocations = count(/ALLOCATE processed, success/g);
    const permissions = count(/CREATE_PERMISSION processed, success/g);
    const channels = count(/CHANNEL_BIND processed, success/g);
    expect(allocations).toBeGreaterThanOrEqual(4);
    expect(permissions).toBeGreaterThanOrEqual(4);
    expect(channels).toBeGreaterThanOrEqual(4);
    expect(count(/peer 127\.0\.0\.1 lifetime updated/g)).toBeGreaterThanOrEqual(4);
    for (const routes of Object.values(first)) {
      for (const route of [routes.send, routes.recv]) {
        expect(log).toContain(`Local relay addr: ${route.localAddress}`);
      }
    }

    // (c) Full quality through the relay: both pages come to decode the camera's top simulcast
    // layer (1280 wide) as bandwidth estimation ramps up.
    await expect
      .poll(
        async () =>
          (await Promise.all(Object.values(pages).map(mediaStats))).every(
            (s) => s[0]?.frameWidth === VIDEO.width.ideal,
          ),
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    const topLayerAfterFirstFramesMs = Math.round(performance.now() - firstFramesAt);

    // Received bitrate at full quality: receive-transport bytes through the relay over a
    // measuring window of at least WINDOW_MS (polled: it ends once long enough).
    const kbps = async (page: Page): Promise<number> => {
      const start = (await iceRoutes(page)).recv!;
      let end: IceRoute | undefined;
      await expect
        .poll(
          async () => {
            end = (await iceRoutes(page)).recv;
            return (end?.timestamp ?? 0) - start.timestamp;
          },
          { timeout: WINDOW_MS + 5_000, interval: 500 },
        )
        .toBeGreaterThanOrEqual(WINDOW_MS);
      expect(end?.localCandidateType).toBe('relay');
      return Math.round(
        ((end!.bytesReceived - start.bytesReceived) * 8) / (end!.timestamp - start.timestamp),
      );
    };
    const [hostKbps, patientKbps] = await Promise.all([kbps(pages.host), kbps(pages.patient)]);
    const received = { host: hostKbps, patient: patientKbps };
    // 1280x720 camera: the top layer alone is capped at 1.2 Mbit/s; audio alone is ~40 kbit/s.
    expect(received.host).toBeGreaterThan(200);
    expect(received.patient).toBeGreaterThan(200);
    await pages.patient.screenshot({ path: `${ARTEFACTS}patient-via-relay.png` });

    // (d) A fault: the worker carrying the call is SIGKILLed. Both pages set their media up
    // anew by themselves, and the new transports go through TURN too (made without the
    // forced policy, they would take a direct route).
    const victim = (await healthDetail(server.url)).workers.find((w) => w.rooms > 0);
    expect(victim).toBeDefined();
    const killedAt = Date.now();
    process.kill(victim!.pid, 'SIGKILL');
    const back = await mediaFlowingOnEveryPage(Object.values(pages), 1, { afterStall: true });
    console.log(
      `relayed call, worker SIGKILL: media back after ${back.map((t) => t - killedAt).join(', ')} ms`,
    );
    for (const page of Object.values(pages)) {
      const routes = await relayedRoutes(page);
      for (const route of [routes.send, routes.recv]) {
        expect(route).toMatchObject({ localCandidateType: 'relay', remoteCandidateType: 'host' });
      }
    }

    await Promise.all([host.context.close(), patientContext.close()]);

    const result = {
      test: 'tests/e2e/relay.test.ts',
      measuredAt: new Date().toISOString(),
      participants: 2,
      video: VIDEO,
      iceTransportPolicy: 'relay',
      turn: coturn.url,
      admissionToFirstRemoteFrameViaRelayMs: join.ms,
      admissionNote:
        'on the patient\'s page: from receiving "admitted" until the specialist\'s video has ' +
        'a decoded frame there (checked every animation frame); includes the TURN ' +
        'allocations, ICE, DTLS and the first key frame',
      topLayerAfterFirstFramesMs,
      topLayerNote:
        'from both pages decoding remote video until both decode the top simulcast layer ' +
        '(1280 wide): the ramp-up of bandwidth estimation over the relay',
      receivedKbitPerSecond: received,
      receivedNote:
        "bytes received on each page's receive transport (candidate pair: RTP, RTCP and STUN) " +
        `through the relay, over a window of at least ${WINDOW_MS / 1000} s while both decode ` +
        'the top layer of a 1280x720 fake camera (one remote camera and microphone each)',
      routes: {
        host: { send: first.host.send, recv: first.host.recv },
        patient: { send: first.patient.send, recv: first.patient.recv },
      },
      coturn: { allocations, permissions, channelBinds: channels },
    };
    await mkdir(fileURLToPath(new URL('../../test-results/', import.meta.url)), {
      recursive: true,
    });
    await writeFile(BENCH, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`relay figures: ${BENCH}\n${JSON.stringify(result, null, 2)}`);
  });
});
