import { EventEmitter } from 'node:events';
import type { ConsumerInfo, MediaStart, MediaTransports, RtpCapabilities } from '@samkons/shared';
import * as fake from 'mediasoup-client/fakeParameters';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESUME_RETRY_MS, MediaSession } from './session.js';
import { RequestError, RoundTrips, type SignallingClient } from './signalling-client.js';

/** The fake handlers made, in order (a test connects a transport through its handler). */
const handlers = vi.hoisted(() => [] as { setConnectionState(state: string): void }[]);
/**
 * A stream's first packets came before its `consume` settled: its track is live when the
 * session first sees it. Else it starts muted, as a browser's receiver track does.
 */
const packets = vi.hoisted(() => ({ beforeConsumed: false }));

// No WebRTC in Node: mediasoup-client's own fake handler stands in for the browser's.
vi.mock('./native-caps.js', async () => {
  const { FakeHandler } = await import('mediasoup-client/handlers/FakeHandler');
  const params = await import('mediasoup-client/fakeParameters');
  return {
    cachingHandlerFactory: () => {
      const base = FakeHandler.createFactory(params);
      return {
        ...base,
        factory: (options: Parameters<typeof base.factory>[0]) => {
          const handler = base.factory(options);
          const receive = handler.receive.bind(handler);
          handler.receive = async (list) => {
            const received = await receive(list);
            if (!packets.beforeConsumed) {
              for (const { track } of received) (track as FakeTrack).remoteMute();
            }
            return received;
          };
          handlers.push(handler as unknown as (typeof handlers)[number]);
          return handler;
        },
      };
    },
  };
});

type Answer = (payload: unknown) => Promise<unknown>;
/** mediasoup-client's fake track, whose packets a test starts and stops. */
type FakeTrack = MediaStreamTrack & { remoteMute(): void; remoteUnmute(): void };

/** The signalling client as the media session uses it: a socket to emit on, requests kept. */
class FakeSignalling {
  readonly roundTrips = new RoundTrips();
  readonly socket = Object.assign(new EventEmitter(), { connected: true });
  readonly sent: { name: string; payload: unknown; depth: number }[] = [];
  /** How each request is answered, by name (default: `{}`). */
  readonly answers = new Map<string, Answer>();

  onSocket(setup: (socket: FakeSignalling['socket']) => void): void {
    setup(this.socket);
  }

  request(name: string, payload: unknown, opts: { after?: number } = {}): Promise<unknown> {
    const depth = this.roundTrips.sent(name, opts.after);
    this.sent.push({ name, payload, depth });
    return (this.answers.get(name) ?? (() => Promise.resolve({})))(payload);
  }

  /** The ids of each `resumeConsumers` sent so far. */
  resumes(): string[][] {
    return this.sent
      .filter((r) => r.name === 'resumeConsumers')
      .map((r) => (r.payload as { consumerIds: string[] }).consumerIds);
  }
}

/** Answers the `resumeConsumers` requests in turn: an error code fails, else it is answered. */
function resumeAnswers(signalling: FakeSignalling, ...outcomes: (string | 'ok')[]): void {
  let n = 0;
  signalling.answers.set('resumeConsumers', () => {
    const outcome = outcomes[Math.min(n++, outcomes.length - 1)];
    if (outcome === 'ok') return Promise.resolve({ notFound: [] });
    return Promise.reject(new RequestError(outcome!, `resumeConsumers: ${outcome}`));
  });
}

const consumer = (kind: 'audio' | 'video'): ConsumerInfo => {
  const p = fake.generateConsumerRemoteParameters({
    codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8',
  });
  return {
    id: p.id,
    producerId: p.producerId,
    peerId: 'kari',
    kind,
    source: kind === 'audio' ? 'microphone' : 'camera',
    rtpParameters: p.rtpParameters as ConsumerInfo['rtpParameters'],
    type: 'simple',
    producerPaused: false,
  };
};

let session: MediaSession;
let signalling: FakeSignalling;

/**
 * A person waiting with the receive transport connected early (`connectEarly`), then
 * admitted with Kari's microphone and camera: the set-up whose streams the client resumes
 * in one `resumeConsumers`. Resolves once that first request has gone out.
 */
async function admitted(): Promise<ConsumerInfo[]> {
  await session.load(fake.generateRouterRtpCapabilities() as RtpCapabilities, []);
  session.setUp({
    recvTransport: fake.generateTransportRemoteParameters(),
  } as unknown as MediaTransports);
  session.connectEarly();
  await vi.waitFor(() => expect(signalling.sent.map((r) => r.name)).toContain('connectTransport'));
  const consumers = [consumer('audio'), consumer('video')];
  const start: MediaStart = {
    peers: [{ id: 'kari', displayName: 'Kari', producers: [] }],
    consumers,
    activeSpeakerPeerId: null,
  };
  await session.open(start);
  expect(signalling.resumes()).toEqual([consumers.map((c) => c.id)]);
  return consumers;
}

/** Runs every backoff wait there is (and what they start). */
const afterAllWaits = () => vi.advanceTimersByTimeAsync(RESUME_RETRY_MS.reduce((a, b) => a + b));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  // The fake transport never connects: its recovery tries ICE restarts meanwhile.
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  packets.beforeConsumed = false;
  signalling = new FakeSignalling();
  session = new MediaSession({
    signalling: signalling as unknown as SignallingClient,
    events: { health: () => undefined, rejoin: () => undefined },
  });
});

afterEach(() => {
  session.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the media start resume on a transport connected in the waiting room', () => {
  it('is sent again with backoff until answered, then no more', async () => {
    resumeAnswers(signalling, 'timeout', 'internal', 'ok');
    const ids = (await admitted()).map((c) => c.id);
    await vi.advanceTimersByTimeAsync(RESUME_RETRY_MS[0]! - 1);
    expect(signalling.resumes()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(signalling.resumes()).toEqual([ids, ids]);
    await vi.advanceTimersByTimeAsync(RESUME_RETRY_MS[1]!);
    expect(signalling.resumes()).toEqual([ids, ids, ids]);
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(3);
    // Each try follows from the one before (the join path's round-trip figure).
    const depths = signalling.sent.filter((r) => r.name === 'resumeConsumers').map((r) => r.depth);
    expect(depths).toEqual([depths[0], depths[0]! + 1, depths[0]! + 2]);
  });

  it('is given up after a bounded number of tries', async () => {
    resumeAnswers(signalling, 'unavailable');
    await admitted();
    await afterAllWaits();
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(1 + RESUME_RETRY_MS.length);
  });

  it('leaves out a stream closed meanwhile, and is not sent when none of them is left', async () => {
    resumeAnswers(signalling, 'timeout', 'timeout', 'ok');
    const [audio, video] = await admitted();
    signalling.socket.emit('consumerClosed', { consumerId: video!.id });
    await vi.advanceTimersByTimeAsync(RESUME_RETRY_MS[0]!);
    expect(signalling.resumes()).toEqual([[audio!.id, video!.id], [audio!.id]]);
    signalling.socket.emit('consumerClosed', { consumerId: audio!.id });
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(2);
  });

  it('is not sent again when the server knows none of them (not_found)', async () => {
    resumeAnswers(signalling, 'not_found');
    await admitted();
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(1);
  });

  it('is left to the rejoin when the socket dropped or the media was set up anew', async () => {
    resumeAnswers(signalling, 'timeout');
    await admitted();
    signalling.socket.connected = false;
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(1);

    signalling = new FakeSignalling();
    session.close();
    session = new MediaSession({
      signalling: signalling as unknown as SignallingClient,
      events: { health: () => undefined, rejoin: () => undefined },
    });
    resumeAnswers(signalling, 'timeout');
    await admitted();
    // The live session's rejoin tears the media down and joins again (new transports,
    // whose streams the server resumes itself).
    session.teardown();
    await afterAllWaits();
    expect(signalling.resumes()).toHaveLength(1);
  });
});

describe('what waits for the receive side (whenReceiving)', () => {
  /** Kari's camera track on this page: its first packets arrive with `unmute`. */
  const firstVideo = () => {
    const track = session.getSnapshot().participants.find((p) => p.id === 'kari')?.video as
      FakeTrack | undefined;
    if (!track) throw new Error('no camera track for Kari');
    track.remoteUnmute();
  };

  it('runs once, after the receive transport connected and the first video arrived', async () => {
    resumeAnswers(signalling, 'ok');
    await admitted();
    const ran = vi.fn();
    session.whenReceiving(ran);
    handlers.at(-1)!.setConnectionState('connected');
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).not.toHaveBeenCalled();
    firstVideo();
    expect(ran).not.toHaveBeenCalled();
    // In idle moments (no requestIdleCallback in Node: timers of 0 ms).
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toHaveBeenCalledTimes(1);
    // Later: at once (in an idle moment), and the first one not again.
    const later = vi.fn();
    session.whenReceiving(later);
    await vi.advanceTimersByTimeAsync(5000);
    expect(later).toHaveBeenCalledTimes(1);
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('runs after a while without video; a dropped one never', async () => {
    resumeAnswers(signalling, 'ok');
    await admitted();
    const ran = vi.fn();
    const dropped = vi.fn();
    session.whenReceiving(ran);
    session.whenReceiving(dropped)();
    await vi.advanceTimersByTimeAsync(900);
    expect(ran).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(ran).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
  });

  it('never runs for a media start replaced before it received (a rejoin)', async () => {
    resumeAnswers(signalling, 'ok');
    await admitted();
    const stale = vi.fn();
    session.whenReceiving(stale);
    session.setUp({
      recvTransport: fake.generateTransportRemoteParameters(),
    } as unknown as MediaTransports);
    await vi.advanceTimersByTimeAsync(5000);
    expect(stale).not.toHaveBeenCalled();
  });
});

describe('the first packets of a media start the server resumes itself', () => {
  it('are seen when they came before the stream was set up (no unmute left to hear)', async () => {
    await session.load(fake.generateRouterRtpCapabilities() as RtpCapabilities, []);
    session.setUp({
      recvTransport: fake.generateTransportRemoteParameters(),
    } as unknown as MediaTransports);
    // On a loaded machine the transport connected and the streams' first packets came
    // while the browser was still settling them.
    packets.beforeConsumed = true;
    await session.open({
      peers: [{ id: 'kari', displayName: 'Kari', producers: [] }],
      consumers: [consumer('audio'), consumer('video')],
      activeSpeakerPeerId: null,
    });
    const ran = vi.fn();
    session.whenReceiving(ran);
    handlers.at(-1)!.setConnectionState('connected');
    // Not the fallback timer's second: at once, on the video that came.
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toHaveBeenCalledTimes(1);
    // The join path's figure: the receive transport's connection, sent from the answer.
    const connect = signalling.sent.find((r) => r.name === 'connectTransport');
    expect(session.roundTripsToFirstMedia).toBe(connect?.depth);
  });
});

describe('transports warmed up on the pre-join', () => {
  const warmUp = async () => {
    await session.load(fake.generateRouterRtpCapabilities() as RtpCapabilities, []);
    const transports = {
      recvTransport: fake.generateTransportRemoteParameters(),
    } as unknown as MediaTransports;
    session.setUp(transports);
    session.connectEarly();
    await vi.waitFor(() =>
      expect(signalling.sent.map((r) => r.name)).toContain('connectTransport'),
    );
    return transports;
  };

  it('are kept by a join that names them, and are warm until the media opens', async () => {
    const transports = await warmUp();
    expect(session.warm).toBe(true);
    // The join's answer names the same transports: no second set-up, no second connect.
    session.adopt(transports);
    expect(signalling.sent.filter((r) => r.name === 'connectTransport')).toHaveLength(1);
    await session.open({ peers: [], consumers: [], activeSpeakerPeerId: null });
    expect(session.warm).toBe(false);
  });

  it('are not warm once they failed, nor after a teardown', async () => {
    await warmUp();
    handlers.at(-1)!.setConnectionState('failed');
    expect(session.warm).toBe(false);
    await warmUp();
    expect(session.warm).toBe(true);
    session.teardown();
    expect(session.warm).toBe(false);
  });

  it('are not warm for a join that forces TURN (`?relay=1`): made without it, they would not use it', async () => {
    await warmUp();
    session.configure({ iceTransportPolicy: 'relay' });
    expect(session.warm).toBe(false);
    // Made anew for that join, they are.
    await warmUp();
    expect(session.warm).toBe(true);
  });
});
