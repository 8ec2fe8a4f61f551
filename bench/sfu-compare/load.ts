/**
 * The load of one comparison run, in its own process (pinned to the load core by the
 * orchestrator): `rooms` x `participants` headless participants, everyone sending audio and
 * video and receiving everyone else in the room. Driven over IPC by ./main.ts:
 *
 *   parent -> { type: 'start', config }      child -> { type: 'joined', joins, errors }
 *   parent -> { type: 'snapshot' }           child -> { type: 'snapshot', counts, ... }
 *   parent -> { type: 'stop' }               (the child closes everything and exits)
 */
import dgram from 'node:dgram';
import { Participant } from './participant.js';
import { installWeriftSpeedups } from './werift-speedups.js';
import type { MediaProfile } from './media.js';
import type { SeqCounts } from './seq-tracker.js';
import type { SfuDialect } from './signalling.js';
import { sumCounts } from './seq-tracker.js';
import type { JoinTimes } from './participant.js';

export interface LoadConfig {
  dialect: SfuDialect;
  url: string;
  rooms: number;
  participants: number;
  profile: MediaProfile;
  /** How long to wait for every stream to deliver its first packet. */
  settleTimeoutMs: number;
}

export type LoadRequest =
  { type: 'start'; config: LoadConfig } | { type: 'snapshot' } | { type: 'stop' };

export interface LoadSnapshot {
  type: 'snapshot';
  at: number;
  /** Every receiver's streams, by kind. */
  audio: SeqCounts;
  video: SeqCounts;
  /** Remote streams delivering, and how many there should be. */
  receivingStreams: number;
  expectedStreams: number;
  errors: string[];
}

export type LoadReply =
  | { type: 'joined'; joins: (JoinTimes & { name: string })[]; joinSeconds: number }
  | LoadSnapshot
  | { type: 'failed'; message: string };

const TICK_MS = 5;
/** The clients' sockets: large enough that the load never drops what a server sent. */
const CLIENT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

installWeriftSpeedups();
// werift creates its ICE sockets through dgram.createSocket; the kernel caps the size at
// net.core.rmem_max (the figures record the load's own drops, which should stay 0).
const createSocket = dgram.createSocket.bind(dgram) as typeof dgram.createSocket;
dgram.createSocket = ((...args: Parameters<typeof dgram.createSocket>) => {
  const socket = createSocket(...args);
  socket.once('listening', () => socket.setRecvBufferSize(CLIENT_RECEIVE_BUFFER_BYTES));
  return socket;
}) as typeof dgram.createSocket;

let participants: Participant[] = [];
let ticker: NodeJS.Timeout | undefined;

function send(reply: LoadReply): void {
  process.send?.(reply);
}

function snapshot(config: LoadConfig): LoadSnapshot {
  const byKind = (kind: 'audio' | 'video') =>
    sumCounts(
      participants.flatMap((p) =>
        [...p.streams.values()].filter((s) => s.kind === kind).map((s) => s.tracker.counts()),
      ),
    );
  return {
    type: 'snapshot',
    at: performance.now(),
    audio: byKind('audio'),
    video: byKind('video'),
    receivingStreams: participants.reduce((n, p) => n + p.receivingStreams, 0),
    expectedStreams: config.rooms * config.participants * (config.participants - 1) * 2,
    errors: participants.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`)),
  };
}

async function start(config: LoadConfig): Promise<void> {
  ticker = setInterval(() => {
    const now = performance.now();
    for (const p of participants) p.source?.advance(now);
  }, TICK_MS);

  const started = performance.now();
  const frameMs = 1000 / config.profile.videoFps;
  // One at a time: each join's timings are its own, not a queue behind the others.
  for (let r = 0; r < config.rooms; r++) {
    for (let i = 0; i < config.participants; i++) {
      const p = new Participant(`r${r}p${i}`, `bench-${process.pid}-room${r}`);
      participants.push(p);
      await p.join({
        dialect: config.dialect,
        url: config.url,
        profile: config.profile,
        // Spread the devices over the frame interval, as independent cameras would be.
        phaseMs: ((r * config.participants + i) * frameMs) / (config.rooms * config.participants),
      });
    }
  }
  const deadline = performance.now() + config.settleTimeoutMs;
  for (;;) {
    const s = snapshot(config);
    if (s.receivingStreams >= s.expectedStreams) break;
    if (performance.now() > deadline) {
      throw new Error(
        `only ${s.receivingStreams} of ${s.expectedStreams} streams delivered within ${config.settleTimeoutMs} ms; ${s.errors.slice(0, 3).join('; ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  send({
    type: 'joined',
    joins: participants.map((p) => ({ name: p.name, ...p.joinTimes() })),
    joinSeconds: (performance.now() - started) / 1000,
  });
}

function stop(): void {
  if (ticker) clearInterval(ticker);
  for (const p of participants) p.close();
  participants = [];
  // werift keeps timers and sockets of closed connections alive for a while.
  setTimeout(() => process.exit(0), 200).unref();
  process.disconnect?.();
}

let config: LoadConfig | undefined;
process.on('message', (msg: LoadRequest) => {
  switch (msg.type) {
    case 'start':
      config = msg.config;
      start(msg.config).catch((err: unknown) => {
        send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      });
      break;
    case 'snapshot':
      if (config) send(snapshot(config));
      break;
    case 'stop':
      stop();
      break;
  }
});
process.once('disconnect', stop);
