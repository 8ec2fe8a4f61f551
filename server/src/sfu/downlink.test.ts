import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DOWNLINK_POLICY, DownlinkPolicy } from './downlink-policy.js';
import { DownlinkAdapter, weighQueueReport, type DownlinkLog } from './downlink.js';

/**
 * The adapter's wiring to mediasoup, with a fake receive transport and fake consumers: what
 * it reads from the worker and when (nothing on a good, steady link), how it tells a cut link
 * from a weak one, and where loss reports come in. The rules themselves are
 * downlink-policy.test.ts's.
 */

class FakeTransport extends EventEmitter {
  readonly observer = new EventEmitter();
  closed = false;
  /** The receiver's link: while up, every read finds more bytes from it. */
  up = true;
  bytes = 0;
  /** What transport-cc's feedback finds lost of what is sent (undefined: no feedback). */
  lossSent: number | undefined;
  statReads = 0;
  ceilings: number[] = [];
  /** What the SFU sends the receiver (bit/s) from when, and its count of bytes sent at the last read. */
  #rates = [{ from: -Infinity, bps: 2_500_000 }];
  #sent = { bytes: 0, at: 0 };

  get sentBps(): number {
    return this.#rates.at(-1)!.bps;
  }

  set sentBps(bps: number) {
    this.#rates.push({ from: Date.now(), bps });
  }

  /** What the SFU sent over the last second (bit/s), as mediasoup's `sendBitrate`. */
  #sendBitrate(now: number): number {
    let bits = 0;
    this.#rates.forEach(({ from, bps }, i) => {
      const to = this.#rates[i + 1]?.from ?? now;
      bits += (bps * Math.max(0, to - Math.max(from, now - 1000))) / 1000;
    });
    return bits;
  }

  async getStats(): Promise<
    { bytesReceived: number; bytesSent: number; sendBitrate: number; rtpPacketLossSent?: number }[]
  > {
    this.statReads++;
    if (this.up) this.bytes += 5_000;
    const now = Date.now();
    const bytes = this.#sent.bytes + (this.sentBps * (now - this.#sent.at)) / 8_000;
    this.#sent = { bytes, at: now };
    return [
      {
        bytesReceived: this.bytes,
        bytesSent: bytes,
        sendBitrate: this.#sendBitrate(now),
        rtpPacketLossSent: this.lossSent,
      },
    ];
  }

  async enableTraceEvent(): Promise<void> {}

  async setMaxOutgoingBitrate(bps: number): Promise<void> {
    this.ceilings.push(bps);
  }

  bwe(bps: number): void {
    this.emit('trace', { type: 'bwe', info: { availableBitrate: bps } });
  }
}

class FakeConsumer extends EventEmitter {
  static #next = 0;
  readonly id = `c${FakeConsumer.#next++}`;
  readonly kind: 'audio' | 'video';
  readonly type: 'simple' | 'simulcast' = 'simple';
  readonly observer = new EventEmitter();
  readonly appData = { peerId: 'sender', source: 'camera' };
  paused = true;
  producerPaused = false;
  closed = false;
  priority = 1;
  score: types.ConsumerScore = { score: 10, producerScore: 10, producerScores: [] };
  /**
   * The receiver's latest receiver report on this stream, as the worker keeps it, and what
   * was sent, and resent at the receiver's request (NACK), so far.
   */
  report = {
    packetsLost: 0,
    fractionLost: 0,
    bitrate: 500_000,
    packetCount: 0,
    nackPacketCount: 0,
    packetsRepaired: 0,
  };
  /** What the SFU found missing of the sender's stream in its last report on it (0..1). */
  upstreamLost = 0;
  traced: string[] = [];
  statReads = 0;
  keyFrames = 0;
  /** What the adapter asked of the worker, in order (see `FakeSimulcastConsumer`). */
  asked: string[] = [];

  constructor(kind: 'audio' | 'video' = 'video') {
    super();
    this.kind = kind;
  }

  async getStats(): Promise<unknown[]> {
    this.statReads++;
    return [
      { type: 'outbound-rtp', ...this.report },
      { type: 'inbound-rtp', fractionLost: Math.round(this.upstreamLost * 256) },
    ];
  }

  async enableTraceEvent(types: string[]): Promise<void> {
    this.traced = types;
  }

  /**
   * The receiver asks for `asked` lost packets (one NACK): `sent` more packets sent so far, of
   * which `resent` more were resent (the worker counts a packet once, however often it is
   * asked for).
   */
  nack(sent: number, resent: number, asked = resent): void {
    this.report = {
      ...this.report,
      packetCount: this.report.packetCount + sent,
      nackPacketCount: this.report.nackPacketCount + asked,
      packetsRepaired: this.report.packetsRepaired + resent,
    };
    // The worker sends the trace only when asked to.
    if (this.traced.includes('nack')) this.emit('trace', { type: 'nack', info: {} });
  }

  async pause(): Promise<void> {
    this.asked.push('pause');
    this.paused = true;
  }

  async resume(): Promise<void> {
    this.asked.push('resume');
    this.paused = false;
  }

  async requestKeyFrame(): Promise<void> {
    this.asked.push('key frame');
    this.keyFrames++;
  }

  async setPriority(priority: number): Promise<void> {
    this.priority = priority;
  }

  /** The worker rescored the stream (on a receiver report). */
  rescore(score: number): void {
    this.score = { ...this.score, score };
    this.observer.emit('score', this.score);
  }
}

/** A simulcast video stream: the adapter picks its layer. */
class FakeSimulcastConsumer extends FakeConsumer {
  override readonly type = 'simulcast';
  preferredLayers: { spatialLayer: number } | undefined = { spatialLayer: 2 };
  /** The layer sent now: none while paused, nor after a resume until a key frame comes. */
  currentLayers: { spatialLayer: number } | undefined = { spatialLayer: 2 };

  async setPreferredLayers(layers: { spatialLayer: number }): Promise<void> {
    this.asked.push(`layer ${layers.spatialLayer}`);
    this.preferredLayers = layers;
  }

  override async pause(): Promise<void> {
    await super.pause();
    this.currentLayers = undefined;
  }

  /** The sender's key frame of the preferred layer came: the worker switches to it. */
  keyFrameCame(): void {
    this.currentLayers = this.preferredLayers;
  }
}

let adapters: DownlinkAdapter[] = [];

/** A receiver with one visible video stream flowing to it (`camera`, or a simple one). */
async function receiver<C extends FakeConsumer = FakeConsumer>(
  camera?: Simulcast<C>,
  log?: DownlinkLog,
) {
  const transport = new FakeTransport();
  const adapter = new DownlinkAdapter(
    transport as unknown as types.WebRtcTransport,
    () => undefined,
    {},
    log,
  );
  adapters.push(adapter);
  const consumer = await flowing(adapter, camera);
  return { transport, consumer, adapter };
}

/** A simulcast stream with what each of its layers needs (bit/s). */
interface Simulcast<C extends FakeConsumer> {
  consumer: C;
  layerBps: number[];
}

/** The same, with an audio stream flowing too (the one a queue report is about). */
async function receiverWithAudio<C extends FakeConsumer = FakeConsumer>(camera?: Simulcast<C>) {
  const flowing = await receiver(camera);
  const microphone = new FakeConsumer('audio');
  const audio = microphone as unknown as Parameters<DownlinkAdapter['add']>[0];
  flowing.adapter.add(audio);
  await flowing.adapter.setClientPaused(microphone.id, false);
  return { ...flowing, microphone, audio };
}

/**
 * The receiver's word that its link queues: the onset of the lateness, then `spanMs` later
 * the queue (confirmed, or `provisional`) with `receivedBps` arrived since.
 */
async function queueReport(
  adapter: DownlinkAdapter,
  audio: Parameters<DownlinkAdapter['add']>[0],
  receivedBps: number,
  spanMs = 400,
  provisional = false,
): Promise<void> {
  await adapter.queueOnset();
  await vi.advanceTimersByTimeAsync(spanMs);
  void adapter.queueing(audio, { excessMs: 280, provisional, receivedBps });
  await vi.advanceTimersByTimeAsync(10);
}

/** One more visible video stream, set up by the client and flowing to the receiver. */
async function flowing<C extends FakeConsumer = FakeConsumer>(
  adapter: DownlinkAdapter,
  camera?: Simulcast<C>,
): Promise<C> {
  const consumer = camera?.consumer ?? (new FakeConsumer() as C);
  adapter.add(consumer as unknown as Parameters<DownlinkAdapter['add']>[0], camera?.layerBps);
  await adapter.setClientPaused(consumer.id, false);
  return consumer;
}

/**
 * The receiver asks for lost packets six times at once (a dense burst, as on a link giving
 * way): `sent` more packets sent, of which `resent` were resent.
 */
function burst(consumer: FakeConsumer, sent: number, resent: number): void {
  consumer.nack(sent, resent);
  for (let i = 0; i < 5; i++) consumer.nack(0, 0);
}

/**
 * Two bursts 200 ms apart, the second with three quarters of its packets resent: heavy loss,
 * on this link or (as far as the NACKs tell) the sender's.
 */
async function resentHeavily(consumer: FakeConsumer): Promise<void> {
  burst(consumer, 80, 1);
  await vi.advanceTimersByTimeAsync(200);
  burst(consumer, 40, 30);
  await vi.advanceTimersByTimeAsync(10);
}

/**
 * The receiver's next report on `consumer`: `fraction` of its packets lost (120 of the packets
 * sent since the one before). Read as its score falls to `score` (below 10), and again every
 * half second while it stays there.
 */
async function reportLoss(consumer: FakeConsumer, fraction: number, score: number): Promise<void> {
  sendAndReport(consumer, Math.round(120 / fraction), 120, fraction);
  consumer.rescore(score);
  await vi.advanceTimersByTimeAsync(600);
}

/**
 * `sent` more packets sent on `consumer`, and the receiver's report, new, of `lost` more lost,
 * `fraction` of the packets since its report before (read at the next loss read).
 */
function sendAndReport(consumer: FakeConsumer, sent: number, lost: number, fraction: number): void {
  const { packetCount, packetsLost } = consumer.report;
  consumer.report = {
    ...consumer.report,
    packetCount: packetCount + sent,
    packetsLost: packetsLost + lost,
    fractionLost: Math.round(fraction * 256),
  };
}

/** The adapter took no loss for its link's: the estimate of a good link, no ceiling. */
function expectNoLossOfItsOwn(transport: FakeTransport, adapter: DownlinkAdapter): void {
  expect(adapter.state().estimateKbps).toBe(2000);
  expect(transport.ceilings).toEqual([]);
  expect(adapter.gaveWayLately()).toBe(false);
}

/**
 * Receiver reports read every half second (its poll while a stream scores below 10): the
 * first before the stream's score falls to 9, each next one read at the next poll.
 */
async function halfSecondReads(
  consumer: FakeConsumer,
  reports: [sent: number, lost: number, fraction: number][],
): Promise<void> {
  const [first, ...then] = reports;
  if (first) sendAndReport(consumer, ...first);
  consumer.rescore(9);
  for (const next of then) {
    await vi.advanceTimersByTimeAsync(500);
    sendAndReport(consumer, ...next);
  }
  await vi.advanceTimersByTimeAsync(500);
}

function expectLossOfItsOwn(transport: FakeTransport, adapter: DownlinkAdapter): void {
  expect(transport.ceilings).not.toEqual([]);
  expect(adapter.gaveWayLately()).toBe(true);
}

/**
 * A receiver on a steady 2 Mbit/s link, sent the smallest layer (100 kbit/s), whose
 * transport-cc finds `transportLoss` of what was sent lost.
 */
async function smallestLayerOn(
  transportLoss: number,
): Promise<Awaited<ReturnType<typeof receiver>>> {
  const on = await receiver();
  await steady(on.transport, 2_000_000, 5);
  on.consumer.report = { ...on.consumer.report, bitrate: 100_000 };
  on.transport.lossSent = transportLoss;
  return on;
}

/**
 * What the same reads of the smallest layer (`reads`) come to on two links: on one whose
 * transport-cc finds `chance` lost, the stream's count is chance (no loss of its own); on one
 * that finds `heavy`, it is the stream's own heavy loss.
 */
async function weighedAgainstTheLink(
  reads: (consumer: FakeConsumer) => Promise<void>,
  links: { chance: number; heavy: number },
): Promise<void> {
  for (const [transportLoss, expectOnIt] of [
    [links.chance, expectNoLossOfItsOwn],
    [links.heavy, expectLossOfItsOwn],
  ] as const) {
    const { transport, consumer, adapter } = await smallestLayerOn(transportLoss);
    await reads(consumer);
    expectOnIt(transport, adapter);
  }
}

/** The worker's estimate once a second, as on a good link, for `seconds`. */
async function steady(transport: FakeTransport, bps: number, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    transport.bwe(bps + (i % 2) * 10_000);
    await vi.advanceTimersByTimeAsync(1000);
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  for (const a of adapters) a.close();
  adapters = [];
  vi.useRealTimers();
});

describe('downlink adapter', () => {
  it('reads nothing from the worker on a good, steady link', async () => {
    const { transport, consumer } = await receiver();
    await steady(transport, 1_000_000, 2);
    const [transportReads, consumerReads] = [transport.statReads, consumer.statReads];
    await steady(transport, 1_000_000, 20);
    expect(transport.statReads - transportReads).toBe(0);
    expect(consumer.statReads - consumerReads).toBe(0);
  });

  it('rests its clock on a good, steady link and wakes it for an input', async () => {
    const { transport, consumer } = await receiver();
    await steady(transport, 1_000_000, 3);
    const ticks = vi.spyOn(DownlinkPolicy.prototype, 'tick');
    await steady(transport, 1_000_000, 10);
    // Each estimate's own judgement, and one clock tick after it that finds nothing pending:
    // about two a second, not five (the clock's four besides).
    expect(ticks.mock.calls.length).toBeLessThanOrEqual(22);
    // A stream starts losing: the clock runs again and the loss reports are read.
    const reads = consumer.statReads;
    consumer.report.fractionLost = 0.2;
    consumer.score = { ...consumer.score, score: 6 };
    consumer.observer.emit('score', consumer.score);
    ticks.mockClear();
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(consumer.statReads).toBeGreaterThan(reads);
  });

  it('with no estimate for a while, listens briefly and stops once the receiver is heard', async () => {
    const { transport } = await receiver();
    await vi.advanceTimersByTimeAsync(10_000);
    // A couple of reads per quiet spell (1.5 s, then longer), not four a second.
    expect(transport.statReads).toBeGreaterThan(0);
    expect(transport.statReads).toBeLessThanOrEqual(12);
  });

  it('listens ever more rarely to a receiver that never yields an estimate, and soon again after one', async () => {
    // A client without transport-cc feedback: mediasoup has no estimate for it at all.
    const { transport } = await receiver();
    await vi.advanceTimersByTimeAsync(30_000);
    const start = transport.statReads;
    await vi.advanceTimersByTimeAsync(60_000);
    // Quiet spells of 12 s at most by now, a few reads each: not 2 every 1.5 s (about 80).
    expect(transport.statReads - start).toBeGreaterThan(0);
    expect(transport.statReads - start).toBeLessThanOrEqual(20);

    // An estimate arrives, then none: listened to again after the first, short spell.
    transport.bwe(1_000_000);
    const before = transport.statReads;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(transport.statReads).toBeGreaterThan(before);
  });

  it('sets aside the collapsing estimate of a cut link, and restarts video with a key frame when it is back', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 1_000_000, 5);
    expect(adapter.state().estimateKbps).toBe(1000);
    const keyFrames = consumer.keyFrames;

    // Cut: nothing comes from the receiver, and the estimate collapses.
    transport.up = false;
    await vi.advanceTimersByTimeAsync(300);
    for (const bps of [600_000, 300_000, 100_000, 50_000, 30_000]) {
      transport.bwe(bps);
      await vi.advanceTimersByTimeAsync(500);
    }
    await vi.advanceTimersByTimeAsync(3000);
    // Not judged: no ceiling from the collapse, the estimate as before the cut.
    expect(transport.ceilings).toEqual([]);
    expect(adapter.state()).toEqual({ audioOnly: false, estimateKbps: 1000 });
    expect(consumer.keyFrames).toBe(keyFrames);

    // Back: heard within a tick or two, and the picture restarts with a key frame.
    transport.up = true;
    await vi.advanceTimersByTimeAsync(600);
    expect(consumer.keyFrames).toBe(keyFrames + 1);
    // The estimate starts afresh.
    expect(adapter.state().estimateKbps).toBeUndefined();
    transport.bwe(900_000);
    expect(adapter.state().estimateKbps).toBe(900);
  });

  it('notices a cut even when the estimate stops coming, and restarts video when it is back', async () => {
    const { transport, consumer } = await receiver();
    await steady(transport, 1_000_000, 3);
    const keyFrames = consumer.keyFrames;
    transport.up = false;
    await vi.advanceTimersByTimeAsync(5000);
    transport.up = true;
    await vi.advanceTimersByTimeAsync(600);
    expect(consumer.keyFrames).toBe(keyFrames + 1);
    // Heard again: the reads stop while estimates come.
    await steady(transport, 1_000_000, 2);
    const reads = transport.statReads;
    await steady(transport, 1_000_000, 10);
    expect(transport.statReads).toBe(reads);
  });

  it('judges a fall once the receiver is heard: a weak link, not a cut one', async () => {
    const { transport, adapter } = await receiver();
    await steady(transport, 1_000_000, 5);
    transport.bwe(300_000);
    // Held back until the receiver is heard...
    expect(adapter.state().estimateKbps).toBe(1000);
    await vi.advanceTimersByTimeAsync(600);
    // ...then judged: the ceiling near what the link carries.
    expect(adapter.state().estimateKbps).toBe(300);
    expect(transport.ceilings).toEqual([375_000]);
  });

  it('reads loss reports when a stream scores below 10, and heavy loss caps the estimate', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    const reads = consumer.statReads;
    // A receiver report of a few packets lost: read, and nothing to weigh it against yet.
    consumer.report = {
      ...consumer.report,
      packetCount: 500,
      packetsLost: 10,
      fractionLost: 5,
      bitrate: 800_000,
    };
    consumer.rescore(9);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.statReads).toBe(reads + 1);
    expect(adapter.state().estimateKbps).toBe(2000);
    // Read again while the score is down.
    await vi.advanceTimersByTimeAsync(1500);
    expect(consumer.statReads).toBeGreaterThanOrEqual(reads + 3);
    // The next report, of a quarter of the packets sent since lost.
    consumer.report = { ...consumer.report, packetCount: 980, packetsLost: 130, fractionLost: 64 };
    consumer.rescore(7);
    await vi.advanceTimersByTimeAsync(10);
    // What got through: 600 kbit/s.
    expect(adapter.state().estimateKbps).toBe(600);
  });

  it('reads no loss reports while the link is good and no ceiling holds', async () => {
    const { transport, consumer } = await receiver();
    await steady(transport, 1_000_000, 3);
    consumer.rescore(9);
    await vi.advanceTimersByTimeAsync(10);
    consumer.rescore(10);
    await steady(transport, 1_000_000, 3);
    const reads = consumer.statReads;
    await steady(transport, 1_000_000, 10);
    expect(consumer.statReads).toBe(reads);
  });

  it('reads loss at once on a burst of requests for lost packets, not on lone ones, and many such requests are heavy loss', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    expect(consumer.traced).toEqual(['nack']);
    consumer.report = { ...consumer.report, bitrate: 800_000 };
    const reads = consumer.statReads;
    // Requests now and then, a few together at times (light random loss, mended by
    // retransmission): no read.
    for (let i = 0; i < 10; i++) {
      consumer.nack(80, 1);
      if (i % 3 === 0) for (let j = 0; j < 3; j++) consumer.nack(0, 0);
      await vi.advanceTimersByTimeAsync(400);
    }
    expect(consumer.statReads).toBe(reads);
    // A burst: read at once (counts to weigh the next ones against).
    burst(consumer, 80, 2);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.statReads).toBe(reads + 1);
    // More within a few ms: no read each time.
    for (let i = 0; i < 5; i++) consumer.nack(2, 1);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.statReads).toBe(reads + 1);
    // 200 ms on: half of the packets sent meanwhile resent, long before a receiver
    // report or the estimate says so. What got through (400 kbit/s) caps the estimate.
    await vi.advanceTimersByTimeAsync(180);
    consumer.nack(30, 15);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.statReads).toBe(reads + 2);
    expect(adapter.state().estimateKbps).toBe(400);
    expect(transport.ceilings.at(-1)).toBe(500_000);
  });

  it('pauses video a moment on a sharp fall and resumes it on time, with a key frame', async () => {
    const { transport, consumer } = await receiver();
    await steady(transport, 2_000_000, 5);
    consumer.report = { ...consumer.report, bitrate: 1_200_000 };
    burst(consumer, 80, 0);
    // Just past a tick of the adapter's clock.
    await vi.advanceTimersByTimeAsync(260);
    burst(consumer, 40, 30);
    await vi.advanceTimersByTimeAsync(5);
    expect(consumer.paused).toBe(true);
    const keyFrames = consumer.keyFrames;
    // Not at the next tick of the adapter's clock (every 250 ms), but once the drain is over.
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.drainMs + 10);
    expect(consumer.paused).toBe(false);
    expect(consumer.keyFrames).toBe(keyFrames + 1);
  });

  it("changes a simulcast stream's layer while it is paused for a drain: the sender is asked for the key frame once, on resume", async () => {
    const { transport, consumer, adapter, audio } = await receiverWithAudio({
      consumer: new FakeSimulcastConsumer(),
      layerBps: [150_000, 500_000, 1_200_000],
    });
    await steady(transport, 2_500_000, 3);
    consumer.asked = [];
    await queueReport(adapter, audio, 370_000);
    // Paused first: a layer change on a running stream asks the sender for its key frame,
    // which the paused stream would drop, and the sender ignores a second request within
    // 300 ms (the resume's, after a drain of 300 ms).
    expect(consumer.asked).toEqual(['pause', 'layer 0']);
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.drainMs + 10);
    expect(consumer.asked).toEqual(['pause', 'layer 0', 'resume', 'key frame']);
  });

  /** A simulcast stream paused for a drain, just resumed: how many key frames it asked so far. */
  async function resumedAfterDrain() {
    const { transport, consumer, adapter, audio } = await receiverWithAudio({
      consumer: new FakeSimulcastConsumer(),
      layerBps: [150_000, 500_000, 1_200_000],
    });
    await steady(transport, 2_500_000, 3);
    await queueReport(adapter, audio, 370_000);
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.drainMs + 10);
    expect(consumer.paused).toBe(false);
    return { consumer, resumed: consumer.keyFrames };
  }

  it('asks again for the key frame a resumed stream waits for, until it comes', async () => {
    const { consumer, resumed } = await resumedAfterDrain();
    // The sender left the resume's request unanswered (it had answered one of the worker's
    // own within 300 ms): asked again once that is out.
    await vi.advanceTimersByTimeAsync(360);
    expect(consumer.keyFrames).toBe(resumed + 1);
    // It comes: nothing more is asked.
    consumer.keyFrameCame();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(consumer.keyFrames).toBe(resumed + 1);
  });

  it("gives the link to a screen share first, then to the speaker's camera, then to the others", async () => {
    const adapter = new DownlinkAdapter(
      new FakeTransport() as unknown as types.WebRtcTransport,
      () => undefined,
    );
    adapters.push(adapter);
    const video = (peerId: string, source = 'camera') => {
      const consumer = new FakeConsumer();
      consumer.appData.peerId = peerId;
      consumer.appData.source = source;
      adapter.add(consumer as unknown as Parameters<DownlinkAdapter['add']>[0]);
      return consumer;
    };
    const ann = video('ann');
    const bo = video('bo');
    const slides = video('bo', 'screen');
    const priorities = () => [ann.priority, bo.priority, slides.priority];
    expect(priorities()).toEqual([1, 1, 3]);
    adapter.setSpeaker('ann');
    expect(priorities()).toEqual([2, 1, 3]);
    // The speaker changes: the one before goes back among the others.
    adapter.setSpeaker('bo');
    expect(priorities()).toEqual([1, 2, 3]);
    adapter.setSpeaker(null);
    expect(priorities()).toEqual([1, 1, 3]);
  });

  it('asks again for a lost key frame a few times at most', async () => {
    const { consumer, resumed } = await resumedAfterDrain();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(consumer.keyFrames - resumed).toBe(3);
  });

  it('takes a few requests for lost packets for light loss, not for a weak link', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    burst(consumer, 80, 1);
    await vi.advanceTimersByTimeAsync(200);
    // A twentieth of the packets asked for: light loss.
    burst(consumer, 80, 4);
    await vi.advanceTimersByTimeAsync(200);
    // Light loss found: no more reads, and the receiver is not listened to.
    const reads = { consumer: consumer.statReads, transport: transport.statReads };
    await steady(transport, 2_000_000, 3);
    expect(consumer.statReads).toBe(reads.consumer);
    expect(transport.statReads).toBe(reads.transport);
    // And requests long after the last read weigh nothing (that read is only a new start).
    await vi.advanceTimersByTimeAsync(5000);
    burst(consumer, 40, 30);
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.state().estimateKbps).toBe(2000);
    expect(transport.ceilings).toEqual([]);
  });

  it('weighs a short receiver report on the smallest layer over more than a second of packets: a few lost is chance, a cut is heavy', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    consumer.report = { ...consumer.report, bitrate: 100_000 };
    const report = (sent: number, lost: number, fraction: number) =>
      sendAndReport(consumer, sent, lost, fraction);
    // The smallest layer, 20 packets a half second, on a link losing 5 % at random: read every
    // half second while its score is down. The first report read, of 1 lost of the 4 packets
    // since the report before (25 %), has nothing to weigh it against.
    report(20, 1, 0.25);
    consumer.rescore(9);
    await vi.advanceTimersByTimeAsync(10);
    expectNoLossOfItsOwn(transport, adapter);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(500);
      report(20, i % 2, 0.05);
    }
    // A report sent with a NACK covers the few packets since the one before, ending on the
    // gap asked for: 3 of 8 (38 %), while 4 of the 40 packets of the last second were lost.
    report(0, 3, 0.375);
    await vi.advanceTimersByTimeAsync(500);
    expectNoLossOfItsOwn(transport, adapter);
    // The link gives way: 15 of the next 20 lost.
    report(20, 15, 0.75);
    await vi.advanceTimersByTimeAsync(500);
    expect(transport.ceilings).not.toEqual([]);
    expect(adapter.gaveWayLately()).toBe(true);
  });

  it('believes a heavy receiver report before any span of reads can weigh it only when transport-cc finds the link overflowing', async () => {
    // The first report read: 15 of the last 20 packets lost, nothing read before it. With
    // transport-cc finding 7 %, what a link losing 5 % at random shows, it is weighed later;
    // at 43 %, as in a cut to 150 kbit/s, the link overflows and it is believed at once.
    await weighedAgainstTheLink(
      async (consumer) => {
        sendAndReport(consumer, 20, 15, 0.75);
        consumer.rescore(5);
        await vi.advanceTimersByTimeAsync(10);
      },
      { chance: 0.07, heavy: 0.43 },
    );
  });

  it('weighs a thumbnail’s loss against the random loss transport-cc finds on the whole link', async () => {
    // The smallest layer, 20 packets a second. Nothing new in the second read: whichever of the
    // first two the last read weighs from, the count is the same. The last: 8 of the 30 packets
    // since lost, the report reading 25 %, under the rig's 5 % random loss on a loaded machine,
    // where transport-cc found the link losing 8.9 % (a CI run counted 7 of 30 there): chance
    // there. On a link losing 2 %, 8 of 30 is heavy loss of this stream's own.
    await weighedAgainstTheLink(
      (consumer) =>
        halfSecondReads(consumer, [
          [10, 1, 0.05],
          [0, 0, 0.05],
          [10, 2, 0.05],
          [10, 2, 0.05],
          [10, 4, 0.25],
        ]),
      { chance: 0.089, heavy: 0.02 },
    );
  });

  it('asks one in ten thousand of a receiver’s count of lost packets, and logs how it weighed it', async () => {
    const weighed: unknown[] = [];
    const log = {
      debug: (o: Record<string, unknown>, msg: string) => {
        if (msg === 'downlink weighed') weighed.push(...(o.weighed as unknown[]));
      },
    };
    const { transport, consumer, adapter } = await receiver(undefined, log);
    await steady(transport, 2_000_000, 5);
    consumer.report = { ...consumer.report, bitrate: 100_000 };
    transport.lossSent = 0.039;
    // The smallest layer, 60 packets a second, on a link transport-cc finds losing 3.9 %: 13 of 90
    // counted lost over 1.5 s, the report reading 17 %. One read in 1,850 at 5 %, but the
    // count spans several reads and each weighs it again: a CI run's ceiling fell to its
    // minimum on such a count.
    await halfSecondReads(consumer, [
      [30, 1, 0.05],
      [0, 0, 0.05],
      [30, 4, 0.05],
      [30, 4, 0.05],
      [30, 5, 0.17],
    ]);
    expectNoLossOfItsOwn(transport, adapter);
    // The link gives way: 12 of the next 30 lost, 21 of 90 since the read 1.5 s before.
    sendAndReport(consumer, 30, 12, 0.4);
    await vi.advanceTimersByTimeAsync(500);
    expectLossOfItsOwn(transport, adapter);
    expect(weighed).toEqual([
      { count: 'reported', lost: 13, packets: 90, against: 0.05, odds: 0.00054 },
      { count: 'reported', lost: 21, packets: 90, against: 0.05, odds: 2.8e-9 },
    ]);
  });

  it('does not weigh a second of loss against the fewer packets sent after the rate fell, where the report finds little', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    // 720p, 80 packets a half second, losing 5 %; then a smaller layer, 10 packets a half
    // second. The last report brings the loss of 720p packets sent before (12 against the 30
    // sent since the read a second and a half ago), while it finds 5 % of its own span.
    await halfSecondReads(consumer, [
      [80, 4, 0.05],
      [80, 0, 0.05],
      [10, 0, 0.05],
      [10, 0, 0.05],
      [10, 12, 0.05],
    ]);
    expectNoLossOfItsOwn(transport, adapter);
  });

  it('takes a couple of resends among the few packets of the smallest layer for chance, and many for heavy loss', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    consumer.report = { ...consumer.report, bitrate: 100_000 };
    burst(consumer, 15, 0);
    await vi.advanceTimersByTimeAsync(400);
    // 2 of 15 (13 %): what a link losing 5 % at random resends in 17 % of such reads.
    burst(consumer, 15, 2);
    await vi.advanceTimersByTimeAsync(400);
    expectNoLossOfItsOwn(transport, adapter);
    // 6 of 15: not by chance.
    burst(consumer, 15, 6);
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.state().estimateKbps).toBe(60);
    expect(transport.ceilings).not.toEqual([]);
  });

  it('weighs resends among the smallest layer’s few packets against the random loss transport-cc finds on the whole link', async () => {
    // 5 of 15 resent: fewer than one read in a thousand on a link losing 5 % at random, nearly
    // one in a hundred on a link losing 8.9 %.
    await weighedAgainstTheLink(
      async (consumer) => {
        burst(consumer, 15, 0);
        await vi.advanceTimersByTimeAsync(400);
        burst(consumer, 15, 5);
        await vi.advanceTimersByTimeAsync(10);
      },
      { chance: 0.089, heavy: 0.02 },
    );
  });

  it('counts a packet the receiver asks for again and again once, not as heavy loss', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    const reads = consumer.statReads;
    // Now and then one packet lost for good, asked for every 5 ms, ten times over (as werift
    // does), while 30 more go out: a thirtieth lost each time, not a third.
    const lostForGood = async () => {
      consumer.nack(30, 1);
      for (let i = 0; i < 10; i++) {
        await vi.advanceTimersByTimeAsync(5);
        consumer.nack(0, 0, 1);
      }
    };
    for (let i = 0; i < 3; i++) {
      await lostForGood();
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(consumer.statReads).toBeGreaterThanOrEqual(reads + 2);
    expect(adapter.state().estimateKbps).toBe(2000);
    expect(transport.ceilings).toEqual([]);
  });

  it('reads less and less often while the bursts find the link clean, and at once again on a link giving way', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    consumer.report = { ...consumer.report, bitrate: 800_000 };
    const reads = consumer.statReads;
    // Two seconds of packets lost for good, each asked for eleven times: a burst every
    // 200 ms, a read on each at the old pace (10).
    for (let i = 0; i < 10; i++) {
      consumer.nack(30, 1);
      for (let j = 0; j < 10; j++) consumer.nack(0, 0, 1);
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(consumer.statReads - reads).toBeLessThanOrEqual(5);
    expect(transport.ceilings).toEqual([]);
    // Calm, then a link giving way: its second burst is read at once and found heavy.
    await steady(transport, 2_000_000, 3);
    burst(consumer, 80, 0);
    await vi.advanceTimersByTimeAsync(160);
    const before = consumer.statReads;
    burst(consumer, 40, 20);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.statReads).toBe(before + 1);
    expect(adapter.state().estimateKbps).toBe(400);
  });

  it('does not take the gaps of a stream the sender’s link loses for this link’s loss', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    consumer.score = { ...consumer.score, producerScore: 5 };
    await resentHeavily(consumer);
    expect(adapter.state().estimateKbps).toBe(2000);
    expect(transport.ceilings).toEqual([]);
  });

  it('does not take the gaps for this link’s loss when the SFU found them missing from the sender, before its score falls', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    // The sender's link lost 11 %; its producer still scores clean (an average, slow to fall).
    consumer.upstreamLost = 0.11;
    await resentHeavily(consumer);
    expect(adapter.state().estimateKbps).toBe(2000);
    expect(transport.ceilings).toEqual([]);
    // The sender's link is clean again: the same gaps are this link's.
    // (Clean reads of a burst make the next wait longer: `NACK_READ_MAX_MS`.)
    consumer.upstreamLost = 0;
    await vi.advanceTimersByTimeAsync(800);
    burst(consumer, 40, 30);
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.state().estimateKbps).toBeLessThan(2000);
  });

  it('takes only the loss beyond the sender’s link’s for this link’s', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    // The sender's link lost a fifth; the receiver reports 22 %: this link lost 2.5 %.
    consumer.upstreamLost = 0.2;
    consumer.report = { ...consumer.report, bitrate: 800_000 };
    await reportLoss(consumer, 0.22, 7);
    // (Reads meanwhile: the next report is weighed over a second and a half of them.)
    await vi.advanceTimersByTimeAsync(1000);
    expectNoLossOfItsOwn(transport, adapter);
    // It reports 40 % of the next: a quarter of what reached the SFU was lost on this link.
    await reportLoss(consumer, 0.4, 6);
    // What got through this link: 800 kbit/s less its quarter, not less the 40 %.
    expect(adapter.state().estimateKbps).toBeGreaterThan(800 * 0.6);
    expect(adapter.state().estimateKbps).toBeLessThan(800 * 0.8);
    expect(adapter.gaveWayLately()).toBe(true);
  });

  it('does not take reported loss for this link’s when transport-cc finds next to nothing of what was sent lost', async () => {
    const { transport, consumer, adapter } = await receiver();
    transport.sentBps = 300_000;
    await steady(transport, 2_000_000, 5);
    // 28 % of a stream reported lost, its sender's link scoring clean; transport-cc's
    // feedback finds 0.4 % of what the SFU sent lost: the gaps came from the sender's side.
    transport.lossSent = 0.004;
    consumer.report = { ...consumer.report, bitrate: 300_000 };
    await reportLoss(consumer, 0.28, 7);
    expectNoLossOfItsOwn(transport, adapter);
    // Transport-cc finds 15 % lost: the same reports are this link's.
    transport.lossSent = 0.15;
    await reportLoss(consumer, 0.28, 6);
    expect(adapter.state().estimateKbps).toBeLessThan(300);
    expect(adapter.gaveWayLately()).toBe(true);
  });

  it('takes the gaps for this link’s while the stream switches layers, its sender’s layers scoring clean', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    // No layer taken for the moment: that one scores 0, the sender's layers all 10.
    consumer.score = { score: 10, producerScore: 0, producerScores: [10, 10, 10] };
    await resentHeavily(consumer);
    expect(adapter.state().estimateKbps).toBeLessThan(2000);
  });

  it('still takes the gaps of a clean stream for this link’s loss when another sender’s link loses', async () => {
    const { transport, consumer: lossy, adapter } = await receiver();
    // Read first: the stream whose sender loses packets.
    lossy.score = { ...lossy.score, producerScore: 5 };
    const clean = await flowing(adapter);
    await steady(transport, 2_000_000, 5);
    clean.report = { ...clean.report, bitrate: 800_000 };
    burst(clean, 80, 0);
    await vi.advanceTimersByTimeAsync(200);
    burst(clean, 40, 20);
    await vi.advanceTimersByTimeAsync(10);
    // Half of the clean stream's 800 kbit/s resent; the other 500 got through.
    expect(adapter.state().estimateKbps).toBe(900);
  });

  it('traces the NACKs of one stream: flowing, from a clean sender, the largest layer; another once it pauses', async () => {
    const { transport, consumer: first, adapter } = await receiver();
    const second = await flowing(adapter);
    await steady(transport, 2_000_000, 2);
    // Both flowing at the same layer: the first stays watched, the second is not traced.
    expect(first.traced).toEqual(['nack']);
    expect(second.traced).toEqual([]);
    // The first's sender starts losing: its NACKs speak for that link, not this one.
    first.score = { ...first.score, producerScore: 5 };
    first.observer.emit('score', first.score);
    expect(first.traced).toEqual([]);
    expect(second.traced).toEqual(['nack']);
    // The second is paused by the client: the first, though its sender loses, is all there is.
    await adapter.setClientPaused(second.id, true);
    expect(second.traced).toEqual([]);
    expect(first.traced).toEqual(['nack']);
  });

  it('reads only the streams the receiver asked for on a burst, the others at their last bitrate', async () => {
    const { transport, consumer: asked, adapter } = await receiver();
    const other = await flowing(adapter);
    await steady(transport, 2_000_000, 5);
    asked.report = { ...asked.report, bitrate: 800_000 };
    burst(asked, 80, 0);
    await vi.advanceTimersByTimeAsync(200);
    // Both read once: the other had never been.
    const reads = { asked: asked.statReads, other: other.statReads };
    expect(reads.other).toBeGreaterThanOrEqual(1);
    burst(asked, 40, 20);
    await vi.advanceTimersByTimeAsync(10);
    expect(asked.statReads).toBe(reads.asked + 1);
    expect(other.statReads).toBe(reads.other);
    // Half of the 800 kbit/s resent, the other's 500 kbit/s got through: 900 kbit/s.
    expect(adapter.state().estimateKbps).toBe(900);
  });

  it('holds video back at once when the receiver finds its link queueing, unless its sender’s link loses packets', async () => {
    const { transport, consumer, adapter, microphone, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    // The sender's link loses packets: the lateness may be its, not this link's.
    microphone.score = { ...microphone.score, producerScore: 7 };
    void adapter.queueing(audio, { excessMs: 180, provisional: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.paused).toBe(false);
    // Its streams still score clean, but the SFU's last report on its video found loss.
    microphone.score = { ...microphone.score, producerScore: 10 };
    consumer.upstreamLost = 0.05;
    void adapter.queueing(audio, { excessMs: 180, provisional: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.paused).toBe(false);
    // Its own link gave way lately (its downlink did): a link that gives way one way mostly
    // does both, and its audio comes late from its side.
    consumer.upstreamLost = 0;
    void adapter.queueing(audio, { excessMs: 180, provisional: false }, true);
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.paused).toBe(false);
    expect(adapter.gaveWayLately()).toBe(false);
    // A clean sender: video pauses at once, while the queue drains, then resumes with a key
    // frame.
    void adapter.queueing(audio, { excessMs: 180, provisional: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(consumer.paused).toBe(true);
    const keyFrames = consumer.keyFrames;
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.drainMs + 50);
    expect(consumer.paused).toBe(false);
    expect(consumer.keyFrames).toBeGreaterThan(keyFrames);
    expect(microphone.paused).toBe(false);
    // A queue report is no proof this link gave way (it may have been the sender's queue).
    expect(adapter.gaveWayLately()).toBe(false);
  });

  it('goes audio-only at the first queue report when what arrived since its onset is far less than was sent, and no less than video needs', async () => {
    const { transport, consumer, adapter, microphone, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    // The SFU sent 2.5 Mbit/s since the onset and 370 kbit/s arrived: the link carries video
    // (the smallest layer, for now).
    await queueReport(adapter, audio, 370_000);
    expect(consumer.paused).toBe(true);
    expect(adapter.audioOnly).toBe(false);
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.sharpWindowMs);
    expect(consumer.paused).toBe(false);
    // Another cut, to 150 kbit/s: less than video needs beside the audio.
    await steady(transport, 2_500_000, 3);
    await queueReport(adapter, audio, 140_000);
    expect(adapter.audioOnly).toBe(true);
    expect(consumer.paused).toBe(true);
    expect(microphone.paused).toBe(false);
  });

  it('takes what arrived for what the link carries when transport-cc finds the link losing heavily, though the SFU sent little more', async () => {
    const { transport, adapter, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    // The smallest layer and the audio (190 kbit/s) into 150 kbit/s: a quarter lost.
    transport.sentBps = 190_000;
    transport.lossSent = 0.25;
    await queueReport(adapter, audio, 143_000);
    expect(adapter.audioOnly).toBe(true);
  });

  it('takes what arrived for what the link carries when the two reports come together, if transport-cc finds the link losing', async () => {
    const { transport, adapter, audio } = await receiverWithAudio();
    // The SFU already sends little (a loss read cut it): 150 kbit/s over the last second.
    transport.sentBps = 150_000;
    await steady(transport, 2_500_000, 3);
    // Both crossed a congested uplink: no span to count what was sent over, and 110 of some
    // 150 kbit/s arrived lately. Transport-cc finds a little loss: the link is not known to be
    // busy.
    transport.lossSent = 0.02;
    await queueReport(adapter, audio, 110_000, 5);
    expect(adapter.audioOnly).toBe(false);
    // The next cut: it overflows.
    await steady(transport, 2_500_000, 3);
    transport.lossSent = 0.075;
    await queueReport(adapter, audio, 110_000, 5);
    expect(adapter.audioOnly).toBe(true);
  });

  it('takes what arrived for what the link carries when the two reports come together and far more was sent over the last second, though provisional', async () => {
    const { transport, adapter, audio } = await receiverWithAudio();
    // 720p at 600 kbit/s into 150 kbit/s both ways: onset and provisional report crossed the
    // full uplink together, and are handled one right after the other (as the peer does, with
    // the onset's read of what was sent still under way); 141 kbit/s arrived, transport-cc has
    // found nothing lost yet.
    transport.sentBps = 600_000;
    await steady(transport, 2_500_000, 3);
    transport.lossSent = 0;
    void adapter.queueOnset();
    void adapter.queueing(audio, { excessMs: 460, provisional: true, receivedBps: 141_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.audioOnly).toBe(true);
  });

  it('takes what arrived for what the link carries only when the SFU sent far more since the onset', async () => {
    const { transport, consumer, adapter, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    // The sender's uplink queues: the SFU sends only what reaches it, and about that arrives.
    // Not this link's queue: not even a pause.
    transport.sentBps = 150_000;
    await queueReport(adapter, audio, 140_000);
    expect(consumer.paused).toBe(false);
    expect(adapter.audioOnly).toBe(false);
    // Two thirds of it arrive: a pause, and no more.
    await queueReport(adapter, audio, 100_000);
    expect(consumer.paused).toBe(true);
    expect(adapter.audioOnly).toBe(false);
    await vi.advanceTimersByTimeAsync(DEFAULT_DOWNLINK_POLICY.sharpWindowMs);
    // No onset counted, or one from long before: nothing to weigh it against. (Two reports
    // that came together are weighed against what was sent over the last second: above.)
    transport.sentBps = 2_500_000;
    await steady(transport, 2_500_000, 3);
    void adapter.queueing(audio, { excessMs: 180, provisional: false, receivedBps: 140_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.audioOnly).toBe(false);
    await adapter.queueOnset();
    await steady(transport, 2_500_000, 4);
    void adapter.queueing(audio, { excessMs: 180, provisional: false, receivedBps: 140_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.audioOnly).toBe(false);
  });

  it('takes what arrived for what the link carries on a confirmed report when the SFU kept sending as before, though more than half arrived', async () => {
    const { transport, consumer, adapter, audio } = await receiverWithAudio();
    // A loaded machine's 720p at 700 kbit/s, into a link cut to 400 kbit/s.
    transport.sentBps = 700_000;
    await steady(transport, 2_500_000, 3);
    // Provisional: too early to tell from a good link's moment of queueing.
    await queueReport(adapter, audio, 400_000, 150, true);
    expect(consumer.paused).toBe(false);
    // Confirmed, the SFU still sending 700 kbit/s: the link carries 400 kbit/s.
    await queueReport(adapter, audio, 400_000);
    expect(consumer.paused).toBe(true);
    expect(transport.ceilings.at(-1)).toBeLessThanOrEqual(400_000 * 1.25);
    expect(adapter.audioOnly).toBe(false);
  });

  it('leaves the ceiling to the estimate on a confirmed report of more than half arriving when the SFU sent less than before', async () => {
    const { transport, consumer, adapter, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    const ceilings = transport.ceilings.length;
    // The sender's link gave way: the SFU sends 700 kbit/s of the 2.5 Mbit/s of before.
    transport.sentBps = 700_000;
    await queueReport(adapter, audio, 400_000);
    // A sharp fall (the pause), with no ceiling from the count.
    expect(consumer.paused).toBe(true);
    expect(transport.ceilings.slice(ceilings).every((c) => c === 0 || c > 1_000_000)).toBe(true);
  });

  it('acts on a provisional queue report only when what arrived is far less than was sent, counting on to the confirmed one', async () => {
    const { transport, consumer, adapter, audio } = await receiverWithAudio();
    await steady(transport, 2_500_000, 3);
    // A moment of queueing on a good link: what the SFU sent since the onset arrived.
    await queueReport(adapter, audio, 2_400_000, 150, true);
    expect(consumer.paused).toBe(false);
    // The same on a lossy link: transport-cc finds 7.5 % lost, but most of what was sent arrived
    // (no queue overflowing behind the loss). Left to the confirmed report.
    transport.lossSent = 0.075;
    await queueReport(adapter, audio, 2_000_000, 150, true);
    expect(consumer.paused).toBe(false);
    transport.lossSent = 0;
    // The link gave way: 400 kbit/s of 2.5 Mbit/s arrived. Held back at once.
    await steady(transport, 2_500_000, 3);
    await queueReport(adapter, audio, 400_000, 150, true);
    expect(consumer.paused).toBe(true);
    expect(adapter.audioOnly).toBe(false);
    // The confirmed report of the same queue counts from the same onset (no onset left, it
    // would weigh nothing): 140 kbit/s arrived, too little for video.
    await vi.advanceTimersByTimeAsync(150);
    void adapter.queueing(audio, { excessMs: 250, provisional: false, receivedBps: 140_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.audioOnly).toBe(true);
  });

  it('logs a queue report set aside as a report, not as the cause of the decision after it', async () => {
    const lines: { msg: string; by: unknown; ceiling: unknown }[] = [];
    const log = {
      debug: (o: Record<string, unknown>, msg: string) =>
        lines.push({ msg, by: o.by, ceiling: o.ceiling }),
    };
    const transport = new FakeTransport();
    const adapter = new DownlinkAdapter(
      transport as unknown as types.WebRtcTransport,
      () => undefined,
      {},
      log,
    );
    adapters.push(adapter);
    await flowing(adapter);
    const microphone = new FakeConsumer('audio');
    const audio = microphone as unknown as Parameters<DownlinkAdapter['add']>[0];
    adapter.add(audio);
    await adapter.setClientPaused(microphone.id, false);
    // A ceiling after a fall, which the SFU raises again on its own once it has held.
    await steady(transport, 2_500_000, 3);
    transport.bwe(1_000_000);
    // A moment of queueing on the good link, set aside (everything sent arrived), reported
    // just before the tick that raises the ceiling (2.5 s after the fall).
    await vi.advanceTimersByTimeAsync(2_350);
    await queueReport(adapter, audio, 2_400_000, 150, true);
    const from = lines.length;
    await vi.advanceTimersByTimeAsync(6_000);
    const after = lines.slice(from).filter((l) => l.msg === 'downlink decision');
    expect(lines.slice(from - 1, from)).toMatchObject([{ msg: 'downlink queue report' }]);
    expect(after.length, JSON.stringify(lines)).toBeGreaterThan(0);
    expect(
      after.filter((l) => l.by === 'queueing'),
      JSON.stringify(lines),
    ).toEqual([]);
  });

  it('has given way lately after heavy loss of its own, not after its senders’ loss', async () => {
    const { transport, consumer, adapter } = await receiver();
    await steady(transport, 2_000_000, 5);
    expect(adapter.gaveWayLately()).toBe(false);
    // A quarter lost, on the sender's link.
    consumer.upstreamLost = 0.25;
    await reportLoss(consumer, 0.25, 7);
    await vi.advanceTimersByTimeAsync(1000);
    expectNoLossOfItsOwn(transport, adapter);
    // A quarter lost on this link: for a while, the others' reports of its audio arriving
    // late are not judged.
    consumer.upstreamLost = 0;
    await reportLoss(consumer, 0.25, 6);
    expect(adapter.gaveWayLately()).toBe(true);
    consumer.rescore(10);
    await steady(transport, 2_000_000, 8);
    expect(adapter.gaveWayLately()).toBe(false);
  });

  it('stops its timer when closed, or when its transport closes', async () => {
    const first = await receiver();
    const second = await receiver();
    first.adapter.close();
    expect(vi.getTimerCount()).toBe(1);
    second.transport.observer.emit('close');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a queue report weighed against what the SFU sent', () => {
  const sent = (bps: number | undefined, bpsBefore: number, linkLoss = 0, bunchedBps?: number) => ({
    bps,
    bpsBefore,
    linkLoss,
    ...(bunchedBps !== undefined ? { bunchedBps } : {}),
  });
  const report = (receivedBps: number | undefined, provisional = false) => ({
    excessMs: 250,
    provisional,
    ...(receivedBps !== undefined ? { receivedBps } : {}),
  });

  it.each([
    // The patient's cut link, 1.2 Mbit/s sent into 400 kbit/s: its count is what it carries,
    // provisional or confirmed.
    ['overflowing, provisional', report(370_000, true), sent(1_200_000, 1_150_000), true, 370_000],
    ['overflowing, confirmed', report(370_000), sent(1_200_000, 1_150_000), true, 370_000],
    // A loaded machine's 720p at 600 kbit/s into 400 kbit/s: left to the confirmed report,
    // which counts, the SFU sending as before.
    ['filled, provisional', report(400_000, true), sent(600_000, 620_000), false, undefined],
    ['filled, confirmed', report(400_000), sent(600_000, 620_000), true, 400_000],
    // The same with the SFU's own estimate beginning to fall meanwhile (0.799 of before, in
    // an e2e run): still this link's doing.
    ['filled, confirmed, sending less', report(356_000), sent(598_000, 749_000), true, 356_000],
    // The sender's link queues: the SFU's sending fell with it. A pause, no count.
    ['sender’s queue', report(240_000), sent(340_000, 900_000), true, undefined],
    // Delivering what was sent: not this link's queue.
    ['delivers all', report(330_000), sent(340_000, 900_000), false, undefined],
    // Transport-cc finds the link losing: busy, though most of it arrived (confirmed only).
    ['lossy, confirmed', report(330_000), sent(340_000, 900_000, 0.2), true, 330_000],
    ['lossy, provisional', report(330_000, true), sent(340_000, 900_000, 0.1), false, undefined],
    // Losing more than a lossy link does: it overflows, whatever the count (150 kbit/s both
    // ways, the SFU's sending already cut by a loss read).
    [
      'overflowing link, provisional',
      report(155_000, true),
      sent(199_000, 593_000, 0.43),
      true,
      155_000,
    ],
    // No count (the two reports came together): judged as a sharp fall, nothing carried.
    ['no count', report(undefined), sent(undefined, 900_000), true, undefined],
    // Together, with what the SFU sent over the last second: an overflow when under half of
    // it arrived, provisional or not; otherwise nothing finer is read from it.
    [
      'together, far less arrived than was sent lately, provisional',
      report(141_000, true),
      sent(undefined, 600_000, 0, 598_000),
      true,
      141_000,
    ],
    [
      'together, most of what was sent lately arrived, provisional',
      report(140_000, true),
      sent(undefined, 150_000, 0, 160_000),
      false,
      undefined,
    ],
    [
      'together, most of what was sent lately arrived, confirmed',
      report(140_000),
      sent(undefined, 150_000, 0, 160_000),
      true,
      undefined,
    ],
  ] as const)('%s', (_, r, s, judged, carried) => {
    expect(weighQueueReport(r, s)).toEqual({ judged, carried });
  });
});
