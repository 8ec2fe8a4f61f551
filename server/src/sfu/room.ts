import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import type {
  ConsumerInfo,
  LineReport,
  MediaStart,
  Notification,
  NotificationOf,
  RtpCapabilities,
  RtpParameters,
  TrackSource,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import { mediaCodecs } from './media-codecs.js';
import { PLENARY_GROUP, openScope, type MediaScope } from './media-scope.js';
import { Peer, type PeerIdentity } from './peer.js';
import type { WorkerSlot } from './worker-pool.js';

export type RoomCloseReason = NotificationOf<'roomClosed'>['reason'];

/** The dominant speaker of one media group, ranked by its own observer. */
interface SpeakerGroup {
  observer: Promise<types.ActiveSpeakerObserver>;
  peerId: string | null;
}

type RoomEvents = {
  close: [reason: RoomCloseReason];
  /** The last peer left: the registry closes the room to free its router. */
  empty: [];
};

/**
 * One consultation's media: a router on one worker, the peers (admitted, or prepared and
 * still waiting), and the media scope that says who may receive whom
 * (server/src/sfu/media-scope.ts). It decides who consumes what; peers own the mediasoup
 * objects. Each media group has its own active-speaker observer, so nobody learns who is
 * speaking in a group they cannot hear.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly #id: string;
  readonly #slot: WorkerSlot;
  readonly #router: types.Router;
  /** Admitted: they send, receive and are seen. */
  readonly #peers = new Map<string, Peer>();
  /** Prepared (transports made) but not admitted: invisible, no media. */
  readonly #waiting = new Map<string, Peer>();
  readonly #log: FastifyBaseLogger;
  readonly #scope: MediaScope;
  readonly #speakers = new Map<string, SpeakerGroup>();
  /** Audio producer id -> the group whose observer ranks it. */
  readonly #observedIn = new Map<string, string>();
  readonly #onScopeChange = () => void this.regate();
  #closed = false;

  static async create(opts: {
    id: string;
    slot: WorkerSlot;
    log: FastifyBaseLogger;
    scope?: MediaScope | undefined;
  }): Promise<Room> {
    const router = await opts.slot.worker.createRouter({ mediaCodecs });
    try {
      const plenary = await router.createActiveSpeakerObserver({ interval: 300 });
      return new Room(opts.id, opts.slot, router, plenary, opts.scope ?? openScope, opts.log);
    } catch (err) {
      router.close();
      throw err;
    }
  }

  private constructor(
    id: string,
    slot: WorkerSlot,
    router: types.Router,
    plenary: types.ActiveSpeakerObserver,
    scope: MediaScope,
    log: FastifyBaseLogger,
  ) {
    super();
    this.#id = id;
    this.#slot = slot;
    this.#router = router;
    this.#scope = scope;
    this.#log = log.child({ room: id, worker: slot.index });
    this.#watchSpeakers(PLENARY_GROUP, Promise.resolve(plenary));

    router.on('workerclose', () => this.close('worker_died'));
    scope.on('change', this.#onScopeChange);
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Admitted peers. */
  get peerCount(): number {
    return this.#peers.size;
  }
  get workerIndex(): number {
    return this.#slot.index;
  }
  get routerRtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** An admitted peer (one that sends and receives media). */
  peer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /**
   * Makes a peer with its transports, not yet in the room: nobody sees it, it receives and
   * sends nothing until `admit` (the waiting room). `onNotify` gets every notification for
   * it from the start. A peer of the same participant already here (a media rejoin, a
   * reloaded tab) is closed first; the session has told whoever needed telling.
   */
  async prepare(
    identity: PeerIdentity,
    rtpCapabilities: RtpCapabilities,
    onNotify: (notification: Notification) => void,
  ): Promise<Peer> {
    this.#assertOpen();
    const previous = this.#peers.get(identity.id) ?? this.#waiting.get(identity.id);
    if (previous) this.leave(previous, { keepRoom: true });
    const peer = await Peer.create({
      identity,
      rtpCapabilities,
      router: this.#router,
      webRtcServer: this.#slot.webRtcServer,
      log: this.#log.child({ peer: identity.id }),
    });
    if (this.#closed || this.#peers.has(identity.id) || this.#waiting.has(identity.id)) {
      peer.close();
      throw new DomainError('conflict', 'The room changed while joining; try again');
    }
    peer.on('notify', onNotify);
    this.#waiting.set(peer.id, peer);
    return peer;
  }

  /** Whether a peer of this participant is here, admitted or waiting. */
  has(participantId: string): boolean {
    return this.#peers.has(participantId) || this.#waiting.has(participantId);
  }

  /** Whether this very peer was prepared here and is not admitted yet. */
  isWaiting(peer: Peer): boolean {
    return this.#waiting.get(peer.id) === peer;
  }

  /**
   * Lets a prepared peer in: the others see it, it gets the transports its (new) grants
   * allow, and consumers of every producer here, which start when its receive transport
   * connects. Returns what its client needs to open the media.
   */
  async admit(peer: Peer, grants: PeerIdentity['grants']): Promise<MediaStart> {
    this.#assertOpen();
    if (this.#waiting.get(peer.id) !== peer) {
      throw new DomainError('invalid_state', 'Not waiting in the room');
    }
    peer.setGrants(grants);
    await peer.ensureTransports();
    if (this.#closed || this.#waiting.get(peer.id) !== peer) {
      throw new DomainError('invalid_state', 'The room changed while admitting');
    }
    this.#waiting.delete(peer.id);
    const others = [...this.#peers.values()];
    this.#peers.set(peer.id, peer);
    this.#broadcast({ name: 'peerJoined', data: { peer: peer.info() } }, peer.id);
    this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer joined');
    peer.setActiveSpeaker(this.#speakerFor(peer.id));
    const consumers = await Promise.all(
      others.flatMap((p) => p.producers).map((producer) => this.#consume(peer, producer, 'start')),
    );
    return {
      peers: others.filter((p) => !p.closed).map((p) => p.info(this.#allows(peer.id, p.id))),
      consumers: consumers.filter((c): c is ConsumerInfo => c !== undefined),
      activeSpeakerPeerId: this.#speakerFor(peer.id),
    };
  }

  /**
   * Applies the media scope again after it changed: first, in this tick, every consumer
   * the scope no longer allows is closed (the worker stops forwarding it and the client is
   * told); then the consumers it now allows are created. Audio moves to the observer of
   * its new group, and peers whose group changed learn their group's dominant speaker.
   */
  regate(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    for (const receiver of this.#peers.values()) {
      for (const c of receiver.consumers) {
        if (!this.#allows(receiver.id, c.fromPeerId)) receiver.dropConsumer(c.id);
      }
    }
    for (const [group, speakers] of this.#speakers) {
      const speaker = speakers.peerId;
      if (speaker && (!this.#peers.has(speaker) || this.#scope.groupOf(speaker) !== group)) {
        speakers.peerId = null;
      }
    }
    for (const peer of this.#peers.values()) {
      peer.setActiveSpeaker(this.#speakerFor(peer.id));
      peer.notify({ name: 'activeSpeaker', data: { peerId: this.#speakerFor(peer.id) } });
    }
    const moves = [...this.#peers.values()].flatMap((p) =>
      p.producers.filter((x) => x.kind === 'audio').map((x) => this.#observe(x)),
    );
    const consumes = [...this.#peers.values()].flatMap((receiver) =>
      [...this.#peers.values()]
        .filter((sender) => sender !== receiver)
        .flatMap((sender) => sender.producers.map((x) => this.#consume(receiver, x, 'announce'))),
    );
    return Promise.all([...moves, ...consumes]).then(() => undefined);
  }

  async produce(
    peer: Peer,
    opts: {
      transportId: string;
      kind: types.MediaKind;
      rtpParameters: RtpParameters;
      source: TrackSource;
      paused?: boolean;
    },
  ): Promise<string> {
    this.#assertMember(peer);
    const producer = await peer.produce(opts);
    producer.observer.once('close', () => this.#observedIn.delete(producer.id));
    // The observer only ranks audio; a failure there must not fail the publication.
    if (producer.kind === 'audio') void this.#observe(producer);
    const receivers = [...this.#peers.values()].filter((p) => p !== peer);
    await Promise.all(receivers.map((receiver) => this.#consume(receiver, producer, 'announce')));
    return producer.id;
  }

  /**
   * Removes a peer, admitted or waiting, and closes it. `keepRoom`: another peer of the
   * same participant takes its place at once, so an empty room stays open.
   */
  leave(peer: Peer, opts: { keepRoom?: boolean } = {}): void {
    if (this.#waiting.get(peer.id) === peer) {
      this.#waiting.delete(peer.id);
      peer.close();
    } else if (this.#peers.get(peer.id) === peer) {
      this.#peers.delete(peer.id);
      peer.close();
      for (const [group, speakers] of this.#speakers) {
        if (speakers.peerId === peer.id) this.#setActiveSpeaker(group, null);
      }
      this.#broadcast({ name: 'peerLeft', data: { peerId: peer.id } });
      this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer left');
    } else {
      return;
    }
    if (!opts.keepRoom && this.#peers.size === 0 && this.#waiting.size === 0) this.emit('empty');
  }

  close(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values(), ...this.#waiting.values()]) {
      peer.notify({ name: 'roomClosed', data: { reason } });
      peer.close();
    }
    this.#peers.clear();
    this.#waiting.clear();
    this.#scope.off('change', this.#onScopeChange);
    this.#router.close();
    this.#log.info({ reason }, 'room closed');
    this.emit('close', reason);
    this.removeAllListeners();
  }

  /**
   * A peer's report of its own line, relayed to everyone who receives its media (its media
   * group): a host sees whose line is the weak one.
   */
  relayLine(peer: Peer, report: LineReport): void {
    this.#assertMember(peer);
    for (const receiver of this.#peers.values()) {
      if (receiver !== peer && this.#allows(receiver.id, peer.id)) {
        receiver.notify({ name: 'peerLine', data: { ...report, peerId: peer.id } });
      }
    }
  }

  /** Receiver and sender share a media group (asked at every decision, never cached). */
  #allows(receiverId: string, senderId: string): boolean {
    return this.#scope.groupOf(receiverId) === this.#scope.groupOf(senderId);
  }

  async #consume(
    receiver: Peer,
    producer: Peer['producers'][number],
    how: 'announce' | 'start',
  ): Promise<ConsumerInfo | undefined> {
    const allowed = () => this.#allows(receiver.id, producer.appData.peerId);
    try {
      return await receiver.consume(producer, how, allowed);
    } catch (err) {
      // One receiver's failure must not fail the producer's request or the others.
      this.#log.warn({ err, receiver: receiver.id, producer: producer.id }, 'consume failed');
      return undefined;
    }
  }

  #speakerFor(peerId: string): string | null {
    return this.#speakers.get(this.#scope.groupOf(peerId))?.peerId ?? null;
  }

  /** Ranks an audio producer with the observer of its peer's current media group. */
  async #observe(producer: Peer['producers'][number]): Promise<void> {
    const group = this.#scope.groupOf(producer.appData.peerId);
    const from = this.#observedIn.get(producer.id);
    if (from === group || producer.closed || this.#closed) return;
    this.#observedIn.set(producer.id, group);
    try {
      if (from !== undefined) {
        const old = await this.#speakers.get(from)?.observer;
        await old?.removeProducer({ producerId: producer.id }).catch(() => undefined);
      }
      const observer = await this.#speakersOf(group).observer;
      if (producer.closed || this.#observedIn.get(producer.id) !== group) return;
      await observer.addProducer({ producerId: producer.id });
    } catch (err) {
      if (!this.#closed && !producer.closed) {
        this.#log.warn({ err, group }, 'active speaker observer rejected producer');
      }
    }
  }

  #speakersOf(group: string): SpeakerGroup {
    const existing = this.#speakers.get(group);
    if (existing) return existing;
    return this.#watchSpeakers(group, this.#router.createActiveSpeakerObserver({ interval: 300 }));
  }

  #watchSpeakers(group: string, observer: Promise<types.ActiveSpeakerObserver>): SpeakerGroup {
    const speakers: SpeakerGroup = { observer, peerId: null };
    this.#speakers.set(group, speakers);
    observer
      .then((o) =>
        o.on('dominantspeaker', ({ producer }) => {
          const peerId = (producer.appData as { peerId?: string }).peerId ?? null;
          // A late event from a peer that has since moved groups is not news here.
          if (peerId && this.#scope.groupOf(peerId) !== group) return;
          this.#setActiveSpeaker(group, peerId);
        }),
      )
      .catch((err: unknown) => this.#log.warn({ err, group }, 'active speaker observer failed'));
    return speakers;
  }

  /** Told only to the group that can hear the speaker. */
  #setActiveSpeaker(group: string, peerId: string | null): void {
    const speakers = this.#speakers.get(group);
    if (!speakers || speakers.peerId === peerId) return;
    speakers.peerId = peerId;
    for (const peer of this.#peers.values()) {
      if (this.#scope.groupOf(peer.id) === group) {
        peer.setActiveSpeaker(peerId);
        peer.notify({ name: 'activeSpeaker', data: { peerId } });
      }
    }
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
