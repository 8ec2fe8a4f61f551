import { Device, type types } from 'mediasoup-client';
import type { ConsumerInfo, JoinResponse, PeerInfo, TrackSource } from '@samkons/shared';
import { next, type SessionEvent, type SessionState } from './state.js';
import { RequestError, SignallingClient, type SignallingSocket } from './signalling-client.js';

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

export interface SessionSnapshot {
  state: SessionState;
  participants: readonly RemoteParticipant[];
  activeSpeakerId: string | null;
  local: LocalMediaState;
  error?: string;
}

/** Per remote participant: cumulative inbound counters and this browser's round trip. */
export interface LinkSample {
  peerId: string;
  packetsReceived: number;
  packetsLost: number;
  /** Seconds (worst of their streams). */
  jitter: number;
  /** Milliseconds to the SFU, when known. */
  rttMs: number | undefined;
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

export interface SessionOptions {
  /** Server origin; defaults to the page's own. */
  url?: string;
  /** The socket.io handshake: `{ token }` for real sessions, `{ room, displayName }` in dev. */
  auth: Record<string, unknown>;
  /** Camera and microphone to publish; the session does not stop these tracks. */
  localStream?: MediaStream;
  /** Start with the microphone or camera paused (the pre-join choice). */
  microphoneOn?: boolean;
  cameraOn?: boolean;
  /**
   * Runs on every (re)connect before the media join (the waiting room): true joins at once,
   * false waits for `admitted()`. Without it the media join starts on connect.
   */
  gate?: () => Promise<boolean>;
  /**
   * STUN/TURN servers for both transports, asked for on every join because TURN
   * credentials expire. Without it (or when it fails) media goes direct: UDP, else TCP.
   */
  iceServers?: () => Promise<RTCIceServer[]>;
  /**
   * 'relay' sends all media through the TURN servers above (a diagnostic, like LiveKit's
   * forceRelay): without TURN servers the transports then cannot connect. Default 'all'.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
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

/** Three simulcast layers for the camera: receivers on poor links get the lowest. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/** Per-join objects: thrown away as a whole on reconnect. */
interface Joined {
  device: Device;
  sendTransport?: types.Transport;
  recvTransport?: types.Transport;
  consumers: Map<string, JoinedConsumer>;
  producers: Map<TrackSource, types.Producer>;
}

interface JoinedConsumer {
  consumer: types.Consumer;
  peerId: string;
  kind: 'audio' | 'video';
  source: TrackSource;
}

/** Which participant field a consumer's track goes into. */
const slotOf = (c: { kind: 'audio' | 'video'; source: TrackSource }) =>
  c.kind === 'audio' ? 'audio' : c.source === 'screen' ? 'screen' : 'video';

/**
 * A mediasoup-client call: socket, device, transports, producers and consumers behind a
 * small state machine (idle -> connecting -> joined -> reconnecting -> closed).
 * React reads it through `subscribe`/`getSnapshot` (useSyncExternalStore).
 */
export class MediaSession {
  readonly #opts: SessionOptions;
  readonly #signalling: SignallingClient;
  readonly #listeners = new Set<() => void>();
  readonly #participants = new Map<string, RemoteParticipant>();
  #joined: Joined | undefined;
  #snapshot: SessionSnapshot;
  #screenStream: MediaStream | undefined;
  /** Incremented on each join attempt so late callbacks of an old one are dropped. */
  #generation = 0;
  #joinStartAcks = 0;
  #roundTripsToFirstMedia: number | undefined;

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.#snapshot = {
      state: 'idle',
      participants: [],
      activeSpeakerId: null,
      local: {
        microphoneOn: opts.microphoneOn ?? true,
        cameraOn: opts.cameraOn ?? true,
        screenSharing: false,
        audioOnly: false,
      },
    };
    this.#signalling = new SignallingClient(opts.url ?? window.location.origin, opts.auth);
    this.#listen();
  }

  /** The socket, for the session layer (lobby, chat, host actions) that shares it. */
  get signalling(): SignallingClient {
    return this.#signalling;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.#snapshot;

  /** Acks from the start of the last join until the first consumer was resumed. */
  get roundTripsToFirstMedia(): number | undefined {
    return this.#roundTripsToFirstMedia;
  }

  start(): void {
    if (this.#apply({ type: 'start' })) this.#signalling.socket.connect();
  }

  close(): void {
    if (!this.#apply({ type: 'close' })) return;
    const socket = this.#signalling.socket;
    if (socket.connected) {
      // Best effort: the disconnect that follows tells the server anyway.
      void this.#signalling.request('leave', {}).catch(() => undefined);
    }
    this.#teardown();
    this.#stopScreenTracks();
    socket.disconnect();
  }

  /** The waiting room let this participant in: join the media now. */
  admitted(): void {
    void this.#join();
  }

  /**
   * Back to the waiting room (the server already closed this participant's media): drop
   * transports and remote media, keep the socket and the local tracks; `admitted` rejoins.
   */
  hold(): void {
    this.#teardown();
    this.#apply({ type: 'held' });
  }

  /** Pauses or resumes the microphone (others see it muted). */
  async setMicrophoneEnabled(on: boolean): Promise<void> {
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
    const joined = this.#joined;
    if (!joined) return;
    const video = [...joined.consumers.entries()].filter(([, c]) => c.kind === 'video');
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
    const transport = this.#joined?.sendTransport;
    if (!transport || this.#joined?.producers.has('screen')) return;
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
      this.#joined?.producers.set('screen', producer);
      this.#setLocal({ screenSharing: true });
    } catch (err) {
      this.#stopScreenTracks();
      throw err;
    }
  }

  async stopScreenShare(): Promise<void> {
    const producer = this.#joined?.producers.get('screen');
    this.#joined?.producers.delete('screen');
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

  /** A host paused this participant's microphone on the server: show it as muted here. */
  mutedByHost(producerId: string): void {
    const producer = this.#joined?.producers.get('microphone');
    if (producer?.id !== producerId) return;
    producer.pause();
    this.#setLocal({ microphoneOn: false });
  }

  /** Inbound counters per remote participant, for the connection-quality rating. */
  async linkSamples(): Promise<LinkSample[]> {
    const joined = this.#joined;
    if (!joined) return [];
    let rttMs: number | undefined;
    const byPeer = new Map<string, LinkSample>();
    const transportStats = await joined.recvTransport?.getStats().catch(() => undefined);
    transportStats?.forEach((s: { type: string } & Record<string, unknown>) => {
      if (
        s.type === 'candidate-pair' &&
        s.nominated &&
        typeof s.currentRoundTripTime === 'number'
      ) {
        rttMs = s.currentRoundTripTime * 1000;
      }
    });
    await Promise.all(
      [...joined.consumers.values()].map(async ({ consumer, peerId }) => {
        if (consumer.paused) return;
        const report = await consumer.getStats().catch(() => undefined);
        report?.forEach((s: { type: string } & Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          const e = byPeer.get(peerId) ?? {
            peerId,
            packetsReceived: 0,
            packetsLost: 0,
            jitter: 0,
            rttMs: undefined,
          };
          e.packetsReceived += Number(s.packetsReceived ?? 0);
          e.packetsLost += Number(s.packetsLost ?? 0);
          e.jitter = Math.max(e.jitter, Number(s.jitter ?? 0));
          byPeer.set(peerId, e);
        });
      }),
    );
    return [...byPeer.values()].map((e) => ({ ...e, rttMs }));
  }

  /**
   * Asks the SFU for a simulcast layer of a participant's camera (0 = lowest): small tiles
   * and poor links need less than the full resolution.
   */
  async setPreferredVideoLayer(peerId: string, spatialLayer: 0 | 1 | 2): Promise<void> {
    const entries = [...(this.#joined?.consumers.entries() ?? [])];
    const video = entries.filter(([, c]) => c.peerId === peerId && c.kind === 'video');
    await Promise.all(
      video.map(([consumerId]) =>
        this.#signalling.request('setConsumerPreferredLayers', { consumerId, spatialLayer }),
      ),
    );
  }

  /** Decoded frames and received audio per remote participant (for tests and diagnostics). */
  async participantStats(): Promise<ParticipantStats[]> {
    const joined = this.#joined;
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
    if (!joined) return [...byPeer.values()];
    await Promise.all(
      [...joined.consumers.values()].map(async ({ consumer, peerId, kind, source }) => {
        const entry = byPeer.get(peerId);
        if (!entry) return;
        const report = await consumer.getStats();
        report.forEach((s: { type: string } & Record<string, unknown>) => {
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
    const joined = this.#joined;
    const [send, recv] = await Promise.all(
      [joined?.sendTransport, joined?.recvTransport].map(async (t) =>
        t ? selectedRoute(await t.getStats().catch(() => undefined)) : undefined,
      ),
    );
    return { ...(send ? { send } : {}), ...(recv ? { recv } : {}) };
  }

  // -------------------------------------------------------------------------------------

  #listen(): void {
    // On the current socket and on one that replaces it (a `wrong_node` redirect).
    this.#signalling.onSocket((socket) => this.#listenOn(socket));
  }

  #listenOn(socket: SignallingSocket): void {
    socket.on('connect', () => {
      const gate = this.#opts.gate;
      if (!gate) return void this.#join();
      const generation = this.#generation;
      gate()
        .then((admitted) => {
          if (admitted && generation === this.#generation) void this.#join();
        })
        .catch((err: unknown) => {
          if (err instanceof RequestError && err.code !== 'timeout' && err.code !== 'internal') {
            this.#fail(err.message);
            socket.disconnect();
          }
        });
    });
    socket.on('disconnect', () => {
      this.#teardown();
      this.#apply({ type: 'connectionLost' });
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      // Refused credentials will not get better by retrying.
      const code = err.data?.code;
      if (code === 'bad_request' || code === 'unauthenticated' || code === 'forbidden') {
        socket.disconnect();
        this.#fail(err.message);
      }
    });

    socket.on('peerJoined', ({ peer }) => this.#upsertPeer(peer));
    socket.on('peerLeft', ({ peerId }) => {
      this.#participants.delete(peerId);
      this.#publish();
    });
    socket.on('newConsumer', (info) => void this.#consume(info, this.#generation));
    socket.on('consumerClosed', ({ consumerId }) => this.#dropConsumer(consumerId));
    socket.on('producerClosed', ({ producerId }) => {
      const producers = this.#joined?.producers;
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
    socket.on('consumerLayersChanged', () => undefined);
    socket.on('activeSpeaker', ({ peerId }) => {
      this.#snapshot = { ...this.#snapshot, activeSpeakerId: peerId };
      this.#emit();
    });
    socket.on('roomClosed', ({ reason }) => {
      if (reason === 'replaced') {
        this.#fail('This call was opened in another window');
        socket.disconnect();
        return;
      }
      // The room is gone on the server (e.g. a media worker restarted): join a fresh one.
      this.#teardown();
      if (this.#apply({ type: 'connectionLost' })) void this.#join();
    });
  }

  async #join(): Promise<void> {
    const state = this.#snapshot.state;
    if (state !== 'connecting' && state !== 'reconnecting') return;
    const generation = ++this.#generation;
    this.#joinStartAcks = this.#signalling.acks;
    this.#roundTripsToFirstMedia = undefined;
    // Notifications (peerJoined) may arrive while the device loads: start empty, then merge.
    this.#participants.clear();
    try {
      // In parallel with the join: no extra round trip before media.
      const iceServers = this.#iceServers();
      const res = await this.#signalling.request('join', {});
      if (generation !== this.#generation) return;
      const joined = await this.#setUp(res, generation, await iceServers);
      if (generation !== this.#generation) return;
      this.#joined = joined;
      for (const peer of res.peers) this.#upsertPeer(peer, false);
      this.#publish();
      this.#snapshot = { ...this.#snapshot, activeSpeakerId: res.activeSpeakerPeerId };
      this.#apply({ type: 'joined' });

      const tasks: Promise<unknown>[] = [];
      if (joined.recvTransport) {
        tasks.push(
          this.#signalling.request('ready', { rtpCapabilities: joined.device.rtpCapabilities }),
        );
      }
      if (joined.sendTransport) tasks.push(this.#publishLocal(joined));
      await Promise.all(tasks);
    } catch (err) {
      if (generation !== this.#generation) return;
      if (err instanceof RequestError && err.code !== 'timeout' && err.code !== 'internal') {
        this.#fail(err.message);
        this.#signalling.socket.disconnect();
      } else {
        // Transient: drop the connection and let socket.io reconnect and rejoin.
        this.#teardown();
        this.#signalling.socket.disconnect().connect();
      }
    }
  }

  /** TURN is a fallback: a failure to fetch it must not stop a direct connection. */
  async #iceServers(): Promise<RTCIceServer[]> {
    try {
      return (await this.#opts.iceServers?.()) ?? [];
    } catch {
      return [];
    }
  }

  async #setUp(res: JoinResponse, generation: number, iceServers: RTCIceServer[]): Promise<Joined> {
    const device = new Device();
    // The shared schemas check the shape; mediasoup-client checks the content.
    await device.load({
      routerRtpCapabilities: res.routerRtpCapabilities as types.RtpCapabilities,
    });
    const joined: Joined = { device, consumers: new Map(), producers: new Map() };
    const policy = this.#opts.iceTransportPolicy
      ? { iceTransportPolicy: this.#opts.iceTransportPolicy }
      : {};
    const s = this.#signalling;
    const live = () => generation === this.#generation;
    const onConnect =
      (transport: types.Transport) =>
      (
        { dtlsParameters }: { dtlsParameters: types.DtlsParameters },
        callback: () => void,
        errback: (error: Error) => void,
      ) => {
        if (!live()) return errback(new Error('stale transport'));
        s.request('connectTransport', { transportId: transport.id, dtlsParameters })
          .then(callback)
          .catch(errback);
      };

    if (res.recvTransport) {
      const t = device.createRecvTransport({
        ...(res.recvTransport as types.TransportOptions),
        iceServers,
        ...policy,
      });
      t.on('connect', onConnect(t));
      joined.recvTransport = t;
    }
    if (res.sendTransport) {
      const t = device.createSendTransport({
        ...(res.sendTransport as types.TransportOptions),
        iceServers,
        ...policy,
      });
      t.on('connect', onConnect(t));
      t.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        if (!live()) return errback(new Error('stale transport'));
        s.request('produce', {
          transportId: t.id,
          kind,
          rtpParameters,
          source: appData.source as TrackSource,
        })
          .then(({ producerId }) => callback({ id: producerId }))
          .catch(errback);
      });
      joined.sendTransport = t;
    }
    return joined;
  }

  async #publishLocal(joined: Joined): Promise<void> {
    const transport = joined.sendTransport;
    const stream = this.#opts.localStream;
    if (!stream || !transport) return;
    const [audio] = stream.getAudioTracks();
    const [video] = stream.getVideoTracks();
    const local = this.#snapshot.local;
    const keep = async (source: TrackSource, producer: Promise<types.Producer>, on: boolean) => {
      const p = await producer;
      joined.producers.set(source, p);
      if (!on) await this.#pauseProducer(source, true);
    };
    await Promise.all([
      audio &&
        keep(
          'microphone',
          transport.produce({
            track: audio,
            stopTracks: false,
            disableTrackOnPause: true,
            appData: { source: 'microphone' },
            codecOptions: { opusDtx: true, opusFec: true },
          }),
          local.microphoneOn,
        ),
      video &&
        keep(
          'camera',
          transport.produce({
            track: video,
            stopTracks: false,
            encodings: CAMERA_ENCODINGS,
            codecOptions: { videoGoogleStartBitrate: 1000 },
            appData: { source: 'camera' },
          }),
          local.cameraOn && !local.audioOnly,
        ),
    ]);
  }

  async #pauseProducer(source: TrackSource, pause: boolean): Promise<void> {
    const producer = this.#joined?.producers.get(source);
    if (!producer || producer.closed || producer.paused === pause) return;
    if (pause) producer.pause();
    else producer.resume();
    await this.#signalling
      .request(pause ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id })
      .catch((err: unknown) => console.warn('producer pause/resume failed', err));
  }

  #markPaused(consumerId: string, paused: boolean): void {
    const entry = this.#joined?.consumers.get(consumerId);
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

  #stopScreenTracks(): void {
    this.#screenStream?.getTracks().forEach((t) => t.stop());
    this.#screenStream = undefined;
  }

  async #consume(info: ConsumerInfo, generation: number): Promise<void> {
    const joined = this.#joined;
    const transport = joined?.recvTransport;
    if (!joined || !transport || generation !== this.#generation) return;
    try {
      const consumer = await transport.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
      });
      if (generation !== this.#generation) return;
      joined.consumers.set(info.id, {
        consumer,
        peerId: info.peerId,
        kind: info.kind,
        source: info.source,
      });
      const p = this.#participants.get(info.peerId) ?? { id: info.peerId, displayName: '' };
      const paused =
        info.source === 'screen'
          ? {}
          : { [info.kind === 'audio' ? 'audioMuted' : 'videoPaused']: info.producerPaused };
      this.#participants.set(info.peerId, { ...p, ...paused, [slotOf(info)]: consumer.track });
      this.#publish();
      // Audio only: video consumers stay paused on the server (no bytes sent).
      if (info.kind === 'video' && this.#snapshot.local.audioOnly) {
        consumer.pause();
        return;
      }
      await this.#signalling.request('resumeConsumer', { consumerId: info.id });
      this.#roundTripsToFirstMedia ??= this.#signalling.acks - this.#joinStartAcks;
    } catch (err) {
      // One stream failing must not end the call; the others keep playing.
      console.warn('consume failed', info.id, err);
    }
  }

  #dropConsumer(consumerId: string): void {
    const entry = this.#joined?.consumers.get(consumerId);
    if (!entry) return;
    entry.consumer.close();
    this.#joined?.consumers.delete(consumerId);
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

  /** Closes everything of the current join; local tracks stay (they belong to the page). */
  #teardown(): void {
    this.#generation++;
    const joined = this.#joined;
    this.#joined = undefined;
    joined?.sendTransport?.close();
    joined?.recvTransport?.close();
    this.#participants.clear();
    this.#publish();
  }

  #fail(reason: string): void {
    this.#teardown();
    this.#snapshot = { ...this.#snapshot, error: reason };
    this.#apply({ type: 'failed', reason });
  }

  #apply(event: SessionEvent): boolean {
    const to = next(this.#snapshot.state, event);
    if (!to) return false;
    this.#snapshot = { ...this.#snapshot, state: to };
    this.#emit();
    return true;
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

/** The selected candidate pair of a peer connection's stats, with its two candidates. */
function selectedRoute(report: RTCStatsReport | undefined): IceRoute | undefined {
  if (!report) return undefined;
  const byId = new Map<string, Stat>();
  report.forEach((s: Stat) => byId.set(s.id, s));
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
