import { describe, expect, it } from 'vitest';
import { distribution, runFigures, summarise, type RunFigures, type Sample } from './figures.js';

const counts = (expected: number, received: number, inOrder = received) => ({
  expected,
  received,
  inOrder,
  duplicates: 0,
});

const sample = (over: Partial<Sample>): Sample => ({
  at: 0,
  nodeCpuMs: 0,
  nodeThreadCpuMs: {},
  workerCpuMs: 0,
  loadCpuMs: 0,
  serverUdpDrops: 0,
  loadUdpDrops: 0,
  snmp: { RcvbufErrors: 0 },
  cpus: [
    { cpu: 'cpu0', busy: 0, total: 0 },
    { cpu: 'cpu1', busy: 0, total: 0 },
  ],
  audio: counts(0, 0),
  video: counts(0, 0),
  ...over,
});

function run(server: 'raw' | 'samkons', repetition: number, cpuMs: number, lost: number) {
  return runFigures({
    server,
    rooms: 2,
    participants: 5,
    repetition,
    order: 1,
    before: sample({}),
    after: sample({
      at: 10_000,
      nodeCpuMs: cpuMs / 10,
      workerCpuMs: (cpuMs * 9) / 10,
      audio: counts(5_000, 5_000),
      video: counts(10_000, 10_000 - lost),
    }),
    joins: [{ firstPacketMs: 300, allStreamsMs: 500 }, {}],
    loadAverage1m: 0.5,
    memoryKb: { node: 1, workers: 1 },
  });
}

describe('SFU comparison figures', () => {
  it('computes CPU per forwarded packet, loss, drops and core shares from two samples', () => {
    const f = runFigures({
      server: 'samkons',
      rooms: 1,
      participants: 5,
      repetition: 1,
      order: 2,
      before: sample({ at: 1_000, nodeCpuMs: 100, workerCpuMs: 1_000, serverUdpDrops: 7 }),
      after: sample({
        at: 11_000,
        nodeCpuMs: 130,
        workerCpuMs: 1_300,
        loadCpuMs: 2_500,
        serverUdpDrops: 12,
        snmp: { RcvbufErrors: 40 },
        cpus: [
          { cpu: 'cpu0', busy: 500, total: 1_000 },
          { cpu: 'cpu1', busy: 250, total: 1_000 },
        ],
        audio: counts(5_000, 4_990, 4_980),
        video: counts(25_000, 24_950, 24_900),
      }),
      joins: [{ firstPacketMs: 400, allStreamsMs: 900 }, { firstPacketMs: 200 }, {}],
      loadAverage1m: 1.5,
      memoryKb: { node: 100, workers: 20 },
    });
    expect(f.seconds).toBe(10);
    expect(f.forwardedPackets).toBe(29_940);
    expect(f.cpu.nodePctOfCore).toBe(0.3);
    expect(f.cpu.workerPctOfCore).toBe(3);
    expect(f.cpu.loadPctOfCore).toBe(25);
    // 330 ms over 29 940 packets
    expect(f.cpu.totalMicrosPerPacket).toBeCloseTo(11.022, 3);
    expect(f.receiverLossPct.total).toBe(0.2);
    expect(f.receiverLossPct.audio).toBe(0.2);
    expect(f.receiverLossPct.beforeRepair).toBe(0.4);
    expect(f.kernel).toEqual({
      serverSocketDrops: 5,
      loadSocketDrops: 0,
      rcvbufErrorsMachineWide: 40,
    });
    expect(f.joins.firstPacketMs).toEqual({ count: 2, median: 200, p95: 400, max: 400 });
    expect(f.joins.allStreamsMs.count).toBe(1);
    expect(f.machine.cpuBusyPct).toEqual({ cpu0: 50, cpu1: 25 });
  });

  it('compares samkons with raw per size over the repetitions', () => {
    const runs: RunFigures[] = [
      run('raw', 1, 300, 0),
      run('samkons', 1, 330, 30),
      run('raw', 2, 300, 0),
      run('samkons', 2, 300, 0),
    ];
    const [s] = summarise(runs);
    expect(s!.size).toBe('2x5');
    expect(s!.raw.runs).toBe(2);
    // 330 ms over 14 970 packets against 300 over 15 000: fewer delivered costs more each.
    expect(s!.cpuRatioPerRepetition).toEqual([1.102, 1]);
    expect(s!.cpuRatio.total).toBe(1.051);
    expect(s!.targets.cpuMet).toBe(false);
    expect(s!.lossDifferencePoints).toBe(0.1);
    expect(s!.targets.lossMet).toBe(false);
  });

  it('reads medians and the 95th percentile from a distribution', () => {
    expect(distribution([5, 1, 3, 2, 4])).toEqual({ count: 5, median: 3, p95: 5, max: 5 });
    expect(distribution([])).toEqual({ count: 0, median: 0, p95: 0, max: 0 });
  });
});
