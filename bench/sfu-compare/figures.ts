/**
 * The figures of the SFU comparison, computed from two samples around a run's measurement
 * window (pure functions, unit-tested in figures.test.ts).
 */
import { countsBetween, sumCounts, type SeqCounts } from './seq-tracker.js';
import type { SfuDialect } from './signalling.js';

/** Everything read at one instant: /proc of the server and load, and the receivers' counts. */
export interface Sample {
  /** ms (monotonic). */
  at: number;
  nodeCpuMs: number;
  /** The Node process's CPU per thread name. */
  nodeThreadCpuMs: Record<string, number>;
  workerCpuMs: number;
  loadCpuMs: number;
  serverUdpDrops: number;
  loadUdpDrops: number;
  /** Machine-wide /proc/net/snmp Udp counters. */
  snmp: Record<string, number>;
  /** Per-CPU busy and total jiffies. */
  cpus: { cpu: string; busy: number; total: number }[];
  audio: SeqCounts;
  video: SeqCounts;
}

export interface Distribution {
  count: number;
  median: number;
  p95: number;
  max: number;
}

export interface RunFigures {
  server: SfuDialect;
  size: string;
  rooms: number;
  participants: number;
  repetition: number;
  /** 1 when this server ran first in its pair, 2 when second. */
  order: 1 | 2;
  seconds: number;
  /** Distinct RTP packets the receivers got in the window: what the SFU forwarded. */
  forwardedPackets: number;
  forwardedPerSecond: number;
  cpu: {
    nodePctOfCore: number;
    workerPctOfCore: number;
    /** The load process: near 100 % means the clients, not the server, set the pace. */
    loadPctOfCore: number;
    nodeMicrosPerPacket: number;
    workerMicrosPerPacket: number;
    totalMicrosPerPacket: number;
    /** The Node process per thread name (main, libuv-worker, V8 helpers...), % of a core. */
    nodeThreadsPctOfCore: Record<string, number>;
  };
  /** Percent of the packets that should have reached receivers and did not. */
  receiverLossPct: {
    total: number;
    audio: number;
    video: number;
    /** Counting retransmissions (late arrivals) as lost: what the network path dropped. */
    beforeRepair: number;
  };
  kernel: {
    /** Datagrams the kernel dropped on the server's own UDP sockets (/proc/net/udp). */
    serverSocketDrops: number;
    loadSocketDrops: number;
    /** Machine-wide (/proc/net/snmp): includes every other process on the machine. */
    rcvbufErrorsMachineWide: number;
  };
  joins: { firstPacketMs: Distribution; allStreamsMs: Distribution };
  machine: {
    loadAverage1m: number;
    /** Each CPU's busy share during the window, all processes of the machine. */
    cpuBusyPct: Record<string, number>;
  };
  memoryKb: { node: number; workers: number };
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? 0
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    median: round(at(0.5), 0),
    p95: round(at(0.95), 0),
    max: round(sorted.at(-1) ?? 0, 0),
  };
}

export const lossPct = (c: SeqCounts): number =>
  c.expected > 0 ? (100 * (c.expected - c.received)) / c.expected : 0;

export function runFigures(opts: {
  server: SfuDialect;
  rooms: number;
  participants: number;
  repetition: number;
  order: 1 | 2;
  before: Sample;
  after: Sample;
  joins: { firstPacketMs?: number; allStreamsMs?: number }[];
  loadAverage1m: number;
  memoryKb: { node: number; workers: number };
}): RunFigures {
  const { before, after } = opts;
  const seconds = (after.at - before.at) / 1000;
  const audio = countsBetween(before.audio, after.audio);
  const video = countsBetween(before.video, after.video);
  const all = sumCounts([audio, video]);
  const forwarded = Math.max(1, all.received);
  const nodeMs = after.nodeCpuMs - before.nodeCpuMs;
  const workerMs = after.workerCpuMs - before.workerCpuMs;
  const loadMs = after.loadCpuMs - before.loadCpuMs;
  const pctOfCore = (ms: number) => round((100 * ms) / (seconds * 1000), 2);
  const micros = (ms: number) => round((ms * 1000) / forwarded, 3);
  const cpuBusyPct: Record<string, number> = {};
  for (const a of after.cpus) {
    const b = before.cpus.find((c) => c.cpu === a.cpu);
    if (b && a.total > b.total) {
      cpuBusyPct[a.cpu] = round((100 * (a.busy - b.busy)) / (a.total - b.total), 1);
    }
  }
  const defined = (key: 'firstPacketMs' | 'allStreamsMs') =>
    opts.joins.map((j) => j[key]).filter((v): v is number => v !== undefined);
  return {
    server: opts.server,
    size: `${opts.rooms}x${opts.participants}`,
    rooms: opts.rooms,
    participants: opts.participants,
    repetition: opts.repetition,
    order: opts.order,
    seconds: round(seconds, 2),
    forwardedPackets: all.received,
    forwardedPerSecond: round(all.received / seconds, 0),
    cpu: {
      nodePctOfCore: pctOfCore(nodeMs),
      workerPctOfCore: pctOfCore(workerMs),
      loadPctOfCore: pctOfCore(loadMs),
      nodeMicrosPerPacket: micros(nodeMs),
      workerMicrosPerPacket: micros(workerMs),
      totalMicrosPerPacket: micros(nodeMs + workerMs),
      nodeThreadsPctOfCore: Object.fromEntries(
        Object.entries(after.nodeThreadCpuMs)
          .map(([name, ms]) => [name, pctOfCore(ms - (before.nodeThreadCpuMs[name] ?? 0))] as const)
          .filter(([, pct]) => pct > 0),
      ),
    },
    receiverLossPct: {
      total: round(lossPct(all), 3),
      audio: round(lossPct(audio), 3),
      video: round(lossPct(video), 3),
      beforeRepair: round(
        all.expected > 0 ? (100 * (all.expected - all.inOrder)) / all.expected : 0,
        3,
      ),
    },
    kernel: {
      serverSocketDrops: after.serverUdpDrops - before.serverUdpDrops,
      loadSocketDrops: after.loadUdpDrops - before.loadUdpDrops,
      rcvbufErrorsMachineWide: (after.snmp.RcvbufErrors ?? 0) - (before.snmp.RcvbufErrors ?? 0),
    },
    joins: {
      firstPacketMs: distribution(defined('firstPacketMs')),
      allStreamsMs: distribution(defined('allStreamsMs')),
    },
    machine: { loadAverage1m: opts.loadAverage1m, cpuBusyPct },
    memoryKb: opts.memoryKb,
  };
}

const mean = (xs: number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

export interface ServerMeans {
  runs: number;
  totalMicrosPerPacket: number;
  nodeMicrosPerPacket: number;
  workerMicrosPerPacket: number;
  nodePctOfCore: number;
  workerPctOfCore: number;
  receiverLossPct: number;
  receiverLossBeforeRepairPct: number;
  serverSocketDrops: number;
  firstPacketMedianMs: number;
  allStreamsMedianMs: number;
}

export interface SizeSummary {
  size: string;
  raw: ServerMeans;
  samkons: ServerMeans;
  /** samkons / raw of the mean CPU per forwarded packet. */
  cpuRatio: { total: number; node: number; worker: number };
  /** Each repetition's total ratio (the pair ran back to back). */
  cpuRatioPerRepetition: number[];
  /** samkons - raw receiver loss, in percentage points. */
  lossDifferencePoints: number;
  targets: { cpuRatioAtMost: number; lossPointsAtMost: number; cpuMet: boolean; lossMet: boolean };
}

export const TARGETS = { cpuRatioAtMost: 1.05, lossPointsAtMost: 0.05 };

function means(runs: RunFigures[]): ServerMeans {
  const m = (f: (r: RunFigures) => number, digits = 3) => round(mean(runs.map(f)), digits);
  return {
    runs: runs.length,
    totalMicrosPerPacket: m((r) => r.cpu.totalMicrosPerPacket),
    nodeMicrosPerPacket: m((r) => r.cpu.nodeMicrosPerPacket),
    workerMicrosPerPacket: m((r) => r.cpu.workerMicrosPerPacket),
    nodePctOfCore: m((r) => r.cpu.nodePctOfCore, 2),
    workerPctOfCore: m((r) => r.cpu.workerPctOfCore, 2),
    receiverLossPct: m((r) => r.receiverLossPct.total),
    receiverLossBeforeRepairPct: m((r) => r.receiverLossPct.beforeRepair),
    serverSocketDrops: m((r) => r.kernel.serverSocketDrops, 1),
    firstPacketMedianMs: m((r) => r.joins.firstPacketMs.median, 0),
    allStreamsMedianMs: m((r) => r.joins.allStreamsMs.median, 0),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : Number.NaN);

/** Per size: both servers' means over the repetitions, and samkons against raw. */
export function summarise(runs: RunFigures[]): SizeSummary[] {
  const sizes = [...new Set(runs.map((r) => r.size))];
  return sizes.map((size) => {
    const of = (server: SfuDialect) => runs.filter((r) => r.size === size && r.server === server);
    const raw = means(of('raw'));
    const samkons = means(of('samkons'));
    const perRepetition = [...new Set(of('raw').map((r) => r.repetition))].flatMap((rep) => {
      const a = of('samkons').find((r) => r.repetition === rep);
      const b = of('raw').find((r) => r.repetition === rep);
      return a && b ? [ratio(a.cpu.totalMicrosPerPacket, b.cpu.totalMicrosPerPacket)] : [];
    });
    const cpuRatio = {
      total: ratio(samkons.totalMicrosPerPacket, raw.totalMicrosPerPacket),
      node: ratio(samkons.nodeMicrosPerPacket, raw.nodeMicrosPerPacket),
      worker: ratio(samkons.workerMicrosPerPacket, raw.workerMicrosPerPacket),
    };
    const lossDifferencePoints = round(samkons.receiverLossPct - raw.receiverLossPct, 3);
    return {
      size,
      raw,
      samkons,
      cpuRatio,
      cpuRatioPerRepetition: perRepetition,
      lossDifferencePoints,
      targets: {
        ...TARGETS,
        cpuMet: cpuRatio.total <= TARGETS.cpuRatioAtMost,
        lossMet: lossDifferencePoints <= TARGETS.lossPointsAtMost,
      },
    };
  });
}
