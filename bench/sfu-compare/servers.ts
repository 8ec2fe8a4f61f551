/**
 * The two servers of the comparison, each started as its own process pinned to the server
 * core (`taskset`; the mediasoup worker inherits the affinity from Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tests/support/server-process.js';
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

async function until(
  child: ChildProcess,
  output: () => string,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`server not ready within 90 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startServer(dialect: SfuDialect, opts: ServerOptions): Promise<ServerHandle> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), `sfu-compare-${dialect}-`));
  let args: string[];
  let env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  let port = 0;
  if (dialect === 'raw') {
    args = [...TSX, 'bench/sfu-compare/raw-server.ts'];
  } else {
    port = await freePort();
    args = opts.samkonsEntry === 'dist' ? ['server/dist/main.js'] : [...TSX, 'server/src/main.ts'];
    env = {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MEDIASOUP_NUM_WORKERS: '1',
      MEDIASOUP_RTC_PORT: '0',
      MEDIASOUP_LISTEN_IP: '127.0.0.1',
      MEDIASOUP_ANNOUNCED_IP: '127.0.0.1',
      SIGNALLING_DEV_ROOMS: 'true',
      PGLITE_DATA_DIR: path.join(scratch, 'pglite'),
      ...opts.samkonsEnv,
    };
  }
  const [command, argv] = pinnedNode(opts.core, args);
  const child = spawn(command, argv, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(scratch, { recursive: true, force: true });
  };

  try {
    let url = `http://127.0.0.1:${port}`;
    if (dialect === 'raw') {
      await until(
        child,
        () => output,
        async () => /listening (\d+)/.test(output),
      );
      url = `http://127.0.0.1:${/listening (\d+)/.exec(output)![1]}`;
    } else {
      await until(
        child,
        () => output,
        async () => {
          try {
            return (await fetch(`${url}/api/health`)).ok;
          } catch {
            return false;
          }
        },
      );
    }
    // With taskset in between, Node is taskset's exec'd image: same pid.
    const pid = child.pid!;
    return {
      dialect,
      url,
      pid,
      // Not esbuild's service process that tsx starts beside the raw server.
      workerPids: () => childPids(pid).filter((c) => commandName(c)?.startsWith('mediasoup-work')),
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
