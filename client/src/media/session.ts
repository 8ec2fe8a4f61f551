import { Device, type types } from 'mediasoup-client';
import type { ConsumerInfo, JoinResponse, PeerInfo, TrackSource } from '@samkons/shared';
import { next, type SessionEvent, type SessionState } from './state.js';
import { RequestError, SignallingClient } from './signalling-client.js';

export interface RemoteParticipant {
  id: string;
  displayName: string;
  role?: string;
  audio?: MediaStreamTrack;
  video?: MediaStreamTrack;
}

export interface SessionSnapshot {
  state: SessionState;
  participants: readonly RemoteParticipant[];
  activeSpeakerId: string | null;
  error?: string;
}

export interface ParticipantStats {
  peerId: string;
  displayName: string;
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
}

export interface SessionOptions {
  /** Server origin; defaults to the page's own. */
  url?: string;
  room: string;
  displayName: string;
  /** Camera and microphone to publish; the session does not stop these tracks. */
  localStream?: MediaStream;
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
  consumers: Map<string, { consumer: types.Consumer; peerId: string; kind: 'audio' | 'video' }>;
}

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
  #snapshot: SessionSnapshot = { state: 'idle', participants: [], activeSpeakerId: null };
  /** Incremented on each join attempt so late callbacks of an old one are dropped. */
  #generation = 0;
  #joinStartAcks = 0;
  #roundTripsToFirstMedia: number | undefined;

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.#signalling = new SignallingClient(opts.url ?? window.location.origin, {
      room: opts.room,
      displayName: opts.displayName,
    });
    this.#listen();
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
    socket.disconnect();
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
      });
    }
    if (!joined) return [...byPeer.values()];
    await Promise.all(
      [...joined.consumers.values()].map(async ({ consumer, peerId, kind }) => {
        const entry = byPeer.get(peerId);
        if (!entry) return;
        const report = await consumer.getStats();
        report.forEach((s: { type: string } & Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          if (kind === 'video') {
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

  // -------------------------------------------------------------------------------------

  #listen(): void {
    const socket = this.#signalling.socket;
    socket.on('connect', () => void this.#join());
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
    socket.on('producerClosed', () => undefined);
    socket.on('consumerPaused', () => undefined);
    socket.on('consumerResumed', () => undefined);
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
      const res = await this.#signalling.request('join', {});
      if (generation !== this.#generation) return;
      const joined = await this.#setUp(res, generation);
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
      if (joined.sendTransport) tasks.push(this.#publishLocal(joined.sendTransport));
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

  async #setUp(res: JoinResponse, generation: number): Promise<Joined> {
    const device = new Device();
    // The shared schemas check the shape; mediasoup-client checks the content.
    await device.load({
      routerRtpCapabilities: res.routerRtpCapabilities as types.RtpCapabilities,
    });
    const joined: Joined = { device, consumers: new Map() };
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
      const t = device.createRecvTransport(res.recvTransport as types.TransportOptions);
      t.on('connect', onConnect(t));
      joined.recvTransport = t;
    }
    if (res.sendTransport) {
      const t = device.createSendTransport(res.sendTransport as types.TransportOptions);
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

  async #publishLocal(transport: types.Transport): Promise<void> {
    const stream = this.#opts.localStream;
    if (!stream) return;
    const [audio] = stream.getAudioTracks();
    const [video] = stream.getVideoTracks();
    await Promise.all([
      audio &&
        transport.produce({
          track: audio,
          stopTracks: false,
          appData: { source: 'microphone' },
          codecOptions: { opusDtx: true, opusFec: true },
        }),
      video &&
        transport.produce({
          track: video,
          stopTracks: false,
          encodings: CAMERA_ENCODINGS,
          codecOptions: { videoGoogleStartBitrate: 1000 },
          appData: { source: 'camera' },
        }),
    ]);
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
      joined.consumers.set(info.id, { consumer, peerId: info.peerId, kind: info.kind });
      const p = this.#participants.get(info.peerId) ?? { id: info.peerId, displayName: '' };
      this.#participants.set(info.peerId, { ...p, [info.kind]: consumer.track });
      this.#publish();
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
    if (p && p[entry.kind] === entry.consumer.track) {
      const { [entry.kind]: _gone, ...rest } = p;
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
