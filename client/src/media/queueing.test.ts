import { describe, expect, it } from 'vitest';
import { QUEUE_ONSET_MEMORY_MS } from '@samkons/shared';
import {
  QueueingDetector,
  receivedBpsOver,
  type Queueing,
  type QueueingEvent,
} from './queueing.js';

/**
 * Reads every 50 ms of a stream whose packets arrived at `arrivals` (ms, the n-th packet's
 * arrival at index n): the queues the detector confirmed, and when.
 */
function run(arrivals: number[], until: number, detector = new QueueingDetector()) {
  return events(arrivals, until, detector).flatMap(({ at, e }) =>
    e.type === 'queue' && !e.provisional ? [{ at, q: e as Queueing }] : [],
  );
}

/** An event's kind: `onset`, `provisional` or `queue` (confirmed). */
const kind = (e: QueueingEvent) => (e.type === 'queue' && e.provisional ? 'provisional' : e.type);

/** The same reads: every event, onsets too. */
function events(arrivals: number[], until: number, detector = new QueueingDetector()) {
  const found: { at: number; e: QueueingEvent }[] = [];
  let n = 0;
  for (let t = 0; t <= until; t += 50) {
    while (n < arrivals.length && arrivals[n]! <= t) n++;
    if (n === 0) continue;
    const e = detector.sample({ lastPacketAt: arrivals[n - 1]!, packets: n, lost: 0 });
    if (e) found.push({ at: t, e });
  }
  return found;
}

/**
 * Reads every 50 ms of a stream whose n-th packet arrived at `arrivals[n]` (undefined: lost),
 * counted as the browser does: the packets up to the highest one arrived, of them the lost.
 * With `linkKbit`, the whole link's count is read beside the audio's: what the link delivers
 * at `t` (kbit/s).
 */
function lossyRun(
  arrivals: (number | undefined)[],
  until: number,
  linkKbit?: (t: number) => number,
): { at: number; e: QueueingEvent }[] {
  const detector = new QueueingDetector();
  const found: { at: number; e: QueueingEvent }[] = [];
  let bytes = 0;
  for (let t = 0; t <= until; t += 50) {
    if (linkKbit) bytes += (linkKbit(t) * 50) / 8;
    const arrived = arrivals.flatMap((a, seq) => (a !== undefined && a <= t ? [{ a, seq }] : []));
    if (arrived.length === 0) continue;
    const packets = Math.max(...arrived.map((x) => x.seq)) + 1;
    const e = detector.sample({
      lastPacketAt: Math.max(...arrived.map((x) => x.a)),
      packets,
      lost: packets - arrived.length,
      ...(linkKbit ? { link: { at: t, bytes } } : {}),
    });
    if (e) found.push({ at: t, e });
  }
  return found;
}

/**
 * Audio late by a step of 463 ms from 5 s on (the rig's 150 kbit/s queue, full), 1 packet in 18
 * lost: until 8 s.
 */
function stepBehindFullQueue(): (number | undefined)[] {
  return steady(0, 8_000).map((t, seq) => (t < 5_000 ? t : seq % 18 === 5 ? undefined : t + 463));
}

/** A packet every 20 ms from `from` to `to`, each up to `jitterMs` late (deterministic). */
function steady(from: number, to: number, jitterMs = 0, startAt = 0): number[] {
  const out: number[] = [];
  for (let t = from, i = 0; t < to; t += 20, i++)
    out.push(startAt + t + ((i * 7919) % (jitterMs + 1)));
  return out;
}

/**
 * From `at` on, a queue: packets sent every 20 ms leave a link that carries `1 / (1 + growth)`
 * of what is sent, so each waits longer than the one before.
 */
function queueing(from: number, to: number, growth: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += 20) out.push(from + (t - from) * (1 + growth));
  return out;
}

describe('QueueingDetector', () => {
  it('stays silent on a steady link with jitter of up to 40 ms', () => {
    expect(run(steady(0, 20_000, 40), 20_000)).toEqual([]);
  });

  it('finds a queue within a few reads, once, with how late the audio is', () => {
    // 700 kbit/s sent into 400 kbit/s: lateness grows by 0.75 ms per ms.
    const found = run([...steady(0, 5_000), ...queueing(5_000, 5_800, 0.75)], 6_000);
    expect(found).toHaveLength(1);
    const [{ at, q }] = found as [{ at: number; q: Queueing }];
    // 100 ms late some 230 ms after the queue began (0.75 / 1.75 of the time passed), and
    // still late 300 ms on.
    expect(at - 5_000).toBeGreaterThanOrEqual(500);
    expect(at - 5_000).toBeLessThanOrEqual(700);
    // As late as the queue made it by then: 0.75 / 1.75 of the time since it began.
    expect(q.excessMs).toBeGreaterThanOrEqual(100);
    expect(q.excessMs).toBeLessThanOrEqual(Math.ceil(((at - 5_000) * 0.75) / 1.75));
  });

  it('tells the onset of the lateness, then the queue provisionally, then confirmed, once each', () => {
    const found = events([...steady(0, 5_000), ...queueing(5_000, 5_800, 0.75)], 6_000);
    expect(found.map(({ e }) => kind(e))).toEqual(['onset', 'provisional', 'queue']);
    const [onset, provisional, queue] = found.map((f) => f.at) as [number, number, number];
    // Over 100 ms late some 230 ms after the queue began; provisional 150 ms of arrivals on,
    // confirmed 300 ms on.
    expect(onset - 5_000).toBeGreaterThanOrEqual(200);
    expect(provisional - onset).toBeGreaterThanOrEqual(150);
    expect(provisional - onset).toBeLessThan(300);
    expect(queue - onset).toBeGreaterThanOrEqual(300);
    const late = found.map(({ e }) => (e.type === 'queue' ? e.excessMs : 0));
    expect(late[2]!).toBeGreaterThan(late[1]!);
  });

  it('tells nothing provisionally of lateness that does not rise (a sender that paused)', () => {
    // Late by a step of 150 ms from 5 s on, and no later: no loss, no rise.
    const arrivals = steady(0, 7_000).map((t) => (t < 5_000 ? t : t + 150));
    expect(events(arrivals, 7_000).map(({ e }) => kind(e))).toEqual(['onset']);
  });

  it('counts a queue on top of a plateau of lateness from its own onset', () => {
    // Late by a step of 150 ms from 5 s (a busy machine), then from 7.5 s a queue on top.
    const arrivals = steady(0, 9_000).map((t) =>
      t < 5_000 ? t : t < 7_500 ? t + 150 : t + 150 + (t - 7_500) * 0.75,
    );
    const found = events(arrivals, 9_000);
    // The plateau's onset, then the rise's own: held and counted from its start (not from 5 s,
    // and not found at once for having been late since then).
    expect(found.map(({ e }) => kind(e))).toEqual(['onset', 'onset', 'provisional', 'queue']);
    const [, rise, provisional, queue] = found.map(({ at }) => at) as number[];
    // The first packet sent into the queue arrives 150 ms late already (the plateau).
    expect(rise! - 7_500).toBeGreaterThanOrEqual(150);
    expect(rise! - 7_500).toBeLessThan(300);
    expect(provisional! - rise!).toBeGreaterThanOrEqual(150);
    expect(queue! - rise!).toBeGreaterThanOrEqual(300);
  });

  it('tells no onset while a queue it reported has not drained', () => {
    // A queue that grows to 300 ms, drains to 100 ms and then hovers at 80-120 ms: over the
    // threshold again and again, never under half of it.
    const late = (t: number): number => {
      if (t < 5_000) return 0;
      if (t < 5_400) return 0.75 * (t - 5_000);
      if (t < 5_800) return 300 - 0.5 * (t - 5_400);
      return 100 + 20 * (1 - Math.abs(((t - 5_800) % 400) / 100 - 2));
    };
    const arrivals = steady(0, 8_000).map((t) => t + late(t));
    expect(events(arrivals, 8_300).map(({ e }) => kind(e))).toEqual([
      'onset',
      'provisional',
      'queue',
    ]);
  });

  it('finds a queue that grows on top of one it reported and that has not drained', () => {
    // Late by 200 ms from 5 s, in a rise of 300 ms (reported), then held there (a busy
    // machine); from 7.5 s a cut queues on top of it.
    const late = (t: number): number => {
      if (t < 5_000) return 0;
      if (t < 5_300) return (200 * (t - 5_000)) / 300;
      if (t < 7_500) return 200;
      return 200 + (t - 7_500) * 0.75;
    };
    const arrivals = steady(0, 9_000).map((t) => t + late(t));
    const found = events(arrivals, 9_000);
    expect(found.map(({ e }) => kind(e))).toEqual([
      'onset',
      'provisional',
      'queue',
      'onset',
      'provisional',
      'queue',
    ]);
    // The cut's queue, from its own onset: once it is a threshold later than the reported one.
    const [, , , onset] = found.map(({ at }) => at) as number[];
    expect(onset! - 7_500).toBeGreaterThanOrEqual(100);
    expect(onset! - 7_500).toBeLessThan(600);
  });

  it('finds the next queue once the one before has drained', () => {
    // Sent every 20 ms throughout; queued from 5 s and from 9 s for 400 ms each, the
    // backlog through by 5.8 s and 9.8 s.
    const arrivals = steady(0, 11_000).map((t) => {
      for (const start of [5_000, 9_000]) {
        if (t >= start && t < start + 400) return t + (t - start);
        if (t >= start + 400 && t < start + 800) return start + 800;
      }
      return t;
    });
    const found = run(arrivals, 11_000);
    expect(found.map((f) => Math.floor(f.at / 1000))).toEqual([5, 9]);
  });

  it('finds a queue that overflows at once: late by a step, and losing', () => {
    // 150 kbit/s under 1 Mbit/s: from 5 s the audio waits behind a full queue (250 ms, filled
    // within a packet or two), and 9 packets in 10 find no room after the first few: late by
    // a step, no later and later, and no packet for 270 ms at first.
    const arrivals = steady(0, 7_000).map((t, seq) => {
      if (t < 5_000) return t;
      return t < 5_060 || seq % 10 === 0 ? t + 250 : undefined;
    });
    const found = lossyRun(arrivals, 7_000).filter(({ e }) => e.type === 'queue');
    expect(found.map(({ e }) => kind(e))).toEqual(['provisional', 'queue']);
    expect(found[0]!.at - 5_000).toBeLessThanOrEqual(700);
    expect(found[1]!.at - 5_000).toBeLessThanOrEqual(1_000);
  });

  it('finds a queue that fills at once under far more than the link carries: a stall of the whole link, then late by a step, losing little', () => {
    // 720 kbit/s sent into 150 kbit/s from 5 s: the queue (463 ms on the rig) fills within
    // a video frame, no audio comes for its length, and then the audio comes late by it and
    // no later; 1 packet in 18 finds no room. The link delivers 150 kbit/s from the cut on.
    const found = lossyRun(stepBehindFullQueue(), 8_000, (t) => (t < 5_000 ? 720 : 150)).filter(
      ({ e }) => e.type === 'queue',
    );
    expect(found.map(({ e }) => kind(e))).toEqual(['provisional', 'queue']);
    // The first audio behind the queue arrives ~480 ms after the cut; provisional 150 ms of
    // arrivals on, confirmed 300 ms on.
    expect(found[0]!.at - 5_000).toBeLessThanOrEqual(700);
    expect(found[1]!.at - 5_000).toBeLessThanOrEqual(850);
  });

  it('does not take the same step for a queue while the link delivers as before (a sender’s pause, DTX)', () => {
    // As above, but the video keeps coming at 720 kbit/s through the audio's gap.
    expect(
      lossyRun(stepBehindFullQueue(), 8_000, () => 720).filter(({ e }) => e.type === 'queue'),
    ).toEqual([]);
  });

  it('does not take a stall of the whole link that then catches up (a busy SFU or sender) for a queue', () => {
    // Nothing at all for 300 ms, then the backlog in one burst, less and less late.
    const late = steady(5_000, 5_300).map((t) => 5_300 + (t - 5_000) / 20);
    const arrivals = [...steady(0, 5_000), ...late, ...steady(5_300, 8_000)];
    const stalled = (t: number) => (t >= 5_000 && t < 5_300 ? 0 : 720);
    expect(lossyRun(arrivals, 8_000, stalled).filter(({ e }) => e.type === 'queue')).toEqual([]);
  });

  it('does not take a step of lateness that loses little for a queue', () => {
    // The sender's link blinked for 200 ms (one packet in 10 lost after it): late by the
    // blink, no later.
    const arrivals = steady(0, 8_000).map((t, seq) =>
      t < 5_000 ? t : seq % 10 === 3 ? undefined : t + 200,
    );
    expect(lossyRun(arrivals, 8_000).filter(({ e }) => e.type === 'queue')).toEqual([]);
  });

  it('does not take audio that paused at its sender, then goes on, for a queue', () => {
    // 600 ms without packets (sender muted, or its link blinked), then the pace again:
    // late by the pause, but no later and later.
    const arrivals = [...steady(0, 5_000), ...steady(5_000, 8_000, 0, 600)];
    expect(run(arrivals, 8_000)).toEqual([]);
  });

  it('does not take a moment of queueing on a good link (a key frame ahead of the audio) for a queue', () => {
    // A burst ahead: the audio sent in the next 150 ms comes later and later, up to 150 ms,
    // then the queue drains at twice the pace.
    const arrivals = steady(0, 8_000).map((t) => {
      if (t >= 5_000 && t < 5_150) return t + (t - 5_000);
      if (t >= 5_150 && t < 5_450) return Math.max(t, 5_300 + (t - 5_150) / 2);
      return t;
    });
    expect(run(arrivals, 8_000)).toEqual([]);
  });

  it('does not take a burst of late packets (a busy SFU or sender) for a queue', () => {
    // 200 ms late, then the backlog in one burst, less and less late.
    const late = steady(5_000, 5_200).map((t) => 5_200 + (t - 5_000) / 20);
    const arrivals = [...steady(0, 5_000), ...late, ...steady(5_200, 8_000)];
    expect(run(arrivals, 8_000)).toEqual([]);
  });

  it('stays silent on a stream that does not keep the 20 ms pace (DTX)', () => {
    // Speech and silence: a packet every 20 ms, then one every 400 ms, then 20 ms again.
    const arrivals = [
      ...steady(0, 3_000),
      ...[3_000, 3_400, 3_800, 4_200, 4_600],
      ...steady(4_620, 8_000),
    ];
    expect(run(arrivals, 8_000)).toEqual([]);
  });

  it('does not take speech after a short silence (DTX) for a queue, though it arrives with jitter', () => {
    // Half a second of DTX (a packet each 400 ms advances the sequence by one), then speech
    // with up to 40 ms of jitter: late against the sequence by the silence, and no later.
    const arrivals = [...steady(0, 4_000, 10), 4_400, ...steady(4_420, 12_000, 40)];
    expect(run(arrivals, 12_000)).toEqual([]);
  });

  it('needs a second of the stream first', () => {
    expect(run(queueing(0, 1_500, 1), 1_500)).toEqual([]);
  });
});

describe('receivedBpsOver', () => {
  const at = (ms: number, bytes: number) => ({ at: ms, bytes });

  it('counts what the link delivered over the queue’s span', () => {
    // 50 000 bytes in 1 s: 400 kbit/s.
    expect(receivedBpsOver(at(1_000, 10_000), at(2_000, 60_000))).toBe(400_000);
  });

  it('counts nothing without a span: no onset, no read, an onset too old, or time standing still', () => {
    expect(receivedBpsOver(undefined, at(2_000, 60_000))).toBeUndefined();
    expect(receivedBpsOver(at(1_000, 10_000), undefined)).toBeUndefined();
    expect(
      receivedBpsOver(at(1_000, 10_000), at(1_000 + QUEUE_ONSET_MEMORY_MS + 1, 60_000)),
    ).toBeUndefined();
    expect(receivedBpsOver(at(1_000, 10_000), at(1_000, 60_000))).toBeUndefined();
  });

  it('takes a count that did not move for a stale read, not for a link that carried nothing', () => {
    // The late audio that made the report arrived over this link: a starved page read the
    // pair's counter twice the same (in CI: "received: 0" 150 ms after the onset, on a link
    // carrying 3 Mbit/s, and the SFU went audio only).
    expect(receivedBpsOver(at(1_000, 10_000), at(1_150, 10_000))).toBeUndefined();
  });
});
