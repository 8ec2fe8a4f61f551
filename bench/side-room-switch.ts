/**
 * How to separate a private part from its side room (issue 11 item 1: "a second router or
 * consumer gating, your choice by measurement"). Five people: the patient and the named
 * clinician stay in the private part; the two parents and the GP go to the side room.
 * Every person sends Opus-sized RTP at 50 packets/s over real loopback UDP; every person
 * receives over its own PlainTransport and socket, so the worker forwards as for browsers
 * (minus SRTP and ICE/DTLS, which only make the router variant slower).
 *
 * Measured, per variant, from the moment the switch starts:
 * - cut: when the last packet of a private stream reached a side-room receiver (ms);
 * - leaked: private packets that reached side-room receivers after the switch returned;
 * - side gap: the longest silence in a side-room stream at a side-room receiver around the
 *   switch (ms): what the parents lose of each other;
 * - switch: how long the server-side operation took (ms).
 *
 * Variants:
 * - gating (what samkons does, server/src/sfu/media-scope.ts): close the consumers that
 *   cross the line; nothing else changes.
 * - second router, same worker: `pipeToRouter` is tried and its error recorded.
 * - second router on another worker: new receive transports for the side room on a router
 *   of a second worker, the side room's producers piped there, consumers created there,
 *   old receive transports closed. With browsers, each moved receiver would in addition
 *   need a new WebRTC transport negotiated (ICE + DTLS: several round trips), which this
 *   bench does not even count.
 *
 *   npm run bench:side-room   (BENCH_RUNS per variant, default 5)
 */
import dgram from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { mediaCodecs } from '../server/src/sfu/media-codecs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PT = 100;
const PEOPLE = ['patient', 'specialist', 'mother', 'father', 'gp'] as const;
type Person = (typeof PEOPLE)[number];
const PRIVATE: readonly Person[] = ['patient', 'specialist'];
const SIDE: readonly Person[] = ['mother', 'father', 'gp'];

interface Receiver {
  socket: dgram.Socket;
  transport: types.PlainTransport;
  consumers: Map<Person, types.Consumer>;
  /** Arrival times (ms) of packets, by the sender's SSRC. */
  arrivals: Map<number, number[]>;
}

const ssrcOf = (p: Person) => 5000 + PEOPLE.indexOf(p);
const personOf = (ssrc: number) => PEOPLE[ssrc - 5000];

function udpSocket(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

function rtp(seq: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 120);
  b[0] = 0x80;
  b[1] = PT;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 960) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

/** A receiving socket and transport; `arrivals` continues an earlier receiver's record. */
async function receiver(
  router: types.Router,
  arrivals = new Map<number, number[]>(),
): Promise<Receiver> {
  const socket = await udpSocket();
  socket.on('message', (msg: Buffer) => {
    if (msg[1]! >= 192 && msg[1]! <= 223) return; // RTCP
    const ssrc = msg.readUInt32BE(8);
    const list = arrivals.get(ssrc) ?? [];
    list.push(performance.now());
    arrivals.set(ssrc, list);
  });
  const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  return { socket, transport, consumers: new Map(), arrivals };
}

/** Consumers of `producer` keep the sender's SSRC mapping via appData. */
async function consume(
  r: Receiver,
  router: types.Router,
  from: Person,
  producer: types.Producer,
): Promise<void> {
  const c = await r.transport.consume({
    producerId: producer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  r.consumers.set(from, c);
  // The consumer's own SSRC: map it back to the sender.
  const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
  if (ssrc !== undefined) consumerSsrcs.set(ssrc, from);
}
const consumerSsrcs = new Map<number, Person>();

interface Result {
  variant: string;
  ok: boolean;
  error?: string;
  switchMs?: number;
  cutMs?: number;
  leakedPackets?: number;
  sideGapMs?: number;
  baselineGapMs?: number;
}

async function run(
  variant: 'gating' | 'second-router-same-worker' | 'second-router-other-worker',
  workers: types.Worker[],
): Promise<Result> {
  const router = await workers[0]!.createRouter({ mediaCodecs });
  const sockets: dgram.Socket[] = [];
  const extraRouters: types.Router[] = [];
  try {
    const producers = new Map<Person, types.Producer>();
    const senders = new Map<Person, { socket: dgram.Socket; port: number; seq: number }>();
    for (const p of PEOPLE) {
      const t = await router.createPlainTransport({
        listenIp: '127.0.0.1',
        rtcpMux: true,
        comedia: true,
      });
      const socket = await udpSocket();
      sockets.push(socket);
      senders.set(p, { socket, port: t.tuple.localPort, seq: 0 });
      producers.set(
        p,
        await t.produce({
          kind: 'audio',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: PT, clockRate: 48000, channels: 2 }],
            encodings: [{ ssrc: ssrcOf(p) }],
          },
        }),
      );
    }
    const receivers = new Map<Person, Receiver>();
    for (const me of PEOPLE) {
      const r = await receiver(router);
      sockets.push(r.socket);
      receivers.set(me, r);
      for (const from of PEOPLE)
        if (from !== me) await consume(r, router, from, producers.get(from)!);
    }
    const tick = setInterval(() => {
      for (const [p, s] of senders) s.socket.send(rtp(++s.seq, ssrcOf(p)), s.port, '127.0.0.1');
    }, 20);
    await new Promise((r) => setTimeout(r, 1000));

    const t0 = performance.now();
    let result: Result = { variant, ok: true };
    if (variant === 'gating') {
      for (const me of SIDE) {
        const r = receivers.get(me)!;
        for (const from of PRIVATE) r.consumers.get(from)?.close();
      }
      for (const me of PRIVATE) {
        const r = receivers.get(me)!;
        for (const from of SIDE) r.consumers.get(from)?.close();
      }
    } else if (variant === 'second-router-same-worker') {
      const side = await workers[0]!.createRouter({ mediaCodecs });
      extraRouters.push(side);
      try {
        await router.pipeToRouter({ producerId: producers.get('mother')!.id, router: side });
      } catch (err) {
        result = { variant, ok: false, error: (err as Error).message };
      }
    } else {
      const side = await workers[1]!.createRouter({ mediaCodecs });
      extraRouters.push(side);
      const piped = new Map<Person, types.Producer>();
      for (const from of SIDE) {
        const { pipeProducer } = await router.pipeToRouter({
          producerId: producers.get(from)!.id,
          router: side,
        });
        piped.set(from, pipeProducer!);
      }
      for (const me of SIDE) {
        const old = receivers.get(me)!;
        // The moved receiver keeps one record of arrivals across both transports.
        const fresh = await receiver(side, old.arrivals);
        sockets.push(fresh.socket);
        for (const from of SIDE)
          if (from !== me) await consume(fresh, side, from, piped.get(from)!);
        old.transport.close();
        receivers.set(me, fresh);
      }
      for (const me of PRIVATE) {
        const r = receivers.get(me)!;
        for (const from of SIDE) r.consumers.get(from)?.close();
      }
    }
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    clearInterval(tick);
    if (!result.ok) return result;

    // Per side-room receiver and sender (a sender's stream may arrive under a new SSRC
    // after a move): private packets after the switch, and the longest silence of each
    // side-room stream, around the switch and in a quiet second before it (the baseline
    // jitter of this machine).
    let lastPrivate = t0;
    let leaked = 0;
    let sideGap = 0;
    let baselineGap = 0;
    const longestGap = (times: number[], from: number, to: number) => {
      const inside = times.filter((t) => t > from && t < to);
      let gap = inside.length === 0 ? to - from : Math.max(inside[0]! - from, to - inside.at(-1)!);
      for (let i = 1; i < inside.length; i++) gap = Math.max(gap, inside[i]! - inside[i - 1]!);
      return gap;
    };
    for (const me of SIDE) {
      const bySender = new Map<Person, number[]>();
      for (const [ssrc, times] of receivers.get(me)!.arrivals) {
        const from = consumerSsrcs.get(ssrc) ?? personOf(ssrc);
        if (from) bySender.set(from, [...(bySender.get(from) ?? []), ...times]);
      }
      for (const [from, unsorted] of bySender) {
        const times = unsorted.sort((x, y) => x - y);
        if (PRIVATE.includes(from)) {
          for (const t of times) {
            if (t >= t0) lastPrivate = Math.max(lastPrivate, t);
            if (t > t1) leaked++;
          }
        } else {
          sideGap = Math.max(sideGap, longestGap(times, t0 - 100, t1 + 1000));
          baselineGap = Math.max(baselineGap, longestGap(times, t0 - 900, t0 - 100));
        }
      }
    }
    return {
      variant,
      ok: true,
      switchMs: round(t1 - t0),
      cutMs: round(lastPrivate - t0),
      leakedPackets: leaked,
      sideGapMs: round(sideGap),
      baselineGapMs: round(baselineGap),
    };
  } finally {
    for (const s of sockets) s.close();
    for (const r of extraRouters) r.close();
    router.close();
  }
}

const round = (v: number) => Math.round(v * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const workers = [
    await mediasoup.createWorker({ logLevel: 'error' }),
    await mediasoup.createWorker({ logLevel: 'error' }),
  ];
  const variants = ['gating', 'second-router-same-worker', 'second-router-other-worker'] as const;
  const results: Record<string, unknown> = {};
  try {
    for (const v of variants) {
      const runs: Result[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await run(v, workers));
      const ok = runs.filter((r) => r.ok);
      const summary =
        ok.length === 0
          ? { ok: false, error: runs[0]?.error }
          : {
              ok: true,
              runs: ok.length,
              switchMsMedian: median(ok.map((r) => r.switchMs!)),
              cutMsMedian: median(ok.map((r) => r.cutMs!)),
              leakedPacketsMax: Math.max(...ok.map((r) => r.leakedPackets!)),
              sideGapMsMedian: median(ok.map((r) => r.sideGapMs!)),
              sideGapMsMax: Math.max(...ok.map((r) => r.sideGapMs!)),
              baselineGapMsMedian: median(ok.map((r) => r.baselineGapMs!)),
            };
      results[v] = summary;
      console.log(v, JSON.stringify(summary));
    }
  } finally {
    for (const w of workers) w.close();
  }
  const out = {
    bench: 'bench/side-room-switch.ts',
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown' },
    mediasoup: mediasoup.version,
    setup:
      '5 people (patient + specialist private; mother, father, GP side room), Opus-sized RTP at 50 packets/s each over loopback UDP, PlainTransports; packet arrival times per receiver',
    baseline: 'gating, in the same run',
    runsPerVariant: RUNS,
    results,
  };
  const file = new URL('./results/side-room-switch.json', import.meta.url);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}

await main();
