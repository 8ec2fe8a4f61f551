/**
 * Idle resident memory of the embedded default: the real server (`npm start`'s
 * server/dist/main.js) with PGlite in a data folder and the demo data, started twice on
 * the same folder (first start runs initdb; a restart opens what is there). After the
 * node is healthy it idles, and the server's RSS (Node, with PGlite inside it) and each
 * mediasoup worker's are read from /proc, several times, the last reading counting.
 * Target: server RSS <= 150 MB. Baseline in the same run: a bare Node process.
 *
 *   npm run bench:idle-rss            (build first: npm run build)
 * Results: bench/results/idle-rss.json
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childPids, procRssKb, startServerProcess } from '../tests/support/server-process.js';

const TARGET_MB = 150;
const IDLE_MS = Number(process.env.IDLE_RSS_WAIT_MS ?? 15_000);
const READINGS = 5;

const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 102.4) / 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StartFigures {
  start: 'first' | 'restart';
  startupMs: number;
  serverRssMb: number | null;
  serverRssReadingsMb: (number | null)[];
  workersRssMb: (number | null)[];
}

async function measureStart(dataDir: string, start: StartFigures['start']): Promise<StartFigures> {
  const began = Date.now();
  const server = await startServerProcess(
    { PGLITE_DATA_DIR: dataDir, HOST: '127.0.0.1', MEDIASOUP_NUM_WORKERS: '1', LOG_LEVEL: 'warn' },
    { entry: 'dist', startTimeoutMs: 600_000 },
  );
  const startupMs = Date.now() - began;
  try {
    const readings: (number | null)[] = [];
    for (let i = 0; i < READINGS; i++) {
      await sleep(IDLE_MS / READINGS);
      readings.push(mb(await server.rssKb()));
    }
    const workers = await childPids(server.pid);
    const workersRssMb = await Promise.all(workers.map(async (pid) => mb(await procRssKb(pid))));
    return {
      start,
      startupMs,
      serverRssMb: readings.at(-1) ?? null,
      serverRssReadingsMb: readings,
      workersRssMb,
    };
  } finally {
    await server.close();
  }
}

/** A bare `node -e` idling: what any Node process costs on this machine. */
async function bareNodeRssMb(): Promise<number | null> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(1500);
    return mb(await procRssKb(child.pid!));
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'samkons-idle-rss-'));
  const dataDir = path.join(dir, 'pglite');
  try {
    const baseline = await bareNodeRssMb();
    const first = await measureStart(dataDir, 'first');
    const restart = await measureStart(dataDir, 'restart');
    const result = {
      benchmark: 'idle-rss',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      },
      idleMs: IDLE_MS,
      targetServerRssMb: TARGET_MB,
      bareNodeRssMb: baseline,
      starts: [first, restart],
      withinTarget: [first, restart].every(
        (s) => s.serverRssMb !== null && s.serverRssMb <= TARGET_MB,
      ),
    };
    console.table(
      [first, restart].map((s) => ({
        start: s.start,
        'startup ms': s.startupMs,
        'server RSS MB': s.serverRssMb,
        'workers RSS MB': s.workersRssMb.join(' '),
      })),
    );
    console.log(
      `bare Node: ${baseline} MB; target server RSS <= ${TARGET_MB} MB: ${result.withinTarget}`,
    );
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/idle-rss.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
