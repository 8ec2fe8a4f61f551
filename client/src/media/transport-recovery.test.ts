import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  TransportRecovery,
  type RecoveryPolicy,
  type TransportHealth,
} from './transport-recovery.js';

const policy: RecoveryPolicy = {
  graceMs: 1000,
  restartTimeoutMs: 3000,
  maxRestarts: 2,
  connectTimeoutMs: 10_000,
  waitingRestartMaxMs: 20_000,
};

function watch(
  restartIce: () => Promise<unknown> = () => Promise.resolve(),
  probe: () => Promise<void> = () => Promise.resolve(),
  opts: { waiting?: boolean } = {},
) {
  const calls = {
    restarts: 0,
    applied: 0,
    probes: 0,
    rejoins: [] as string[],
    health: [] as TransportHealth[],
    reasons: [] as string[],
    /** Date.now() (the fake clock) of each restart. */
    at: [] as number[],
  };
  const r = new TransportRecovery(
    {
      restartIce: async (why) => {
        calls.restarts++;
        calls.reasons.push(why);
        calls.at.push(Date.now());
        await restartIce();
        calls.applied++;
      },
      rejoin: (reason) => calls.rejoins.push(reason),
      health: (h) => calls.health.push(h),
      probe: () => {
        calls.probes++;
        return probe();
      },
    },
    policy,
    opts,
  );
  return { r, calls };
}

/** A waiting person's receive transport, connecting early over a path that is blocked. */
function watchWaiting(restartIce?: () => Promise<unknown>) {
  const w = watch(restartIce, undefined, { waiting: true });
  w.r.update('connecting');
  return w;
}

/** A transport that has connected once, as every call does before its link can drop. */
function watchConnected(restartIce?: () => Promise<unknown>, probe?: () => Promise<void>) {
  const w = watch(restartIce, probe);
  w.r.update('connecting');
  w.r.update('connected');
  return w;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('transport recovery', () => {
  it('lets a short disconnect heal by itself', async () => {
    const { r, calls } = watchConnected();
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(900);
    r.update('connected');
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.restarts).toBe(0);
    expect(calls.health).toEqual(['connected']);
  });

  it('restarts ICE after the grace period, and is recovering meanwhile', async () => {
    const { r, calls } = watchConnected();
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.restarts).toBe(1);
    expect(r.health).toBe('recovering');
    r.update('connecting');
    r.update('connected');
    expect(calls.health).toEqual(['connected', 'recovering', 'connected']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.restarts).toBe(1);
    expect(calls.rejoins).toEqual([]);
  });

  it('restarts at once on failed, tries again, then falls back to a full rejoin', async () => {
    const { r, calls } = watchConnected();
    r.update('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.restarts).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.restarts).toBe(2);
    expect(calls.rejoins).toEqual([]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.rejoins).toHaveLength(1);
    // Closed after giving up: nothing more happens.
    r.update('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.restarts).toBe(2);
  });

  it('rejoins when the restart request itself fails', async () => {
    const { r, calls } = watchConnected(() => Promise.reject(new Error('timeout')));
    r.update('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.rejoins).toEqual(['ICE restart failed: Error: timeout']);
  });

  it('waits while the transport has not started (the waiting room), then bounds the connect', async () => {
    const { r, calls } = watch();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.restarts).toBe(0);
    r.update('connecting');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.restarts).toBe(1);
  });

  it('sends one restart at a time while the answer is stuck behind a dead link', async () => {
    let fail!: (err: Error) => void;
    const { r, calls } = watchConnected(() => new Promise((_, reject) => (fail = reject)));
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    r.update('failed');
    await vi.advanceTimersByTimeAsync(9000);
    expect(calls.restarts).toBe(1);
    fail(new Error('timeout'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.rejoins).toEqual(['ICE restart failed: Error: timeout']);
  });

  it('sets the media up anew when media stalls while the server still answers (UDP blocked)', async () => {
    const { r, calls } = watchConnected();
    r.traffic('alive');
    r.traffic('stalled');
    expect(r.health).toBe('recovering');
    expect(calls.probes).toBe(1);
    // Still stalled when the answer comes: the media path is broken, signalling is not.
    r.traffic('stalled');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.rejoins).toEqual(['media stopped while the server answers']);
    expect(calls.restarts).toBe(0);
  });

  it('keeps the path when media returns before the probe is answered (a short blip)', async () => {
    let answer!: () => void;
    const { r, calls } = watchConnected(
      undefined,
      () => new Promise((resolve) => (answer = resolve)),
    );
    r.traffic('stalled');
    r.traffic('stalled');
    expect(calls.probes).toBe(1);
    r.traffic('alive');
    expect(r.health).toBe('connected');
    answer();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.rejoins).toEqual([]);
  });

  it('gives the old path the grace period when the answer was stuck behind a cut link', async () => {
    let answer!: () => void;
    const { r, calls } = watchConnected(
      undefined,
      () => new Promise((resolve) => (answer = resolve)),
    );
    r.traffic('stalled');
    await vi.advanceTimersByTimeAsync(9000);
    // The link returns: the answer comes first, media a moment later over the old pair.
    answer();
    await vi.advanceTimersByTimeAsync(400);
    r.traffic('alive');
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.rejoins).toEqual([]);
    expect(r.health).toBe('connected');
    // Had the old path stayed silent, the media would have been set up anew.
    const w = watchConnected(undefined, () => new Promise((resolve) => setTimeout(resolve, 3000)));
    w.r.traffic('stalled');
    await vi.advanceTimersByTimeAsync(3000 + 999);
    expect(w.calls.rejoins).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.calls.rejoins).toEqual(['media stopped while the server answers']);
  });

  it('tears nothing down while the server does not answer either (the link is cut)', async () => {
    let fail!: (err: Error) => void;
    const { r, calls } = watchConnected(
      undefined,
      () => new Promise((_, reject) => (fail = reject)),
    );
    r.traffic('stalled');
    // The browser gives up on the path meanwhile: ICE restarts, whose answer is stuck too.
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.restarts).toBe(1);
    fail(new Error('timeout'));
    // The link returns: the old path carries media again.
    r.update('connected');
    r.traffic('alive');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.rejoins).toEqual([]);
    expect(r.health).toBe('connected');
  });

  it('hands late credentials to a transport that came back by itself (it stays in step with the server)', async () => {
    let answer!: () => void;
    const { r, calls } = watchConnected(() => new Promise<void>((resolve) => (answer = resolve)));
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.restarts).toBe(1);
    r.update('connected');
    answer();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.applied).toBe(1);
    expect(calls.rejoins).toEqual([]);
    expect(r.health).toBe('connected');
  });

  it('keeps the transport that came back by itself when the late restart request fails', async () => {
    let fail!: (err: Error) => void;
    const { r, calls } = watchConnected(() => new Promise((_, reject) => (fail = reject)));
    r.update('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.health).toBe('recovering');
    // The link returns: the old candidate pair answers again before the server does.
    r.update('connected');
    fail(new Error('timeout'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.rejoins).toEqual([]);
    expect(r.health).toBe('connected');
  });

  describe('while the person waits (not admitted)', () => {
    it('backs off its ICE restarts up to the cap and never rejoins', async () => {
      const { r, calls } = watchWaiting();
      const start = Date.now();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.reasons).toEqual(['did not connect']);
      // The browser gives up on the path now and then: the backoff decides all the same.
      r.update('failed');
      await vi.advanceTimersByTimeAsync(120_000);
      r.update('failed');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls.rejoins).toEqual([]);
      const gaps = calls.at.slice(1).map((t, i) => t - calls.at[i]!);
      // 3 s doubling, capped at 20 s.
      expect(gaps.slice(0, 6)).toEqual([3000, 6000, 12_000, 20_000, 20_000, 20_000]);
      expect(calls.at[0]! - start).toBe(10_000);
      expect(r.health).toBe('recovering');
    });

    it('stops restarting once the path lets it connect', async () => {
      const { r, calls } = watchWaiting();
      await vi.advanceTimersByTimeAsync(10_000 + 3000 + 6000);
      expect(calls.restarts).toBe(3);
      r.update('connected');
      await vi.advanceTimersByTimeAsync(120_000);
      expect(calls.restarts).toBe(3);
      expect(r.health).toBe('connected');
    });

    it('restarts at once on admission, then has the call budget (restarts, then a rejoin)', async () => {
      const { r, calls } = watchWaiting();
      // Four restarts in: the next one would be 20 s away.
      await vi.advanceTimersByTimeAsync(10_000 + 3000 + 6000 + 12_000 + 1);
      expect(calls.restarts).toBe(4);
      r.admitted();
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.restarts).toBe(5);
      expect(calls.reasons.at(-1)).toBe('admitted');
      // policy.maxRestarts (2) from the admission on, 3 s apart, then the media is set up anew.
      await vi.advanceTimersByTimeAsync(3000);
      expect(calls.restarts).toBe(6);
      expect(calls.rejoins).toEqual([]);
      await vi.advanceTimersByTimeAsync(3000);
      expect(calls.rejoins).toEqual(['ICE restarts did not reconnect (restart timed out)']);
    });

    it('counts a restart in flight at admission as the immediate one', async () => {
      let answer!: () => void;
      const { r, calls } = watchWaiting(() => new Promise<void>((resolve) => (answer = resolve)));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.restarts).toBe(1);
      r.admitted();
      await vi.advanceTimersByTimeAsync(0);
      expect(calls.restarts).toBe(1);
      answer();
      await vi.advanceTimersByTimeAsync(3000);
      expect(calls.restarts).toBe(2);
    });

    it('leaves a connected or still first-connecting transport alone on admission', async () => {
      const connected = watch(undefined, undefined, { waiting: true });
      connected.r.update('connecting');
      connected.r.update('connected');
      connected.r.admitted();
      const first = watchWaiting();
      await vi.advanceTimersByTimeAsync(5000);
      first.r.admitted();
      await vi.advanceTimersByTimeAsync(4999);
      expect(first.calls.restarts).toBe(0);
      expect(connected.calls.restarts).toBe(0);
      // The connect timeout still bounds the first connect.
      await vi.advanceTimersByTimeAsync(1);
      expect(first.calls.reasons).toEqual(['did not connect']);
    });
  });
});
