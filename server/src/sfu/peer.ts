import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type {
  ConsumerInfo,
  DtlsParameters,
  Notification,
  PeerInfo,
  RtpCapabilities,
  RtpParameters,
  SessionGrants,
  TrackSource,
  TransportOptions,
} from '@samkons/shared';
import { DomainError, forbidden, notFound } from '../http/domain-error.js';
import {
  DownlinkAdapter,
  type DownlinkLog,
  type QueueReport,
  type VideoDemand,
} from './downlink.js';

/** Who a peer is: from the socket's authenticated handshake. */
export interface PeerIdentity {
  readonly id: string;
  readonly displayName: string;
  readonly role?: string;
  /** Replaced at admission (grants follow the consent then in force): `setGrants`. */
  grants: SessionGrants;
}

type PeerEvents = {
  /** A notification for this peer's client; the signalling layer forwards it. */
  notify: [Notification];
  close: [];
};

type TransportDirection = 'send' | 'recv';

type ProducerAppData = { peerId: string; source: TrackSource };
type Producer = types.Producer<ProducerAppData>;
type Consumer = types.Consumer<{ peerId: string; source: TrackSource }>;

const MAX_PRODUCERS = 4;

/**
 * A video sender is asked for a key frame at most once per this many ms; a request in between
 * waits and goes at its end (mediasoup's `keyFrameRequestDelay`). The sender's libwebrtc
 * answers one request per 300 ms and drops the others, and mediasoup, counting a dropped
 * request as pending, asks again only after 1 s: so a second receiver that resumed just after
 * the first one's key frame (as everyone does, rejoining after a worker crash) waited a second
 * for its picture. Delayed past the sender's 300 ms, its request is answered.
 */
const KEY_FRAME_REQUEST_DELAY_MS = 350;

/** What a producer of `kind` is made with beyond its parameters (see above). */
export function producerTuning(kind: types.MediaKind): { keyFrameRequestDelay?: number } {
  return kind === 'video' ? { keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS } : {};
}
const KIND_OF: Record<TrackSource, types.MediaKind> = {
  camera: 'video',
  screen: 'video',
  microphone: 'audio',
};

/**
 * A participant in a room: its send and receive WebRTC transports (both through the
 * worker's WebRtcServer), the producers it publishes and the consumers it receives.
 * Closing the peer closes the transports, which closes everything on them.
 */
export class Peer extends EventEmitter<PeerEvents> {
  readonly #identity: PeerIdentity;
  readonly #router: types.Router;
  readonly #webRtcServer: types.WebRtcServer;
  readonly #rtpCapabilities: types.RtpCapabilities;
  #sendTransport: types.WebRtcTransport | undefined;
  #recvTransport: types.WebRtcTransport | undefined;
  /** Fits what this peer receives to its link and its tiles (with the receive transport). */
  #downlink: DownlinkAdapter | undefined;
  readonly #log: DownlinkLog | undefined;
  readonly #producers = new Map<string, Producer>();
  readonly #consumers = new Map<string, Consumer>();
  /** Producers this peer consumes or is about to (a consume in flight): never twice. */
  readonly #consuming = new Set<string>();
  /**
   * Consumers handed over with the media start (`join`/`admitted`): the browser creates
   * them before its receive transport connects, so the server resumes them once it has.
   * On a transport connected before (the waiting room) the browser resumes them itself.
   */
  readonly #resumeOnConnect = new Set<Consumer>();
  /** Notifications held back while the media start is on its way to the client (`hold`). */
  #held: Notification[] | undefined;
  #closed = false;

  /**
   * A peer with the transports its grants allow, made before admission (the lobby), so
   * admission only opens the media. `rtpCapabilities` are the browser device's.
   */
  static async create(opts: {
    identity: PeerIdentity;
    rtpCapabilities: RtpCapabilities;
    router: types.Router;
    webRtcServer: types.WebRtcServer;
    /** The downlink adapter's decisions, at debug level. */
    log?: DownlinkLog;
  }): Promise<Peer> {
    // Shape checked by zod; mediasoup checks the content in canConsume/consume.
    const caps = opts.rtpCapabilities as types.RtpCapabilities;
    const peer = new Peer(opts.identity, caps, opts.router, opts.webRtcServer, opts.log);
    try {
      await peer.ensureTransports();
    } catch (err) {
      peer.close();
      throw err;
    }
    return peer;
  }

  private constructor(
    identity: PeerIdentity,
    rtpCapabilities: types.RtpCapabilities,
    router: types.Router,
    webRtcServer: types.WebRtcServer,
    log?: DownlinkLog,
  ) {
    super();
    this.#log = log;
    this.#identity = { ...identity };
    this.#rtpCapabilities = rtpCapabilities;
    this.#router = router;
    this.#webRtcServer = webRtcServer;
  }

  get id(): string {
    return this.#identity.id;
  }
  get identity(): PeerIdentity {
    return this.#identity;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get producers(): Producer[] {
    return [...this.#producers.values()];
  }

  /**
   * As other peers see it. `withProducers` false for a receiver in another media group:
   * it learns that this peer is in the room, not what it publishes or whether it is muted.
   */
  info(withProducers = true): PeerInfo {
    const { id, displayName, role } = this.#identity;
    return {
      id,
      displayName,
      ...(role ? { role } : {}),
      producers: (withProducers ? this.producers : []).map((p) => ({
        id: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
    };
  }

  transportOptions(): { sendTransport?: TransportOptions; recvTransport?: TransportOptions } {
    const opts = (t: types.WebRtcTransport): TransportOptions => ({
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
      ...(t.sctpParameters ? { sctpParameters: t.sctpParameters } : {}),
    });
    return {
      ...(this.#sendTransport ? { sendTransport: opts(this.#sendTransport) } : {}),
      ...(this.#recvTransport ? { recvTransport: opts(this.#recvTransport) } : {}),
    };
  }

  /** Grants recomputed at admission: publishing and receiving follow them from now on. */
  setGrants(grants: SessionGrants): void {
    this.#identity.grants = grants;
  }

  /** Makes the transports the current grants allow and this peer lacks (idempotent). */
  async ensureTransports(): Promise<void> {
    const { canPublish, canSubscribe } = this.#identity.grants;
    // Both at once: each is a round trip to the worker, and the join answer waits for them.
    const [send, recv] = await Promise.allSettled([
      canPublish && !this.#sendTransport ? this.#makeTransport('send') : undefined,
      canSubscribe && !this.#recvTransport ? this.#makeTransport('recv') : undefined,
    ]);
    const failed = [send, recv].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      for (const r of [send, recv]) if (r.status === 'fulfilled') r.value?.close();
      throw failed.reason;
    }
    const made = (r: typeof send) => (r.status === 'fulfilled' ? r.value : undefined);
    const sendTransport = made(send);
    if (sendTransport) {
      // Another call made it meanwhile: keep that one.
      if (this.#sendTransport) sendTransport.close();
      else this.#sendTransport = sendTransport;
    }
    const recvTransport = made(recv);
    if (recvTransport) {
      if (this.#recvTransport) recvTransport.close();
      else {
        this.#recvTransport = recvTransport;
        this.#downlink = new DownlinkAdapter(
          recvTransport,
          (state) => this.#notify({ name: 'downlink', data: state }),
          {},
          this.#log,
        );
      }
    }
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    await this.#transport(transportId).connect({ dtlsParameters });
  }

  async restartIce(transportId: string): Promise<types.IceParameters> {
    return this.#transport(transportId).restartIce();
  }

  async produce(opts: {
    transportId: string;
    kind: types.MediaKind;
    rtpParameters: RtpParameters;
    source: TrackSource;
    /** Start paused (a microphone a host muted: kept across reconnects). */
    paused?: boolean;
  }): Promise<Producer> {
    const { grants } = this.#identity;
    if (!grants.canPublish || !grants.canPublishSources.includes(opts.source)) {
      throw forbidden(`This session may not publish ${opts.source}`);
    }
    if (KIND_OF[opts.source] !== opts.kind) {
      throw new DomainError('bad_request', `${opts.source} must be ${KIND_OF[opts.source]}`);
    }
    if (!this.#sendTransport || this.#sendTransport.id !== opts.transportId) {
      throw notFound('Send transport');
    }
    if (this.#producers.size >= MAX_PRODUCERS) {
      throw new DomainError('conflict', `At most ${MAX_PRODUCERS} producers per participant`);
    }
    if (this.producers.some((p) => p.appData.source === opts.source)) {
      throw new DomainError('conflict', `Already publishing ${opts.source}`);
    }
    const producer = await this.#sendTransport.produce<ProducerAppData>({
      kind: opts.kind,
      rtpParameters: opts.rtpParameters as types.RtpParameters,
      paused: opts.paused ?? false,
      ...producerTuning(opts.kind),
      appData: { peerId: this.id, source: opts.source },
    });
    if (this.#closed) {
      producer.close();
      throw new DomainError('invalid_state', 'Participant left');
    }
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    producer.on('transportclose', () => {
      this.#notify({ name: 'producerClosed', data: { producerId: producer.id } });
    });
    return producer;
  }

  producer(producerId: string): Producer {
    const p = this.#producers.get(producerId);
    if (!p) throw notFound('Producer');
    return p;
  }

  closeProducer(producerId: string): void {
    this.producer(producerId).close();
  }

  /**
   * Creates a paused consumer of another peer's producer. `announce`: tell the client
   * (`newConsumer`), which resumes it once created; `start`: part of the media start, which
   * the server resumes when the receive transport connects (the client does, once created,
   * when it connected before). Returns undefined when this
   * peer cannot receive it (no grant, codec mismatch, already consuming it), or when
   * `allowed` (the room's media scope, asked again after the worker answered) no longer
   * lets it: a scope change during the round trip wins.
   */
  async consume(
    producer: Producer,
    how: 'announce' | 'start',
    allowed: () => boolean = () => true,
  ): Promise<ConsumerInfo | undefined> {
    const caps = this.#rtpCapabilities;
    const transport = this.#recvTransport;
    if (this.#closed || !transport || !this.#identity.grants.canSubscribe) return;
    if (producer.appData.peerId === this.id || this.#consuming.has(producer.id)) return;
    if (!allowed()) return;
    if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;

    this.#consuming.add(producer.id);
    let consumer: Consumer;
    try {
      consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: caps,
        // Paused until the browser has set it up: no keyframe is lost before it can decode.
        paused: true,
        appData: { peerId: producer.appData.peerId, source: producer.appData.source },
      });
    } catch (err) {
      this.#consuming.delete(producer.id);
      throw err;
    }
    if (this.#closed || !allowed()) {
      this.#consuming.delete(producer.id);
      consumer.close();
      return;
    }
    const consumerId = consumer.id;
    this.#consumers.set(consumerId, consumer);
    this.#downlink?.add(consumer, producer.rtpParameters.encodings?.map((e) => e.maxBitrate) ?? []);
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumerId);
      this.#consuming.delete(producer.id);
      this.#resumeOnConnect.delete(consumer);
    });
    consumer.on('transportclose', () => this.#consumers.delete(consumerId));
    consumer.on('producerclose', () => {
      this.#consumers.delete(consumerId);
      this.#notify({ name: 'consumerClosed', data: { consumerId } });
    });
    consumer.on('producerpause', () =>
      this.#notify({ name: 'consumerPaused', data: { consumerId } }),
    );
    consumer.on('producerresume', () =>
      this.#notify({ name: 'consumerResumed', data: { consumerId } }),
    );

    const info: ConsumerInfo = {
      id: consumerId,
      producerId: producer.id,
      peerId: producer.appData.peerId,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
    if (how === 'announce') this.#notify({ name: 'newConsumer', data: info });
    // Connected before the media start (the waiting room's early connect): the browser
    // resumes it (`resumeConsumer`) once it has set it up, since a key frame sent before
    // then is dropped and the next one comes about a second later.
    else if (transport.dtlsState !== 'connected') this.#resumeOnConnect.add(consumer);
    return info;
  }

  /** What this peer receives now: each consumer and the peer whose producer it carries. */
  get consumers(): { id: string; producerId: string; fromPeerId: string }[] {
    return [...this.#consumers.values()].map((c) => ({
      id: c.id,
      producerId: c.producerId,
      fromPeerId: c.appData.peerId,
    }));
  }

  /**
   * Stops receiving one stream (the media scope no longer allows it): the worker stops
   * forwarding at once and the client is told to drop it.
   */
  dropConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    consumer.close();
    this.#notify({ name: 'consumerClosed', data: { consumerId } });
  }

  consumer(consumerId: string): Consumer {
    const c = this.#consumers.get(consumerId);
    if (!c) throw notFound('Consumer');
    return c;
  }

  /** The client pauses (its own audio-only choice) or resumes (set up) a stream. */
  async setConsumerPaused(consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.consumer(consumerId);
    if (this.#downlink) await this.#downlink.setClientPaused(consumerId, paused);
    else if (paused) await consumer.pause();
    else await consumer.resume();
  }

  /**
   * The client has set these streams up (the media start on a receive transport connected
   * in the waiting room): those that are this peer's are resumed together. Answers the ids
   * that are not (closed meanwhile, or never this peer's); `not_found` when none is.
   */
  async resumeConsumers(consumerIds: readonly string[]): Promise<{ notFound: string[] }> {
    const ids = [...new Set(consumerIds)];
    const mine = ids.filter((id) => this.#consumers.has(id));
    if (mine.length === 0) throw notFound('Consumer');
    await Promise.all(mine.map((id) => this.setConsumerPaused(id, false)));
    return { notFound: ids.filter((id) => !mine.includes(id)) };
  }

  /**
   * What the receiver's tile needs of a video stream: the highest layer worth sending (the
   * tile's size) and whether it is seen at all. The link may allow less.
   */
  async setVideoDemand(consumerId: string, demand: Partial<VideoDemand>): Promise<void> {
    const consumer = this.consumer(consumerId);
    if (consumer.kind !== 'video') throw new DomainError('bad_request', 'Not a video stream');
    if (demand.spatialLayer !== undefined && consumer.type !== 'simulcast') {
      throw new DomainError('bad_request', 'Consumer has no layers');
    }
    await this.#downlink?.setDemand(consumerId, demand);
  }

  /**
   * This peer's browser finds the audio of `consumerId` beginning to arrive late: its
   * downlink adapter notes what it sends from now on (see `reportQueueing`).
   */
  reportQueueOnset(consumerId: string): void {
    this.#queueAudio(consumerId);
    void this.#downlink?.queueOnset();
  }

  /**
   * This peer's browser finds its link queueing (the audio of `consumerId` arrives later and
   * later, `excessMs` behind its pace; `receivedBps` arrived since the onset): its downlink
   * adapter holds video back before packets are lost.
   */
  reportQueueing(
    consumerId: string,
    report: QueueReport,
    /** Whether the link of the peer `senderId` gave way lately (its audio may come late). */
    gaveWay: (senderId: string) => boolean,
  ): void {
    const consumer = this.#queueAudio(consumerId);
    void this.#downlink?.queueing(consumer, report, gaveWay(consumer.appData.peerId));
  }

  /** The audio stream a queue report is about. */
  #queueAudio(consumerId: string): Consumer {
    const consumer = this.consumer(consumerId);
    if (consumer.kind !== 'audio') throw new DomainError('bad_request', 'Not an audio stream');
    return consumer;
  }

  /** This peer's own link gave way lately (it lost heavily, or went audio only). */
  get linkGaveWayLately(): boolean {
    return this.#downlink?.gaveWayLately() ?? false;
  }

  async setPreferredLayers(
    consumerId: string,
    layers: { spatialLayer: number; temporalLayer?: number },
  ): Promise<void> {
    const consumer = this.consumer(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
      throw new DomainError('bad_request', 'Consumer has no layers');
    }
    if (layers.temporalLayer === undefined && this.#downlink) {
      await this.#downlink.setDemand(consumerId, { spatialLayer: layers.spatialLayer });
    } else {
      await consumer.setPreferredLayers(layers);
    }
  }

  /** The active speaker of this peer's media group: their camera gets the link first. */
  setActiveSpeaker(peerId: string | null): void {
    this.#downlink?.setSpeaker(peerId);
  }

  /** Whether this peer's link carries video now (the SFU's estimate). */
  get downlink(): { audioOnly: boolean; estimateKbps?: number } {
    return this.#downlink?.state() ?? { audioOnly: false };
  }

  /** Sends a notification to this peer's client. */
  notify(notification: Notification): void {
    this.#notify(notification);
  }

  /**
   * Holds notifications back until `release`: while this peer is being admitted, others
   * already see it and announce their new producers and peers to it, but its client can
   * only use them after the media start (the `join` answer or `admitted`) has reached it.
   * Sent earlier, they would be dropped or overwritten by that start (a tile without video).
   */
  hold(): void {
    this.#held ??= [];
  }

  /** Sends what `hold` kept back, in order; notifications go straight out again. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    for (const n of held ?? []) this.#notify(n);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#downlink?.close();
    // Closing a transport closes its producers and consumers; others get `producerclose`.
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#producers.clear();
    this.#consumers.clear();
    this.#consuming.clear();
    this.#resumeOnConnect.clear();
    this.#held = undefined;
    this.emit('close');
    this.removeAllListeners();
  }

  async #makeTransport(direction: TransportDirection): Promise<types.WebRtcTransport> {
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      // The receive side's empty data channel connects it in the waiting room (see
      // TransportOptions.sctpParameters); nothing is ever sent on it.
      enableSctp: direction === 'recv',
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { peerId: this.id, direction },
    });
    if (this.#closed) {
      transport.close();
      throw new DomainError('invalid_state', 'Participant left');
    }
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected' && direction === 'recv') this.#startWaitingConsumers();
      // DTLS does not come back on the same transport: the client sets the media up anew.
      if (state === 'failed') {
        this.#notify({ name: 'transportFailed', data: { transportId: transport.id } });
      }
    });
    return transport;
  }

  /** The receive transport connected: media of the start flows, beginning with a key frame. */
  #startWaitingConsumers(): void {
    const waiting = [...this.#resumeOnConnect];
    this.#resumeOnConnect.clear();
    for (const consumer of waiting) {
      this.#start(consumer).catch(() => undefined /* closed meanwhile */);
    }
  }

  async #start(consumer: Consumer): Promise<void> {
    if (consumer.closed) return;
    // Through the downlink adapter: a video stream stays paused on an audio-only link. A
    // resumed video stream starts with a key frame requested at once, not at the next PLI.
    if (this.#downlink) await this.#downlink.setClientPaused(consumer.id, false);
    else await consumer.resume();
  }

  #transport(transportId: string): types.WebRtcTransport {
    for (const t of [this.#sendTransport, this.#recvTransport]) {
      if (t && t.id === transportId) return t;
    }
    throw notFound('Transport');
  }

  #notify(notification: Notification): void {
    if (this.#closed) return;
    // The room is gone: nothing held matters any more, and the client must know at once.
    if (notification.name === 'roomClosed') this.#held = undefined;
    if (this.#held) this.#held.push(notification);
    else this.emit('notify', notification);
  }
}
