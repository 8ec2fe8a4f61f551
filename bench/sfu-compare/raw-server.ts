/**
 * The baseline of the SFU comparison: a minimal mediasoup server with no application layer,
 * written the way the mediasoup documentation and demo write one. One worker, a router per
 * room with samkons's codecs, a WebRtcTransport per direction with a UDP socket of its own
 * (`listenIps`, no WebRtcServer), produce and consume, and a socket.io signalling of a few
 * requests. No database, no sessions, no observers, worker logging at mediasoup's defaults.
 *
 * Run as its own process by the comparison (bench/sfu-compare/main.ts), so its Node and
 * worker CPU can be read from /proc apart from the load:
 *
 *   node --import tsx bench/sfu-compare/raw-server.ts   (prints `listening <port>`)
 *
 * The protocol is samkons's media subset at the time the comparison was written (join,
 * ready, connectTransport, produce, resumeConsumer; `newConsumer` notifications), so one
 * client drives both servers; see ./signalling.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { Server, type Socket } from 'socket.io';
import { mediaCodecs } from '../../server/src/sfu/media-codecs.js';
import type { RawAck, RawJoinResponse, RawNewConsumer } from './raw-protocol.js';

const LISTEN_IP = process.env.RAW_LISTEN_IP ?? '127.0.0.1';

interface RawPeer {
  id: string;
  send: types.WebRtcTransport;
  recv: types.WebRtcTransport;
  producers: types.Producer[];
  consumers: Map<string, types.Consumer>;
  rtpCapabilities?: types.RtpCapabilities;
  socket: Socket;
}

interface RawRoom {
  router: types.Router;
  peers: Map<string, RawPeer>;
}

const worker = await mediasoup.createWorker();
const rooms = new Map<string, Promise<RawRoom>>();

function room(name: string): Promise<RawRoom> {
  let r = rooms.get(name);
  if (!r) {
    r = worker.createRouter({ mediaCodecs }).then((router) => ({ router, peers: new Map() }));
    rooms.set(name, r);
  }
  return r;
}

const transportOptions = (t: types.WebRtcTransport) => ({
  id: t.id,
  iceParameters: t.iceParameters,
  iceCandidates: t.iceCandidates,
  dtlsParameters: t.dtlsParameters,
});

async function consume(r: RawRoom, receiver: RawPeer, producer: types.Producer): Promise<void> {
  const caps = receiver.rtpCapabilities;
  if (!caps || !r.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;
  const consumer = await receiver.recv.consume({
    producerId: producer.id,
    rtpCapabilities: caps,
    paused: true,
  });
  receiver.consumers.set(consumer.id, consumer);
  const offer: RawNewConsumer = {
    id: consumer.id,
    producerId: producer.id,
    peerId: (producer.appData as { peerId: string }).peerId,
    kind: consumer.kind,
    rtpParameters: consumer.rtpParameters,
  };
  receiver.socket.emit('newConsumer', offer);
}

const http = createServer();
const io = new Server(http, { serveClient: false });

io.on('connection', (socket) => {
  const roomName = (socket.handshake.auth as { room?: string }).room ?? 'default';
  let peer: RawPeer | undefined;
  let joinedRoom: RawRoom | undefined;

  const handle = <D, T>(event: string, fn: (data: D) => Promise<T>) =>
    socket.on(event, (data: D, ack: (res: RawAck<T>) => void) => {
      fn(data).then(
        (result) => ack({ ok: true, data: result }),
        (err: unknown) => ack({ ok: false, error: { message: String(err) } }),
      );
    });

  handle('join', async (): Promise<RawJoinResponse> => {
    const r = await room(roomName);
    const make = () =>
      r.router.createWebRtcTransport({
        listenIps: [{ ip: LISTEN_IP }],
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
      });
    const [send, recv] = await Promise.all([make(), make()]);
    peer = { id: socket.id, send, recv, producers: [], consumers: new Map(), socket };
    joinedRoom = r;
    r.peers.set(peer.id, peer);
    return {
      peerId: peer.id,
      routerRtpCapabilities: r.router.rtpCapabilities,
      sendTransport: transportOptions(send),
      recvTransport: transportOptions(recv),
    };
  });

  handle('ready', async ({ rtpCapabilities }: { rtpCapabilities: types.RtpCapabilities }) => {
    if (!peer || !joinedRoom) throw new Error('join first');
    peer.rtpCapabilities = rtpCapabilities;
    for (const other of joinedRoom.peers.values()) {
      if (other === peer) continue;
      for (const producer of other.producers) await consume(joinedRoom, peer, producer);
    }
    return {};
  });

  handle(
    'connectTransport',
    async ({
      transportId,
      dtlsParameters,
    }: {
      transportId: string;
      dtlsParameters: types.DtlsParameters;
    }) => {
      const t = [peer?.send, peer?.recv].find((x) => x?.id === transportId);
      if (!t) throw new Error('no such transport');
      await t.connect({ dtlsParameters });
      return {};
    },
  );

  handle(
    'produce',
    async ({
      kind,
      rtpParameters,
    }: {
      kind: types.MediaKind;
      rtpParameters: types.RtpParameters;
    }) => {
      if (!peer || !joinedRoom) throw new Error('join first');
      const producer = await peer.send.produce({
        kind,
        rtpParameters,
        appData: { peerId: peer.id },
      });
      peer.producers.push(producer);
      for (const other of joinedRoom.peers.values()) {
        if (other !== peer) await consume(joinedRoom, other, producer);
      }
      return { producerId: producer.id };
    },
  );

  handle('resumeConsumer', async ({ consumerId }: { consumerId: string }) => {
    const consumer = peer?.consumers.get(consumerId);
    if (!consumer) throw new Error('no such consumer');
    await consumer.resume();
    return {};
  });

  socket.on('disconnect', () => {
    if (!peer || !joinedRoom) return;
    joinedRoom.peers.delete(peer.id);
    peer.send.close();
    peer.recv.close();
  });
});

http.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(http.address() as AddressInfo).port}`);
});

const stop = () => {
  io.close();
  worker.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
