/**
 * One comparison: for each repetition and size, raw mediasoup and samkons back to back (the
 * order alternating), each driven by the same load process, measured over the same window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { runFigures, type RunFigures, type Sample } from './figures.js';
import type { LoadConfig, LoadReply, LoadRequest, LoadSnapshot } from './load.js';
import type { MediaProfile } from './media.js';
import { cpuMs, cpuTimes, threadCpuMs, loadAverage, rssKb, snmpUdp, udpDropsOf } from './proc.js';
import {
  pinnedNode,
  repoRoot,
  startServer,
  type ServerHandle,
  type ServerOptions,
} from './servers.js';
import type { SfuDialect } from './signalling.js';

export interface Size {
  rooms: number;
  participants: number;
}

export interface CompareOptions {
  sizes: Size[];
  repetitions: number;
  warmupSeconds: number;
  measureSeconds: number;
  profile: MediaProfile;
  /** [server core, load core]; undefined runs unpinned (e.g. on a 1-CPU machine). */
  cores: [number, number] | undefined;
  samkonsEntry: ServerOptions['samkonsEntry'];
  samkonsEnv: Record<string, string>;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load process, pinned to the load core, spoken to over IPC. */
class LoadProcess {
  readonly #child: ChildProcess;
  readonly #waiters: ((reply: LoadReply) => void)[] = [];
  #output = '';
  #exit: Promise<void>;

  constructor(core: number | undefined) {
    const [command, argv] = pinnedNode(core, [
      '--conditions=samkons-source',
      '--import',
      'tsx',
      'bench/sfu-compare/load.ts',
    ]);
    this.#child = spawn(command, argv, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child.stdout?.on('data', (d: Buffer) => (this.#output += d.toString()));
    this.#child.stderr?.on('data', (d: Buffer) => (this.#output += d.toString()));
    this.#child.on('message', (reply: LoadReply) => this.#waiters.shift()?.(reply));
    this.#exit = new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  request(req: LoadRequest, timeoutMs: number): Promise<LoadReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`load: no answer to ${req.type} within ${timeoutMs} ms\n${this.#output}`));
      }, timeoutMs);
      this.#waiters.push((reply) => {
        clearTimeout(timer);
        if (reply.type === 'failed') reject(new Error(`load: ${reply.message}\n${this.#output}`));
        else resolve(reply);
      });
      this.#child.send(req);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    if (this.#child.connected) this.#child.send({ type: 'stop' } satisfies LoadRequest);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.#exit;
    clearTimeout(timer);
  }
}

async function sample(server: ServerHandle, load: LoadProcess): Promise<Sample> {
  const snap = (await load.request({ type: 'snapshot' }, 10_000)) as LoadSnapshot;
  const workers = server.workerPids();
  return {
    at: snap.at,
    nodeCpuMs: cpuMs(server.pid) ?? 0,
    nodeThreadCpuMs: threadCpuMs(server.pid),
    workerCpuMs: workers.reduce((n, pid) => n + (cpuMs(pid) ?? 0), 0),
    loadCpuMs: cpuMs(load.pid) ?? 0,
    serverUdpDrops: udpDropsOf([server.pid, ...workers]).total,
    loadUdpDrops: udpDropsOf([load.pid]).total,
    snmp: snmpUdp(),
    cpus: cpuTimes(),
    audio: snap.audio,
    video: snap.video,
  };
}

async function runOne(
  server: SfuDialect,
  size: Size,
  repetition: number,
  order: 1 | 2,
  opts: CompareOptions,
): Promise<RunFigures> {
  const handle = await startServer(server, {
    ...(opts.cores ? { core: opts.cores[0] } : {}),
    samkonsEntry: opts.samkonsEntry,
    samkonsEnv: opts.samkonsEnv,
  });
  const load = new LoadProcess(opts.cores?.[1]);
  try {
    const config: LoadConfig = {
      dialect: server,
      url: handle.url,
      rooms: size.rooms,
      participants: size.participants,
      profile: opts.profile,
      settleTimeoutMs: 60_000,
    };
    const joined = await load.request({ type: 'start', config }, 240_000);
    if (joined.type !== 'joined') throw new Error(`load: unexpected ${joined.type}`);
    await sleep(opts.warmupSeconds * 1000);
    const before = await sample(handle, load);
    await sleep(opts.measureSeconds * 1000);
    const after = await sample(handle, load);
    const loadAverage1m = loadAverage()[0] ?? 0;
    const workers = handle.workerPids();
    return runFigures({
      server,
      rooms: size.rooms,
      participants: size.participants,
      repetition,
      order,
      before,
      after,
      joins: joined.joins,
      loadAverage1m,
      memoryKb: {
        node: rssKb(handle.pid) ?? 0,
        workers: workers.reduce((n, pid) => n + (rssKb(pid) ?? 0), 0),
      },
    });
  } finally {
    await load.stop();
    await handle.stop();
  }
}

/** Every run, in the order they ran. */
export async function compare(opts: CompareOptions): Promise<RunFigures[]> {
  const runs: RunFigures[] = [];
  for (let rep = 1; rep <= opts.repetitions; rep++) {
    for (const [i, size] of opts.sizes.entries()) {
      // Alternate which server goes first, across sizes and repetitions.
      const pair: SfuDialect[] = (rep + i) % 2 === 1 ? ['raw', 'samkons'] : ['samkons', 'raw'];
      for (const [k, server] of pair.entries()) {
        const label = `${size.rooms}x${size.participants} rep ${rep} ${server}`;
        opts.log(`${label}: running`);
        const r = await withRetries(label, opts.log, () =>
          runOne(server, size, rep, (k + 1) as 1 | 2, opts),
        );
        opts.log(
          `${label}: ${r.cpu.totalMicrosPerPacket} µs/packet (node ${r.cpu.nodeMicrosPerPacket}, ` +
            `worker ${r.cpu.workerMicrosPerPacket}; node threads % ${JSON.stringify(r.cpu.nodeThreadsPctOfCore)}), loss ${r.receiverLossPct.total} %, ` +
            `server socket drops ${r.kernel.serverSocketDrops}, load ${r.cpu.loadPctOfCore} % of a core, ` +
            `machine cpu busy ${JSON.stringify(r.machine.cpuBusyPct)}`,
        );
        runs.push(r);
      }
    }
  }
  return runs;
}

/**
 * A run whose streams do not all start (the headless clients starve on a busy machine)
 * measures nothing: it is run again, twice at most, rather than losing the runs before it.
 */
async function withRetries<T>(
  label: string,
  log: (line: string) => void,
  run: () => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts) throw err;
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      log(`${label}: set-up failed (${first}); running it again (${attempt + 1}/${attempts})`);
    }
  }
}
