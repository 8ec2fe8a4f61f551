import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.js';

/*
 * The network-fault rig: each `NetLink` is a network namespace of its own joined to the root
 * namespace by a veth pair, so a browser started inside it reaches the server only through
 * that pair, where the test shapes the traffic at run time:
 *
 *   root namespace                         namespace samkons-net-<pid>-<n>
 *   server on hostAddress ── veth pair ── nsAddress, browser (`ip netns exec`)
 *          tbf (downlink rate)             tbf (uplink rate), nft (loss, outage, blocks)
 *
 * This kernel has no `netem`: rate is `tbf` on each end of the pair, random loss is an nft
 * `numgen random` rule, outages and protocol blocks are nft drops. Needs root (CI runs as
 * root). Names carry the pid and addresses are reserved under /run, so worktrees running
 * tests at the same time never meet; everything is removed on close, at process exit, and
 * (after a SIGKILL) by the next run's sweep of namespaces whose pid is gone.
 */

const run = promisify(execFile);
const EXEC_TIMEOUT_MS = 10_000;

/** Namespaces, veth ends and address reservations all carry this prefix and the owner's pid. */
const NS_PREFIX = 'samkons-net-';
const IF_PREFIX = 'skn';
const RESERVATIONS = '/run/samkons-netlab';
/** 16384 point-to-point /30 subnets in 10.213.0.0/16: the rig's own address space. */
const SUBNETS = 16_384;

export type Direction = 'down' | 'up' | 'both';

/** A protocol (optionally one server port) whose packets the link drops. */
export interface Block {
  protocol: 'udp' | 'tcp';
  /** The server-side port (destination uplink, source downlink); all ports when absent. */
  port?: number;
}

/** Everything the rig can do to a link at once; absent fields are clean. */
export interface LinkConditions {
  /** Rate limit in kbit/s (tbf), per direction. */
  rateKbit?: { down?: number; up?: number };
  /**
   * How long a rate-limited direction may queue (ms of its rate, tbf's `latency`) before it
   * drops: 250 by default, a wired or fibre line's buffer. Mobile links often queue a second
   * or more (bufferbloat).
   */
  queueMs?: number;
  /** Random loss as a fraction 0..1, per direction. */
  loss?: { down?: number; up?: number };
  /** Drop everything both ways: the link is cut. */
  outage?: boolean;
  blocks?: Block[];
}

/** One read of a link's queue (`watchQueued`): when, and the bytes it held. */
export interface QueueRead {
  at: number;
  bytes: number;
}

/** The longest queue the rig sets up (tbf holds rate x latency in memory). */
const MAX_QUEUE_MS = 10_000;

/** tbf's `latency` when the conditions name none: a wired line's buffer. */
export const DEFAULT_QUEUE_MS = 250;

/**
 * tbf's bucket: about 20 ms of traffic, at least a few full packets (tbf needs one at least
 * as large as a packet, and a large one would let bursts exceed the rate).
 */
export const tbfBurstBytes = (kbit: number): number =>
  Math.max(4000, Math.round((kbit * 1000) / 8 / 50));

/**
 * The most a direction limited to `kbit` can hold, in ms of its rate: tbf's queue holds its
 * `latency` plus the bucket (330 ms at 400 kbit/s on the usual 250 ms queue).
 */
export const queueCapacityMs = (kbit: number, queueMs = DEFAULT_QUEUE_MS): number =>
  queueMs + (tbfBurstBytes(kbit) * 8) / kbit;

/** Packets and bytes the link's nft rules dropped so far (counters since the last change). */
export interface DropCounters {
  packets: number;
  bytes: number;
}

/**
 * When a change of the link took effect (`Date.now()`): the kernel applies a `tc` or `nft`
 * change before the command exits, but starting the command takes 0.3-0.45 s on a loaded
 * machine, so a time taken before it would count that as the network's reaction. Of a rate
 * change, the first direction changed (both ways: the two run side by side); otherwise the
 * nft rules.
 */
export type AppliedAt = number;

export interface NetLink {
  readonly label: string;
  readonly namespace: string;
  /** Root side of the veth pair: the server listens and announces here. */
  readonly hostAddress: string;
  /** Namespace side: where the browser's packets come from. */
  readonly nsAddress: string;
  /** The conditions in force now. */
  readonly conditions: Readonly<LinkConditions>;
  /**
   * Replaces all conditions at once (rate, loss, outage, blocks). Resolves with when the
   * change took effect (`Date.now()`; see `AppliedAt`).
   */
  set(conditions: LinkConditions): Promise<AppliedAt>;
  /** Changes only the given aspects; others stay as they are. */
  update(patch: LinkConditions): Promise<AppliedAt>;
  /** Rate both ways in kbit/s (undefined: unlimited). */
  setRate(kbit: number | undefined, direction?: Direction): Promise<AppliedAt>;
  setLoss(fraction: number, direction?: Direction): Promise<AppliedAt>;
  setOutage(on: boolean): Promise<AppliedAt>;
  block(block: Block): Promise<AppliedAt>;
  unblock(block?: Block): Promise<AppliedAt>;
  /** Back to a clean link. */
  restore(): Promise<AppliedAt>;
  /** What the nft rules have dropped since the conditions last changed. */
  dropped(): Promise<DropCounters>;
  /** The bytes the rate limit's queue holds now one way (0 when that way is not limited). */
  queued(direction: 'down' | 'up'): Promise<number>;
  /** Runs a command inside the namespace. */
  exec(command: string, args: string[]): Promise<string>;
  /**
   * Chromium inside the namespace (playwright-core, through a wrapper executable), treating
   * `origins` (plain-http pages on the rig's addresses) as secure so getUserMedia works.
   */
  launchChromium(opts: { origins: string[]; args?: string[]; nice?: number }): Promise<Browser>;
  close(): Promise<void>;
}

export interface NetLab {
  /** A new namespace and veth pair, clean until told otherwise. */
  addLink(label: string): Promise<NetLink>;
  readonly links: readonly NetLink[];
  /**
   * Server environment for `startServerProcess`: HTTP, the WebRtcServer and the announced
   * address all on `link`'s root side (the first link by default), RTC port picked freely.
   */
  serverEnv(link?: NetLink): Record<string, string>;
  /** Removes every namespace, veth pair, reservation and wrapper of this lab. */
  close(): Promise<void>;
}

/** True when this process may create namespaces (root with iproute2 and nftables). */
export function netLabAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root' };
  for (const tool of ['ip', 'tc', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore', timeout: EXEC_TIMEOUT_MS });
    } catch {
      return {
        ok: false,
        reason: `${tool} is missing: run \`bash infra/setup.sh --test\` (iproute2, nftables)`,
      };
    }
  }
  return { ok: true };
}

/** Opens a lab: sweeps what dead runs left behind, then hands out links. */
export async function openNetLab(): Promise<NetLab> {
  const available = netLabAvailable();
  if (!available.ok) throw new Error(`network rig unavailable: ${available.reason}`);
  sweepStale();
  const links: LinkImpl[] = [];
  const lab: NetLab = {
    links,
    async addLink(label) {
      const link = await LinkImpl.create(label, nextIndex++);
      links.push(link);
      return link;
    },
    serverEnv(link) {
      const on = link ?? links[0];
      if (!on) throw new Error('add a link before asking for the server environment');
      return {
        HOST: on.hostAddress,
        MEDIASOUP_LISTEN_IP: on.hostAddress,
        MEDIASOUP_ANNOUNCED_IP: on.hostAddress,
        MEDIASOUP_RTC_PORT: '0',
      };
    },
    async close() {
      await Promise.all(links.splice(0).map((l) => l.close()));
    },
  };
  return lab;
}

let nextIndex = 0;
/** Links alive in this process, removed synchronously at exit if a test never closed them. */
const alive = new Set<LinkImpl>();
let exitHookInstalled = false;

function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const link of alive) link.closeSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const link of alive) link.closeSync();
      // Re-raise so the process ends the way it was asked to.
      process.kill(process.pid, signal);
    });
  }
}

class LinkImpl implements NetLink {
  readonly label: string;
  readonly namespace: string;
  readonly hostAddress: string;
  readonly nsAddress: string;
  readonly #hostIf: string;
  readonly #nsIf: string;
  readonly #reservation: string;
  #conditions: LinkConditions = {};
  #browsers: Browser[] = [];
  #wrapperDir: string | undefined;
  #closed = false;

  static async create(label: string, index: number): Promise<LinkImpl> {
    installExitHooks();
    const { slot, reservation } = reserveSubnet(index);
    const link = new LinkImpl(label, index, slot, reservation);
    alive.add(link);
    try {
      await link.#setUp();
    } catch (err) {
      await link.close();
      throw err;
    }
    return link;
  }

  private constructor(label: string, index: number, slot: number, reservation: string) {
    this.label = label;
    this.namespace = `${NS_PREFIX}${process.pid}-${index}`;
    this.#hostIf = `${IF_PREFIX}${process.pid}h${index}`;
    this.#nsIf = `${IF_PREFIX}${process.pid}n${index}`;
    const base = `10.213.${slot >> 6}.${(slot & 63) << 2}`;
    const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
    this.hostAddress = `${a}.${b}.${c}.${d + 1}`;
    this.nsAddress = `${a}.${b}.${c}.${d + 2}`;
    this.#reservation = reservation;
  }

  get conditions(): Readonly<LinkConditions> {
    return this.#conditions;
  }

  async #setUp(): Promise<void> {
    const ns = this.namespace;
    await ip('netns', 'add', ns);
    await ip('link', 'add', this.#hostIf, 'type', 'veth', 'peer', 'name', this.#nsIf);
    await ip('link', 'set', this.#nsIf, 'netns', ns);
    await ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.#hostIf);
    await ip('link', 'set', this.#hostIf, 'up');
    await ip('-n', ns, 'addr', 'add', `${this.nsAddress}/30`, 'dev', this.#nsIf);
    await ip('-n', ns, 'link', 'set', this.#nsIf, 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    // Every root-side address (the server's, other links') is reached through this pair.
    await ip('-n', ns, 'route', 'add', 'default', 'via', this.hostAddress);
    await this.#applyNft();
  }

  async set(conditions: LinkConditions): Promise<AppliedAt> {
    this.#assertOpen();
    validate(conditions);
    const before = this.#conditions;
    this.#conditions = structuredClone(conditions);
    const rate = conditions.rateKbit ?? {};
    const was = before.rateKbit ?? {};
    const queueMs = conditions.queueMs ?? DEFAULT_QUEUE_MS;
    const requeue = queueMs !== (before.queueMs ?? DEFAULT_QUEUE_MS);
    let shapedAt = Infinity;
    const shape = (ns: string | undefined, dev: string, kbit: number | undefined) =>
      this.#shape(ns, dev, kbit, queueMs).then(() => {
        shapedAt = Math.min(shapedAt, Date.now());
      });
    // The host end's egress is the namespace's downlink; the namespace end's is its uplink.
    const shaping = [
      ...(rate.down !== was.down || requeue ? [shape(undefined, this.#hostIf, rate.down)] : []),
      ...(rate.up !== was.up || requeue ? [shape(this.namespace, this.#nsIf, rate.up)] : []),
    ];
    const [, nftAt] = await Promise.all([
      Promise.all(shaping),
      this.#applyNft().then(() => Date.now()),
    ]);
    return shaping.length ? shapedAt : nftAt;
  }

  update(patch: LinkConditions): Promise<AppliedAt> {
    return this.set({ ...this.#conditions, ...patch });
  }

  setRate(kbit: number | undefined, direction: Direction = 'both'): Promise<AppliedAt> {
    return this.update({ rateKbit: perDirection(this.#conditions.rateKbit, kbit, direction) });
  }

  setLoss(fraction: number, direction: Direction = 'both'): Promise<AppliedAt> {
    const value = fraction > 0 ? fraction : undefined;
    return this.update({ loss: perDirection(this.#conditions.loss, value, direction) });
  }

  setOutage(on: boolean): Promise<AppliedAt> {
    return this.update({ outage: on });
  }

  block(block: Block): Promise<AppliedAt> {
    const blocks = (this.#conditions.blocks ?? []).filter((b) => !sameBlock(b, block));
    return this.update({ blocks: [...blocks, block] });
  }

  unblock(block?: Block): Promise<AppliedAt> {
    const blocks = block ? (this.#conditions.blocks ?? []).filter((b) => !sameBlock(b, block)) : [];
    return this.update({ blocks });
  }

  restore(): Promise<AppliedAt> {
    return this.set({});
  }

  async dropped(): Promise<DropCounters> {
    const out = await this.exec('nft', ['-j', 'list', 'table', 'inet', 'samkons']);
    const total: DropCounters = { packets: 0, bytes: 0 };
    const parsed = JSON.parse(out) as { nftables: { rule?: { expr: unknown[] } }[] };
    for (const item of parsed.nftables) {
      for (const expr of item.rule?.expr ?? []) {
        const counter = (expr as { counter?: DropCounters }).counter;
        if (counter) {
          total.packets += counter.packets;
          total.bytes += counter.bytes;
        }
      }
    }
    return total;
  }

  async exec(command: string, args: string[]): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', this.namespace, command, ...args], {
      timeout: EXEC_TIMEOUT_MS,
    });
    return stdout;
  }

  async launchChromium(opts: {
    origins: string[];
    args?: string[];
    /** A niceness for the browser and its children (`nice -n`; negative needs root). */
    nice?: number;
  }): Promise<Browser> {
    this.#assertOpen();
    this.#wrapperDir ??= await mkdtemp(path.join(tmpdir(), 'samkons-netlab-'));
    const wrapper = path.join(this.#wrapperDir, 'chromium');
    // `ip netns exec` execs in place: Playwright's pipe and pid stay the browser's own.
    await writeFile(
      wrapper,
      `#!/bin/sh\nexec ${opts.nice !== undefined ? `nice -n ${opts.nice} ` : ''}ip netns exec ${this.namespace} ${CHROMIUM_PATH} "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    const browser = await chromium.launch({
      executablePath: wrapper,
      args: [
        ...CHROMIUM_ARGS,
        `--unsafely-treat-insecure-origin-as-secure=${opts.origins.join(',')}`,
        ...(opts.args ?? []),
      ],
      timeout: 30_000,
    });
    this.#browsers.push(browser);
    return browser;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#browsers.splice(0).map((b) => b.close().catch(() => undefined)));
    // Deleting the namespace deletes its veth end, which deletes the pair and its qdiscs.
    await ip('netns', 'del', this.namespace).catch(() => undefined);
    await ip('link', 'del', this.#hostIf).catch(() => undefined);
    if (this.#wrapperDir) await rm(this.#wrapperDir, { recursive: true, force: true });
    releaseReservation(this.#reservation);
    alive.delete(this);
  }

  /** For exit handlers: no awaiting, browsers die with the process. */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const args of [
      ['netns', 'del', this.namespace],
      ['link', 'del', this.#hostIf],
    ]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore', timeout: EXEC_TIMEOUT_MS });
      } catch {
        // Already gone.
      }
    }
    releaseReservation(this.#reservation);
    alive.delete(this);
  }

  async queued(direction: 'down' | 'up'): Promise<number> {
    this.#assertOpen();
    return direction === 'down'
      ? backlogOf(undefined, this.#hostIf)
      : backlogOf(this.namespace, this.#nsIf);
  }

  async #shape(
    ns: string | undefined,
    dev: string,
    kbit: number | undefined,
    queueMs: number,
  ): Promise<void> {
    const netns = inNamespace(ns);
    if (kbit === undefined) {
      await run('tc', [...netns, 'qdisc', 'del', 'dev', dev, 'root'], {
        timeout: EXEC_TIMEOUT_MS,
      }).catch(() => undefined);
      return;
    }
    const burst = tbfBurstBytes(kbit);
    await run(
      'tc',
      [
        ...netns,
        'qdisc',
        'replace',
        'dev',
        dev,
        'root',
        'tbf',
        'rate',
        `${kbit}kbit`,
        'burst',
        String(burst),
        'latency',
        `${queueMs}ms`,
      ],
      { timeout: EXEC_TIMEOUT_MS },
    );
  }

  /** Rewrites the namespace's nft table as a whole, atomically, from the conditions. */
  async #applyNft(): Promise<void> {
    const script = nftScript(this.#nsIf, this.#conditions);
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'ip',
        ['netns', 'exec', this.namespace, 'nft', '-f', '-'],
        { timeout: EXEC_TIMEOUT_MS },
        (err, _stdout, stderr) =>
          err ? reject(new Error(`nft: ${stderr || err.message}`)) : resolve(),
      );
      child.stdin?.end(script);
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`link ${this.label} is closed`);
  }
}

/** The nft table for one link: drops on the veth end only (the namespace's loopback is free). */
export function nftScript(dev: string, c: LinkConditions): string {
  const input: string[] = [];
  const output: string[] = [];
  if (c.outage) {
    input.push(`iifname "${dev}" counter drop`);
    output.push(`oifname "${dev}" counter drop`);
  }
  for (const b of c.blocks ?? []) {
    const match = (side: 'sport' | 'dport') =>
      b.port ? `${b.protocol} ${side} ${b.port}` : `meta l4proto ${b.protocol}`;
    input.push(`iifname "${dev}" ${match('sport')} counter drop`);
    output.push(`oifname "${dev}" ${match('dport')} counter drop`);
  }
  const permille = (f: number | undefined) => Math.round((f ?? 0) * 1000);
  if (permille(c.loss?.down) > 0) {
    input.push(`iifname "${dev}" numgen random mod 1000 < ${permille(c.loss?.down)} counter drop`);
  }
  if (permille(c.loss?.up) > 0) {
    output.push(`oifname "${dev}" numgen random mod 1000 < ${permille(c.loss?.up)} counter drop`);
  }
  const chain = (name: string, hook: string, rules: string[]) =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority 0; policy accept;`,
      ...rules.map((r) => `    ${r}`),
      '  }',
    ].join('\n');
  // `add` then `delete` makes the script valid whether or not the table exists yet.
  return [
    'add table inet samkons',
    'delete table inet samkons',
    'table inet samkons {',
    chain('in', 'input', input),
    chain('out', 'output', output),
    '}',
    '',
  ].join('\n');
}

function validate(c: LinkConditions): void {
  for (const [k, v] of Object.entries(c.rateKbit ?? {})) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 8)) {
      throw new Error(`rate ${k} must be at least 8 kbit/s, got ${String(v)}`);
    }
  }
  const q = c.queueMs;
  if (q !== undefined && !(Number.isInteger(q) && q >= 10 && q <= MAX_QUEUE_MS)) {
    throw new Error(`queue must be 10..${MAX_QUEUE_MS} ms, got ${String(q)}`);
  }
  for (const [k, v] of Object.entries(c.loss ?? {})) {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new Error(`loss ${k} must be 0..1`);
  }
  for (const b of c.blocks ?? []) {
    if (b.port !== undefined && !(Number.isInteger(b.port) && b.port > 0 && b.port < 65536)) {
      throw new Error(`bad port ${b.port}`);
    }
  }
}

function perDirection<T>(
  current: { down?: T; up?: T } | undefined,
  value: T | undefined,
  direction: Direction,
): { down?: T; up?: T } {
  const next = { ...current };
  if (direction !== 'up') next.down = value;
  if (direction !== 'down') next.up = value;
  if (next.down === undefined) delete next.down;
  if (next.up === undefined) delete next.up;
  return next;
}

const sameBlock = (a: Block, b: Block) => a.protocol === b.protocol && a.port === b.port;

/** `tc`'s arguments to act inside namespace `ns` (none: the root namespace). */
const inNamespace = (ns: string | undefined) => (ns ? ['-n', ns] : []);

/** The bytes the root qdisc of `dev` holds (tbf's backlog). */
async function backlogOf(ns: string | undefined, dev: string): Promise<number> {
  const { stdout } = await run(
    'tc',
    [...inNamespace(ns), '-s', '-j', 'qdisc', 'show', 'dev', dev],
    {
      timeout: EXEC_TIMEOUT_MS,
    },
  );
  const root = (JSON.parse(stdout) as { root?: boolean; kind?: string; backlog?: number }[]).find(
    (q) => q.root,
  );
  return root?.kind === 'tbf' ? (root.backlog ?? 0) : 0;
}

/**
 * Reads `link`'s queue one way every `everyMs` until the returned function is called, which
 * resolves with the reads. Stops by itself when the link is closed under it.
 */
export function watchQueued(
  link: NetLink,
  direction: 'down' | 'up',
  everyMs: number,
): () => Promise<QueueRead[]> {
  const reads: QueueRead[] = [];
  const stop = new AbortController();
  const reading = (async () => {
    while (!stop.signal.aborted) {
      const bytes = await link.queued(direction).catch(() => undefined);
      if (bytes === undefined) return;
      reads.push({ at: Date.now(), bytes });
      await delay(everyMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();
  return async () => {
    stop.abort();
    await reading;
    return reads;
  };
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args, { timeout: EXEC_TIMEOUT_MS });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')}: ${stderr.trim() || String(err)}`);
  }
}

// --- address reservations and the stale sweep ------------------------------------------------

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a /30 by creating its reservation file exclusively (O_EXCL), so two processes can
 * never pick the same one; a file whose owner died is reclaimed.
 */
function reserveSubnet(index: number): { slot: number; reservation: string } {
  mkdirSync(RESERVATIONS, { recursive: true });
  const start = (process.pid * 61 + index * 7) % SUBNETS;
  for (let i = 0; i < SUBNETS; i++) {
    const slot = (start + i) % SUBNETS;
    const file = path.join(RESERVATIONS, String(slot));
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { slot, reservation: file };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!reservationStale(file)) continue;
      try {
        unlinkSync(file);
      } catch {
        // Another process reclaimed it first.
      }
    }
  }
  throw new Error('no free subnet for the network rig');
}

function reservationStale(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    // Empty: its owner is between create and write (or died there); give it a moment.
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
  } catch {
    return false;
  }
}

function releaseReservation(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already released.
  }
}

/**
 * Removes what runs killed with SIGKILL left behind: this rig's namespaces and root-side
 * veth ends whose owner pid is gone, and their reservations. Never touches anything else.
 */
export function sweepStale(): void {
  const sh = (args: string[]) =>
    execFileSync('ip', args, { encoding: 'utf8', timeout: EXEC_TIMEOUT_MS });
  for (const line of sh(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-\\d+$`).exec(name);
    if (m && !pidAlive(Number(m[1]))) {
      try {
        sh(['netns', 'del', name]);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  for (const line of sh(['-o', 'link', 'show']).split('\n')) {
    const name = /^\d+:\s+([^:@]+)/.exec(line)?.[1] ?? '';
    const m = new RegExp(`^${IF_PREFIX}(\\d+)[hn]\\d+$`).exec(name);
    if (m && !pidAlive(Number(m[1]))) {
      try {
        sh(['link', 'del', name]);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  let files: string[] = [];
  try {
    files = readdirSync(RESERVATIONS);
  } catch {
    return;
  }
  for (const f of files) {
    const file = path.join(RESERVATIONS, f);
    if (reservationStale(file)) releaseReservation(file);
  }
}
