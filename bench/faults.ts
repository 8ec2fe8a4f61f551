/**
 * Recovery times of the live call under the faults of issue 9, each run BENCH_RUNS times
 * (default 3) with real Chromium, the real server and real mediasoup workers:
 *
 * - worker-kill-1 / worker-kill-2: a booked consultation (host, patient and next of kin let
 *   in through the waiting room) on a node with one / two workers; the worker hosting the
 *   room is SIGKILLed. Figure: ms from the kill until media flows again on each page.
 * - server-restart: the same call; the server is SIGKILLed and started again on the same
 *   data folder and port. Figure: ms from the new process listening (healthy) until media
 *   flows again on each page.
 * - udp-block / outage-10s (network rig, needs root: tests/support/netlab.ts): a call between
 *   a browser outside and one inside a namespace, on UDP; UDP is blocked (figure: ms from the
 *   block until media flows both ways again, over TCP), or the link is cut for 10 s (figure:
 *   ms from the link returning until media flows both ways). Runs are SETTLE_MS apart.
 *
 * "Media flows" = every remote's decoded frames and received audio packets rise between two
 * polls 200 ms apart, after they had stopped (tests/support/faults.ts).
 *
 *   npm run bench:faults            (BENCH_RUNS, BENCH_SCENARIOS=worker-kill-1,udp-block,...)
 *
 * Writes bench/results/faults.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../tests/support/browser.js';
import { callJoined, iceRoutes } from '../tests/support/call.js';
import { buildClient } from '../tests/support/client-build.js';
import { healthDetail } from '../tests/support/health.js';
import {
  withBookedCall,
  mediaFlowingOnEveryPage,
  mediaStoppedAt,
} from '../tests/support/faults.js';
import { netLabAvailable, openNetLab } from '../tests/support/netlab.js';
import { freePort, startServerProcess } from '../tests/support/server-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Pause between two network faults (see `settle`). */
const SETTLE_MS = 5000;
const ALL = ['worker-kill-1', 'worker-kill-2', 'server-restart', 'udp-block', 'outage-10s'];
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? ALL.join(',')).split(',');

interface Scenario {
  name: string;
  description: string;
  /** Per run: ms until media flowed again, per page. */
  runs: number[][];
  /** Per run: the slowest page. */
  worstMs: number[];
  medianWorstMs?: number;
  maxWorstMs?: number;
  skipped?: string;
  errors: string[];
  /** Network runs that started from a fresh join: ICE had stayed on TCP after UDP returned. */
  rejoinedForUdp?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

function scenario(name: string, description: string): Scenario {
  return { name, description, runs: [], worstMs: [], errors: [] };
}

function record(s: Scenario, times: number[]): void {
  s.runs.push(times.map(Math.round));
  s.worstMs.push(Math.round(Math.max(...times)));
  console.log(`${s.name}: run ${s.runs.length}: ${times.map(Math.round).join(', ')} ms`);
}

async function workerKill(
  browser: Browser,
  clientDist: string,
  numWorkers: number,
): Promise<Scenario> {
  const s = scenario(
    `worker-kill-${numWorkers}`,
    `SIGKILL of the worker hosting a booked 3-person call, ${numWorkers} worker(s); ms from ` +
      'the kill until media flows again, per page',
  );
  for (let run = 0; run < RUNS; run++) {
    const server = await startServerProcess({
      CLIENT_DIST: clientDist,
      INVITE_OPENS_MINUTES_BEFORE: '300',
      MEDIASOUP_NUM_WORKERS: String(numWorkers),
    });
    try {
      await withBookedCall(browser, server.url, 'Bench: worker', async ({ pages }) => {
        const victim = (await healthDetail(server.url)).workers.find((w) => w.rooms > 0);
        if (!victim) throw new Error('no worker hosts the room');
        const killedAt = Date.now();
        process.kill(victim.pid, 'SIGKILL');
        const back = await mediaFlowingOnEveryPage(pages, 2, { afterStall: true });
        record(
          s,
          back.map((t) => t - killedAt),
        );
      });
    } catch (err) {
      s.errors.push(String(err));
    } finally {
      await server.close();
    }
  }
  return s;
}

async function serverRestart(browser: Browser, clientDist: string): Promise<Scenario> {
  const s = scenario(
    'server-restart',
    'SIGKILL of the server with a booked 3-person call, restarted on the same data folder ' +
      'and port; ms from the new process answering /api/health until media flows again, per page',
  );
  for (let run = 0; run < RUNS; run++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samkons-bench-restart-'));
    const env = {
      PORT: String(await freePort()),
      CLIENT_DIST: clientDist,
      PGLITE_DATA_DIR: dataDir,
      INVITE_OPENS_MINUTES_BEFORE: '300',
    };
    let server = await startServerProcess(env);
    try {
      await withBookedCall(browser, server.url, 'Bench: restart', async ({ pages }) => {
        process.kill(server.pid, 'SIGKILL');
        await server.close();
        server = await startServerProcess(env);
        const listening = Date.now();
        const back = await mediaFlowingOnEveryPage(pages, 2, { afterStall: true });
        record(
          s,
          back.map((t) => t - listening),
        );
      });
    } catch (err) {
      s.errors.push(String(err));
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return s;
}

async function networkFaults(clientDist: string, wanted: Set<string>): Promise<Scenario[]> {
  const udp = scenario(
    'udp-block',
    'UDP dropped both ways on the patient link mid-call (2-person call, patient in a network ' +
      'namespace); ms from the block until media flows both ways again',
  );
  const outage = scenario(
    'outage-10s',
    'the patient link cut both ways for 10 s; ms from the link returning until media flows ' +
      'both ways again',
  );
  const rig = netLabAvailable();
  if (!rig.ok) {
    udp.skipped = outage.skipped = rig.reason;
    return [udp, outage].filter((s) => wanted.has(s.name));
  }
  const lab = await openNetLab();
  const browsers: Browser[] = [];
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    const link = await lab.addLink('patient');
    server = await startServerProcess({
      ...lab.serverEnv(link),
      CLIENT_DIST: clientDist,
      SIGNALLING_DEV_ROOMS: 'true',
    });
    const url = server.url;
    const outside = await launchChromium([`--unsafely-treat-insecure-origin-as-secure=${url}`]);
    const inside = await link.launchChromium({ origins: [url] });
    browsers.push(outside, inside);
    const open = async (browser: Browser, name: string): Promise<Page> => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${url}/room/bench-faults?name=${encodeURIComponent(name)}`);
      return page;
    };
    const pages = await Promise.all([open(outside, 'Sol'), open(inside, 'Pål')]);
    // The media test hook exists once the page is in the call.
    await Promise.all(pages.map((p) => callJoined(p, 60_000)));
    await mediaFlowingOnEveryPage(pages, 1, { timeout: 60_000 });
    /**
     * Between runs: the link clean, media flowing, and a few seconds for what queued up in
     * the signalling socket's TCP during the fault to drain (a cut right after the last one
     * would make one long outage of the two).
     */
    const settle = async () => {
      await link.restore();
      await mediaFlowingOnEveryPage(pages, 1, { timeout: 60_000 });
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    };
    /**
     * Each run starts on UDP. After UDP returns the browser may stay on the TCP pair it
     * found meanwhile (its UDP checks had failed for good): then the patient joins afresh.
     */
    const fromUdp = async (s: Scenario) => {
      const patient = pages[1]!;
      const deadline = Date.now() + 5000;
      for (;;) {
        const r = await iceRoutes(patient);
        if (r.send?.protocol === 'udp' && r.recv?.protocol === 'udp') return;
        if (Date.now() > deadline) break;
        await patient.waitForTimeout(250);
      }
      s.rejoinedForUdp = (s.rejoinedForUdp ?? 0) + 1;
      await patient.reload();
      await callJoined(patient, 60_000);
      await mediaFlowingOnEveryPage(pages, 1, { timeout: 60_000 });
    };
    for (let run = 0; run < RUNS && wanted.has('udp-block'); run++) {
      await fromUdp(udp);
      try {
        const at = Date.now();
        await link.block({ protocol: 'udp' });
        const back = await mediaFlowingOnEveryPage(pages, 1, { afterStall: true });
        record(
          udp,
          back.map((t) => t - at),
        );
      } catch (err) {
        udp.errors.push(String(err));
      }
      await settle();
    }
    for (let run = 0; run < RUNS && wanted.has('outage-10s'); run++) {
      await fromUdp(outage);
      try {
        const cutAt = Date.now();
        await link.setOutage(true);
        // Media stopped on both pages (the cut hit), so what flows after it returns is new.
        await Promise.all(pages.map((p) => mediaStoppedAt(p, { timeout: 5000 })));
        await new Promise((r) => setTimeout(r, Math.max(0, cutAt + 10_000 - Date.now())));
        await link.setOutage(false);
        const at = Date.now();
        // Media may be back before a poll could see it stopped: measured from the link's return.
        const back = await mediaFlowingOnEveryPage(pages, 1);
        record(
          outage,
          back.map((t) => t - at),
        );
      } catch (err) {
        outage.errors.push(String(err));
      }
      await settle();
    }
  } finally {
    for (const b of browsers) await b.close();
    await server?.close();
    await lab.close();
  }
  return [udp, outage].filter((s) => wanted.has(s.name));
}

async function main(): Promise<void> {
  const wanted = new Set(SCENARIOS);
  const clientDist = await buildClient();
  const results: Scenario[] = [];
  try {
    const browser = await launchChromium();
    try {
      for (const n of [1, 2]) {
        if (wanted.has(`worker-kill-${n}`)) results.push(await workerKill(browser, clientDist, n));
      }
      if (wanted.has('server-restart')) results.push(await serverRestart(browser, clientDist));
    } finally {
      await browser.close();
    }
    if (wanted.has('udp-block') || wanted.has('outage-10s')) {
      results.push(...(await networkFaults(clientDist, wanted)));
    }
  } finally {
    await rm(clientDist, { recursive: true, force: true });
  }
  for (const s of results) {
    if (s.worstMs.length) {
      s.medianWorstMs = median(s.worstMs);
      s.maxWorstMs = Math.max(...s.worstMs);
    }
  }
  const out = {
    bench: 'bench/faults.ts',
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, load: os.loadavg() },
    runsPerScenario: RUNS,
    scenarios: results,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/faults.json', import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.table(
    results.map((s) => ({
      scenario: s.name,
      runs: s.runs.length,
      medianWorstMs: s.medianWorstMs,
      maxWorstMs: s.maxWorstMs,
      errors: s.errors.length,
      skipped: s.skipped ?? '',
    })),
  );
  console.log('written to bench/results/faults.json');
}

await main();
