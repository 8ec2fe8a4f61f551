import perfHooks, { type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * How often the lag monitor's timer fires. prom-client's default (10 ms) wakes the event
 * loop 100 times a second for as long as the process lives: in a call's steady state that
 * was the Node process's largest cost (bench/sfu-compare). At 100 ms every stall a person
 * could notice (0.1 s or more) is caught in full; shorter ones in proportion to their length.
 */
export const EVENT_LOOP_LAG_RESOLUTION_MS = 100;

/** prom-client's event-loop metrics, replaced by `EventLoopLag` under the same names. */
export const EVENT_LOOP_LAG_METRICS = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

/**
 * For `collectDefaultMetrics`: its own monitor (which cannot be left out) then fires about
 * once in 24 days, and its metrics are removed for `EventLoopLag`'s.
 */
export const DEFAULT_METRICS_LAG_PRECISION_MS = 2 ** 31 - 1;

/**
 * prom-client's event-loop lag figures under their usual names, from a monitor that wakes
 * the loop 10 times a second instead of 100. Node's monitor records the time between its
 * timer's firings, the resolution included; the figures here are the lag beyond it (0 on
 * an idle loop), as prom-client's are at its 10 ms. The histogram starts afresh at every
 * scrape. `nodejs_eventloop_lag_seconds` is measured at the scrape (one `setImmediate`).
 *
 * The monitor starts at the first scrape, not before: a node whose /metrics nobody reads
 * (none is served unless configured) has no timer waking it for figures nobody sees. The
 * first scrape therefore reports no lag recorded yet; every later one, the time since.
 */
export class EventLoopLag {
  readonly #resolutionMs: number;
  #histogram: IntervalHistogram | undefined;
  #closed = false;

  constructor(registry: Registry, resolutionMs = EVENT_LOOP_LAG_RESOLUTION_MS) {
    this.#resolutionMs = resolutionMs;
    const resolutionNs = resolutionMs * 1e6;
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const lag = this;
    const beyond = (ns: number) => Math.max(0, ns - resolutionNs) / 1e9;
    // Registered first: a scrape runs this collect before it reads the gauges below, and
    // it sets them before its first await (as prom-client's does).
    new Gauge({
      name: EVENT_LOOP_LAG_METRICS[0],
      help: 'Lag of event loop in seconds.',
      registers,
      async collect() {
        const histogram = lag.#watching();
        // A scrape within one resolution of the last (or the first) has no interval yet.
        const recorded = histogram !== undefined && histogram.count > 0;
        for (const [g, value] of figures) g.set(recorded ? value(histogram) : 0);
        histogram?.reset();
        const start = process.hrtime.bigint();
        await new Promise((resolve) => setImmediate(resolve));
        this.set(Number(process.hrtime.bigint() - start) / 1e9);
      },
    });
    const gauge = (name: string, what: string) =>
      new Gauge({ name, help: `The ${what} of the recorded event loop delays.`, registers });
    const [, min, max, mean, stddev, p50, p90, p99] = EVENT_LOOP_LAG_METRICS;
    const figures: [Gauge, (h: IntervalHistogram) => number][] = [
      [gauge(min, 'minimum'), (h) => beyond(h.min)],
      [gauge(max, 'maximum'), (h) => beyond(h.max)],
      [gauge(mean, 'mean'), (h) => beyond(h.mean)],
      [gauge(stddev, 'standard deviation'), (h) => h.stddev / 1e9],
      [gauge(p50, '50th percentile'), (h) => beyond(h.percentile(50))],
      [gauge(p90, '90th percentile'), (h) => beyond(h.percentile(90))],
      [gauge(p99, '99th percentile'), (h) => beyond(h.percentile(99))],
    ];
  }

  /** The running monitor; started now if this is the first scrape (then: nothing recorded). */
  #watching(): IntervalHistogram | undefined {
    if (this.#histogram || this.#closed) return this.#histogram;
    this.#histogram = perfHooks.monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#histogram.enable();
    return undefined;
  }

  close(): void {
    this.#closed = true;
    this.#histogram?.disable();
  }
}
