import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

/** The mediasoup objects alive in one worker, as its observers announced them. */
export interface WorkerCensus {
  readonly transports: ReadonlySet<types.Transport>;
  readonly producers: ReadonlySet<types.Producer>;
  readonly consumers: ReadonlySet<types.Consumer>;
}

interface MutableCensus {
  transports: Set<types.Transport>;
  producers: Set<types.Producer>;
  consumers: Set<types.Consumer>;
}

/**
 * Counts routers' transports, producers and consumers per worker through mediasoup's
 * observer events: the truth in the workers, without reaching into rooms or peers, and
 * nothing per packet (objects are announced once when made and once when closed).
 * Start it before the workers are created; `close` stops watching new workers.
 */
export class MediaCensus {
  readonly #byPid = new Map<number, MutableCensus>();
  readonly #onWorker = (worker: types.Worker) => this.#watchWorker(worker);

  constructor() {
    mediasoup.observer.on('newworker', this.#onWorker);
  }

  /** What lives in the worker with this pid (empty when unknown or gone). */
  of(pid: number): WorkerCensus {
    return (
      this.#byPid.get(pid) ?? { transports: new Set(), producers: new Set(), consumers: new Set() }
    );
  }

  close(): void {
    mediasoup.observer.off('newworker', this.#onWorker);
    this.#byPid.clear();
  }

  #watchWorker(worker: types.Worker): void {
    const census: MutableCensus = {
      transports: new Set(),
      producers: new Set(),
      consumers: new Set(),
    };
    this.#byPid.set(worker.pid, census);
    worker.observer.once('close', () => this.#byPid.delete(worker.pid));
    worker.observer.on('newrouter', (router) => {
      router.observer.on('newtransport', (transport) => {
        census.transports.add(transport);
        transport.observer.once('close', () => census.transports.delete(transport));
        transport.observer.on('newproducer', (producer) => {
          census.producers.add(producer);
          producer.observer.once('close', () => census.producers.delete(producer));
        });
        transport.observer.on('newconsumer', (consumer) => {
          census.consumers.add(consumer);
          consumer.observer.once('close', () => census.consumers.delete(consumer));
        });
      });
    });
  }
}
