/**
 * Connection quality from WebRTC stats: packet loss, round trip and jitter reduced to a
 * word a patient understands (good / ok / poor). Pure, so the thresholds are unit-tested.
 */
export type Quality = 'good' | 'ok' | 'poor';

/** Cumulative counters of one inbound stream at one instant (from `getStats`). */
export interface InboundSample {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, as RTCInboundRtpStreamStats reports it. */
  jitter: number;
}

export interface LinkFigures {
  /** Fraction 0..1 of packets lost between two samples. */
  loss: number;
  /** Milliseconds; undefined when the stats gave no round trip. */
  rttMs: number | undefined;
  jitterMs: number;
}

/** Loss between two cumulative samples (0 when nothing was expected). */
export function lossBetween(before: InboundSample | undefined, now: InboundSample): number {
  const received = now.packetsReceived - (before?.packetsReceived ?? 0);
  const lost = Math.max(0, now.packetsLost - (before?.packetsLost ?? 0));
  const expected = received + lost;
  return expected > 0 ? lost / expected : 0;
}

/**
 * Thresholds follow common VoIP guidance: below 2 % loss, 250 ms RTT and 30 ms jitter a call
 * feels normal; above 8 % loss, 500 ms RTT or 60 ms jitter speech breaks up.
 */
export function rateLink({ loss, rttMs, jitterMs }: LinkFigures): Quality {
  const rtt = rttMs ?? 0;
  if (loss > 0.08 || rtt > 500 || jitterMs > 60) return 'poor';
  if (loss > 0.02 || rtt > 250 || jitterMs > 30) return 'ok';
  return 'good';
}

/** The worse of two ratings. */
export function worst(a: Quality, b: Quality): Quality {
  const order: Quality[] = ['good', 'ok', 'poor'];
  return order[Math.max(order.indexOf(a), order.indexOf(b))]!;
}
