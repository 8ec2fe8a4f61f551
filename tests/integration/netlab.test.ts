import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  netLabAvailable,
  openNetLab,
  sweepStale,
  watchQueued,
  type NetLab,
  type NetLink,
} from '../support/netlab.js';

/*
 * The network-fault rig itself, with Node on both sides of the veth pair (no browser):
 * rate, loss, outage and protocol blocks do what they say, change at run time, and
 * nothing is left behind, not even by a process killed with SIGKILL.
 */

const available = netLabAvailable();
if (!available.ok) console.warn(`network rig tests not run: ${available.reason}`);

/** Runs a Node script inside the link's namespace and returns its stdout. */
function nodeIn(link: NetLink, script: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', link.namespace, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(err || `exit ${code}`)),
    );
  });
}

/** Downloads `bytes` over TCP from the root side into the namespace; kbit/s achieved. */
async function downloadKbps(link: NetLink, port: number, bytes: number): Promise<number> {
  const out = await nodeIn(
    link,
    `const s = require('net').connect(${port}, '${link.hostAddress}'); let n = 0; const t = Date.now();
     s.on('data', (d) => { n += d.length; if (n >= ${bytes}) { console.log(Math.round(n * 8 / (Date.now() - t))); process.exit(0); } });
     s.on('error', (e) => { console.error(e.message); process.exit(2); });`,
  );
  return Number(out);
}

/** Sends `count` UDP datagrams from the namespace to the root side; how many arrived. */
async function udpDelivered(link: NetLink, count: number): Promise<number> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((r) => socket.bind(0, link.hostAddress, r));
  const { port } = socket.address();
  try {
    // 2 ms apart: far below any rate limit, so only the rules drop.
    await nodeIn(
      link,
      `const s = require('dgram').createSocket('udp4'); let i = 0;
       const t = setInterval(() => { s.send(Buffer.alloc(100), ${port}, '${link.hostAddress}');
         if (++i >= ${count}) { clearInterval(t); setTimeout(() => process.exit(0), 200); } }, 2);`,
    );
    return received;
  } finally {
    socket.close();
  }
}

/** Whether a TCP connection from the namespace to `address` succeeds within 1.5 s. */
async function tcpConnects(
  link: NetLink,
  port: number,
  address = link.hostAddress,
): Promise<boolean> {
  const out = await nodeIn(
    link,
    `const s = require('net').connect(${port}, '${address}');
     s.on('connect', () => { console.log('yes'); process.exit(0); });
     s.on('error', () => { console.log('no'); process.exit(0); });
     setTimeout(() => { console.log('no'); process.exit(0); }, 1500);`,
  );
  return out === 'yes';
}

describe.runIf(available.ok)('network-fault rig', () => {
  let lab: NetLab;
  let link: NetLink;
  let tcp: Server;
  let tcpPort: number;

  beforeAll(async () => {
    lab = await openNetLab();
    link = await lab.addLink('patient');
    // Streams zeros to every connection until it closes.
    tcp = createServer((sock) => {
      const chunk = Buffer.alloc(16_384);
      const pump = () => {
        while (!sock.destroyed && sock.write(chunk));
      };
      sock.on('drain', pump);
      sock.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((r) => tcp.listen(0, link.hostAddress, r));
    tcpPort = (tcp.address() as { port: number }).port;
  });

  afterAll(async () => {
    tcp?.close();
    await lab?.close();
  });

  it('gives each link its own namespace, addresses and a route to the root side', async () => {
    expect(link.namespace).toContain(String(process.pid));
    expect(link.hostAddress).toMatch(/^10\.213\./);
    const second = await lab.addLink('host');
    expect(second.hostAddress).not.toBe(link.hostAddress);
    // A second link reaches the first link's root-side address (where the server listens).
    expect(await tcpConnects(second, tcpPort, link.hostAddress)).toBe(true);
    expect(await tcpConnects(link, tcpPort)).toBe(true);
  });

  it('limits the rate both ways and lifts it at run time', async () => {
    await link.setRate(800);
    expect(link.conditions.rateKbit).toEqual({ down: 800, up: 800 });
    // 200 kB at 800 kbit/s takes 2 s: well above, the limit is not working.
    expect(await downloadKbps(link, tcpPort, 200_000)).toBeLessThan(1_100);
    await link.setRate(undefined);
    expect(await downloadKbps(link, tcpPort, 2_000_000)).toBeGreaterThan(5_000);
  });

  it('queues as deep as told before it drops, and tells what it holds', async () => {
    // A TCP download fills the rate limit's queue until the queue drops (the sender backs off
    // on loss only): up to the rig's 250 ms of the rate by default, a second when told so.
    const deepest = async (): Promise<number> => {
      const stop = watchQueued(link, 'down', 20);
      await downloadKbps(link, tcpPort, 1_000_000);
      return Math.max(0, ...(await stop()).map((r) => r.bytes));
    };
    // 2 Mbit/s: 62.5 kB in 250 ms, 250 kB in 1 s (tbf's limit adds its burst, 5 kB here).
    await link.setRate(2000, 'down');
    expect(await deepest()).toBeLessThan(70_000);
    await link.update({ queueMs: 1_000 });
    expect(link.conditions.queueMs).toBe(1_000);
    expect(await deepest()).toBeGreaterThan(125_000);
    await expect(link.update({ queueMs: 0 })).rejects.toThrow(/queue/);
    await expect(link.update({ queueMs: 60_000 })).rejects.toThrow(/queue/);
    expect(link.conditions.queueMs).toBe(1_000);
    await link.restore();
    expect([await link.queued('down'), await link.queued('up')]).toEqual([0, 0]);
  });

  it('drops a random share of packets', async () => {
    await link.setLoss(0.2, 'up');
    const delivered = await udpDelivered(link, 1500);
    // 20 % loss of 1500: 300 ± 15 (one standard deviation); the bounds are 4 deviations wide.
    expect(delivered).toBeGreaterThan(1500 * 0.72);
    expect(delivered).toBeLessThan(1500 * 0.88);
    expect((await link.dropped()).packets).toBeGreaterThan(0);
    await link.setLoss(0);
    expect(await udpDelivered(link, 300)).toBe(300);
  });

  it('cuts the link entirely, and blocks UDP while TCP still passes', async () => {
    await link.setOutage(true);
    expect(await tcpConnects(link, tcpPort)).toBe(false);
    expect(await udpDelivered(link, 50)).toBe(0);
    await link.setOutage(false);
    expect(await tcpConnects(link, tcpPort)).toBe(true);

    await link.block({ protocol: 'udp' });
    expect(await udpDelivered(link, 50)).toBe(0);
    expect(await tcpConnects(link, tcpPort)).toBe(true);
    await link.restore();
    expect(link.conditions).toEqual({});
    expect(await udpDelivered(link, 50)).toBe(50);
  });

  it('removes its namespace and reservation on close', async () => {
    const extra = await lab.addLink('short-lived');
    const listed = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(listed()).toContain(extra.namespace);
    await extra.close();
    expect(listed()).not.toContain(extra.namespace);
    // Its veth pair went with it.
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(
      `link-netns ${extra.namespace}`,
    );
  });

  it('sweeps what a process killed with SIGKILL left behind', async () => {
    // A child opens a link and is killed before it can clean up.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${new URL('../support/netlab.ts', import.meta.url).pathname}').then(async (m) => {
           const lab = await m.openNetLab(); const l = await lab.addLink('doomed');
           console.log(l.namespace); setInterval(() => undefined, 1000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const namespace = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      child.once('exit', () => reject(new Error('child exited before creating its link')));
    });
    const listed = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(listed()).toContain(namespace);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(listed()).toContain(namespace);
    sweepStale();
    expect(listed()).not.toContain(namespace);
    expect(existsSync(`/run/netns/${namespace}`)).toBe(false);
    // Our own links are alive and untouched.
    expect(listed()).toContain(link.namespace);
  });
});
