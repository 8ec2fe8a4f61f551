/**
 * The two servers of the comparison, each started as its own process pinned to the server
 * core (`taskset`; the mediasoup worker inherits the affinity from Node).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../tests/support/server-process.js';
import { childPids, commandName } from './proc.js';
import type { SfuDialect } from './signalling.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerHandle {
  dialect: SfuDialect;
  url: string;
  /** The Node process. */
  pid: number;
  /** The mediasoup worker processes (children of the Node process). */
  workerPids(): number[];
  output(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** CPU the server (Node and its workers) runs on; undefined: not pinned. */
  core?: number;
  /** samkons: `dist` runs server/dist/main.js as `npm start` does; `source` runs it with tsx. */
  samkonsEntry: 'dist' | 'source';
  /** Extra environment for samkons (a configuration under test). */
  samkonsEnv: Record<string, string>;
}

const TSX = ['--conditions=samkons-source', '--import', 'tsx'];

/** `taskset -c core node args` or plain node. */
export function pinnedNode(core: number | undefined, args: string[]): [string, string[]] {
  return core === undefined
    ? [process.execPath, args]
    : ['taskset', ['-c', String(core), process.execPath, ...args]];
}

export async function startServer(dialect: SfuDialect, opts: ServerOptions): Promise<ServerHandle> {
  return dialect === 'raw' ? startRaw(opts) : startSamkons(opts);
}

/** samkons as `npm start` runs it, with development rooms so the load can join by name. */
async function startSamkons(opts: ServerOptions): Promise<ServerHandle> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sfu-compare-samkons-'));
  try {
    const server = await startServerProcess(
      {
        MEDIASOUP_ANNOUNCED_IP: '127.0.0.1',
        SIGNALLING_DEV_ROOMS: 'true',
        PGLITE_DATA_DIR: path.join(scratch, 'pglite'),
        ...opts.samkonsEnv,
      },
      { entry: opts.samkonsEntry, ...(opts.core !== undefined ? { cpuCore: opts.core } : {}) },
    );
    return {
      dialect: 'samkons',
      url: server.url,
      pid: server.pid,
      workerPids: () => mediasoupWorkers(server.pid),
      output: server.output,
      async stop() {
        await server.close();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

/** Not esbuild's service process, which tsx starts beside the raw server. */
const mediasoupWorkers = (pid: number) =>
  childPids(pid).filter((c) => commandName(c)?.startsWith('mediasoup-work'));

async function startRaw(opts: ServerOptions): Promise<ServerHandle> {
  const [command, argv] = pinnedNode(opts.core, [...TSX, 'bench/sfu-compare/raw-server.ts']);
  const child = spawn(command, argv, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  let port: string | undefined;
  while (!(port = /listening (\d+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`raw server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dialect: 'raw',
    url: `http://127.0.0.1:${port}`,
    // taskset execs Node in its own process: the pid stays the server's.
    pid: child.pid!,
    workerPids: () => mediasoupWorkers(child.pid!),
    output: () => output,
    stop,
  };
}
