import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { DomainError } from '../http/domain-error.js';
import { mediaCodecs } from './media-codecs.js';
import { pickLeastLoaded } from './placement.js';

export type MediaConfig = Config['media'];

/** One mediasoup worker with its WebRtcServer (one UDP and one TCP port for all transports). */
export interface WorkerSlot {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Live routers (rooms) on this worker: the placement load. */
  readonly routers: number;
}

export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
  rooms: number;
  /** Current resident memory of the worker process in KiB (Linux /proc). */
  rssKb?: number;
  /**
   * Peak resident memory in KiB (getrusage). Linux carries the parent's peak across
   * fork+exec, so this is at least the Node process's RSS at spawn time: prefer `rssKb`.
   */
  maxRssKb?: number;
  /** CPU time used so far, in milliseconds. */
  cpuMs?: number;
}

type WorkerPoolEvents = {
  /** A worker died; its routers (and so its rooms) are closed already. */
  workerDied: [index: number, pid: number];
  workerReplaced: [index: number, pid: number];
};

/**
 * A dead worker is replaced at once (media is down for everyone on it); a worker that dies
 * again soon after is replaced after a growing delay, so a crash loop does not spin.
 */
const RESPAWN_BACKOFF_MS = { first: 0, min: 250, max: 10_000, stableAfter: 30_000 };
/** How long `acquire` waits for a replacement worker before answering `unavailable`. */
const ACQUIRE_TIMEOUT_MS = 5_000;

/** VmRSS of a process in KiB, where /proc exists (Linux); undefined elsewhere. */
async function procRssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

class Slot implements WorkerSlot {
  routers = 0;
  constructor(
    readonly index: number,
    readonly worker: types.Worker,
    readonly webRtcServer: types.WebRtcServer,
  ) {}
  get alive(): boolean {
    return !this.worker.died && !this.worker.closed;
  }
  get load(): number {
    return this.routers;
  }
}

/**
 * MEDIASOUP_NUM_WORKERS workers, each with a WebRtcServer on RTC_PORT + index. A worker
 * that dies is replaced on the same index (and so the same port) after a short delay.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #config: MediaConfig;
  readonly #log: FastifyBaseLogger;
  readonly #slots: (Slot | undefined)[];
  /** Per index: when its worker last died and the delay used for that respawn. */
  readonly #deaths: ({ at: number; delayMs: number } | undefined)[];
  #routerRtpCapabilities: types.RtpCapabilities | undefined;
  #closed = false;

  static async create(config: MediaConfig, log: FastifyBaseLogger): Promise<WorkerPool> {
    const pool = new WorkerPool(config, log);
    try {
      for (let i = 0; i < config.numWorkers; i++) await pool.#spawn(i);
      pool.#routerRtpCapabilities = await pool.#probeRouterCapabilities();
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  private constructor(config: MediaConfig, log: FastifyBaseLogger) {
    super();
    this.#config = config;
    this.#log = log.child({ module: 'worker-pool' });
    this.#slots = new Array<Slot | undefined>(config.numWorkers).fill(undefined);
    this.#deaths = new Array<{ at: number; delayMs: number } | undefined>(config.numWorkers);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Every router of this node is made from the same codec list, so all rooms have these
   * capabilities: clients load their device with them before they join (`welcome`).
   */
  get routerRtpCapabilities(): types.RtpCapabilities {
    if (!this.#routerRtpCapabilities) throw new Error('worker pool not started');
    return this.#routerRtpCapabilities;
  }

  /** The live worker with the fewest rooms, or undefined while none is alive. */
  leastLoaded(): WorkerSlot | undefined {
    return pickLeastLoaded(this.#slots.filter((s): s is Slot => s !== undefined));
  }

  /**
   * The live worker with the fewest rooms; while every worker is being replaced, waits for
   * the first replacement (a join then takes longer instead of failing), up to a bound.
   */
  async acquire(timeoutMs = ACQUIRE_TIMEOUT_MS): Promise<WorkerSlot> {
    const live = this.leastLoaded();
    if (live) return live;
    if (this.#closed) throw new DomainError('unavailable', 'The media server is shutting down');
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('workerReplaced', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.on('workerReplaced', done);
    });
    const slot = this.leastLoaded();
    if (!slot) throw new DomainError('unavailable', 'No media server available; try again shortly');
    return slot;
  }

  /** Pid, liveness and rooms per worker, without asking the workers (no resource usage). */
  healthSnapshot(): WorkerHealth[] {
    return this.#slots.map((slot, index) =>
      slot
        ? { index, pid: slot.worker.pid, alive: slot.alive, rooms: slot.routers }
        : { index, pid: 0, alive: false, rooms: 0 },
    );
  }

  async health(): Promise<WorkerHealth[]> {
    return Promise.all(
      this.#slots.map(async (slot, index): Promise<WorkerHealth> => {
        if (!slot) return { index, pid: 0, alive: false, rooms: 0 };
        const base = { index, pid: slot.worker.pid, alive: slot.alive, rooms: slot.routers };
        if (!slot.alive) return base;
        try {
          const [ru, rssKb] = await Promise.all([
            slot.worker.getResourceUsage(),
            procRssKb(slot.worker.pid),
          ]);
          return {
            ...base,
            ...(rssKb !== undefined ? { rssKb } : {}),
            maxRssKb: ru.ru_maxrss,
            cpuMs: ru.ru_utime + ru.ru_stime,
          };
        } catch {
          return base;
        }
      }),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
  }

  async #probeRouterCapabilities(): Promise<types.RtpCapabilities> {
    const slot = this.leastLoaded();
    if (!slot) throw new Error('no live worker');
    const router = await slot.worker.createRouter({ mediaCodecs });
    const caps = router.rtpCapabilities;
    router.close();
    return caps;
  }

  async #spawn(index: number): Promise<void> {
    const c = this.#config;
    const worker = await mediasoup.createWorker({
      logLevel: c.logLevel,
      // None by default: each tag streams messages through the channel to Node.
      logTags: c.logTags,
    });
    let webRtcServer: types.WebRtcServer;
    try {
      const port = c.rtcPort === 0 ? undefined : c.rtcPort + index;
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: c.listenIp, announcedIp: c.announcedIp, port },
          { protocol: 'tcp', ip: c.listenIp, announcedIp: c.announcedIp, port },
        ],
      });
    } catch (err) {
      worker.close();
      throw err;
    }
    const slot = new Slot(index, worker, webRtcServer);
    this.#slots[index] = slot;

    worker.observer.on('newrouter', (router) => {
      slot.routers++;
      router.observer.once('close', () => slot.routers--);
    });
    worker.on('died', (err) => {
      this.#log.error({ err, index, pid: worker.pid }, 'mediasoup worker died');
      this.emit('workerDied', index, worker.pid);
      this.#respawn(index, this.#respawnDelay(index));
    });
    this.#log.info({ index, pid: worker.pid }, 'mediasoup worker started');
  }

  /** At once after a first death; doubling while the index keeps dying soon after. */
  #respawnDelay(index: number): number {
    const now = Date.now();
    const last = this.#deaths[index];
    const { first, min, max, stableAfter } = RESPAWN_BACKOFF_MS;
    const delayMs =
      !last || now - last.at > stableAfter ? first : Math.min(max, Math.max(min, last.delayMs * 2));
    this.#deaths[index] = { at: now, delayMs };
    return delayMs;
  }

  #respawn(index: number, delayMs: number): void {
    if (this.#closed) return;
    // The dead process's ports are free again.
    setTimeout(() => {
      if (this.#closed) return;
      this.#spawn(index)
        .then(() => {
          const slot = this.#slots[index];
          if (this.#closed) slot?.worker.close();
          else if (slot) this.emit('workerReplaced', index, slot.worker.pid);
        })
        .catch((err: unknown) => {
          this.#log.error({ err, index }, 'could not replace mediasoup worker; retrying');
          this.#respawn(index, Math.max(RESPAWN_BACKOFF_MS.min, delayMs * 2));
        });
    }, delayMs).unref();
  }
}
