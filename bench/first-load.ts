/**
 * A patient's first load on a weak line: from opening the invite link to the pre-join on
 * screen (the invite checked, "Gå inn i møtet" shown), in real Chromium with CDP network
 * emulation (1 Mbit/s each way, 150 ms round trip), against the production build served
 * by the real server.
 *
 * Profiles, alternated run by run in one browser, each in a fresh browser profile:
 *   - gzip:     a browser that accepts gzip only (`Accept-Encoding: gzip, deflate`);
 *   - brotli:   one that accepts brotli too (what current browsers send);
 *   - identity: no compression at all, the baseline in the same run (as main served it);
 *   - repeat:   the same person opening the link again (a warm cache: the hashed chunks
 *               are immutable, only index.html is revalidated).
 * Figures: time to the pre-join, and the JavaScript bytes on the wire whose request started
 * before the pre-join showed (and, apart, what was fetched after it, e.g. the call page).
 *
 *   npm run bench:first-load            (BENCH_RUNS=5 per profile)
 * Results: bench/results/first-load.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Consultation, InviteLink } from '@samkons/shared';
import { launchChromium } from '../tests/support/browser.js';
import {
  buildProductionClient,
  firstLoadChunks,
  PREJOIN_BUDGET_BYTES,
  PREJOIN_PAGE,
  totalSizes,
} from '../tests/support/client-bundle.js';
import { apiCall, demoSpecialistToken } from '../tests/support/journey.js';
import { startServerProcess } from '../tests/support/server-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINE = { downKbps: 1000, upKbps: 1000, rttMs: 150 };
const JOIN_LABEL = 'Gå inn i møtet';
const PROFILES = ['gzip', 'brotli', 'identity', 'repeat'] as const;
type Profile = (typeof PROFILES)[number];
/** What each profile's browser accepts; `repeat` keeps Chromium's own (brotli included). */
const ACCEPT_ENCODING: Record<Profile, string | undefined> = {
  gzip: 'gzip, deflate',
  brotli: 'br, gzip, deflate',
  identity: 'identity',
  repeat: undefined,
};

interface Request {
  url: string;
  type: string;
  /** ms after the page's time origin (navigation start). */
  startedMs: number;
  encoding?: string;
  /** Bytes on the wire, headers included. */
  wireBytes?: number;
  fromCache?: boolean;
}

interface Run {
  profile: Profile;
  timeToPrejoinMs: number;
  jsBeforePrejoin: { files: number; wireBytes: number; encodings: string[] };
  jsAfterPrejoin: { files: number; wireBytes: number };
  allBeforePrejoin: { requests: number; wireBytes: number };
}

/** Records each request of the page from CDP (Network domain), by request id. */
function recordRequests(cdp: CDPSession): Map<string, Request> {
  const requests = new Map<string, Request>();
  cdp.on('Network.requestWillBeSent', (e) => {
    requests.set(e.requestId, {
      url: e.request.url,
      type: e.type ?? 'Other',
      startedMs: e.wallTime * 1000, // made relative to the time origin later
    });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    const headers = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    r.encoding = headers['content-encoding'] ?? 'identity';
    r.fromCache = Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache);
    r.type = e.type ?? r.type;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.wireBytes = e.encodedDataLength;
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.fromCache = true;
  });
  return requests;
}

/**
 * Marks, inside the page, when the pre-join's join button enters the DOM (requests started
 * later were not needed to show it) and the frame that paints it (the time to the pre-join).
 * A string, not a function: tsx (esbuild keepNames) wraps functions in a helper the page lacks.
 */
const markPrejoinShown = (label: string) => `(() => {
  const found = () =>
    [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === ${JSON.stringify(label)});
  const observer = new MutationObserver(() => {
    if (window.__prejoinInDomAt !== undefined || !found()) return;
    observer.disconnect();
    window.__prejoinInDomAt = performance.now();
    requestAnimationFrame(() => (window.__prejoinShownAt = performance.now()));
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

async function throttle(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LINE.rttMs,
    downloadThroughput: (LINE.downKbps * 1000) / 8,
    uploadThroughput: (LINE.upKbps * 1000) / 8,
  });
  return cdp;
}

async function loadOnce(page: Page, cdp: CDPSession, url: string, profile: Profile): Promise<Run> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const requests = recordRequests(cdp);
  await page.goto(url, { waitUntil: 'commit' });
  await page
    .waitForFunction(
      () => (window as unknown as { __prejoinShownAt?: number }).__prejoinShownAt !== undefined,
      null,
      { timeout: 120_000 },
    )
    .catch(async (err: unknown) => {
      const shown = await page.locator('h1, button').allTextContents();
      throw new Error(
        `the pre-join did not show (${profile}): ${shown.join(' | ')}; errors: ${errors.join('; ')}`,
        { cause: err },
      );
    });
  const { inDomAt, shownAt, timeOrigin } = await page.evaluate(() => {
    const w = window as unknown as { __prejoinInDomAt: number; __prejoinShownAt: number };
    return {
      inDomAt: w.__prejoinInDomAt,
      shownAt: w.__prejoinShownAt,
      timeOrigin: performance.timeOrigin,
    };
  });
  // Let what the pre-join starts after it shows (the call page's prefetch) finish.
  await page.waitForLoadState('networkidle', { timeout: 60_000 }).catch(() => undefined);

  const all = [...requests.values()].map((r) => ({ ...r, startedMs: r.startedMs - timeOrigin }));
  const before = all.filter((r) => r.startedMs <= inDomAt);
  const after = all.filter((r) => r.startedMs > inDomAt);
  const js = (rs: Request[]) => rs.filter((r) => r.type === 'Script');
  const bytes = (rs: Request[]) => rs.reduce((sum, r) => sum + (r.wireBytes ?? 0), 0);
  return {
    profile,
    timeToPrejoinMs: Math.round(shownAt),
    jsBeforePrejoin: {
      files: js(before).length,
      wireBytes: bytes(js(before)),
      encodings: [...new Set(js(before).map((r) => r.encoding ?? '?'))],
    },
    jsAfterPrejoin: { files: js(after).length, wireBytes: bytes(js(after)) },
    allBeforePrejoin: { requests: before.length, wireBytes: bytes(before) },
  };
}

async function runProfile(browser: Browser, url: string, profile: Profile): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  try {
    await context.addInitScript(markPrejoinShown(JOIN_LABEL));
    const page = await context.newPage();
    if (profile === 'repeat') {
      // The first visit fills the cache (not measured); the second is the figure.
      const first = await throttle(page);
      await loadOnce(page, first, url, profile);
      await page.goto('about:blank');
      await first.detach();
    }
    const cdp = await throttle(page);
    const acceptEncoding = ACCEPT_ENCODING[profile];
    if (acceptEncoding) {
      await cdp.send('Network.setExtraHTTPHeaders', {
        headers: { 'Accept-Encoding': acceptEncoding },
      });
    }
    return await loadOnce(page, cdp, url, profile);
  } finally {
    await context.close();
  }
}

interface Summary {
  timeToPrejoinMs: { median: number; min: number; max: number };
  jsBytesBeforePrejoin: number;
  jsBytesAfterPrejoin: number;
  encodings: string[];
}

function summarize(runs: Run[], profile: Profile): Summary {
  const mine = runs.filter((r) => r.profile === profile);
  const times = mine.map((r) => r.timeToPrejoinMs);
  return {
    timeToPrejoinMs: { median: median(times), min: Math.min(...times), max: Math.max(...times) },
    jsBytesBeforePrejoin: median(mine.map((r) => r.jsBeforePrejoin.wireBytes)),
    jsBytesAfterPrejoin: median(mine.map((r) => r.jsAfterPrejoin.wireBytes)),
    encodings: [...new Set(mine.flatMap((r) => r.jsBeforePrejoin.encodings))],
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
};

async function main(): Promise<void> {
  console.log('building the client (production) ...');
  const built = await buildProductionClient();
  const files = firstLoadChunks(built.chunks, PREJOIN_PAGE).map((c) => c.file);
  const buildSizes = await totalSizes(built.outDir, files);
  const server = await startServerProcess({
    CLIENT_DIST: built.outDir,
    DEMO_DATA: 'true',
    INVITE_OPENS_MINUTES_BEFORE: '300',
    LOG_LEVEL: 'warn',
  });
  const browser = await launchChromium();
  try {
    const token = await demoSpecialistToken(server.url);
    // The demo seed books the specialist for the next hour: book three hours out.
    const start = new Date(Math.ceil((Date.now() + 3 * 3600_000) / 900_000) * 900_000);
    const consultation = await apiCall<Consultation>(server.url, '/consultations', token, {
      kind: 'co_consultation',
      title: 'Oppfølging etter utskriving',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 45 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'patient',
          name: 'Per Pasient',
          birthDate: '1941-03-14',
          joinsFrom: 'home',
          travelDistanceKm: 92,
        },
      ],
    });
    const patient = consultation.participants.find((p) => p.role === 'patient')!;
    const link = await apiCall<InviteLink>(
      server.url,
      `/consultations/${consultation.id}/participants/${patient.id}/invite`,
      token,
      {},
    );
    const url = new URL(link.joinUrl, server.url).toString();

    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate the order, so no profile always runs first or last.
      const order = i % 2 === 0 ? PROFILES : [...PROFILES].reverse();
      for (const profile of order) {
        const run = await runProfile(browser, url, profile);
        runs.push(run);
        console.log(
          `${profile.padEnd(8)} ${String(run.timeToPrejoinMs).padStart(6)} ms to the pre-join, ` +
            `${(run.jsBeforePrejoin.wireBytes / 1000).toFixed(1)} kB JS before it ` +
            `(${run.jsBeforePrejoin.files} files, ${run.jsBeforePrejoin.encodings.join('/')}), ` +
            `${(run.jsAfterPrejoin.wireBytes / 1000).toFixed(1)} kB JS after`,
        );
      }
    }

    const summary = {} as Record<Profile, Summary>;
    for (const profile of PROFILES) summary[profile] = summarize(runs, profile);

    const result = {
      benchmark: 'first-load',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
      line: LINE,
      runsPerProfile: RUNS,
      budgetBytes: PREJOIN_BUDGET_BYTES,
      build: { prejoinJsFiles: files, prejoinJs: buildSizes },
      summary,
      ratios: {
        gzipTimeVsIdentity: +(
          summary.gzip.timeToPrejoinMs.median / summary.identity.timeToPrejoinMs.median
        ).toFixed(3),
        brotliTimeVsIdentity: +(
          summary.brotli.timeToPrejoinMs.median / summary.identity.timeToPrejoinMs.median
        ).toFixed(3),
        gzipBytesVsIdentity: +(
          summary.gzip.jsBytesBeforePrejoin / summary.identity.jsBytesBeforePrejoin
        ).toFixed(3),
      },
      runs,
    };
    const out = new URL('./results/first-load.json', import.meta.url);
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.table(
      Object.fromEntries(
        PROFILES.map((p) => [
          p,
          {
            'median ms to pre-join': summary[p].timeToPrejoinMs.median,
            'JS kB before pre-join': +(summary[p].jsBytesBeforePrejoin / 1000).toFixed(1),
          },
        ]),
      ),
    );
    console.log(
      `build: ${(buildSizes.gzip / 1000).toFixed(1)} kB gzip, ${(buildSizes.brotli / 1000).toFixed(1)} kB brotli ` +
        `(budget ${PREJOIN_BUDGET_BYTES / 1000} kB) -> ${out.pathname}`,
    );
  } finally {
    await browser.close();
    await server.close();
    await built.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
