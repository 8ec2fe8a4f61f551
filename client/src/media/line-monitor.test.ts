import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LineReport } from '@samkons/shared';
import { LineMonitor } from './line-monitor';
import type { LineStats, MediaSession } from './session';

/*
 * The monitor over time, with a stand-in media session whose stats the test writes (the
 * real one is exercised end to end in tests/e2e/line-quality.test.ts).
 */

function fakeMedia() {
  const listeners = new Map<string, (data: unknown) => void>();
  const sent: LineReport[] = [];
  const socket = {
    connected: true,
    on(name: string, fn: (data: unknown) => void) {
      listeners.set(name, fn);
    },
    timeout() {
      return {
        emit(_name: string, payload: LineReport) {
          sent.push(payload);
        },
      };
    },
  };
  let packets = 0;
  let frames = 0;
  let flowing = true;
  const stats = (): LineStats => {
    if (flowing) {
      packets += 60;
      frames += 8;
    }
    return {
      connection: 'connected',
      peers: [
        {
          peerId: 'p1',
          streams: 2,
          videoStreams: 1,
          packetsReceived: packets,
          packetsLost: 0,
          framesDecoded: frames,
          jitterMs: 4,
        },
      ],
      rttMs: 40,
      availableOutgoingKbps: 2000,
      sendBandwidthLimited: undefined,
      awaitingStreams: 0,
      sendingVideo: false,
      sendBytesReceived: undefined,
    };
  };
  const media = {
    signalling: { onSocket: (setup: (s: typeof socket) => void) => setup(socket), socket },
    lineStats: () => Promise.resolve(stats()),
    getSnapshot: () => ({ participants: [{ id: 'p1', displayName: 'Pål' }] }),
  } as unknown as MediaSession;
  return {
    media,
    sent,
    stall: (on: boolean) => (flowing = !on),
    peerLine: (report: LineReport & { peerId: string }) => listeners.get('peerLine')?.(report),
  };
}

describe('line monitor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows a stall within 1.5 s, tells the others at once, and recovers after a hold', async () => {
    const fake = fakeMedia();
    const monitor = new LineMonitor(fake.media);
    const stop = monitor.subscribe(() => undefined);
    await vi.advanceTimersByTimeAsync(3000);
    expect(monitor.getSnapshot().self).toBe('good');
    expect(monitor.getSnapshot().peers.get('p1')).toBe('good');
    expect(fake.sent.at(-1)?.state).toBe('good');

    fake.stall(true);
    const stalledAt = Date.now();
    while (monitor.getSnapshot().self !== 'lost' && Date.now() - stalledAt < 5000) {
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(monitor.getSnapshot().self).toBe('lost');
    expect(Date.now() - stalledAt).toBeLessThanOrEqual(1500);
    expect(fake.sent.at(-1)?.state).toBe('lost');
    // One's own line is down: the others are not blamed for it.
    expect(monitor.getSnapshot().peers.size).toBe(0);

    // Never good while nothing arrives, however long it lasts.
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(500);
      expect(monitor.getSnapshot().self).toBe('lost');
    }

    fake.stall(false);
    const back = Date.now();
    while (monitor.getSnapshot().self !== 'good' && Date.now() - back < 10_000) {
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(monitor.getSnapshot().self).toBe('good');
    // Better shows only once it held for 2 s (plus the window that still held the stall).
    expect(Date.now() - back).toBeGreaterThanOrEqual(2000);
    stop();
  });

  it("shows a participant's own report, and reports that stopped as a weak line", async () => {
    const fake = fakeMedia();
    const monitor = new LineMonitor(fake.media);
    const stop = monitor.subscribe(() => undefined);
    await vi.advanceTimersByTimeAsync(2000);
    fake.peerLine({ peerId: 'p1', state: 'poor', lossPct: 12 });
    await vi.advanceTimersByTimeAsync(600);
    expect(monitor.getSnapshot().peers.get('p1')).toBe('poor');
    fake.peerLine({ peerId: 'p1', state: 'good' });
    await vi.advanceTimersByTimeAsync(3000);
    expect(monitor.getSnapshot().peers.get('p1')).toBe('good');
    // Their reports stop (their socket is cut) while their media still trickles in.
    await vi.advanceTimersByTimeAsync(7000);
    expect(monitor.getSnapshot().peers.get('p1')).toBe('poor');
    stop();
  });

  it('reports every couple of seconds while nothing changes', async () => {
    const fake = fakeMedia();
    const monitor = new LineMonitor(fake.media);
    const stop = monitor.subscribe(() => undefined);
    await vi.advanceTimersByTimeAsync(2000);
    const before = fake.sent.length;
    await vi.advanceTimersByTimeAsync(10_000);
    const during = fake.sent.length - before;
    expect(during).toBeGreaterThanOrEqual(4);
    expect(during).toBeLessThanOrEqual(6);
    stop();
  });
});
