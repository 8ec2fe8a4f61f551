import { Device, type types } from 'mediasoup-client';
import {
  CAMERA_LAYERS,
  type ConsumerInfo,
  type MediaStart,
  type MediaTransports,
  type PeerInfo,
  type RtpCapabilities,
  type TrackSource,
} from '@samkons/shared';
import { RequestError, type SignallingClient, type SignallingSocket } from './signalling-client.js';
import { TransportLiveness, type PairSample } from './transport-liveness.js';
import { TransportRecovery, type RecoveryPolicy } from './transport-recovery.js';
import { sameDemand, type VideoDemand } from './adaptive-stream.js';
import type { InboundCounters } from './quality.js';
import { PendingStreams } from './pending-streams.js';
import { QueueingDetector, receivedBpsOver, type ReceivedCount } from './queueing.js';
import { cachingHandlerFactory } from './native-caps.js';

export interface RemoteParticipant {
  id: string;
  displayName: string;
  role?: string;
  audio?: MediaStreamTrack;
  video?: MediaStreamTrack;
  screen?: MediaStreamTrack;
  /** Their microphone is paused (by them or a host). */
  audioMuted?: boolean;
  /** Their camera is paused. */
  videoPaused?: boolean;
}

/** What this browser sends and receives, as the controls show it. */
export interface LocalMediaState {
  microphoneOn: boolean;
  cameraOn: boolean;
  screenSharing: boolean;
  /** Receives no video and sends no camera (weak connections). */
  audioOnly: boolean;
}

/**
 * The media transports: `connecting` until both are up, `recovering` while one is being
 * brought back (past its grace period), `idle` with none.
 */
export type MediaConnection = 'idle' | 'connecting' | 'connected' | 'recovering';

/** What this browser's link carries, as the SFU estimates it (adaptation). */
export interface LinkState {
  /** Too weak for video: the SFU sends only audio until the link recovers. */
  audioOnly: boolean;
  estimateKbps?: number;
}

export interface SessionSnapshot {
  connection: MediaConnection;
  participants: readonly RemoteParticipant[];
  activeSpeakerId: string | null;
  local: LocalMediaState;
  downlink: LinkState;
  error?: string;
}

/** Cumulative counters of one participant's inbound streams that should flow now. */
export interface PeerInbound extends InboundCounters {
  peerId: string;
  /** Worst jitter of their audio, milliseconds. */
  jitterMs: number;
}

/** What the line rating reads (media/line-monitor.ts), all counters cumulative. */
export interface LineStats {
  connection: MediaConnection;
  peers: PeerInbound[];
  /** Milliseconds to the SFU, when the stats give one. */
  rttMs: number | undefined;
  /** The send transport's bandwidth estimate, kbit/s (Chromium only). */
  availableOutgoingKbps: number | undefined;
  /**
   * Whether the video encoder is held back by that estimate (outbound-rtp
   * qualityLimitationReason 'bandwidth', Chromium); undefined when the browser does not say.
   */
  sendBandwidthLimited: boolean | undefined;
  /** Camera or screen being sent: the SFU answers with feedback many times a second. */
  sendingVideo: boolean;
  /** Bytes the send transport received (SFU feedback), cumulative. */
  sendBytesReceived: number | undefined;
  /** Consumers that should flow and have received no packet yet (no stats). */
  awaitingStreams: number;
}

export interface ParticipantStats {
  peerId: string;
  displayName: string;
  /** Camera only. */
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
  /** Their shared screen (0 when they share none). */
  screenFramesDecoded: number;
  screenFrameWidth: number;
}

/** The ICE route a transport uses now: its selected candidate pair. */
export interface IceRoute {
  /** host, srflx, prflx or relay (relay: through TURN). */
  localCandidateType: string;
  remoteCandidateType: string;
  /** ip:port of the local candidate (for relay: the address the TURN server relays from). */
  localAddress: string;
  /** udp or tcp: the candidate pair's transport (for relay, TURN server to the SFU). */
  protocol: string;
  /** Browser to TURN server, for a relay candidate. */
  relayProtocol?: string;
  bytesSent: number;
  bytesReceived: number;
  /** Milliseconds (RTCStats timestamp) when these counters were read. */
  timestamp: number;
}

/** Stall detection reads the transports' counters this often (transport-liveness.ts). */
const LIVENESS_SAMPLE_MS = 500;
/**
 * How often the incoming audio's arrivals are read for a queue on this link, while video
 * comes (media/queueing.ts: lateness held 300 ms). One stream's receiver stats only, not the
 * whole connection's.
 */
const QUEUEING_SAMPLE_MS = 50;
/** The empty data channel that connects the receive transport in the waiting room. */
const EARLY_CONNECT_CHANNEL = 'early-connect';
/** At the latest this long after admission the camera and microphone are published. */
const PUBLISH_AFTER_MS = 1000;

/**
 * A media start's `resumeConsumers` that failed (an error ack, no answer) is sent again after
 * each of these waits in turn, then given up: without it the streams stay paused for the
 * whole call. A socket that drops takes the set-up with it (the rejoin sets up new streams,
 * which the server resumes itself).
 */
export const RESUME_RETRY_MS: readonly number[] = [250, 500, 1000, 2000, 4000];

/** Publishing waits at most this long for an idle moment once it may start. */
const IDLE_WAIT_MS = 200;

/** Runs `fn` when the main thread is idle, or after `timeoutMs` (no requestIdleCallback: soon). */
function whenIdle(fn: () => void, timeoutMs: number): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: timeoutMs });
  else setTimeout(fn, 0);
}

/** The camera's simulcast layers (@samkons/shared): receivers on poor links get the lowest. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = CAMERA_LAYERS.map(
  ({ rid, scaleResolutionDownBy, maxBitrate }) => ({ rid, scaleResolutionDownBy, maxBitrate }),
);

/** What the live session learns from the media: it decides what the call state becomes. */
export interface MediaEvents {
  /** Some transport is recovering (past its grace period), or all are connected again. */
  health(health: 'connected' | 'recovering'): void;
  /** The media must be set up from scratch (`join` again on the same socket). */
  rejoin(reason: string): void;
}

export interface MediaOptions {
  signalling: SignallingClient;
  events: MediaEvents;
  /** Camera and microphone to publish; the session does not stop these tracks. */
  localStream?: MediaStream;
  /** Start with the microphone or camera paused (the pre-join choice). */
  microphoneOn?: boolean;
  cameraOn?: boolean;
  /**
   * 'relay' sends all media through the TURN servers (a diagnostic, like LiveKit's
   * forceRelay): without TURN servers the transports then cannot connect. Default 'all'.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Recovery timings (tests shorten them). */
  recovery?: RecoveryPolicy;
}

/** One set of transports and what runs on them: thrown away as a whole on a rejoin. */
interface Media {
  generation: number;
  /** Admitted: consuming and publishing (before, in the waiting room, nothing runs). */
  opened: boolean;
  /** Round-trip depth of the answer that made these transports (0: a notification). */
  answerDepth: number;
  /** Round-trip depth of the receive transport's DTLS parameters (media start needs it). */
  recvConnectDepth?: number;
  /** The server's receive transport has an SCTP endpoint (see `connectEarly`). */
  recvSctp: boolean;
  /** `connectEarly` has opened its channel. */
  connectingEarly?: boolean;
  /** The receive transport's DTLS parameters went to the server. */
  recvConnectSent?: boolean;
  /** Called once the receive transport's DTLS parameters are on their way (see `open`). */
  onRecvConnect?: () => void;
  /** The camera and microphone may be published (see `open`). */
  publishing?: boolean;
  /** Round-trip depth of the media start's `resumeConsumers` (see `#resumeTogether`). */
  startResumeDepth?: number;
  /** Called when the first remote video packets of this set-up arrive (see `open`). */
  onFirstVideo?: () => void;
  /** The receive side runs: the camera and microphone go out (see `#watchReceiving`). */
  receiving?: boolean;
  /** What waits for `receiving`, each then run in an idle moment (see `whenReceiving`). */
  afterReceiving: Set<() => void>;
  sendTransport?: types.Transport;
  recvTransport?: types.Transport;
  /** The ICE policy the transports were made with (`relay`: through TURN only). */
  icePolicy: RTCIceTransportPolicy;
  /** One per transport: keeps it alive (ICE restarts, then a full rejoin). */
  recoveries: { send?: TransportRecovery; recv?: TransportRecovery };
  /** What arrives on each transport, sampled every LIVENESS_SAMPLE_MS (stall detection). */
  liveness: TransportLiveness;
  livenessTimer?: ReturnType<typeof setInterval>;
  /** The incoming audio watched for a queue on this link (see `QUEUEING_SAMPLE_MS`). */
  queueing: {
    detector: QueueingDetector;
    consumerId?: string;
    /** What had arrived at the onset of the lateness (see `QueueingEvent`). */
    onset?: ReceivedCount | undefined;
    reading: boolean;
    timer?: ReturnType<typeof setInterval>;
  };
  /** A `ping` in flight (transport-recovery.ts: is the server reachable?). */
  probe?: Promise<void> | undefined;
  consumers: Map<string, MediaConsumer>;
  /** Announced streams the browser is still making (a close may come meanwhile). */
  pending: PendingStreams;
  producers: Map<TrackSource, types.Producer>;
}

interface MediaConsumer {
  consumer: types.Consumer;
  peerId: string;
  kind: 'audio' | 'video';
  source: TrackSource;
  /** Simulcast or SVC: the SFU can send a smaller layer. */
  layered: boolean;
  /** What the tile last asked the SFU for (video). */
  demand?: VideoDemand;
}

/** Which participant field a consumer's track goes into. */
const slotOf = (c: { kind: 'audio' | 'video'; source: TrackSource }) =>
  c.kind === 'audio' ? 'audio' : c.source === 'screen' ? 'screen' : 'video';

/**
 * The media of a call in this browser: the mediasoup Device, the send and receive
 * transports (each kept alive by a TransportRecovery), producers and consumers, and the
 * remote participants' tracks. The live session (live-session.ts) decides when to set them
 * up; React reads them through `subscribe`/`getSnapshot` (useSyncExternalStore).
 */
export class MediaSession {
  readonly #opts: MediaOptions;
  readonly #signalling: SignallingClient;
  readonly #listeners = new Set<() => void>();
  readonly #participants = new Map<string, RemoteParticipant>();
  #device: Device | undefined;
  #deviceCaps = '';
  #iceServers: RTCIceServer[] = [];
  #media: Media | undefined;
  #localStream: MediaStream | undefined;
  #mutedByHost = false;
  #iceTransportPolicy: RTCIceTransportPolicy | undefined;
  #snapshot: SessionSnapshot;
  #screenStream: MediaStream | undefined;
  /** Incremented on each set-up so late callbacks of an old one are dropped. */
  #generation = 0;
  #roundTripsToFirstMedia: number | undefined;
  #firstMediaAt: number | undefined;
  /** What each tile needs, by `${peerId}/${source}`: applied to consumers made later too. */
  readonly #videoDemand = new Map<string, VideoDemand>();

  constructor(opts: MediaOptions) {
    this.#opts = opts;
    this.#signalling = opts.signalling;
    this.#localStream = opts.localStream;
    this.#iceTransportPolicy = opts.iceTransportPolicy;
    this.#snapshot = {
      connection: 'idle',
      participants: [],
      activeSpeakerId: null,
      downlink: { audioOnly: false },
      local: {
        microphoneOn: opts.microphoneOn ?? true,
        cameraOn: opts.cameraOn ?? true,
        screenSharing: false,
        audioOnly: false,
      },
    };
    this.#signalling.onSocket((socket) => this.#listenOn(socket));
  }

  /** The pre-join's choices, before the join (a warmed-up session gets them late). */
  configure(choices: {
    localStream?: MediaStream | undefined;
    microphoneOn?: boolean;
    cameraOn?: boolean;
    iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  }): void {
    if (choices.localStream) this.#localStream = choices.localStream;
    if (choices.iceTransportPolicy) this.#iceTransportPolicy = choices.iceTransportPolicy;
    this.#setLocal({
      ...(choices.microphoneOn !== undefined ? { microphoneOn: choices.microphoneOn } : {}),
      ...(choices.cameraOn !== undefined ? { cameraOn: choices.cameraOn } : {}),
    });
  }

  /** The socket, shared with the live session (lobby, chat, host actions). */
  get signalling(): SignallingClient {
    return this.#signalling;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.#snapshot;

  /**
   * Acks the client waited for one after another, from the join (or admission) until the
   * first remote media arrived: the join path's round trips.
   */
  get roundTripsToFirstMedia(): number | undefined {
    return this.#roundTripsToFirstMedia;
  }

  /** performance.now() when the first remote media of the current set-up arrived. */
  get firstMediaAt(): number | undefined {
    return this.#firstMediaAt;
  }

  /** The loaded device's capabilities, sent with `join`. */
  get rtpCapabilities(): types.RtpCapabilities {
    if (!this.#device) throw new Error('device not loaded');
    return this.#device.rtpCapabilities;
  }

  /**
   * Loads the device for this node's routers (from `welcome`) and keeps the ICE servers
   * for the transports. The same capabilities keep the loaded device (a reconnect).
   */
  async load(routerRtpCapabilities: RtpCapabilities, iceServers: RTCIceServer[]): Promise<void> {
    this.#iceServers = iceServers;
    const caps = JSON.stringify(routerRtpCapabilities);
    if (this.#device && caps === this.#deviceCaps) return;
    const handlerFactory = cachingHandlerFactory();
    const device = new Device(handlerFactory ? { handlerFactory } : {});
    // The shared schemas check the shape; mediasoup-client checks the content.
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    this.#device = device;
    this.#deviceCaps = caps;
  }

  /**
   * Makes the browser side of the transports `join` answered with (before admission in
   * the waiting room). Whatever ran before is closed: this is also the full rejoin.
   */
  setUp(transports: MediaTransports): void {
    const device = this.#device;
    if (!device) throw new Error('device not loaded');
    this.#close();
    const generation = ++this.#generation;
    this.#roundTripsToFirstMedia = undefined;
    this.#firstMediaAt = undefined;
    this.#videoDemand.clear();
    // New transports: the SFU estimates the link anew.
    if (this.#snapshot.downlink.audioOnly) {
      this.#snapshot = { ...this.#snapshot, downlink: { audioOnly: false } };
    }
    const media: Media = {
      generation,
      // Set up in the handler of `join`'s answer (or of `admitted`, a notification: 0).
      answerDepth: this.#signalling.roundTrips.context,
      opened: false,
      recoveries: {},
      liveness: new TransportLiveness(),
      queueing: { detector: new QueueingDetector(), reading: false },
      consumers: new Map(),
      pending: new PendingStreams(),
      producers: new Map(),
      afterReceiving: new Set(),
      recvSctp: transports.recvTransport?.sctpParameters !== undefined,
      icePolicy: this.#iceTransportPolicy ?? 'all',
    };
    this.#media = media;
    const common = {
      iceServers: this.#iceServers,
      ...(this.#iceTransportPolicy ? { iceTransportPolicy: this.#iceTransportPolicy } : {}),
    };
    if (transports.recvTransport) {
      const options = transports.recvTransport as types.TransportOptions;
      media.recvTransport = this.#watch(
        media,
        device.createRecvTransport({ ...options, ...common }),
      );
    }
    if (transports.sendTransport) {
      const options = transports.sendTransport as types.TransportOptions;
      const t = this.#watch(media, device.createSendTransport({ ...options, ...common }));
      t.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        if (!this.#live(generation)) return errback(new Error('stale transport'));
        this.#signalling
          .request(
            'produce',
            { transportId: t.id, kind, rtpParameters, source: appData.source as TrackSource },
            { after: media.answerDepth },
          )
          .then(({ producerId }) => callback({ id: producerId }))
          .catch(errback);
      });
      media.sendTransport = t;
    }
    this.#setConnection('connecting');
    media.livenessTimer = setInterval(() => void this.#sampleLiveness(media), LIVENESS_SAMPLE_MS);
    if (media.recvTransport) {
      media.queueing.timer = setInterval(
        () => void this.#sampleQueueing(media),
        QUEUEING_SAMPLE_MS,
      );
    }
  }

  /**
   * The waiting room: the receive transport connects now (ICE and DTLS) through an empty
   * data channel, so that admission only starts the consumers (the server resumes them at
   * once on a connected transport, with a key frame) instead of waiting for ICE and DTLS
   * (170-330 ms measured). Nothing arrives before admission: the server has no consumer
   * for this peer yet and nothing behind the channel.
   */
  connectEarly(): void {
    const media = this.#media;
    const transport = media?.recvTransport;
    if (!media || !transport || media.opened || !media.recvSctp || media.connectingEarly) return;
    if (transport.connectionState !== 'new') return;
    media.connectingEarly = true;
    transport
      .consumeData({
        id: EARLY_CONNECT_CHANNEL,
        dataProducerId: EARLY_CONNECT_CHANNEL,
        sctpStreamParameters: { streamId: 0, ordered: true },
        label: EARLY_CONNECT_CHANNEL,
      })
      .catch((err: unknown) => {
        // Admission then connects the transport as before.
        if (this.#live(media.generation)) console.warn('early connect failed', err);
      });
  }

  /**
   * Transports set up before the join (the pre-join's warm-up, see `LiveSession`) and not
   * failed: the join may keep them. Not when the join asks for another ICE policy than
   * they were made with (`?relay=1` given at the click): kept, they would not use TURN.
   */
  get warm(): boolean {
    const m = this.#media;
    if (!m || m.opened || !m.recvTransport || m.recvTransport.closed) return false;
    if (m.icePolicy !== (this.#iceTransportPolicy ?? 'all')) return false;
    const state = m.recvTransport.connectionState;
    return state === 'new' || state === 'connecting' || state === 'connected';
  }

  /** Admission: the same transports when they fit, else set up anew (grants widened). */
  adopt(transports: MediaTransports): void {
    const m = this.#media;
    const same =
      m &&
      m.sendTransport?.id === transports.sendTransport?.id &&
      m.recvTransport?.id === transports.recvTransport?.id;
    if (!same) this.setUp(transports);
  }

  /**
   * Admitted: everyone here and the consumers to create now. Creating them starts the
   * receive transport, and the server resumes them once it has connected (no
   * `resumeConsumer`); on a transport connected before, they are resumed in one request
   * once set up. The camera and microphone are published at the same time.
   */
  open(start: MediaStart): Promise<void> {
    const media = this.#media;
    if (!media) throw new Error('no transports');
    this.#participants.clear();
    for (const peer of start.peers) this.#upsertPeer(peer, false);
    this.#snapshot = { ...this.#snapshot, activeSpeakerId: start.activeSpeakerPeerId };
    media.opened = true;
    // A transport that could not connect while waiting is restarted now, not at the end of
    // its backoff: the media is to flow as soon as the path lets it.
    media.recoveries.recv?.admitted();
    media.recoveries.send?.admitted();
    // What runs on the transports now follows from this answer (or admission notification).
    media.answerDepth = this.#signalling.roundTrips.context;
    // Connected before this media start (in the waiting room, see `connectEarly`): not a
    // step of it, and the server cannot tell when this browser has set a consumer up (a
    // key frame sent before is dropped, and the next one came about a second later), so
    // they are resumed from here, all in one request, once they have been.
    const connectedBefore = media.recvConnectSent === true;
    if (connectedBefore) media.recvConnectDepth = undefined;
    const consuming = start.consumers.map((info) =>
      this.#consume(media, info, connectedBefore ? 'set up only' : 'started by server'),
    );
    const resumeSent = connectedBefore ? this.#resumeTogether(media, consuming) : undefined;
    // After the consumers are under way: the render this asks for runs after their start.
    this.#publish();
    const video = start.consumers.some((c) => c.kind === 'video' && !c.producerPaused);
    this.#watchReceiving(media, consuming.length > 0, video);
    // Settles once the receive transport has sent its DTLS parameters, or, connected
    // before, once every consumer's resume has been sent (or there is nothing to connect):
    // the caller holds back what is not needed before then (rendering the call, the plan),
    // since that would keep the main thread from the peer connection's steps.
    return new Promise<void>((resolve) => {
      if (!media.recvTransport || consuming.length === 0) return resolve();
      if (resumeSent) return void resumeSent.then(() => resolve());
      media.onRecvConnect = resolve;
      void Promise.allSettled(consuming).then(() => resolve());
    });
  }

  /** The camera and microphone, when they arrive after the join (getUserMedia is slow). */
  setLocalStream(stream: MediaStream | undefined): void {
    if (stream === this.#localStream) return;
    this.#localStream = stream;
    const media = this.#media;
    if (media?.opened && media.publishing) void this.#publishLocal(media);
  }

  /** Everything of the current set-up is closed; remote tiles stay until the next one. */
  teardown(): void {
    this.#close();
    this.#setConnection('idle');
  }

  /** Leaving for good: nothing of the media stays, the screen share stops. */
  close(): void {
    this.#close();
    this.#participants.clear();
    this.#publish();
    this.#stopScreenTracks();
    this.#setConnection('idle');
  }

  /** Pauses or resumes the microphone (others see it muted). */
  async setMicrophoneEnabled(on: boolean): Promise<void> {
    if (on) this.#mutedByHost = false;
    this.#setLocal({ microphoneOn: on });
    await this.#pauseProducer('microphone', !on);
  }

  /** Pauses or resumes the camera; in audio-only mode it stays paused. */
  async setCameraEnabled(on: boolean): Promise<void> {
    this.#setLocal({ cameraOn: on });
    await this.#pauseProducer('camera', !on || this.#snapshot.local.audioOnly);
  }

  /**
   * Audio only, for weak connections: stop receiving video (server-side pause of every video
   * consumer, so no bytes are sent) and stop sending the camera. Audio keeps flowing.
   */
  async setAudioOnly(on: boolean): Promise<void> {
    this.#setLocal({ audioOnly: on });
    const media = this.#media;
    if (!media) return;
    const video = [...media.consumers.entries()].filter(([, c]) => c.kind === 'video');
    await Promise.all([
      this.#pauseProducer('camera', on || !this.#snapshot.local.cameraOn),
      ...video.map(async ([consumerId, c]) => {
        if (on) c.consumer.pause();
        await this.#signalling
          .request(on ? 'pauseConsumer' : 'resumeConsumer', { consumerId })
          .catch(() => undefined);
        if (!on) c.consumer.resume();
      }),
    ]);
  }

  /** Shares a screen or window (browser picker); ends when the browser's own stop is used. */
  async startScreenShare(): Promise<void> {
    const transport = this.#media?.sendTransport;
    if (!transport || this.#media?.producers.has('screen')) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = stream.getVideoTracks();
    if (!track) return;
    this.#screenStream = stream;
    track.addEventListener('ended', () => void this.stopScreenShare());
    try {
      const producer = await transport.produce({
        track,
        stopTracks: false,
        appData: { source: 'screen' },
      });
      this.#media?.producers.set('screen', producer);
      this.#setLocal({ screenSharing: true });
    } catch (err) {
      this.#stopScreenTracks();
      throw err;
    }
  }

  async stopScreenShare(): Promise<void> {
    const producer = this.#media?.producers.get('screen');
    this.#media?.producers.delete('screen');
    this.#stopScreenTracks();
    this.#setLocal({ screenSharing: false });
    if (!producer) return;
    producer.close();
    await this.#signalling
      .request('closeProducer', { producerId: producer.id })
      .catch(() => undefined);
  }

  /** The local screen-share track, for a self view. */
  get screenTrack(): MediaStreamTrack | undefined {
    return this.#screenStream?.getVideoTracks()[0];
  }

  /**
   * A host muted this participant (now, or before a reconnect): the microphone shows muted
   * and is published paused until they unmute. `producerId`: the paused producer, if any.
   */
  mutedByHost(producerId?: string): void {
    const producer = this.#media?.producers.get('microphone');
    if (producerId && producer?.id !== producerId) return;
    this.#mutedByHost = true;
    if (producer && !producer.paused) producer.pause();
    this.#setLocal({ microphoneOn: false });
  }

  /**
   * Inbound counters per remote participant, of the streams that should flow (neither
   * paused by their sender nor by this browser), and what the transports say: for the line
   * rating. One `getStats` per transport; a stream the whole-connection report cannot be
   * matched to (by mid or track) is read on its own.
   */
  async lineStats(): Promise<LineStats> {
    const media = this.#media;
    const stats: LineStats = {
      connection: this.#snapshot.connection,
      peers: [],
      rttMs: undefined,
      availableOutgoingKbps: undefined,
      sendBandwidthLimited: undefined,
      sendingVideo: false,
      sendBytesReceived: undefined,
      awaitingStreams: 0,
    };
    if (!media) return stats;
    const [recv, send] = await Promise.all([
      media.recvTransport?.getStats().catch(() => undefined),
      media.sendTransport?.getStats().catch(() => undefined),
    ]);
    const recvStats = statsOf(recv);
    const sendStats = statsOf(send);
    const recvPair = selectedPair(recvStats);
    const sendPair = selectedPair(sendStats);
    const rtt =
      recvPair?.currentRoundTripTime ??
      sendPair?.currentRoundTripTime ??
      [...sendStats.values()].find((s) => s.type === 'remote-inbound-rtp' && s.roundTripTime)
        ?.roundTripTime;
    if (typeof rtt === 'number') stats.rttMs = rtt * 1000;
    stats.sendingVideo = [...media.producers.entries()].some(
      ([source, p]) => source !== 'microphone' && !p.paused && !p.closed,
    );
    if (send) {
      const transport = [...sendStats.values()].find((s) => s.type === 'transport');
      const bytes = transport?.bytesReceived ?? sendPair?.bytesReceived;
      if (typeof bytes === 'number') stats.sendBytesReceived = bytes;
      if (typeof sendPair?.availableOutgoingBitrate === 'number') {
        stats.availableOutgoingKbps = sendPair.availableOutgoingBitrate / 1000;
      }
      const reasons = [...sendStats.values()]
        .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
        .map((s) => s.qualityLimitationReason)
        .filter((r): r is string => typeof r === 'string');
      if (reasons.length > 0) stats.sendBandwidthLimited = reasons.includes('bandwidth');
    }
    const inbound = [...recvStats.values()].filter((s) => s.type === 'inbound-rtp');
    const byPeer = new Map<string, PeerInbound>();
    await Promise.all(
      [...media.consumers.values()].map(async (entry) => {
        const { consumer, peerId, kind } = entry;
        if (!this.#shouldFlow(entry)) return;
        let s = inbound.find(
          (x) =>
            (x.mid !== undefined && x.mid === consumer.localId) ||
            (x.trackIdentifier !== undefined && x.trackIdentifier === consumer.track.id),
        );
        if (!s) {
          s = [...statsOf(await consumer.getStats().catch(() => undefined)).values()].find(
            (x) => x.type === 'inbound-rtp',
          );
        }
        // No stats yet: no packet ever came (a stream just set up is not a stall).
        if (!s) {
          stats.awaitingStreams++;
          return;
        }
        const e = byPeer.get(peerId) ?? {
          peerId,
          streams: 0,
          videoStreams: 0,
          packetsReceived: 0,
          packetsLost: 0,
          framesDecoded: 0,
          jitterMs: 0,
        };
        e.streams++;
        if (kind === 'video') e.videoStreams++;
        e.packetsReceived += Number(s.packetsReceived ?? 0);
        e.packetsLost += Math.max(0, Number(s.packetsLost ?? 0));
        e.framesDecoded += Number(s.framesDecoded ?? 0);
        // Audio's jitter: video packets come in bursts per frame, paced by the SFU.
        if (kind === 'audio') e.jitterMs = Math.max(e.jitterMs, Number(s.jitter ?? 0) * 1000);
        byPeer.set(peerId, e);
      }),
    );
    stats.peers = [...byPeer.values()];
    return stats;
  }

  /** The consumer's media should arrive: neither paused by its sender nor held back. */
  #shouldFlow({ consumer, peerId, kind, source, demand }: MediaConsumer): boolean {
    const p = this.#participants.get(peerId);
    const pausedBySender =
      source === 'screen' ? false : kind === 'audio' ? p?.audioMuted : p?.videoPaused;
    // Video the SFU holds back on purpose: a tile not seen, or this link gone audio-only.
    const heldBack =
      kind === 'video' && (demand?.visible === false || this.#snapshot.downlink.audioOnly);
    return !(consumer.paused || consumer.closed || pausedBySender || heldBack);
  }

  /**
   * What arrived on each transport since the last sample, to their recoveries: a path
   * that went silent is known within about two seconds (transport-liveness.ts).
   */
  async #sampleLiveness(media: Media): Promise<void> {
    // In the waiting room the transports carry nothing yet.
    if (!media.opened) return;
    const read = async (t: types.Transport | undefined) =>
      t && !t.closed ? pairLife(await t.getStats().catch(() => undefined)) : undefined;
    const [send, recv] = await Promise.all([read(media.sendTransport), read(media.recvTransport)]);
    if (!this.#live(media.generation)) return;
    const traffic = media.liveness.sample({
      at: Date.now(),
      send,
      recv,
      publishing: [...media.producers.values()].some((p) => !p.closed),
      receiving: [...media.consumers.values()].some((c) => this.#shouldFlow(c)),
    });
    media.recoveries.send?.traffic(traffic.send);
    media.recoveries.recv?.traffic(traffic.recv);
  }

  /**
   * Reads one incoming audio stream's arrivals and tells the SFU when this link queues
   * (media/queueing.ts): it holds video back before the queue overflows. Only while video
   * comes: audio alone is never held back.
   */
  async #sampleQueueing(media: Media): Promise<void> {
    const q = media.queueing;
    if (!media.opened || q.reading) return;
    const flowing = [...media.consumers.values()].filter((c) => this.#shouldFlow(c));
    const audio =
      flowing.find((c) => c.kind === 'audio' && c.consumer.id === q.consumerId) ??
      flowing.find((c) => c.kind === 'audio');
    if (!audio || !flowing.some((c) => c.kind === 'video')) {
      q.detector.reset();
      q.consumerId = undefined;
      return;
    }
    if (audio.consumer.id !== q.consumerId) {
      q.detector.reset();
      q.consumerId = audio.consumer.id;
    }
    q.reading = true;
    try {
      const report = await audio.consumer.getStats();
      if (!this.#live(media.generation) || q.consumerId !== audio.consumer.id) return;
      const byId = statsOf(report);
      const inbound = [...byId.values()].find((s) => s.type === 'inbound-rtp');
      const last = inbound?.lastPacketReceivedTimestamp;
      if (typeof last !== 'number') return;
      const lost = Number(inbound!.packetsLost ?? 0);
      const packets = Number(inbound!.packetsReceived ?? 0) + lost;
      // The receiver's report holds its transport's pair too: what the whole link delivered.
      // (Where it does not, the transport's own report is read at an onset or a report.)
      const link = receivedCountOf(byId);
      const found = q.detector.sample({ lastPacketAt: last, packets, lost, link });
      const consumerId = audio.consumer.id;
      if (found?.type === 'onset') {
        // The SFU counts what it sends from now, this side what arrives (`reportQueueing`).
        this.#signalling.request('reportQueueOnset', { consumerId }).catch(() => undefined);
        q.onset = link ?? (await this.#receivedCount(media));
      } else if (found?.type === 'queue') {
        const now = link ?? (await this.#receivedCount(media));
        const from = q.onset;
        // A provisional report's count runs on to the confirmed one's.
        if (!found.provisional) q.onset = undefined;
        // Counted over the queue's span only (the server sets an old onset aside too).
        const receivedBps = receivedBpsOver(from, now);
        this.#signalling
          .request('reportQueueing', {
            consumerId,
            excessMs: found.excessMs,
            ...(found.provisional ? { provisional: true } : {}),
            ...(receivedBps !== undefined ? { receivedBps } : {}),
          })
          .catch(() => undefined);
      }
    } catch {
      // Closed meanwhile.
    } finally {
      q.reading = false;
    }
  }

  /** What the receive transport has received so far, and when it was counted. */
  async #receivedCount(media: Media): Promise<ReceivedCount | undefined> {
    const t = media.recvTransport;
    if (!t || t.closed) return undefined;
    return receivedCountOf(statsOf(await t.getStats().catch(() => undefined)));
  }

  /**
   * Asks the SFU for a simulcast layer of a participant's camera (0 = lowest): small tiles
   * and poor links need less than the full resolution.
   */
  async setPreferredVideoLayer(peerId: string, spatialLayer: 0 | 1 | 2): Promise<void> {
    const entries = [...(this.#media?.consumers.entries() ?? [])];
    const video = entries.filter(([, c]) => c.peerId === peerId && c.kind === 'video');
    await Promise.all(
      video.map(([consumerId]) =>
        this.#signalling.request('setConsumerPreferredLayers', { consumerId, spatialLayer }),
      ),
    );
  }

  /**
   * What a tile needs of a participant's camera or screen (adaptive stream): the SFU sends
   * no larger layer than that, and nothing while the tile is not seen.
   */
  async setVideoDemand(peerId: string, source: TrackSource, demand: VideoDemand): Promise<void> {
    this.#videoDemand.set(`${peerId}/${source}`, demand);
    const media = this.#media;
    if (!media) return;
    await Promise.all(
      [...media.consumers.entries()]
        .filter(([, c]) => c.peerId === peerId && c.source === source && c.kind === 'video')
        .map(([consumerId, c]) => this.#sendDemand(consumerId, c)),
    );
  }

  async #sendDemand(consumerId: string, c: MediaConsumer): Promise<void> {
    const demand = this.#videoDemand.get(`${c.peerId}/${c.source}`);
    if (!demand || sameDemand(c.demand, demand)) return;
    c.demand = demand;
    await this.#signalling
      .request('setVideoDemand', {
        consumerId,
        visible: demand.visible,
        ...(c.layered ? { spatialLayer: demand.spatialLayer } : {}),
      })
      .catch(() => {
        c.demand = undefined; // Closed meanwhile; a later demand is sent again.
      });
  }

  /** Decoded frames and received audio per remote participant (for tests and diagnostics). */
  async participantStats(): Promise<ParticipantStats[]> {
    const media = this.#media;
    const byPeer = new Map<string, ParticipantStats>();
    for (const p of this.#participants.values()) {
      byPeer.set(p.id, {
        peerId: p.id,
        displayName: p.displayName,
        framesDecoded: 0,
        frameWidth: 0,
        audioPacketsReceived: 0,
        screenFramesDecoded: 0,
        screenFrameWidth: 0,
      });
    }
    if (!media) return [...byPeer.values()];
    await Promise.all(
      [...media.consumers.values()].map(async ({ consumer, peerId, kind, source }) => {
        const entry = byPeer.get(peerId);
        if (!entry) return;
        const report = await consumer.getStats().catch(() => undefined);
        report?.forEach((s: { type: string } & Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          if (kind === 'video' && source === 'screen') {
            entry.screenFramesDecoded += Number(s.framesDecoded ?? 0);
            entry.screenFrameWidth = Math.max(entry.screenFrameWidth, Number(s.frameWidth ?? 0));
          } else if (kind === 'video') {
            entry.framesDecoded += Number(s.framesDecoded ?? 0);
            entry.frameWidth = Math.max(entry.frameWidth, Number(s.frameWidth ?? 0));
          } else {
            entry.audioPacketsReceived += Number(s.packetsReceived ?? 0);
          }
        });
      }),
    );
    return [...byPeer.values()];
  }

  /** The selected ICE route of each transport (for tests and diagnostics). */
  async iceRoutes(): Promise<{ send?: IceRoute; recv?: IceRoute }> {
    const media = this.#media;
    const [send, recv] = await Promise.all(
      [media?.sendTransport, media?.recvTransport].map(async (t) =>
        t ? selectedRoute(await t.getStats().catch(() => undefined)) : undefined,
      ),
    );
    return { ...(send ? { send } : {}), ...(recv ? { recv } : {}) };
  }

  // -------------------------------------------------------------------------------------

  #live(generation: number): boolean {
    return this.#media?.generation === generation;
  }

  /**
   * DTLS parameters go to the server without waiting for the ack: it applies this socket's
   * requests in order, so a `produce` right behind them is fine, and media does not wait a
   * round trip. A refusal sets the media up again.
   */
  #watch(media: Media, transport: types.Transport): types.Transport {
    const { generation } = media;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      if (!this.#live(generation)) return errback(new Error('stale transport'));
      this.#signalling
        .request(
          'connectTransport',
          { transportId: transport.id, dtlsParameters },
          { after: media.answerDepth },
        )
        .catch((err: unknown) => {
          if (this.#live(generation)) this.#opts.events.rejoin(`connectTransport: ${String(err)}`);
        });
      if (transport.direction === 'recv') {
        media.recvConnectDepth = this.#signalling.roundTrips.lastDepth;
        media.recvConnectSent = true;
      }
      callback();
      // The transport's next step (the local description, which starts ICE) runs in
      // microtasks after the callback; what waits for this (the call view's render, a
      // long task) must come after it, in a task of its own (measured: a microtask came
      // first and held ICE back for the whole render).
      if (transport.direction === 'recv') setTimeout(() => media.onRecvConnect?.(), 0);
    });
    const recovery = new TransportRecovery(
      {
        restartIce: async (why) => {
          console.info(`ICE restart of the ${transport.direction} transport: ${why}`);
          const { iceParameters } = await this.#signalling.request('restartIce', {
            transportId: transport.id,
          });
          if (!this.#live(generation) || transport.closed) return;
          await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
        },
        probe: () => this.#probe(media),
        rejoin: (reason) => {
          if (this.#live(generation)) this.#opts.events.rejoin(reason);
        },
        health: () => {
          if (this.#live(generation)) this.#reportHealth(media);
        },
      },
      this.#opts.recovery,
      // Made before admission (or at it, opened right after): waiting until `open`.
      { waiting: !media.opened },
    );
    media.recoveries[transport.direction] = recovery;
    transport.on('connectionstatechange', (state) => recovery.update(state));
    return transport;
  }

  /** One signalling round trip at a time for both transports' stall checks. */
  #probe(media: Media): Promise<void> {
    media.probe ??= this.#signalling
      .request('ping', {})
      .then(() => undefined)
      .finally(() => (media.probe = undefined));
    return media.probe;
  }

  /** Recovering while any transport is; connected again once none is. */
  #reportHealth(media: Media): void {
    const recovering = Object.values(media.recoveries).some((w) => w.health === 'recovering');
    this.#setConnection(recovering ? 'recovering' : 'connected');
    // In the waiting room the receive transport connected early (`connectEarly`) and
    // recovers on its own: the person still waits, so the call's phase must not hear of it
    // (its `recovered` would take them into the call without the host's admission).
    if (!media.opened) return;
    this.#opts.events.health(recovering ? 'recovering' : 'connected');
  }

  #listenOn(socket: SignallingSocket): void {
    socket.on('peerJoined', ({ peer }) => this.#upsertPeer(peer));
    socket.on('peerLeft', ({ peerId }) => {
      this.#participants.delete(peerId);
      this.#media?.pending.peerLeft(peerId);
      this.#publish();
    });
    socket.on('newConsumer', (info) => {
      const media = this.#media;
      if (media) void this.#consume(media, info, 'resume now');
    });
    socket.on('consumerClosed', ({ consumerId }) => this.#dropConsumer(consumerId));
    socket.on('producerClosed', ({ producerId }) => {
      const producers = this.#media?.producers;
      for (const [source, p] of producers ?? []) {
        if (p.id !== producerId) continue;
        p.close();
        producers?.delete(source);
        if (source === 'screen') {
          this.#stopScreenTracks();
          this.#setLocal({ screenSharing: false });
        }
      }
    });
    socket.on('consumerPaused', ({ consumerId }) => this.#markPaused(consumerId, true));
    socket.on('consumerResumed', ({ consumerId }) => this.#markPaused(consumerId, false));
    socket.on('downlink', (link) => {
      this.#snapshot = { ...this.#snapshot, downlink: link };
      this.#emit();
    });
    socket.on('activeSpeaker', ({ peerId }) => {
      this.#snapshot = { ...this.#snapshot, activeSpeakerId: peerId };
      this.#emit();
    });
    socket.on('transportFailed', ({ transportId }) => {
      const m = this.#media;
      if (m && (m.sendTransport?.id === transportId || m.recvTransport?.id === transportId)) {
        this.#opts.events.rejoin('the server saw the transport fail');
      }
    });
  }

  /**
   * Runs `fn` once, in an idle moment, when the current media start receives: what the
   * first remote picture does not need waits for it, as publishing does (see
   * `#watchReceiving`). Soon when it receives already or there is no media start; never
   * when its set-up is replaced first. Returns a function that drops `fn` if it has not run.
   */
  whenReceiving(fn: () => void): () => void {
    const media = this.#media;
    let dropped = false;
    const run = () => {
      if (!dropped) fn();
    };
    if (!media?.opened || media.receiving) {
      whenIdle(run, IDLE_WAIT_MS);
      return () => (dropped = true);
    }
    media.afterReceiving.add(run);
    return () => {
      dropped = true;
      media.afterReceiving.delete(run);
    };
  }

  /**
   * The camera and microphone go out once the receive transport has connected and the
   * first remote video has arrived (or after PUBLISH_AFTER_MS), in the next idle moment:
   * publishing is main-thread work (transceivers, SDP, about 80 ms measured on a loaded
   * machine) and requests queued behind the receive side's, which the first remote picture
   * does not need. Done at 'connected', it ran just as the first frames were to be shown.
   * What waits for `whenReceiving` goes then too, each in an idle moment after.
   */
  #watchReceiving(media: Media, receiving: boolean, video: boolean): void {
    const recv = media.recvTransport;
    const go = () => {
      if (media.receiving || !this.#live(media.generation)) return;
      media.receiving = true;
      media.publishing = true;
      void this.#publishLocal(media);
      const waiting = [...media.afterReceiving];
      media.afterReceiving.clear();
      for (const fn of waiting) whenIdle(fn, IDLE_WAIT_MS);
    };
    if (!recv || !receiving) return go();
    // Connected already (in the waiting room, see `connectEarly`): still after the first video.
    let connected = recv.connectionState === 'connected';
    if (connected && !video) return go();
    let firstVideo = !video;
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      recv.off('connectionstatechange', onState);
      delete media.onFirstVideo;
      whenIdle(go, IDLE_WAIT_MS);
    };
    const maybe = () => {
      if (connected && firstVideo) start();
    };
    const onState = (state: string) => {
      connected = state === 'connected';
      maybe();
    };
    media.onFirstVideo = () => {
      firstVideo = true;
      maybe();
    };
    const timer = setTimeout(start, PUBLISH_AFTER_MS);
    recv.on('connectionstatechange', onState);
  }

  async #publishLocal(media: Media): Promise<void> {
    const transport = media.sendTransport;
    const stream = this.#localStream;
    if (!stream || !transport) return;
    const [audio] = stream.getAudioTracks();
    const [video] = stream.getVideoTracks();
    const local = this.#snapshot.local;
    const keep = async (source: TrackSource, make: () => Promise<types.Producer>, on: boolean) => {
      if (media.producers.has(source)) return;
      const p = await make();
      if (!this.#live(media.generation)) return;
      media.producers.set(source, p);
      // Paused by choice (or by a host: the server paused that one already).
      if (!on) await this.#pauseProducer(source, true);
    };
    await Promise.all([
      audio &&
        keep(
          'microphone',
          () =>
            transport.produce({
              track: audio,
              stopTracks: false,
              disableTrackOnPause: true,
              appData: { source: 'microphone' },
              codecOptions: { opusDtx: true, opusFec: true },
            }),
          local.microphoneOn && !this.#mutedByHost,
        ),
      video &&
        keep(
          'camera',
          () =>
            transport.produce({
              track: video,
              stopTracks: false,
              encodings: CAMERA_ENCODINGS,
              codecOptions: { videoGoogleStartBitrate: 1000 },
              appData: { source: 'camera' },
            }),
          local.cameraOn && !local.audioOnly,
        ),
    ]).catch((err: unknown) => {
      // A transport closed meanwhile (a rejoin): the next set-up publishes again.
      if (this.#live(media.generation)) console.warn('publishing failed', err);
    });
  }

  async #pauseProducer(source: TrackSource, pause: boolean): Promise<void> {
    const producer = this.#media?.producers.get(source);
    if (!producer || producer.closed || producer.paused === pause) return;
    if (pause) producer.pause();
    else producer.resume();
    await this.#signalling
      .request(pause ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id })
      .catch((err: unknown) => console.warn('producer pause/resume failed', err));
  }

  #markPaused(consumerId: string, paused: boolean): void {
    const entry = this.#media?.consumers.get(consumerId);
    if (!entry || entry.source === 'screen') return;
    const p = this.#participants.get(entry.peerId);
    if (!p) return;
    const key = entry.kind === 'audio' ? 'audioMuted' : 'videoPaused';
    this.#participants.set(p.id, { ...p, [key]: paused });
    this.#publish();
  }

  #setLocal(patch: Partial<LocalMediaState>): void {
    this.#snapshot = { ...this.#snapshot, local: { ...this.#snapshot.local, ...patch } };
    this.#emit();
  }

  #setConnection(connection: MediaConnection): void {
    if (connection === this.#snapshot.connection) return;
    this.#snapshot = { ...this.#snapshot, connection };
    this.#emit();
  }

  #stopScreenTracks(): void {
    this.#screenStream?.getTracks().forEach((t) => t.stop());
    this.#screenStream = undefined;
  }

  /**
   * The media start on a receive transport connected before: once every stream of it is
   * set up (mediasoup-client makes those asked for in one tick in one renegotiation), one
   * request resumes them all, and the server asks for a key frame for each video. The
   * tiles render after it has been sent. Settles once it has been (or nothing is to be).
   */
  async #resumeTogether(media: Media, consuming: Promise<string | undefined>[]): Promise<void> {
    const ready = await Promise.all(consuming);
    if (!this.#live(media.generation)) return;
    // Closed meanwhile (`consumerClosed`): not asked for.
    const consumerIds = ready.filter((id): id is string => !!id && media.consumers.has(id));
    if (consumerIds.length > 0) {
      // Any closed on the server before this came are in the answer's `notFound`; their
      // `consumerClosed` is on its way.
      const sent = this.#signalling.request('resumeConsumers', { consumerIds });
      media.startResumeDepth = this.#signalling.roundTrips.lastDepth;
      void this.#resumeUntilAnswered(media, consumerIds, sent);
    }
    this.#publish();
  }

  /**
   * Waits for the media start's `resumeConsumers` (`sent`); failed, it goes again after
   * each of RESUME_RETRY_MS's waits, for the streams still set up here and not paused by
   * this browser since (audio only), while this set-up lives and the socket is connected.
   * A dropped socket ends this set-up: the rejoin's new streams are resumed by the server.
   * Answered, it is done: the ids in `notFound` were closed on the server (`consumerClosed`
   * follows), and a `not_found` error means all were.
   */
  async #resumeUntilAnswered(
    media: Media,
    consumerIds: string[],
    sent: Promise<unknown>,
  ): Promise<void> {
    let ids = consumerIds;
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        await sent;
        return;
      } catch (err) {
        failure = err;
      }
      if (!this.#live(media.generation)) return;
      const wait = RESUME_RETRY_MS[attempt];
      const transient = !(failure instanceof RequestError) || failure.transient;
      if (wait === undefined || !transient) {
        console.warn('resume failed', failure);
        return;
      }
      console.warn(`resume failed, trying again in ${wait} ms`, failure);
      const depth = media.startResumeDepth;
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.#live(media.generation) || !this.#signalling.socket.connected) return;
      ids = ids.filter((id) => {
        const c = media.consumers.get(id)?.consumer;
        return c !== undefined && !c.closed && !c.paused;
      });
      if (ids.length === 0) return;
      sent = this.#signalling.request(
        'resumeConsumers',
        { consumerIds: ids },
        depth === undefined ? {} : { after: depth },
      );
      media.startResumeDepth = this.#signalling.roundTrips.lastDepth;
    }
  }

  /**
   * `started by server`: part of the media start, resumed by the server when the receive
   * transport connects. `resume now`: announced later, resumed by its own request. `set up
   * only`: part of a media start on a transport connected before; resolves with its id
   * once set up, to be resumed with the others (`#resumeTogether`), or undefined when it is
   * not to be resumed (failed, closed, or video in audio-only mode). Its tile renders when
   * they are resumed.
   */
  async #consume(
    media: Media,
    info: ConsumerInfo,
    how: 'started by server' | 'resume now' | 'set up only',
  ): Promise<string | undefined> {
    const transport = media.recvTransport;
    if (!transport || !this.#live(media.generation)) return undefined;
    media.pending.begin(info.id, info.peerId);
    let kept = false;
    try {
      const consumer = await transport
        .consume({
          id: info.id,
          producerId: info.producerId,
          kind: info.kind,
          rtpParameters: info.rtpParameters as types.RtpParameters,
        })
        .finally(() => {
          kept = media.pending.settle(info.id);
        });
      if (!this.#live(media.generation)) return undefined;
      // Closed, or its participant left, while it was made: no tile of nobody. A stream
      // only ever joins a participant the server announced (peerJoined or the media start).
      const p = this.#participants.get(info.peerId);
      if (!kept || !p) {
        consumer.close();
        return undefined;
      }
      const entry: MediaConsumer = {
        consumer,
        peerId: info.peerId,
        kind: info.kind,
        source: info.source,
        layered: info.type === 'simulcast' || info.type === 'svc',
      };
      media.consumers.set(info.id, entry);
      // The tile may have told its need before this stream existed (a rejoin, a new camera).
      if (info.kind === 'video') void this.#sendDemand(info.id, entry);
      // The round trips this stream needed: the receive transport's connection, and its
      // resume when it came by `newConsumer` or with a media start connected before.
      let resumeDepth = 0;
      const arrived = () => {
        this.#firstMedia(
          media,
          how === 'set up only' ? (media.startResumeDepth ?? 0) : resumeDepth,
        );
        if (info.kind === 'video') media.onFirstVideo?.();
      };
      // A receiver's track starts muted and unmutes on its first packets. Those can come
      // while `consume` is still settling (the server resumes a media start's streams as
      // soon as the transport connects): then the track is live already and its event gone.
      if (consumer.track.muted) consumer.track.addEventListener('unmute', arrived, { once: true });
      else arrived();
      const paused =
        info.source === 'screen'
          ? {}
          : { [info.kind === 'audio' ? 'audioMuted' : 'videoPaused']: info.producerPaused };
      this.#participants.set(info.peerId, { ...p, ...paused, [slotOf(info)]: consumer.track });
      // Set up only: rendered once the streams are resumed (the request goes first).
      if (how !== 'set up only') this.#publish();
      // Audio only: video consumers stay paused on the server (no bytes sent).
      if (info.kind === 'video' && this.#snapshot.local.audioOnly) {
        consumer.pause();
        // Set up only: still paused there (resumed with the others or not at all).
        if (how === 'set up only') return undefined;
        await this.#signalling.request('pauseConsumer', { consumerId: info.id });
        return undefined;
      }
      if (how === 'set up only') return info.id;
      if (how === 'resume now') {
        const resumed = this.#signalling.request('resumeConsumer', { consumerId: info.id });
        resumeDepth = this.#signalling.roundTrips.lastDepth;
        await resumed;
      }
    } catch (err) {
      // One stream failing must not end the call; the others keep playing.
      if (this.#live(media.generation)) console.warn('consume failed', info.id, err);
    }
    return undefined;
  }

  /** The first remote packets of this set-up: the join path's figure is read here. */
  #firstMedia(media: Media, resumeDepth: number): void {
    if (!this.#live(media.generation) || this.#firstMediaAt !== undefined) return;
    this.#firstMediaAt = performance.now();
    this.#roundTripsToFirstMedia = Math.max(media.recvConnectDepth ?? 0, resumeDepth);
  }

  #dropConsumer(consumerId: string): void {
    const entry = this.#media?.consumers.get(consumerId);
    if (!entry) {
      this.#media?.pending.closed(consumerId);
      return;
    }
    entry.consumer.close();
    this.#media?.consumers.delete(consumerId);
    const p = this.#participants.get(entry.peerId);
    const slot = slotOf(entry);
    if (p && p[slot] === entry.consumer.track) {
      const { [slot]: _gone, ...rest } = p;
      this.#participants.set(p.id, rest);
    }
    this.#publish();
  }

  #upsertPeer(peer: PeerInfo, publish = true): void {
    const existing = this.#participants.get(peer.id);
    this.#participants.set(peer.id, {
      ...existing,
      id: peer.id,
      displayName: peer.displayName,
      ...(peer.role ? { role: peer.role } : {}),
    });
    if (publish) this.#publish();
  }

  /** Closes the current set-up; remote participants lose their tracks, not their tiles. */
  #close(): void {
    this.#generation++;
    const media = this.#media;
    this.#media = undefined;
    if (!media) return;
    for (const w of Object.values(media.recoveries)) w.close();
    clearInterval(media.livenessTimer);
    clearInterval(media.queueing.timer);
    media.sendTransport?.close();
    media.recvTransport?.close();
    for (const [id, p] of this.#participants) {
      this.#participants.set(id, {
        id,
        displayName: p.displayName,
        ...(p.role ? { role: p.role } : {}),
      });
    }
    this.#publish();
  }

  #publish(): void {
    this.#snapshot = { ...this.#snapshot, participants: [...this.#participants.values()] };
    this.#emit();
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

type Stat = { type: string; id: string } & Record<string, unknown>;

/** One stats report's entries by id (empty for none). */
function statsOf(report: RTCStatsReport | undefined): Map<string, Stat> {
  const byId = new Map<string, Stat>();
  report?.forEach((s: Stat) => byId.set(s.id, s));
  return byId;
}

/**
 * The selected candidate pair of a report: the transport's (Chromium), else the pair marked
 * `selected` (Firefox, which has no transport stats), else a nominated one. Firefox marks
 * more than one pair nominated (measured: the selected UDP pair and an idle one with no
 * bytes), so a nominated pair is only the last resort.
 */
function selectedPair(byId: Map<string, Stat>): Stat | undefined {
  const stats = [...byId.values()];
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  return (
    byId.get(String(transport?.selectedCandidatePairId)) ??
    pairs.find((s) => s.selected === true) ??
    pairs.find((s) => s.nominated === true)
  );
}

/** What a report's selected candidate pair has received so far, and when it was counted. */
function receivedCountOf(byId: Map<string, Stat>): ReceivedCount | undefined {
  const pair = selectedPair(byId);
  const bytes = pair?.bytesReceived;
  const at = pair?.timestamp;
  return typeof bytes === 'number' && typeof at === 'number' ? { bytes, at } : undefined;
}

/**
 * What a peer connection's selected candidate pair received (transport-liveness.ts): its
 * bytes (RTP, RTCP, DTLS), how long ago its last packet arrived, and the path it takes.
 */
function pairLife(report: RTCStatsReport | undefined): PairSample | undefined {
  if (!report) return undefined;
  const byId = statsOf(report);
  const pair = selectedPair(byId);
  if (!pair || typeof pair.bytesReceived !== 'number') return undefined;
  const local = byId.get(String(pair.localCandidateId));
  const remote = byId.get(String(pair.remoteCandidateId));
  const last = pair.lastPacketReceivedTimestamp;
  const now = pair.timestamp;
  return {
    pair: pair.id,
    path: [
      local?.protocol ?? remote?.protocol,
      local?.relayProtocol,
      local?.address,
      `${String(remote?.address)}:${String(remote?.port)}`,
    ].join('|'),
    bytes: pair.bytesReceived,
    silentMs:
      typeof last === 'number' && last > 0 && typeof now === 'number'
        ? Math.max(0, now - last)
        : undefined,
    media: [...byId.values()].some(
      (x) =>
        (x.type === 'inbound-rtp' && Number(x.packetsReceived) > 0) ||
        x.type === 'remote-inbound-rtp',
    ),
  };
}

/** The selected candidate pair of a peer connection's stats, with its two candidates. */
function selectedRoute(report: RTCStatsReport | undefined): IceRoute | undefined {
  if (!report) return undefined;
  const byId = statsOf(report);
  const stats = [...byId.values()];
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair =
    byId.get(String(transport?.selectedCandidatePairId)) ??
    stats.find((s) => s.type === 'candidate-pair' && s.selected === true);
  if (!pair) return undefined;
  const local = byId.get(String(pair.localCandidateId));
  const remote = byId.get(String(pair.remoteCandidateId));
  if (!local || !remote) return undefined;
  return {
    localCandidateType: String(local.candidateType),
    remoteCandidateType: String(remote.candidateType),
    localAddress: `${String(local.address)}:${String(local.port)}`,
    protocol: String(local.protocol ?? remote.protocol),
    ...(typeof local.relayProtocol === 'string' ? { relayProtocol: local.relayProtocol } : {}),
    bytesSent: Number(pair.bytesSent ?? 0),
    bytesReceived: Number(pair.bytesReceived ?? 0),
    timestamp: Number(pair.timestamp ?? 0),
  };
}
