/**
 * One client, two servers: the load drives samkons and the raw baseline through this small
 * adapter, so everything else a participant does (ICE, DTLS, SRTP, RTP, RTCP) is the same
 * code. Only the requests differ. When samkons's join protocol changes, this file follows.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, NotificationOf, RequestName, RequestOf, ResponseOf } from '@samkons/shared';
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
  /**
   * Enters the room: `load` loads the device with the router's capabilities and returns
   * the device's; resolves with both transports.
   */
  join(load: (routerRtpCapabilities: unknown) => Promise<unknown>): Promise<MediaJoin>;
  /**
   * The transports exist: from now on the server's consumers reach `onConsumer` (samkons
   * gave those already in the room with its join answer; the raw server offers them now).
   */
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
   * needs for media to flow (`resumeConsumer`, except for the consumers of samkons's join
   * answer, which its server resumes when the receive transport connects).
   */
  onConsumer(create: (offer: ConsumerOffer) => Promise<void>): void;
  /** Requests that failed after the join (a consumer that could not be resumed, say). */
  readonly errors: string[];
  close(): void;
}

const TIMEOUT_MS = 20_000;

/** `listen` adds listeners before the handshake (what the server sends first). */
function connect(
  url: string,
  auth: Record<string, string>,
  listen: (socket: Socket) => void = () => undefined,
): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
  });
  listen(socket);
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

/**
 * samkons through its real signalling protocol (development rooms: room by name, no token):
 * `welcome` carries the router capabilities, one `join` answers with the transports and
 * the consumers to create.
 */
async function samkons(url: string, room: string, displayName: string): Promise<SfuSignalling> {
  let welcomed!: Promise<NotificationOf<'welcome'>>;
  const socket = await connect(url, { room, displayName }, (s) => {
    welcomed = new Promise((resolve) => s.once('welcome', resolve));
  });
  const call = <K extends RequestName>(name: K, payload: RequestOf<K>) =>
    request<ResponseOf<K>>(socket, name, payload);
  const errors: string[] = [];
  let create: ((offer: ConsumerOffer) => Promise<void>) | undefined;
  let started: ConsumerOffer[] = [];
  return {
    errors,
    async join(load) {
      const { routerRtpCapabilities } = await welcomed;
      const rtpCapabilities = await load(routerRtpCapabilities);
      const res = await call('join', {
        rtpCapabilities: rtpCapabilities as RequestOf<'join'>['rtpCapabilities'],
      });
      if (res.status !== 'admitted') throw new Error('join: not admitted');
      const { sendTransport, recvTransport } = res.transports;
      if (!sendTransport || !recvTransport) throw new Error('join: no transports');
      started = res.media.consumers;
      return { routerRtpCapabilities, sendTransport, recvTransport };
    },
    async ready() {
      // Created now; the server resumes them once the receive transport connects.
      await Promise.all(started.map((offer) => create?.(offer)));
      started = [];
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
    onConsumer(onOffer) {
      create = onOffer;
      socket.on('newConsumer', (offer: ConsumerOffer) => {
        onOffer(offer)
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
    async join(load) {
      const res = await request<RawJoinResponse>(socket, 'join', {});
      await load(res.routerRtpCapabilities);
      return res;
    },
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
