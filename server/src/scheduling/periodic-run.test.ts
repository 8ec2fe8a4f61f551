import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicRun } from './periodic-run.js';

/** A run that finishes only when the test says so. */
function controllable() {
  const finishers: (() => void)[] = [];
  const run = vi.fn(
    () =>
      new Promise<void>((resolve) => {
        finishers.push(resolve);
      }),
  );
  return { run, finishNext: () => finishers.shift()?.() };
}

describe('PeriodicRun', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every interval once started, and not before', async () => {
    const run = vi.fn((_now: Date) => Promise.resolve());
    const periodic = new PeriodicRun({ run, intervalMs: 1000, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).not.toHaveBeenCalled();
    periodic.start();
    periodic.start(); // a second start changes nothing
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(3);
    expect(run.mock.calls[0]![0]).toBeInstanceOf(Date);
    await periodic.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('does not overlap a slow run with the next tick', async () => {
    const { run, finishNext } = controllable();
    const periodic = new PeriodicRun({ run, intervalMs: 1000, onError: () => undefined });
    periodic.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);
    finishNext();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    finishNext();
    await periodic.stop();
  });

  it('reports a failed run and tries again on the next tick', async () => {
    const errors: unknown[] = [];
    const run = vi.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(undefined);
    const periodic = new PeriodicRun({ run, intervalMs: 1000, onError: (e) => errors.push(e) });
    periodic.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(errors).toEqual([new Error('db down')]);
    expect(run).toHaveBeenCalledTimes(2);
    await periodic.stop();
  });

  it('stop waits for the run in progress', async () => {
    const { run, finishNext } = controllable();
    const periodic = new PeriodicRun({ run, intervalMs: 1000, onError: () => undefined });
    periodic.start();
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = periodic.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finishNext();
    await stopping;
    expect(stopped).toBe(true);
  });
});
