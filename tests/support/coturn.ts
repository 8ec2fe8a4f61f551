import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './server-process.js';

export const TURNSERVER_PATH = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  url: string;
  secret: string;
  /** Everything coturn logged so far (allocations, permissions, session usage). */
  output(): string;
  close(): Promise<void>;
}

export interface CoturnOptions {
  secret?: string;
  /**
   * Relay to peers on 127.x.x.x. coturn refuses loopback peers by default (4.6: "peer IP
   * 127.0.0.1 is forbidden"); a call through the relay to an SFU on loopback needs this.
   */
  allowLoopbackPeers?: boolean;
  /** Logs every allocation, permission and channel bind (`--verbose`). */
  verbose?: boolean;
}

/**
 * Starts a real coturn on loopback with shared-secret credentials (as infra/coturn does),
 * resolved once it logs that its listeners are open.
 */
export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const secret = opts.secret ?? 'test-turn-secret-0123456789';
  if (!existsSync(TURNSERVER_PATH)) {
    throw new Error(`${TURNSERVER_PATH} is missing: run \`apt-get install -y coturn\``);
  }
  const port = await freePort();
  const relayBase = 49152 + Math.floor(Math.random() * 10_000);
  const proc: ChildProcess = spawn(
    TURNSERVER_PATH,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 100}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=samkons.test',
      '--fingerprint',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=/tmp/samkons-coturn-${port}.pid`,
      ...(opts.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
      ...(opts.verbose ? ['--verbose'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (log.includes('Total UDP servers') || log.includes('Relay ports initialization done')) {
        proc.stdout?.off('data', onData);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`coturn exited (${code}):\n${log}`)));
  });
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    output: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
