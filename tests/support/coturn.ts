import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './server-process.js';

export const TURNSERVER_PATH = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/**
 * Starts a real coturn on loopback with shared-secret credentials (as infra/coturn does),
 * resolved once it logs that its listeners are open.
 */
export async function startCoturn(secret = 'test-turn-secret-0123456789'): Promise<Coturn> {
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
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
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
    close: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
