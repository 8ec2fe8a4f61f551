import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { buildClient } from '../support/client-build.js';
import { allRemotesRising, mediaStats } from '../support/journey.js';
import { procRssKb, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { healthDetail } from '../support/health.js';

/** The rest of what `window.__samkonsMedia` offers (client/src/media/session.ts, test builds). */
interface MediaHook {
  roundTripsToFirstMedia?: number;
  setPreferredVideoLayer(peerId: string, spatialLayer: 0 | 1 | 2): Promise<void>;
}

const NAMES = ['Spesialist Sol', 'Fastlege Fjell', 'Pasient Pål'];
const ROOM = 'e2e-media';

let server: ServerProcess;
let browser: Browser;
let clientDist: string;
const startedAt = performance.now();
let buildMs = 0;

beforeAll(async () => {
  const t = performance.now();
  // SAMKONS_E2E_ENTRY=call builds only the call page (when the app shell is broken).
  clientDist = await buildClient({
    entry: process.env.SAMKONS_E2E_ENTRY === 'call' ? 'call' : 'app',
  });
  buildMs = performance.now() - t;
  // Its own process (server/src/main.ts), so its memory is measured apart from vitest.
  // Rooms by name without a token: development signalling, off by default.
  server = await startServerProcess({ CLIENT_DIST: clientDist, SIGNALLING_DEV_ROOMS: 'true' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (clientDist) await rm(clientDist, { recursive: true, force: true });
});

const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 1024));

describe('three browsers in one room', () => {
  it('see and hear each other, and notice a leaver within 2 s', async () => {
    const contexts: BrowserContext[] = await Promise.all(NAMES.map(() => browser.newContext()));
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    const joinStarted = performance.now();
    await Promise.all(
      pages.map((page, i) =>
        page.goto(`${server.url}/room/${ROOM}?name=${encodeURIComponent(NAMES[i]!)}`),
      ),
    );

    // Every page shows two remote videos that have decoded frames.
    for (const page of pages) {
      await page.waitForFunction(
        () => {
          const tiles = document.querySelectorAll('[data-testid="remote-participant"]');
          const videos = Array.from(tiles).map((t) => t.querySelector('video'));
          return tiles.length === 2 && videos.every((v) => v !== null && v.videoWidth > 0);
        },
        null,
        { timeout: 30_000 },
      );
    }
    const allMediaMs = performance.now() - joinStarted;

    for (const [i, page] of pages.entries()) {
      const captions = await page
        .locator('[data-testid="remote-participant"] figcaption')
        .allTextContents();
      expect(captions.sort()).toEqual(NAMES.filter((_, j) => j !== i).sort());
    }

    // Decoded frames and received audio packets keep rising for both remote participants.
    for (const page of pages) {
      const before = await mediaStats(page);
      expect(before).toHaveLength(2);
      for (const s of before) {
        expect(s.framesDecoded).toBeGreaterThan(0);
        expect(s.frameWidth).toBeGreaterThan(0);
      }
      await expect
        .poll(async () => allRemotesRising(before, await mediaStats(page)), {
          timeout: 10_000,
          interval: 250,
        })
        .toBe(true);
    }

    // Simulcast: asking for the lowest layer of one sender shrinks what this receiver decodes.
    const [first] = await mediaStats(pages[0]!);
    await pages[0]!.evaluate(
      (peerId) =>
        (window as unknown as { __samkonsMedia: MediaHook }).__samkonsMedia.setPreferredVideoLayer(
          peerId,
          0,
        ),
      first!.peerId,
    );
    await expect
      .poll(
        async () =>
          (await mediaStats(pages[0]!)).find((s) => s.peerId === first!.peerId)?.frameWidth,
        { timeout: 15_000, interval: 250 },
      )
      .toBeLessThanOrEqual(320);

    // Figures while three participants are in the call.
    const roundTrips = await Promise.all(
      pages.map((p) =>
        p.evaluate(
          () =>
            (window as unknown as { __samkonsMedia?: MediaHook }).__samkonsMedia
              ?.roundTripsToFirstMedia ?? null,
        ),
      ),
    );
    const health = await healthDetail(server.url);
    expect(health.rooms).toBe(1);
    expect(health.peers).toBe(3);
    const serverRssKb = await server.rssKb();
    const workerRssKb = await Promise.all(health.workers.map((w) => procRssKb(w.pid)));

    // One leaves: the other two see the tile go within 2 s of the tab closing.
    const leaveStarted = performance.now();
    const closing = contexts[2]!.close();
    await Promise.all(
      pages
        .slice(0, 2)
        .map((page) =>
          page.waitForFunction(
            () => document.querySelectorAll('[data-testid="remote-participant"]').length === 1,
            null,
            { timeout: 2_000 },
          ),
        ),
    );
    const leaveSeenMs = performance.now() - leaveStarted;
    await closing;
    for (const page of pages.slice(0, 2)) {
      const captions = await page
        .locator('[data-testid="remote-participant"] figcaption')
        .allTextContents();
      expect(captions).not.toContain(NAMES[2]);
    }
    await Promise.all(contexts.slice(0, 2).map((c) => c.close()));

    await mkdir('test-results', { recursive: true });
    const result = {
      test: 'tests/e2e/media.test.ts',
      measuredAt: new Date().toISOString(),
      participants: 3,
      e2eRunMs: Math.round(performance.now() - startedAt),
      clientBuildMs: Math.round(buildMs),
      joinToAllRemoteVideoMs: Math.round(allMediaMs),
      leaveSeenByOthersMs: Math.round(leaveSeenMs),
      roundTripsJoinToFirstMedia: roundTrips,
      roundTripsNote:
        'acks the client waited for one after another, from the join until the first remote ' +
        'media arrived (RoundTrips in client/src/media/signalling-client.ts). Joining a room ' +
        'where others already publish takes 2 (join, then connectTransport sent without ' +
        'waiting); these pages join an empty room together, so their first media comes by ' +
        'newConsumer after the others publish, behind requests of their own (an upper bound). ' +
        'tests/e2e/join-path.test.ts asserts the join path.',
      serverMemoryWithThreeParticipants: {
        // VmRSS from /proc; the Node process runs main.ts via tsx (TypeScript loader included).
        nodeProcessRssMb: mb(serverRssKb),
        mediasoupWorkerRssMb: workerRssKb.map(mb),
        totalRssMb: mb((serverRssKb ?? 0) + workerRssKb.reduce<number>((a, b) => a + (b ?? 0), 0)),
      },
    };
    await writeFile('test-results/media-e2e.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log('media e2e figures', result);
    expect(roundTrips.every((n) => typeof n === 'number' && n > 0)).toBe(true);
  });
});
