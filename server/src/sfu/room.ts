import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type {
  JoinResponse,
  Notification,
  NotificationOf,
  RtpCapabilities,
  RtpParameters,
  TrackSource,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import { mediaCodecs } from './media-codecs.js';
import { Peer, type PeerIdentity } from './peer.js';
import type { WorkerSlot } from './worker-pool.js';

export type RoomCloseReason = NotificationOf<'roomClosed'>['reason'];

type RoomEvents = {
  close: [reason: RoomCloseReason];
  /** The last peer left: the registry closes the room to free its router. */
  empty: [];
};

/**
 * One consultation's media: a router on one worker, an active-speaker observer and the
 * peers. It decides who consumes what; peers own the mediasoup objects.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly #id: string;
  readonly #slot: WorkerSlot;
  readonly #router: types.Router;
  readonly #activeSpeaker: types.ActiveSpeakerObserver;
  readonly #peers = new Map<string, Peer>();
  readonly #log: FastifyBaseLogger;
  #activeSpeakerPeerId: string | null = null;
  #closed = false;

  static async create(opts: {
    id: string;
    slot: WorkerSlot;
    log: FastifyBaseLogger;
  }): Promise<Room> {
    const router = await opts.slot.worker.createRouter({ mediaCodecs });
    try {
      const activeSpeaker = await router.createActiveSpeakerObserver({ interval: 300 });
      return new Room(opts.id, opts.slot, router, activeSpeaker, opts.log);
    } catch (err) {
      router.close();
      throw err;
    }
  }

  private constructor(
    id: string,
    slot: WorkerSlot,
    router: types.Router,
    activeSpeaker: types.ActiveSpeakerObserver,
    log: FastifyBaseLogger,
  ) {
    super();
    this.#id = id;
    this.#slot = slot;
    this.#router = router;
    this.#activeSpeaker = activeSpeaker;
    this.#log = log.child({ room: id, worker: slot.index });

    router.on('workerclose', () => this.close('worker_died'));
    activeSpeaker.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as { peerId?: string }).peerId ?? null;
      this.#setActiveSpeaker(peerId);
    });
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get peerCount(): number {
    return this.#peers.size;
  }
  get workerIndex(): number {
    return this.#slot.index;
  }
  get routerRtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  peer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /**
   * Adds a peer and returns everything its client needs in one answer; `onNotify` gets
   * every notification for it from the start. A second
   * connection for the same participant replaces the first (a reloaded tab).
   */
  async join(
    identity: PeerIdentity,
    onNotify: (notification: Notification) => void,
  ): Promise<{ peer: Peer; response: JoinResponse }> {
    this.#assertOpen();
    const previous = this.#peers.get(identity.id);
    if (previous) {
      previous.notify({ name: 'roomClosed', data: { reason: 'replaced' } });
      this.leave(previous);
    }
    const peer = await Peer.create({
      identity,
      router: this.#router,
      webRtcServer: this.#slot.webRtcServer,
    });
    if (this.#closed || this.#peers.has(identity.id)) {
      peer.close();
      throw new DomainError('conflict', 'The room changed while joining; try again');
    }
    // Listen before others can see this peer: a notification in between would be lost.
    peer.on('notify', onNotify);
    const others = [...this.#peers.values()];
    this.#peers.set(peer.id, peer);
    this.#broadcast({ name: 'peerJoined', data: { peer: peer.info() } }, peer.id);
    this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer joined');
    return {
      peer,
      response: {
        peerId: peer.id,
        routerRtpCapabilities: this.#router.rtpCapabilities,
        ...peer.transportOptions(),
        peers: others.map((p) => p.info()),
        activeSpeakerPeerId: this.#activeSpeakerPeerId,
      },
    };
  }

  /** The peer's device is loaded: it now receives every producer in the room. */
  async ready(peer: Peer, rtpCapabilities: RtpCapabilities): Promise<void> {
    this.#assertMember(peer);
    peer.setRtpCapabilities(rtpCapabilities);
    const producers = [...this.#peers.values()]
      .filter((p) => p !== peer)
      .flatMap((p) => p.producers);
    await Promise.all(producers.map((producer) => this.#consume(peer, producer)));
  }

  async produce(
    peer: Peer,
    opts: {
      transportId: string;
      kind: types.MediaKind;
      rtpParameters: RtpParameters;
      source: TrackSource;
    },
  ): Promise<string> {
    this.#assertMember(peer);
    const producer = await peer.produce(opts);
    if (producer.kind === 'audio') {
      // The observer only ranks audio; a failure here must not fail the publication.
      this.#activeSpeaker.addProducer({ producerId: producer.id }).catch((err: unknown) => {
        this.#log.warn({ err }, 'active speaker observer rejected producer');
      });
    }
    const receivers = [...this.#peers.values()].filter((p) => p !== peer);
    await Promise.all(receivers.map((receiver) => this.#consume(receiver, producer)));
    return producer.id;
  }

  leave(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    this.#peers.delete(peer.id);
    peer.close();
    if (this.#activeSpeakerPeerId === peer.id) this.#setActiveSpeaker(null);
    this.#broadcast({ name: 'peerLeft', data: { peerId: peer.id } });
    this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer left');
    if (this.#peers.size === 0) this.emit('empty');
  }

  close(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) {
      peer.notify({ name: 'roomClosed', data: { reason } });
      peer.close();
    }
    this.#peers.clear();
    this.#router.close();
    this.#log.info({ reason }, 'room closed');
    this.emit('close', reason);
    this.removeAllListeners();
  }

  async #consume(receiver: Peer, producer: Peer['producers'][number]): Promise<void> {
    try {
      await receiver.consume(producer);
    } catch (err) {
      // One receiver's failure must not fail the producer's request or the others.
      this.#log.warn({ err, receiver: receiver.id, producer: producer.id }, 'consume failed');
    }
  }

  #setActiveSpeaker(peerId: string | null): void {
    if (peerId === this.#activeSpeakerPeerId) return;
    this.#activeSpeakerPeerId = peerId;
    this.#broadcast({ name: 'activeSpeaker', data: { peerId } });
  }

  #broadcast(notification: Notification, exceptPeerId?: string): void {
    for (const peer of this.#peers.values()) {
      if (peer.id !== exceptPeerId) peer.notify(notification);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new DomainError('invalid_state', 'Room is closed');
  }

  #assertMember(peer: Peer): void {
    this.#assertOpen();
    if (this.#peers.get(peer.id) !== peer)
      throw new DomainError('invalid_state', 'Not in the room');
  }
}
