/**
 * samkons against raw mediasoup: the same worker binary, the same headless WebRTC clients
 * (werift through msc-node: real ICE, DTLS, SRTP, RTCP) at rooms x participants, everyone
 * sending audio and video and receiving everyone else. The server (Node and worker) runs on
 * one core and the load on the other (taskset); the order alternates and each size repeats.
 *
 *   npm run bench:sfu-compare
 *   npm run bench:sfu-compare -- --sizes 2x5 --repetitions 1 --seconds 10
 *   npm run bench:sfu-compare -- --samkons-env MEDIASOUP_LOG_TAGS=rtcp --label log-tags-on
 *
 * Prints a table and writes bench/results/sfu-compare.json (or --out). The figure is the
 * ratio samkons/raw of server CPU per forwarded packet, with receiver loss beside it.
 * Run it on a quiet machine for final figures: the JSON records how busy each core was.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { compare, type Size } from './compare.js';
import { isolateCore, type Isolation } from './isolate.js';
import { summarise, TARGETS, type RunFigures, type SizeSummary } from './figures.js';
import { DEFAULT_PROFILE, describeProfile } from './media.js';
import { repoRoot } from './servers.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1x5,2x5,4x5' },
    repetitions: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    // Steady state: for about 30 s after the joins V8 still compiles samkons's hot code and
    // its memory reducer runs full collections (measured at 1x5: the Node process's helper
    // threads took 0.6-0.7 % of a core from 15 to 35 s, 0.07-0.12 % from 40 s on).
    warmup: { type: 'string', default: '30' },
    'samkons-entry': { type: 'string', default: 'dist' },
    'samkons-env': { type: 'string', multiple: true, default: [] },
    label: { type: 'string', default: '' },
    out: { type: 'string', default: 'bench/results/sfu-compare.json' },
    'no-pin': { type: 'boolean', default: false },
    'no-isolate': { type: 'boolean', default: false },
  },
});

function parseSizes(text: string): Size[] {
  return text.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[2]) < 2) throw new Error(`--sizes: "${s}" is not ROOMSxPARTICIPANTS (>= 2)`);
    return { rooms: Number(m[1]), participants: Number(m[2]) };
  });
}

function parseEnv(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new Error(`--samkons-env: "${p}" is not NAME=VALUE`);
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
}

function tasksetAvailable(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}

function table(summary: SizeSummary[]): string {
  const rows = [
    [
      'size',
      'raw µs/pkt',
      'samkons µs/pkt',
      'ratio',
      'node µs/pkt raw|samkons',
      'worker µs/pkt raw|samkons',
      'loss % raw|samkons',
      'Δ loss pts',
      'socket drops raw|samkons',
      'first pkt ms raw|samkons',
    ],
    ...summary.map((s) => [
      s.size,
      String(s.raw.totalMicrosPerPacket),
      String(s.samkons.totalMicrosPerPacket),
      `${s.cpuRatio.total}${s.targets.cpuMet ? '' : ' (!)'}`,
      `${s.raw.nodeMicrosPerPacket} | ${s.samkons.nodeMicrosPerPacket}`,
      `${s.raw.workerMicrosPerPacket} | ${s.samkons.workerMicrosPerPacket}`,
      `${s.raw.receiverLossPct} | ${s.samkons.receiverLossPct}`,
      `${s.lossDifferencePoints}${s.targets.lossMet ? '' : ' (!)'}`,
      `${s.raw.serverSocketDrops} | ${s.samkons.serverSocketDrops}`,
      `${s.raw.firstPacketMedianMs} | ${s.samkons.firstPacketMedianMs}`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const pin = !values['no-pin'] && os.cpus().length >= 2 && tasksetAvailable();
  const entry = values['samkons-entry'];
  if (entry !== 'dist' && entry !== 'source') throw new Error('--samkons-entry: dist or source');
  const samkonsEntry: 'dist' | 'source' = entry;
  const samkonsEnv = parseEnv(values['samkons-env']);
  const sizes = parseSizes(values.sizes);
  const options = {
    sizes,
    repetitions: Number(values.repetitions),
    warmupSeconds: Number(values.warmup),
    measureSeconds: Number(values.seconds),
    profile: DEFAULT_PROFILE,
    cores: pin ? ([0, 1] as [number, number]) : undefined,
    samkonsEntry,
    samkonsEnv,
    log: (line: string) => console.error(line),
  };
  const startedAt = new Date().toISOString();
  // Root can move other processes; anyone else measures with them on the server's core.
  const isolation: Isolation | undefined =
    pin && !values['no-isolate'] && process.getuid?.() === 0 ? isolateCore(0, '1') : undefined;
  const giveBack = () => isolation?.restore();
  const interrupted = () => {
    giveBack();
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let runs: RunFigures[];
  try {
    runs = await compare(options);
  } finally {
    giveBack();
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
  }
  const summary = summarise(runs);

  const out = {
    bench: 'bench/sfu-compare/main.ts',
    label: values.label || undefined,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      kernel: os.release(),
      rmemDefault: Number(
        execFileSync('cat', ['/proc/sys/net/core/rmem_default'], { encoding: 'utf8' }).trim(),
      ),
    },
    method: {
      clients: 'werift 0.18.17 via msc-node 0.0.21 (real ICE, DTLS-SRTP, RTCP, NACK, transport-cc)',
      media: describeProfile(DEFAULT_PROFILE),
      pinning: pin
        ? 'server (Node + worker) on CPU 0, load on CPU 1 (taskset)'
        : 'not pinned (taskset missing, --no-pin or one CPU)',
      isolation: isolation
        ? `every other user process (${isolation.moved}) moved off CPU 0 for the run, put back after`
        : 'none: other processes may run on the server core (--no-isolate, not root, or not pinned)',
      window: `${options.warmupSeconds} s warm-up after every stream delivers, then ${options.measureSeconds} s measured`,
      order: 'raw and samkons back to back per size and repetition, which goes first alternating',
      raw: 'bench/sfu-compare/raw-server.ts: one worker, a router per room, a UDP socket per transport, no application layer',
      samkons: `${entry === 'dist' ? 'server/dist/main.js' : 'server/src/main.ts'} with PGlite on disk, one worker, SIGNALLING_DEV_ROOMS=true`,
      samkonsEnv,
      cpu: 'utime+stime from /proc/<pid>/stat of the Node process and of its mediasoup worker(s)',
      forwardedPacket: 'a distinct RTP packet that reached a receiver in the window',
      loss: 'per received stream from sequence numbers; retransmissions that fill a gap count as received (beforeRepair counts them as lost)',
      kernelDrops:
        "per-socket drops in /proc/net/udp of the server's sockets; RcvbufErrors of /proc/net/snmp is machine-wide",
      targets: TARGETS,
    },
    summary,
    runs,
  };
  const file = path.resolve(repoRoot, values.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);

  console.log(table(summary));
  console.log(
    `\nratio = samkons / raw server CPU (Node + worker) per forwarded packet; target <= ${TARGETS.cpuRatioAtMost}; ` +
      `Δ loss target <= ${TARGETS.lossPointsAtMost} points. (!) marks a missed target.`,
  );
  const busy = runs.map((r) => Object.values(r.machine.cpuBusyPct));
  console.log(
    `machine: load average ${Math.min(...runs.map((r) => r.machine.loadAverage1m))}-${Math.max(...runs.map((r) => r.machine.loadAverage1m))}, ` +
      `busiest core during runs up to ${Math.max(...busy.flat())} %. Written to ${path.relative(repoRoot, file)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
