import '../../server/src/sfu/worker-guard.js';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createWorker, type types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackSource } from '@samkons/shared';
import { DownlinkAdapter } from '../../server/src/sfu/downlink.js';
import { mediaCodecs } from '../../server/src/sfu/media-codecs.js';
import { sendTo, VP8_PT, vp8Packet, type Vp8Sender } from '../support/rtp.js';

/**
 * The downlink adapter traces NACKs on one video stream per receiver (server/src/sfu/
 * downlink.ts, `#watchNacks`): here against the real worker, that the watch is handed over
 * when the watched stream pauses or closes, and that the stream left is traced no more.
 *
 * Two senders produce VP8 over plain transports (RTP from a UDP socket, a key frame every
 * packet); the receiver's consumers are on a plain transport too, connected to a UDP socket
 * of the test, from which it sends RTCP NACKs as a browser would. The worker emits a `nack`
 * trace for a NACK on a consumer whose trace it was told to enable, and for no other: which
 * consumer traces shows where the watch is, and the consumers' own dump says what the worker
 * was told (`traceEventTypes`). (No browser: ICE, DTLS and SRTP are not what is tested, and
 * a browser NACKs only what it lost.)
 */

const RECEIVER_SSRC = 0x5a4b3c2d;

let worker: types.Worker;
let router: types.Router;
let senderSocket: Socket;
let receiverSocket: Socket;
let rtpTimer: NodeJS.Timeout | undefined;
let heardTimer: NodeJS.Timeout | undefined;

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs });
  senderSocket = createSocket('udp4');
  receiverSocket = createSocket('udp4');
  await Promise.all([
    new Promise<void>((resolve) => senderSocket.bind(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => receiverSocket.bind(0, '127.0.0.1', resolve)),
  ]);
});

afterAll(() => {
  clearInterval(rtpTimer);
  clearInterval(heardTimer);
  senderSocket?.close();
  receiverSocket?.close();
  worker?.close();
});

interface Sender extends Vp8Sender {
  producer: types.Producer;
  port: number;
}

/** A camera sent over a plain transport; its packets go out with the others' (`sendRtp`). */
async function sender(ssrc: number): Promise<Sender> {
  const transport = await router.createPlainTransport({
    listenIp: '127.0.0.1',
    rtcpMux: true,
    comedia: true,
  });
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }],
      encodings: [{ ssrc }],
    },
    appData: { source: 'camera' satisfies TrackSource },
  });
  return { producer, ssrc, port: transport.tuple.localPort, seq: 1 };
}

/** A generic NACK (RFC 4585) of one packet of `mediaSsrc`, from the receiver. */
function nack(mediaSsrc: number): Buffer {
  const p = Buffer.alloc(16);
  p[0] = 0x81; // V=2, FMT=1
  p[1] = 205; // RTPFB
  p.writeUInt16BE(3, 2);
  p.writeUInt32BE(RECEIVER_SSRC, 4);
  p.writeUInt32BE(mediaSsrc, 8);
  p.writeUInt16BE(1, 12); // the packet asked for again (the worker need not have it)
  return p;
}

/** An empty receiver report: keeps the receiver heard (receiver-listener.ts). */
function receiverReport(): Buffer {
  const p = Buffer.alloc(8);
  p[0] = 0x80;
  p[1] = 201;
  p.writeUInt16BE(1, 2);
  p.writeUInt32BE(RECEIVER_SSRC, 4);
  return p;
}

type Consumer = types.Consumer<{ peerId: string; source: TrackSource }>;

/** What the worker was told to trace on a consumer (its dump). */
const traced = async (c: Consumer) =>
  ((await c.dump()) as { traceEventTypes: string }).traceEventTypes;

describe('the NACK watch of a receiver, on the real worker', () => {
  it('moves to another stream when the watched one pauses or closes, and stops tracing it', async () => {
    const senders = [await sender(1111), await sender(2222)];
    const sendRtp = () => {
      for (const s of senders) {
        if (!s.producer.closed) senderSocket.send(vp8Packet(s), s.port, '127.0.0.1');
      }
    };
    // About 50 packets a second: the worker scores a sender that stops 0 after 1.5 s.
    rtpTimer = setInterval(sendRtp, 20);
    sendRtp();
    // Each sender's link clean (score 10): only such a stream is watched.
    await Promise.all(
      senders.map(async ({ producer }) => {
        while ((producer.score[0]?.score ?? 0) < 9) await once(producer, 'score');
      }),
    );

    const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
    await recv.connect({ ip: '127.0.0.1', port: receiverSocket.address().port });
    const rtcpPort = recv.tuple.localPort;
    heardTimer = setInterval(() => void sendTo(receiverSocket, receiverReport(), rtcpPort), 100);
    // The adapter takes the receive transport's bytes and estimates; a plain transport has
    // them as a WebRTC one does (it gets no estimate: no transport-cc).
    const adapter = new DownlinkAdapter(recv as unknown as types.WebRtcTransport, () => undefined);
    const [a, b] = (await Promise.all(
      senders.map(({ producer }, i) =>
        recv.consume({
          producerId: producer.id,
          rtpCapabilities: router.rtpCapabilities,
          paused: true,
          appData: { peerId: `sender-${i}`, source: 'camera' },
        }),
      ),
    )) as [Consumer, Consumer];
    const ssrcOf = (c: Consumer) => c.rtpParameters.encodings![0]!.ssrc!;
    const traces = new Map<Consumer, number>([
      [a, 0],
      [b, 0],
    ]);
    for (const c of [a, b]) {
      c.observer.on('trace', (t: types.ConsumerTraceEventData) => {
        if (t.type === 'nack') traces.set(c, traces.get(c)! + 1);
      });
    }
    /**
     * NACKs for `silent` first, then for `watched`, which is awaited: the worker handles
     * one socket's packets in order and notifies in order, so a trace of `silent` would
     * have come before. Answers the traces counted since.
     */
    const nackBoth = async (watched: Consumer, silent?: Consumer) => {
      const before = new Map(traces);
      const trace = new Promise<void>((resolve) => {
        const on = (t: types.ConsumerTraceEventData) => {
          if (t.type !== 'nack') return;
          watched.observer.off('trace', on);
          resolve();
        };
        watched.observer.on('trace', on);
      });
      if (silent) await sendTo(receiverSocket, nack(ssrcOf(silent)), rtcpPort);
      await sendTo(receiverSocket, nack(ssrcOf(watched)), rtcpPort);
      await trace;
      return [...traces].map(([c, n]) => [c.id, n - before.get(c)!]);
    };

    for (const c of [a, b]) adapter.add(c);
    expect([await traced(a), await traced(b)]).toEqual(['', '']);
    // Set up by the browser: resumed one after the other. The first is watched, and stays
    // on the tie (both clean, neither layered).
    await adapter.setClientPaused(a.id, false);
    await adapter.setClientPaused(b.id, false);
    expect([await traced(a), await traced(b)]).toEqual(['nack', '']);
    expect(await nackBoth(a, b)).toEqual([
      [a.id, 1],
      [b.id, 0],
    ]);

    // The watched one paused (the browser's own audio-only, a hidden tile): the other is.
    await adapter.setClientPaused(a.id, true);
    expect([await traced(a), await traced(b)]).toEqual(['', 'nack']);
    expect(await nackBoth(b)).toEqual([
      [a.id, 0],
      [b.id, 1],
    ]);
    // Back, it is not watched again (a tie), and its NACKs are no longer traced.
    await adapter.setClientPaused(a.id, false);
    expect(a.paused).toBe(false);
    expect([await traced(a), await traced(b)]).toEqual(['', 'nack']);
    expect(await nackBoth(b, a)).toEqual([
      [a.id, 0],
      [b.id, 1],
    ]);

    // The watched one's sender leaves (its producer closes, and the consumer with it).
    const closed = once(b.observer, 'close');
    senders[1]!.producer.close();
    await closed;
    expect(await traced(a)).toBe('nack');
    expect(await nackBoth(a)).toEqual([
      [a.id, 1],
      [b.id, 0],
    ]);
    // Nothing above took the link for a weak one (which pauses video, and moves the watch).
    expect(adapter.audioOnly).toBe(false);
    adapter.close();
  });
});
