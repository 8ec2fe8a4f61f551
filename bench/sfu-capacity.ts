/**
 * How many consultations one mediasoup worker (one core) carries: the worker's CPU time
 * for forwarding every participant's camera and microphone to everyone else, for
 * consultations of 2, 3, 5 and 8 people, with the router configured as samkons runs it
 * (server/src/sfu/media-codecs.ts).
 *
 * Each participant is a PlainTransport fed over real UDP from this process: VP8 at about
 * 800 kbit/s (25 frames/s, key frame every 2 s) and Opus at 50 packets/s. Every other
 * participant receives both through its own PlainTransport and UDP socket, so the worker
 * does the same socket I/O and RTP work as for browsers, minus SRTP and bandwidth
 * estimation (not modelled here: the figures are a lower bound on the cost per stream).
 *
 * The baseline is the two-person consultation in the same run: the ratio of CPU per
 * forwarded packet at N people to that at 2 shows whether cost grows with the streams
 * (N x (N-1)) and nothing worse.
 *
 *   npm run bench:sfu    (BENCH_SECONDS per size, default 8)
 */
import dgram from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { mediaCodecs } from '../server/src/sfu/media-codecs.js';
import { vp8Payload } from './support/vp8.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SIZES = [2, 3, 5, 8];
const AUDIO_PT = 100;
const VIDEO_PT = 101;
const VIDEO_FPS = 25;
const VIDEO_PACKETS_PER_FRAME = 4;
const VIDEO_PAYLOAD_BYTES = 1000;
const AUDIO_PAYLOAD_BYTES = 120;

interface Sender {
  socket: dgram.Socket;
  port: number;
  audioSsrc: number;
  videoSsrc: number;
  seq: { audio: number; video: number };
}

interface Figures {
  participants: number;
  forwardedStreams: number;
  seconds: number;
  packetsSent: number;
  packetsForwarded: number;
  /** Forwarded / (sent x (N-1)): 1 means nothing was lost in the worker or on loopback. */
  deliveryRatio: number;
  workerCpuMsPerSecond: number;
  workerCpuMicrosPerForwardedPacket: number;
  /** Cost per forwarded packet relative to the two-person baseline. */
  perPacketCostVsBaseline: number;
  /** 1000 ms of one core divided by this consultation's worker CPU per second. */
  consultationsPerWorker: number;
}

function rtp(
  pt: number,
  seq: number,
  timestamp: number,
  ssrc: number,
  marker: boolean,
  payload: Buffer,
): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | pt;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function measure(
  worker: types.Worker,
  n: number,
): Promise<Omit<Figures, 'perPacketCostVsBaseline'>> {
  const router = await worker.createRouter({ mediaCodecs });
  const sockets: dgram.Socket[] = [];
  try {
    const senders: Sender[] = [];
    const producers: types.Producer[] = [];
    for (let i = 0; i < n; i++) {
      const transport = await router.createPlainTransport({
        listenIp: '127.0.0.1',
        rtcpMux: true,
        comedia: true,
      });
      const socket = await udpSocket();
      sockets.push(socket);
      const sender: Sender = {
        socket,
        port: transport.tuple.localPort,
        audioSsrc: 1000 + i,
        videoSsrc: 2000 + i,
        seq: { audio: 0, video: 0 },
      };
      senders.push(sender);
      producers.push(
        await transport.produce({
          kind: 'audio',
          rtpParameters: {
            codecs: [
              { mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 },
            ],
            encodings: [{ ssrc: sender.audioSsrc }],
          },
        }),
        await transport.produce({
          kind: 'video',
          rtpParameters: {
            codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000 }],
            encodings: [{ ssrc: sender.videoSsrc }],
          },
        }),
      );
    }

    let forwarded = 0;
    for (let j = 0; j < n; j++) {
      const socket = await udpSocket();
      sockets.push(socket);
      // RTP only: the sender reports and other RTCP on the same port (RFC 5761) are not media.
      socket.on('message', (msg: Buffer) => {
        const rtcp = msg[1]! >= 192 && msg[1]! <= 223;
        if (!rtcp) forwarded++;
      });
      const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
      await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
      for (const [index, producer] of producers.entries()) {
        if (Math.floor(index / 2) === j) continue; // not your own streams
        await transport.consume({
          producerId: producer.id,
          rtpCapabilities: router.rtpCapabilities,
        });
      }
    }

    const send = (s: Sender, packet: Buffer) => s.socket.send(packet, s.port, '127.0.0.1');
    let sent = 0;
    let tick = 0;
    const started = performance.now();
    const usageBefore = await worker.getResourceUsage();
    forwarded = 0;
    // Every 20 ms: one Opus packet per person; every 40 ms one video frame of 4 packets.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        tick++;
        for (const s of senders) {
          send(
            s,
            rtp(
              AUDIO_PT,
              s.seq.audio++,
              tick * 960,
              s.audioSsrc,
              false,
              Buffer.alloc(AUDIO_PAYLOAD_BYTES, 1),
            ),
          );
          sent++;
          if (tick % 2 === 0) {
            const frame = tick / 2;
            const key = frame % (VIDEO_FPS * 2) === 1;
            for (let k = 0; k < VIDEO_PACKETS_PER_FRAME; k++) {
              const last = k === VIDEO_PACKETS_PER_FRAME - 1;
              send(
                s,
                rtp(
                  VIDEO_PT,
                  s.seq.video++,
                  frame * 3600,
                  s.videoSsrc,
                  last,
                  vp8Payload(frame, k === 0, key, VIDEO_PAYLOAD_BYTES),
                ),
              );
              sent++;
            }
          }
        }
        if (performance.now() - started >= SECONDS * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const seconds = (performance.now() - started) / 1000;
    const usageAfter = await worker.getResourceUsage();
    const cpuMs =
      usageAfter.ru_utime + usageAfter.ru_stime - (usageBefore.ru_utime + usageBefore.ru_stime);
    const cpuPerSecond = cpuMs / seconds;
    return {
      participants: n,
      forwardedStreams: n * (n - 1) * 2,
      seconds: Number(seconds.toFixed(2)),
      packetsSent: sent,
      packetsForwarded: forwarded,
      deliveryRatio: Number((forwarded / (sent * (n - 1))).toFixed(3)),
      workerCpuMsPerSecond: Number(cpuPerSecond.toFixed(1)),
      workerCpuMicrosPerForwardedPacket: Number(
        ((cpuMs * 1000) / Math.max(1, forwarded)).toFixed(2),
      ),
      consultationsPerWorker: Math.floor(1000 / Math.max(0.1, cpuPerSecond)),
    };
  } finally {
    router.close();
    for (const s of sockets) s.close();
  }
}

async function main(): Promise<void> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const results: Figures[] = [];
  try {
    // A short warm-up so the first size does not pay for the worker's start.
    await measure(worker, 2);
    let baseline: number | undefined;
    for (const n of SIZES) {
      const r = await measure(worker, n);
      baseline ??= r.workerCpuMicrosPerForwardedPacket;
      const figures = {
        ...r,
        perPacketCostVsBaseline: Number(
          (r.workerCpuMicrosPerForwardedPacket / baseline).toFixed(2),
        ),
      };
      results.push(figures);
      console.log(
        `${n} people: ${figures.forwardedStreams} streams, worker ${figures.workerCpuMsPerSecond} ms CPU/s, ` +
          `${figures.workerCpuMicrosPerForwardedPacket} µs per forwarded packet ` +
          `(x${figures.perPacketCostVsBaseline} of 2 people), delivery ${figures.deliveryRatio}, ` +
          `~${figures.consultationsPerWorker} such consultations per worker`,
      );
    }
  } finally {
    worker.close();
  }
  const out = {
    bench: 'bench/sfu-capacity.ts',
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown' },
    mediasoup: mediasoup.version,
    media: {
      video: `VP8 ~${Math.round((VIDEO_FPS * VIDEO_PACKETS_PER_FRAME * (VIDEO_PAYLOAD_BYTES + 12) * 8) / 1000)} kbit/s, ${VIDEO_FPS} fps`,
      audio: `Opus 50 packets/s of ${AUDIO_PAYLOAD_BYTES} bytes`,
      transport: 'PlainTransport over loopback UDP, no SRTP, no bandwidth estimation',
    },
    baseline: 'the two-person consultation in the same run',
    results,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./results/sfu-capacity.json', import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log('written to bench/results/sfu-capacity.json');
}

await main();
