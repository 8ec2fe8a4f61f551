/**
 * Idle resident memory of the embedded default: the real server (`npm start`'s command
 * line from package.json, so with its environment: MALLOC_ARENA_MAX) with PGlite in a data folder and the demo data, started twice on
 * the same folder (first start runs initdb; a restart opens what is there). After the
 * node is healthy it idles, and the server's RSS (Node, with PGlite inside it) and each
 * mediasoup worker's are read from /proc, several times, the last reading counting.
 * The last reading is broken down by kind of mapping (bench/support/memory-map.ts: files,
 * PGlite's WASM memory, malloc's main heap and thread arenas, other anonymous memory) and by
 * V8 (heap, its young generation, and external memory, from /metrics). The server RSS is the figure; mediasoup workers are separate processes,
 * the SFU itself (what a raw mediasoup server also runs), listed beside it.
 *
 * Configurations, in the same run on their own folders:
 *   - default: what `npm start` runs;
 *   - sharedBuffers128MB: PGLITE_SHARED_BUFFERS=128MB, the pool PGlite's initdb configures,
 *     which the default used to run with (the ratio default/this is the saving);
 *   - mallocArenasPerThread: MALLOC_ARENA_MAX at glibc's own default (8 per core) instead of
 *     the start script's 2.
 * Target: server RSS <= 150 MB. Baseline in the same run: a bare Node process.
 *
 *   npm run bench:idle-rss            (build first: npm run build)
 * Results: bench/results/idle-rss.json
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_METRICS_TOKEN } from '../tests/support/health.js';
import { sampleValue } from '../tests/support/prometheus.js';
import { childPids, procRssKb, startServerProcess } from '../tests/support/server-process.js';
import { memoryMap, type MemoryMap } from './support/memory-map.js';

const TARGET_MB = 150;
const IDLE_MS = Number(process.env.IDLE_RSS_WAIT_MS ?? 15_000);
const READINGS = 5;

const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 102.4) / 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CONFIGURATIONS = {
  default: {},
  sharedBuffers128MB: { PGLITE_SHARED_BUFFERS: '128MB' },
  mallocArenasPerThread: { MALLOC_ARENA_MAX: String(8 * os.cpus().length) },
} satisfies Record<string, Record<string, string>>;
type Configuration = keyof typeof CONFIGURATIONS;

interface V8Figures {
  heapUsedMb: number | null;
  heapTotalMb: number | null;
  /** The young generation's committed size (grows during a start; see README). */
  newSpaceMb: number | null;
  /** ArrayBuffers and WASM memories by their full size, resident or not. */
  externalMb: number | null;
}

interface StartFigures {
  configuration: Configuration;
  start: 'first' | 'restart';
  startupMs: number;
  serverRssMb: number | null;
  serverRssReadingsMb: (number | null)[];
  memoryMap: MemoryMap | null;
  v8: V8Figures;
  workersRssMb: (number | null)[];
}

async function v8Figures(url: string): Promise<V8Figures> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  const text = await res.text();
  const value = (name: string, labels: Record<string, string> = {}) => {
    const bytes = sampleValue(text, name, labels);
    return bytes === undefined ? null : Math.round(bytes / 104857.6) / 10;
  };
  return {
    heapUsedMb: value('nodejs_heap_size_used_bytes'),
    heapTotalMb: value('nodejs_heap_size_total_bytes'),
    newSpaceMb: value('nodejs_heap_space_size_total_bytes', { space: 'new' }),
    externalMb: value('nodejs_external_memory_bytes'),
  };
}

async function measureStart(
  configuration: Configuration,
  dataDir: string,
  start: StartFigures['start'],
): Promise<StartFigures> {
  const began = Date.now();
  const server = await startServerProcess(
    {
      PGLITE_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      MEDIASOUP_NUM_WORKERS: '1',
      LOG_LEVEL: 'warn',
      ...CONFIGURATIONS[configuration],
    },
    { entry: 'dist', startTimeoutMs: 600_000 },
  );
  const startupMs = Date.now() - began;
  try {
    const readings: (number | null)[] = [];
    for (let i = 0; i < READINGS; i++) {
      await sleep(IDLE_MS / READINGS);
      readings.push(mb(await server.rssKb()));
    }
    const map = (await memoryMap(server.pid)) ?? null;
    const v8 = await v8Figures(server.url);
    const workers = await childPids(server.pid);
    const workersRssMb = await Promise.all(workers.map(async (pid) => mb(await procRssKb(pid))));
    return {
      configuration,
      start,
      startupMs,
      serverRssMb: readings.at(-1) ?? null,
      serverRssReadingsMb: readings,
      memoryMap: map,
      v8,
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
  try {
    const baseline = await bareNodeRssMb();
    const starts: StartFigures[] = [];
    for (const configuration of Object.keys(CONFIGURATIONS) as Configuration[]) {
      const dataDir = path.join(dir, configuration);
      starts.push(await measureStart(configuration, dataDir, 'first'));
      starts.push(await measureStart(configuration, dataDir, 'restart'));
    }
    const rss = (c: Configuration, start: StartFigures['start']) =>
      starts.find((s) => s.configuration === c && s.start === start)?.serverRssMb ?? null;
    const ratio = (start: StartFigures['start']) => {
      const mine = rss('default', start);
      const theirs = rss('sharedBuffers128MB', start);
      return mine === null || theirs === null ? null : Math.round((mine / theirs) * 1000) / 1000;
    };
    const defaults = starts.filter((s) => s.configuration === 'default');
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
      starts,
      ratioDefaultToSharedBuffers128MB: { first: ratio('first'), restart: ratio('restart') },
      withinTarget: defaults.every((s) => s.serverRssMb !== null && s.serverRssMb <= TARGET_MB),
    };
    console.table(
      starts.map((s) => ({
        configuration: s.configuration,
        start: s.start,
        'startup ms': s.startupMs,
        'server RSS MB': s.serverRssMb,
        'files MB': s.memoryMap?.filesMb,
        'WASM MB': s.memoryMap?.wasmMemoryMb,
        'V8 heap MB': s.v8.heapTotalMb,
        'V8 new MB': s.v8.newSpaceMb,
        'malloc heap MB': s.memoryMap?.mallocHeapMb,
        'arenas MB': s.memoryMap?.mallocArenasMb,
        'other anon MB': s.memoryMap?.otherAnonMb,
        'workers RSS MB': s.workersRssMb.join(' '),
      })),
    );
    console.log('default / sharedBuffers128MB:', result.ratioDefaultToSharedBuffers128MB);
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
