import type { FastifyBaseLogger } from 'fastify';
import type { MediaScope } from './media-scope.js';
import { DomainError } from '../http/domain-error.js';
import { Room } from './room.js';
import type { WorkerHealth, WorkerPool } from './worker-pool.js';

export interface MediaHealth {
  workers: WorkerHealth[];
  rooms: number;
  peers: number;
}

/** Finds or creates the room for a consultation; rooms close when their last peer leaves. */
export class RoomRegistry {
  readonly #pool: WorkerPool;
  readonly #log: FastifyBaseLogger;
  readonly #rooms = new Map<string, Room>();
  /** Concurrent joins of a new room share one creation. */
  readonly #creating = new Map<string, Promise<Room>>();
  #closed = false;

  constructor(pool: WorkerPool, log: FastifyBaseLogger) {
    this.#pool = pool;
    this.#log = log.child({ module: 'rooms' });
  }

  get(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** Admitted peers in all rooms of this node. */
  get peerCount(): number {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.peerCount;
    return peers;
  }

  /** The same for every room of this node (one codec list): clients load them first. */
  get routerRtpCapabilities() {
    return this.#pool.routerRtpCapabilities;
  }

  /** `scope` (who may receive whom) applies to a room this call creates. */
  async getOrCreate(roomId: string, opts: { scope?: MediaScope | undefined } = {}): Promise<Room> {
    if (this.#closed) throw new DomainError('unavailable', 'The media server is shutting down');
    const existing = this.#rooms.get(roomId);
    if (existing && !existing.closed) return existing;
    const pending = this.#creating.get(roomId);
    if (pending) return pending;

    // While every worker is being replaced this waits for the first replacement: a room
    // whose worker died moves to a live worker, or to the replacement.
    const creation = this.#pool
      .acquire()
      .then((slot) => Room.create({ id: roomId, slot, log: this.#log, scope: opts.scope }))
      .then((room) => {
        this.#rooms.set(roomId, room);
        room.once('close', () => {
          if (this.#rooms.get(roomId) === room) this.#rooms.delete(roomId);
        });
        room.once('empty', () => room.close('shutdown'));
        return room;
      })
      .finally(() => this.#creating.delete(roomId));
    this.#creating.set(roomId, creation);
    return creation;
  }

  async health(): Promise<MediaHealth> {
    return { workers: await this.#pool.health(), rooms: this.#rooms.size, peers: this.peerCount };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close('shutdown');
    this.#rooms.clear();
  }
}
