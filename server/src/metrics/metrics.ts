import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { types } from 'mediasoup';
import type { Database } from '../db/database.js';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { WorkerHealth, WorkerPool } from '../sfu/worker-pool.js';
import { MediaCensus } from './media-census.js';
import {
  DEFAULT_METRICS_LAG_PRECISION_MS,
  EVENT_LOOP_LAG_METRICS,
  EventLoopLag,
} from './event-loop-lag.js';

/** Where the figures come from; everything is read when Prometheus scrapes, never per packet. */
export interface MetricsSources {
  workers: WorkerPool;
  rooms: RoomRegistry;
  db?: Database | undefined;
}

export type JoinOutcome = 'admitted' | 'waiting' | 'failed';
export type LobbyOutcome = 'admitted' | 'denied' | 'left';

/** Join answers are expected within a second; the upper buckets show trouble. */
const JOIN_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** People wait in the lobby from seconds to a good part of an hour. */
const LOBBY_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600];

interface Snapshot {
  workers: (WorkerHealth & { census: ReturnType<MediaCensus['of']>; bitrate: Bitrate })[];
}
interface Bitrate {
  in: number;
  out: number;
}

/**
 * The node's Prometheus registry (its own, so several nodes in one test process do not
 * mix): process figures from prom-client's defaults, event-loop lag (./event-loop-lag.ts),
 * the SFU's rooms, peers, producers, consumers and workers, transport bitrates, join and
 * lobby-wait histograms and the database pool. `startMetrics` must run before the workers
 * are created, so the census sees them being born.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #census = new MediaCensus();
  readonly #eventLoopLag: EventLoopLag;
  #sources: MetricsSources | undefined;
  /** One walk over the workers per scrape, shared by the gauges that need it. */
  #snapshot: Promise<Snapshot> | undefined;
  readonly #joinDuration: Histogram<'outcome'>;
  readonly #lobbyWait: Histogram<'outcome'>;

  constructor() {
    const registers = [this.registry];
    // The event-loop lag figures come from a monitor that wakes the loop 10 times a second,
    // not prom-client's 100 (./event-loop-lag.ts).
    collectDefaultMetrics({
      register: this.registry,
      eventLoopMonitoringPrecision: DEFAULT_METRICS_LAG_PRECISION_MS,
    });
    for (const name of EVENT_LOOP_LAG_METRICS) this.registry.removeSingleMetric(name);
    this.#eventLoopLag = new EventLoopLag(this.registry);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;

    this.#joinDuration = new Histogram({
      name: 'samkons_join_duration_seconds',
      help: 'Time the server takes to answer a join (session entry, room, transports, media start)',
      labelNames: ['outcome'],
      buckets: JOIN_BUCKETS,
      registers,
    });
    this.#lobbyWait = new Histogram({
      name: 'samkons_lobby_wait_seconds',
      help: 'Time a person waited in the lobby, by how the wait ended',
      labelNames: ['outcome'],
      buckets: LOBBY_BUCKETS,
      registers,
    });

    new Gauge({
      name: 'samkons_rooms',
      help: 'Open media rooms (one per consultation in a call)',
      registers,
      collect() {
        this.set(metrics.#sources?.rooms.size ?? 0);
      },
    });
    new Gauge({
      name: 'samkons_peers',
      help: 'Participants admitted to a media room',
      registers,
      collect() {
        this.set(metrics.#sources?.rooms.peerCount ?? 0);
      },
    });
    new Gauge({
      name: 'mediasoup_worker_up',
      help: '1 when the worker process is alive',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) this.set(label(w), w.alive ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mediasoup_worker_rooms',
      help: 'Routers (rooms) placed on the worker',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) this.set(label(w), w.rooms);
      },
    });
    new Counter({
      name: 'mediasoup_worker_cpu_seconds_total',
      help: 'CPU time (user + system) used by the worker process',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          if (w.cpuMs !== undefined) this.inc(label(w), w.cpuMs / 1000);
        }
      },
    });
    new Gauge({
      name: 'mediasoup_worker_resident_memory_bytes',
      help: 'Resident memory of the worker process (/proc VmRSS)',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          if (w.rssKb !== undefined) this.set(label(w), w.rssKb * 1024);
        }
      },
    });
    new Gauge({
      name: 'samkons_webrtc_transports',
      help: 'WebRTC transports (two per participant with media)',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          this.set(label(w), w.census.transports.size);
        }
      },
    });
    new Gauge({
      name: 'samkons_producers',
      help: 'Media producers (tracks sent to the SFU)',
      labelNames: ['worker', 'kind'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          for (const [kind, n] of byKind(w.census.producers)) this.set({ ...label(w), kind }, n);
        }
      },
    });
    new Gauge({
      name: 'samkons_consumers',
      help: 'Media consumers (tracks forwarded by the SFU)',
      labelNames: ['worker', 'kind'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          for (const [kind, n] of byKind(w.census.consumers)) this.set({ ...label(w), kind }, n);
        }
      },
    });
    new Gauge({
      name: 'samkons_transport_bitrate_bits_per_second',
      help: "Sum of the WebRTC transports' current bitrates (in: from browsers, out: to them)",
      labelNames: ['worker', 'direction'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await metrics.#snap()).workers) {
          this.set({ ...label(w), direction: 'in' }, w.bitrate.in);
          this.set({ ...label(w), direction: 'out' }, w.bitrate.out);
        }
      },
    });
    new Gauge({
      name: 'samkons_db_pool_connections',
      help: 'Database connections by state (PGlite: one embedded connection)',
      labelNames: ['driver', 'state'],
      registers,
      collect() {
        this.reset();
        const db = metrics.#sources?.db;
        const pool = db?.poolStats?.();
        if (!db || !pool) return;
        this.set({ driver: db.driver, state: 'total' }, pool.total);
        this.set({ driver: db.driver, state: 'idle' }, pool.idle);
        this.set({ driver: db.driver, state: 'waiting' }, pool.waiting);
      },
    });
  }

  /** Attached once the pool and rooms exist (the census already watches). */
  attach(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** How long a `join` took to answer, by its outcome. */
  observeJoin(outcome: JoinOutcome, seconds: number): void {
    this.#joinDuration.observe({ outcome }, seconds);
  }

  /** Someone left the lobby: admitted by a host, denied, or gone by themselves. */
  observeLobbyWait(outcome: LobbyOutcome, seconds: number): void {
    this.#lobbyWait.observe({ outcome }, seconds);
  }

  /** The exposition text (`Content-Type`: `contentType`). Reads the workers once per scrape. */
  async scrape(): Promise<string> {
    this.#snapshot = undefined;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.#census.close();
    this.#eventLoopLag.close();
    this.registry.clear();
  }

  /** The collectors of one scrape share one read of the workers; the next scrape reads anew. */
  #snap(): Promise<Snapshot> {
    this.#snapshot ??= this.#readWorkers();
    return this.#snapshot;
  }

  async #readWorkers(): Promise<Snapshot> {
    const pool = this.#sources?.workers;
    if (!pool || pool.closed) return { workers: [] };
    const health = await pool.health();
    const workers = await Promise.all(
      health.map(async (w) => {
        const census = this.#census.of(w.pid);
        return { ...w, census, bitrate: w.alive ? await bitrateOf(census.transports) : none() };
      }),
    );
    return { workers };
  }
}

const label = (w: { index: number }) => ({ worker: String(w.index) });
const none = (): Bitrate => ({ in: 0, out: 0 });

function byKind(items: ReadonlySet<{ kind: types.MediaKind }>): Map<types.MediaKind, number> {
  const counts = new Map<types.MediaKind, number>([
    ['audio', 0],
    ['video', 0],
  ]);
  for (const item of items) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  return counts;
}

/** One stats request per transport, at scrape time only; a transport closing meanwhile counts 0. */
async function bitrateOf(transports: ReadonlySet<types.Transport>): Promise<Bitrate> {
  const stats = await Promise.all(
    [...transports].map((t) => (t.closed ? [] : t.getStats().catch(() => []))),
  );
  const sum = none();
  for (const list of stats) {
    for (const s of list) {
      sum.in += s.recvBitrate ?? 0;
      sum.out += s.sendBitrate ?? 0;
    }
  }
  return sum;
}
