/**
 * One client, two servers: the load drives samkons and the raw baseline through this small
 * adapter, so everything else a participant does (ICE, DTLS, SRTP, RTP, RTCP) is the same
 * code. Only the requests differ. When samkons's join protocol changes, this file follows.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, RequestName, RequestOf, ResponseOf } from '@samkons/shared';
import type { RawAck, RawJoinResponse, RawNewConsumer } from './raw-protocol.js';

export type SfuDialect = 'samkons' | 'raw';

export interface TransportOptions {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface MediaJoin {
  routerRtpCapabilities: unknown;
  sendTransport: TransportOptions;
  recvTransport: TransportOptions;
}

export interface ConsumerOffer {
  id: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
}

export interface SfuSignalling {
  /** Enters the room: router capabilities and both transports. */
  join(): Promise<MediaJoin>;
  /** The device is loaded: from now on the server offers consumers. */
  ready(rtpCapabilities: unknown): Promise<void>;
  connectTransport(transportId: string, dtlsParameters: unknown): Promise<void>;
  produce(
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
    source: 'camera' | 'microphone',
  ): Promise<string>;
  /**
   * `create` builds the local consumer for an offer; then the adapter does what its server
   * needs for media to flow (both servers today: `resumeConsumer`).
   */
  onConsumer(create: (offer: ConsumerOffer) => Promise<void>): void;
  /** Requests that failed after the join (a consumer that could not be resumed, say). */
  readonly errors: string[];
  close(): void;
}

const TIMEOUT_MS = 20_000;

function connect(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

async function request<T>(socket: Socket, name: string, payload: unknown): Promise<T> {
  const res = (await socket.timeout(TIMEOUT_MS).emitWithAck(name, payload)) as Ack<T> | RawAck<T>;
  if (!res.ok) throw new Error(`${name}: ${res.error.message}`);
  return res.data;
}

/** samkons through its real signalling protocol (development rooms: room by name, no token). */
async function samkons(url: string, room: string, displayName: string): Promise<SfuSignalling> {
  const socket = await connect(url, { room, displayName });
  const call = <K extends RequestName>(name: K, payload: RequestOf<K>) =>
    request<ResponseOf<K>>(socket, name, payload);
  const errors: string[] = [];
  return {
    errors,
    async join() {
      const res = await call('join', {});
      if (!res.sendTransport || !res.recvTransport) throw new Error('join: no transports');
      return {
        routerRtpCapabilities: res.routerRtpCapabilities,
        sendTransport: res.sendTransport,
        recvTransport: res.recvTransport,
      };
    },
    async ready(rtpCapabilities) {
      await call('ready', {
        rtpCapabilities: rtpCapabilities as RequestOf<'ready'>['rtpCapabilities'],
      });
    },
    async connectTransport(transportId, dtlsParameters) {
      await call('connectTransport', {
        transportId,
        dtlsParameters: dtlsParameters as RequestOf<'connectTransport'>['dtlsParameters'],
      });
    },
    async produce(transportId, kind, rtpParameters, source) {
      const res = await call('produce', {
        transportId,
        kind,
        rtpParameters: rtpParameters as RequestOf<'produce'>['rtpParameters'],
        source,
      });
      return res.producerId;
    },
    onConsumer(create) {
      socket.on('newConsumer', (offer: ConsumerOffer) => {
        create(offer)
          .then(() => call('resumeConsumer', { consumerId: offer.id }))
          .catch((err: unknown) => errors.push(String(err)));
      });
    },
    close: () => void socket.close(),
  };
}

/** The raw baseline (./raw-server.ts). */
async function raw(url: string, room: string): Promise<SfuSignalling> {
  const socket = await connect(url, { room });
  const errors: string[] = [];
  return {
    errors,
    join: () => request<RawJoinResponse>(socket, 'join', {}),
    async ready(rtpCapabilities) {
      await request(socket, 'ready', { rtpCapabilities });
    },
    async connectTransport(transportId, dtlsParameters) {
      await request(socket, 'connectTransport', { transportId, dtlsParameters });
    },
    async produce(transportId, kind, rtpParameters) {
      const res = await request<{ producerId: string }>(socket, 'produce', {
        transportId,
        kind,
        rtpParameters,
      });
      return res.producerId;
    },
    onConsumer(create) {
      socket.on('newConsumer', (offer: RawNewConsumer) => {
        create(offer)
          .then(() => request(socket, 'resumeConsumer', { consumerId: offer.id }))
          .catch((err: unknown) => errors.push(String(err)));
      });
    },
    close: () => void socket.close(),
  };
}

export function openSignalling(
  dialect: SfuDialect,
  url: string,
  room: string,
  displayName: string,
): Promise<SfuSignalling> {
  return dialect === 'samkons' ? samkons(url, room, displayName) : raw(url, room);
}
