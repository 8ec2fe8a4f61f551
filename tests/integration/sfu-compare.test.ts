import { describe, expect, it } from 'vitest';
import { compare } from '../../bench/sfu-compare/compare.js';
import { summarise } from '../../bench/sfu-compare/figures.js';
import { DEFAULT_PROFILE } from '../../bench/sfu-compare/media.js';

/**
 * The SFU comparison's harness end to end, small and short (npm run bench:sfu-compare does
 * the real sizes): both servers start, two werift participants join each through ICE,
 * DTLS and SRTP, media flows both ways, and /proc yields CPU and drop figures. No timing
 * is asserted: the machine may be busy.
 */
describe('SFU comparison harness (bench/sfu-compare)', () => {
  it('runs raw mediasoup and samkons at 1x2 and produces every figure', async () => {
    const lines: string[] = [];
    const runs = await compare({
      sizes: [{ rooms: 1, participants: 2 }],
      repetitions: 1,
      warmupSeconds: 1,
      measureSeconds: 3,
      profile: DEFAULT_PROFILE,
      cores: undefined,
      samkonsEntry: 'source',
      samkonsEnv: {},
      log: (line) => lines.push(line),
    });
    expect(runs.map((r) => r.server).sort()).toEqual(['raw', 'samkons']);
    for (const r of runs) {
      // Two participants, each receiving the other's audio and video (150 packets a second)
      // for about 3 s; bounds loose enough for a busy machine.
      expect(r.forwardedPackets, r.server).toBeGreaterThan(100);
      expect(r.receiverLossPct.total, r.server).toBeLessThan(50);
      expect(r.cpu.workerMicrosPerPacket, r.server).toBeGreaterThan(0);
      expect(r.cpu.totalMicrosPerPacket).toBeGreaterThanOrEqual(r.cpu.workerMicrosPerPacket);
      expect(r.memoryKb.workers, r.server).toBeGreaterThan(0);
      // The second participant joined while the first was sending.
      expect(r.joins.firstPacketMs.count, r.server).toBe(1);
      expect(r.kernel.serverSocketDrops).toBeGreaterThanOrEqual(0);
      expect(Object.keys(r.machine.cpuBusyPct).length).toBeGreaterThan(0);
    }
    const [summary] = summarise(runs);
    expect(summary?.size).toBe('1x2');
    expect(Number.isFinite(summary?.cpuRatio.total)).toBe(true);
    expect(lines.filter((l) => l.includes('µs/packet'))).toHaveLength(2);
  }, 180_000);
});
