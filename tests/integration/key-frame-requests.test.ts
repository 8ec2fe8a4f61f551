import '../../server/src/sfu/worker-guard.js';
import { createSocket, type Socket } from 'node:dgram';
import { createWorker, type types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaCodecs } from '../../server/src/sfu/media-codecs.js';
import { producerTuning } from '../../server/src/sfu/peer.js';
import {
  isRtcp,
  pliSsrcs,
  rtpSsrc,
  sendTo,
  VP8_PT,
  vp8Packet,
  type Vp8Sender,
} from '../support/rtp.js';

/**
 * A second receiver asking for a key frame just after the first one's (as everyone does,
 * rejoining after a worker crash) gets one within half a second, against the real worker.
 *
 * The sender's libwebrtc answers one key frame request per 300 ms and drops the others;
 * mediasoup counts a dropped request as pending and asks again only after 1 s. So video
 * producers are made with `keyFrameRequestDelay` (server/src/sfu/peer.ts): a request
 * within it waits and goes at its end, past the sender's 300 ms.
 *
 * The sender is a UDP socket producing VP8 over a plain transport, and answers every PLI
 * at once with a key frame, as libwebrtc does once its 300 ms have passed. Two consumers on
 * a plain transport to another socket: the first resumed, the second resumed as soon as the
 * first one's key frame reaches the receiver.
 */

const SSRC = 4242;
/** libwebrtc's least time between two key frame requests it answers. */
const SENDER_MIN_INTERVAL_MS = 300;

let worker: types.Worker;
let senderSocket: Socket;
let receiverSocket: Socket;
let frameTimer: NodeJS.Timeout | undefined;

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  senderSocket = createSocket('udp4');
  receiverSocket = createSocket('udp4');
  await Promise.all(
    [senderSocket, receiverSocket].map(
      (socket) => new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve)),
    ),
  );
});

afterAll(() => {
  clearInterval(frameTimer);
  senderSocket?.close();
  receiverSocket?.close();
  worker?.close();
});

describe('key frame requests to a video sender, on the real worker', () => {
  it('sends a request that comes just after another once the sender takes requests again', async () => {
    const router = await worker.createRouter({ mediaCodecs });
    const send = await router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: true,
    });
    const producer = await send.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: VP8_PT,
            clockRate: 90000,
            // Without it, the worker asks this sender for nothing.
            rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
          },
        ],
        encodings: [{ ssrc: SSRC }],
      },
      // As the SFU makes a camera's producer.
      ...producerTuning('video'),
    });
    const sender: Vp8Sender = { ssrc: SSRC, seq: 1 };
    const port = send.tuple.localPort;

    // The sender: a key frame first, then a delta frame every 20 ms, and a key frame at
    // once for every PLI (noted with its time).
    const plis: number[] = [];
    senderSocket.on('message', (packet) => {
      if (!isRtcp(packet) || !pliSsrcs(packet).includes(SSRC)) return;
      plis.push(performance.now());
      void sendTo(senderSocket, vp8Packet(sender, true), port);
    });
    await sendTo(senderSocket, vp8Packet(sender, true), port);
    frameTimer = setInterval(() => void sendTo(senderSocket, vp8Packet(sender, false), port), 20);

    const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
    await recv.connect({ ip: '127.0.0.1', port: receiverSocket.address().port });
    const consume = () =>
      recv.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
      });
    const [first, second] = [await consume(), await consume()];
    const ssrcOf = (c: types.Consumer) => c.rtpParameters.encodings![0]!.ssrc!;
    /** When each consumer's first packet reached the receiver (a resumed one waits for a key frame). */
    const firstPacketAt = new Map<number, number>();
    const reached = (consumer: types.Consumer) =>
      new Promise<number>((resolve) => {
        const on = (packet: Buffer) => {
          if (isRtcp(packet) || rtpSsrc(packet) !== ssrcOf(consumer)) return;
          receiverSocket.off('message', on);
          firstPacketAt.set(ssrcOf(consumer), performance.now());
          resolve(performance.now());
        };
        receiverSocket.on('message', on);
      });

    // The first receiver resumes: asked, answered, forwarded.
    const firstReached = reached(first);
    await first.resume();
    await firstReached;
    expect(plis).toHaveLength(1);
    // The second resumes right after that key frame: within the sender's 300 ms of the
    // first request, which it would drop.
    const secondReached = reached(second);
    await second.resume();
    const secondAt = await secondReached;

    expect(plis.length, `PLIs at ${plis.map((t) => Math.round(t - plis[0]!)).join(', ')} ms`).toBe(
      2,
    );
    const gap = plis[1]! - plis[0]!;
    // Not sooner than the sender takes a request again, and not left to mediasoup's retry.
    expect(gap).toBeGreaterThanOrEqual(SENDER_MIN_INTERVAL_MS);
    expect(gap).toBeLessThan(600);
    // The second receiver's picture starts with the key frame that request brought.
    expect(secondAt).toBeGreaterThanOrEqual(plis[1]!);
    expect(secondAt - plis[0]!).toBeLessThan(700);
    router.close();
  });
});
