import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_METRICS_TOKEN } from './health.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Current resident memory of the server's Node process in KiB (Linux /proc). */
  rssKb(): Promise<number | undefined>;
  /** Everything the server wrote, for failure messages. */
  output(): string;
  /** Resolves when the process has exited (its code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close(): Promise<void>;
}

/**
 * A free TCP port for a test server to listen on, chosen below the kernel's ephemeral range.
 * A port the kernel handed out and took back (listen on 0, then close) can be handed out again
 * before the server binds it: to another test's listener on port 0 or to an outgoing
 * connection (EADDRINUSE once in a full run, with the unit and integration tests beside the
 * browser ones). Ports below the range are never handed out by the kernel; a random one is
 * checked free here, and two test processes rarely pick the same.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = await ephemeralPortRange();
  const low = Math.max(1024, ephemeralLow - 12_000);
  for (let attempt = 0; attempt < 50 && low < ephemeralLow; attempt++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free TCP port below the ephemeral range (${low}-${ephemeralLow - 1})`);
}

/** Linux's range of ports handed out for port 0 and outgoing connections. */
async function ephemeralPortRange(): Promise<[number, number]> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return low && high ? [low, high] : [32768, 60999];
}

/** Whether a listener can bind `port` on every address now (and it is released again). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/** Direct children of a process (Linux /proc): a server's mediasoup workers. */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children = await Promise.all(
    tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')),
  );
  return children
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The process exists and is not a zombie waiting for its parent. */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

export async function procRssKb(pid: number): Promise<number | undefined> {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const defaultEntry = (): 'source' | 'dist' =>
  process.env.SAMKONS_TEST_SERVER_ENTRY === 'dist' ? 'dist' : 'source';

/** `npm start`'s command line (package.json). */
async function startScript(): Promise<string> {
  const pkg = JSON.parse(await readFile(`${repoRoot}package.json`, 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start;
}

export interface ServerProcessOptions {
  /**
   * `source` runs server/src/main.ts through tsx; `dist` runs the build through the `start`
   * script of package.json, exactly as `npm start` does (benchmarks measure that). The default
   * is `SAMKONS_TEST_SERVER_ENTRY`, else `source`: `npm test` builds first and sets `dist`,
   * which starts a second sooner than tsx on a busy machine, for every one of the suite's
   * server processes.
   */
  entry?: 'source' | 'dist';
  /** Pins the server, and the mediasoup workers it spawns, to this CPU (`taskset`). */
  cpuCore?: number;
  /** A niceness for the server and its workers (`nice -n`; negative needs root). */
  nice?: number;
  /** How long to wait for /api/health (default 120 s; a first PGlite start on a busy machine takes longer). */
  startTimeoutMs?: number;
}

/**
 * Runs server/src/main.ts (the real composition root) in its own Node process, so its
 * memory can be measured apart from the test runner. Resolves once /api/health answers.
 * `env` overrides the defaults below, PORT included (then `url` uses that port).
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  opts: ServerProcessOptions = {},
): Promise<ServerProcess> {
  // A caller that must know the address first (an OpenID provider's redirect URI) picks it.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // dist: the root package.json's `start` script itself (its environment and flags), which
  // ends in `exec node ...`; sh, like taskset, execs into Node, so the pid is the server's.
  const entry = opts.entry ?? defaultEntry();
  const server =
    entry === 'dist'
      ? ['sh', '-c', await startScript()]
      : [process.execPath, '--conditions=samkons-source', '--import', 'tsx', 'server/src/main.ts'];
  const pinned =
    opts.cpuCore === undefined ? server : ['taskset', '-c', String(opts.cpuCore), ...server];
  // `nice`, like taskset, execs into what it runs: the pid stays the server's.
  const [command, ...args] = (
    opts.nice === undefined ? pinned : ['nice', '-n', String(opts.nice), ...pinned]
  ) as [string, ...string[]];
  const child: ChildProcess = spawn(command, args, {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MEDIASOUP_NUM_WORKERS: '1',
      MEDIASOUP_RTC_PORT: '0',
      MEDIASOUP_LISTEN_IP: '127.0.0.1',
      PGLITE_DATA_DIR: 'memory://',
      // A test that closes its server with calls open need not wait out the default drain.
      SHUTDOWN_DRAIN_SECONDS: '2',
      // /metrics and /api/health/detail (tests/support/health.ts).
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  // The network rig puts the server on a veth address (HOST); 0.0.0.0 is reached locally.
  const host = env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : '127.0.0.1';
  const url = `http://${host}:${port}`;
  // A heavily loaded machine may need longer (local iteration: SAMKONS_TEST_SERVER_START_MS).
  const startMs =
    opts.startTimeoutMs ?? Number(process.env.SAMKONS_TEST_SERVER_START_MS ?? 120_000);
  const deadline = Date.now() + startMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy within ${startMs / 1000} s:
${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    pid: child.pid!,
    rssKb: () => procRssKb(child.pid!),
    output: () => output,
    exited,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The server dies at once (SIGKILL: no drain, no goodbye to its clients); `whileDown` runs
 * once it has exited, then it starts again on `env` (the same ports and data folder).
 */
export async function killAndRestart(
  server: ServerProcess,
  env: Record<string, string>,
  whileDown?: () => Promise<void>,
): Promise<ServerProcess> {
  process.kill(server.pid, 'SIGKILL');
  await server.exited;
  await whileDown?.();
  return startServerProcess(env);
}
