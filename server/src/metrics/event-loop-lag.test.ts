import perfHooks from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_LOOP_LAG_METRICS, EVENT_LOOP_LAG_RESOLUTION_MS } from './event-loop-lag.js';
import { Metrics } from './metrics.js';

const open: Metrics[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const m of open.splice(0)) m.close();
});

function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in the scrape`);
  return Number(line.slice(name.length + 1));
}

/** Blocks the event loop for `ms` (a stall the lag monitor must see). */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** Resolves once the lag monitor's timer has fired `n` more times (a fresh interval each). */
const afterTicks = (n: number) =>
  new Promise((resolve) => setTimeout(resolve, n * EVENT_LOOP_LAG_RESOLUTION_MS + 20));

describe('event-loop lag metrics', () => {
  it('start watching the loop at the first scrape, with no timer firing more than 10 times a second', async () => {
    const monitor = vi.spyOn(perfHooks, 'monitorEventLoopDelay');
    const metrics = new Metrics();
    open.push(metrics);
    // prom-client's own monitor only (it cannot be left out; it fires once in 24 days):
    // nobody has asked for the figures yet.
    expect(monitor).toHaveBeenCalledTimes(1);
    await metrics.scrape();
    expect(monitor).toHaveBeenCalledTimes(2);
    await metrics.scrape();
    expect(monitor).toHaveBeenCalledTimes(2);
    for (const [options] of monitor.mock.calls) {
      expect(options?.resolution).toBeGreaterThanOrEqual(100);
    }
  });

  it('report each name once, 0 on an idle loop and a stall beyond the resolution', async () => {
    const metrics = new Metrics();
    open.push(metrics);
    const first = await metrics.scrape();
    for (const name of EVENT_LOOP_LAG_METRICS) {
      expect(first.split('\n').filter((l) => l.startsWith(`# TYPE ${name} `))).toHaveLength(1);
    }

    await afterTicks(3);
    const idle = await metrics.scrape();
    // The resolution itself is not lag: it is reported only if every tick came that late.
    expect(value(idle, 'nodejs_eventloop_lag_min_seconds')).toBeLessThan(
      EVENT_LOOP_LAG_RESOLUTION_MS / 1000,
    );

    await afterTicks(1);
    block(300);
    await afterTicks(1);
    const stalled = await metrics.scrape();
    expect(value(stalled, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.2);
    expect(value(stalled, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });
});
