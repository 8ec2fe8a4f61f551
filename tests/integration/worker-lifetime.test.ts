import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  childPids,
  processAlive,
  startServerProcess,
  type ServerProcess,
} from '../support/server-process.js';

/**
 * What a server process leaves behind when it dies: never a mediasoup worker (the kernel
 * kills it with its parent, SIGKILL of Node included), and, with the embedded database on
 * disk, the token signing secret it generated (mode 0600), so tokens outlive the process.
 */

const started: ServerProcess[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.close();
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
});

describe('the server process', () => {
  it('takes its mediasoup workers with it when it is SIGKILLed', async () => {
    const server = await startServerProcess({ MEDIASOUP_NUM_WORKERS: '2' });
    started.push(server);
    // The real worker binary, not the shell of the guard script (it execs); other children
    // (the TypeScript loader's esbuild) are not ours to watch.
    const children = await childPids(server.pid);
    const commands = await Promise.all(
      children.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
    );
    const workers = children.filter((_, i) => commands[i]!.includes('mediasoup-worker'));
    expect(workers).toHaveLength(2);

    process.kill(server.pid, 'SIGKILL');
    await expect
      .poll(() => Promise.all(workers.map(processAlive)), { timeout: 10_000, interval: 100 })
      .toEqual([false, false]);
  });

  it('starts on a fresh checkout and keeps a signing secret it generated with its data, readable by the owner only', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'samkons-secret-'));
    folders.push(root);
    // As the default `./data/pglite` of a fresh checkout: neither folder there yet.
    const dataDir = path.join(root, 'data', 'pglite');
    const env = { PGLITE_DATA_DIR: dataDir, DEMO_DATA: 'true' };
    const first = await startServerProcess(env);
    started.push(first);
    const login = async (url: string) => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'spesialist', password: 'demo-spesialist' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const token = await login(first.url);
    const file = path.join(dataDir, 'samkons-jwt-secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secret = await readFile(file, 'utf8');
    await first.close();

    // A new process on the same data: the token it signed before still works.
    const second = await startServerProcess(env);
    started.push(second);
    const res = await fetch(`${second.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await readFile(file, 'utf8')).toBe(secret);
  }, 180_000); // two starts of the embedded database on disk
});
