import { describe, expect, it } from 'vitest';
import {
  REPORT_STALE_MS,
  SettledState,
  inboundWindow,
  lossOf,
  rateInbound,
  rateLine,
  rateRemote,
  worst,
  type InboundWindow,
} from './quality';

/** One second of two flowing streams (audio and video) with no loss. */
const flowing = (patch: Partial<InboundWindow> = {}): InboundWindow => ({
  seconds: 1,
  streams: 2,
  videoStreams: 1,
  packets: 120,
  lost: 0,
  frames: 15,
  ...patch,
});

describe('windows from cumulative counters', () => {
  it('takes differences, and counts a counter that went back from 0', () => {
    const a = {
      streams: 2,
      videoStreams: 1,
      packetsReceived: 100,
      packetsLost: 5,
      framesDecoded: 30,
    };
    const b = {
      streams: 2,
      videoStreams: 1,
      packetsReceived: 190,
      packetsLost: 15,
      framesDecoded: 45,
    };
    expect(inboundWindow(a, b, 1)).toEqual({
      seconds: 1,
      streams: 2,
      videoStreams: 1,
      packets: 90,
      lost: 10,
      frames: 15,
    });
    expect(lossOf(inboundWindow(a, b, 1))).toBeCloseTo(0.1);
    // A new consumer after a rejoin starts again at 0: its counters, not a negative window.
    const restarted = { ...b, packetsReceived: 40, packetsLost: 0, framesDecoded: 4 };
    expect(inboundWindow(b, restarted, 1)).toMatchObject({ packets: 40, lost: 0, frames: 4 });
    // A stream that started within the window is not counted as one that should have flowed.
    expect(inboundWindow({ ...a, streams: 1 }, b, 1).streams).toBe(1);
  });

  it('has no loss when nothing was expected', () => {
    expect(lossOf({ packets: 0, lost: 0 })).toBe(0);
  });
});

describe("one's own line", () => {
  const base = { connection: 'connected' as const, rttMs: 40, jitterMs: 5 };

  it('rates good, ok and poor from loss, round trip, jitter and bandwidth', () => {
    expect(rateLine({ ...base, recent: flowing(), longer: flowing() })).toBe('good');
    expect(
      rateLine({ ...base, recent: flowing(), longer: flowing({ lost: 4, packets: 96 }) }),
    ).toBe('ok');
    expect(
      rateLine({ ...base, recent: flowing(), longer: flowing({ lost: 10, packets: 90 }) }),
    ).toBe('poor');
    expect(rateLine({ ...base, rttMs: 300, recent: flowing() })).toBe('ok');
    expect(rateLine({ ...base, rttMs: 800, recent: flowing() })).toBe('poor');
    expect(rateLine({ ...base, jitterMs: 45, recent: flowing() })).toBe('ok');
    expect(rateLine({ ...base, jitterMs: 80, recent: flowing() })).toBe('poor');
    expect(rateLine({ ...base, availableOutgoingKbps: 250, recent: flowing() })).toBe('ok');
    expect(rateLine({ ...base, availableOutgoingKbps: 100, recent: flowing() })).toBe('poor');
    expect(
      rateLine({
        ...base,
        availableOutgoingKbps: 100,
        sendBandwidthLimited: true,
        recent: flowing(),
      }),
    ).toBe('poor');
  });

  it('does not read a low estimate as a weak line while the encoder is not held back by it', () => {
    // Small video on a fast link: the sender is application-limited and the estimate only
    // mirrors the ~100 kbit/s it sends (the five-way call on loopback showed "svak" for this).
    const small = { ...base, availableOutgoingKbps: 100, recent: flowing(), longer: flowing() };
    expect(rateLine({ ...small, sendBandwidthLimited: false })).toBe('good');
    expect(rateLine({ ...small, availableOutgoingKbps: 250, sendBandwidthLimited: false })).toBe(
      'good',
    );
  });

  it('is never good while nothing arrives: a stall is lost, whatever came before', () => {
    // The old rating called this lossless with a round trip of 0: "good".
    const stalled = flowing({ packets: 0, lost: 0, frames: 0 });
    expect(rateLine({ ...base, recent: stalled, longer: flowing() })).toBe('lost');
    expect(rateLine({ connection: 'connected', recent: stalled, rttMs: undefined })).toBe('lost');
    // Sending video, and the SFU's feedback stopped too: lost.
    expect(rateLine({ ...base, recent: stalled, sendFeedbackBytes: 0 })).toBe('lost');
  });

  it("does not take the senders' stall for one's own while the SFU answers what we send", () => {
    // The other side's link is cut: nothing arrives, yet our video gets feedback. Our line
    // is fine; their tile shows them lost (rateInbound).
    const stalled = flowing({ packets: 0, lost: 0, frames: 0 });
    expect(
      rateLine({
        ...base,
        recent: stalled,
        longer: flowing(),
        sendFeedbackBytes: 3000,
        recentFeedbackBytes: 900,
      }),
    ).toBe('good');
    expect(rateInbound(stalled, flowing())).toBe('lost');
  });

  it('takes only feedback from the stall window as proof: what came before a cut is not', () => {
    // The link was cut a second ago: the last seconds still hold feedback from before.
    const stalled = flowing({ packets: 0, lost: 0, frames: 0 });
    expect(
      rateLine({
        ...base,
        recent: stalled,
        longer: flowing(),
        sendFeedbackBytes: 2000,
        recentFeedbackBytes: 0,
      }),
    ).toBe('lost');
  });

  it('is poor when the picture froze though sound arrives, or our media gets no answer', () => {
    expect(rateLine({ ...base, recent: flowing({ packets: 50, frames: 0 }) })).toBe('poor');
    expect(rateLine({ ...base, recent: flowing(), sendFeedbackBytes: 0 })).toBe('poor');
    expect(rateLine({ ...base, recent: flowing(), sendFeedbackBytes: 4000 })).toBe('good');
  });

  it('treats an unknown round trip as unknown, never as 0', () => {
    expect(rateLine({ connection: 'connected', recent: flowing(), rttMs: undefined })).toBe('ok');
  });

  it('says reconnecting during recovery, and nothing before the media or with nothing to judge', () => {
    expect(rateLine({ ...base, connection: 'recovering', recent: flowing() })).toBe('reconnecting');
    expect(rateLine({ ...base, connection: 'connecting' })).toBeUndefined();
    // Alone in the room, sending nothing, no round trip yet: nothing to say.
    expect(
      rateLine({
        connection: 'connected',
        recent: flowing({ streams: 0, videoStreams: 0, packets: 0, frames: 0 }),
      }),
    ).toBeUndefined();
    // Nobody sends, but the round trip is known: graded by it.
    expect(
      rateLine({
        ...base,
        recent: flowing({ streams: 0, videoStreams: 0, packets: 0, frames: 0 }),
      }),
    ).toBe('good');
    // Just admitted: streams set up, none has brought a packet yet. The round trip (known
    // from a transport that connected in the waiting room) does not make it good.
    expect(rateLine({ ...base, awaitingStreams: 2 })).toBeUndefined();
    expect(
      rateLine({
        ...base,
        awaitingStreams: 2,
        recent: flowing({ streams: 0, videoStreams: 0, packets: 0, frames: 0 }),
      }),
    ).toBeUndefined();
    // Some arrive, one is still on its way (a new participant's): judged by those.
    expect(rateLine({ ...base, awaitingStreams: 1, recent: flowing() })).toBe('good');
  });
});

describe("a remote participant's line", () => {
  it('rates what arrives from them', () => {
    expect(rateInbound(flowing(), flowing())).toBe('good');
    expect(rateInbound(flowing({ packets: 0, frames: 0 }), flowing())).toBe('lost');
    expect(rateInbound(flowing({ frames: 0 }), undefined)).toBe('poor');
    expect(rateInbound(flowing(), flowing({ lost: 5, packets: 95 }))).toBe('ok');
    // Muted with the camera off: nothing of theirs should flow, nothing to say.
    expect(
      rateInbound(flowing({ streams: 0, videoStreams: 0, packets: 0 }), undefined),
    ).toBeUndefined();
  });

  const now = 100_000;
  const fresh = (state: 'good' | 'poor' | 'lost') => ({ state, receivedAt: now - 1000 });

  it('takes the worse of what arrives and what they report', () => {
    // Their media reaches us, but nothing reaches them: the host must see that.
    expect(
      rateRemote({ self: 'good', inbound: 'good', report: fresh('lost'), seenSince: 0, now }),
    ).toBe('lost');
    expect(
      rateRemote({ self: 'good', inbound: 'lost', report: fresh('good'), seenSince: 0, now }),
    ).toBe('lost');
    expect(
      rateRemote({ self: 'good', inbound: undefined, report: fresh('poor'), seenSince: 0, now }),
    ).toBe('poor');
  });

  it('counts reports that stopped as a weak line', () => {
    const stale = { state: 'good' as const, receivedAt: now - REPORT_STALE_MS - 1 };
    expect(rateRemote({ self: 'good', inbound: 'good', report: stale, seenSince: 0, now })).toBe(
      'poor',
    );
    // Just arrived: no report yet is no verdict.
    expect(
      rateRemote({ self: 'good', inbound: 'good', report: undefined, seenSince: now - 500, now }),
    ).toBe('good');
  });

  it("says nothing on their report alone before one's own line is judged (media being set up)", () => {
    expect(
      rateRemote({ self: undefined, inbound: undefined, report: fresh('good'), seenSince: 0, now }),
    ).toBe(undefined);
    expect(
      rateRemote({ self: undefined, inbound: 'lost', report: fresh('good'), seenSince: 0, now }),
    ).toBe('lost');
  });

  it("blames nobody else while one's own line is down", () => {
    for (const self of ['lost', 'reconnecting'] as const) {
      expect(rateRemote({ self, inbound: 'lost', report: undefined, seenSince: 0, now })).toBe(
        undefined,
      );
    }
  });
});

describe('settled state', () => {
  it('shows worse at once and better only once it held', () => {
    const s = new SettledState(2000);
    expect(s.update('good', 0)).toBe('good');
    expect(s.update('lost', 500)).toBe('lost');
    expect(s.update('good', 1000)).toBe('lost');
    expect(s.update('ok', 2000)).toBe('lost');
    expect(s.update('good', 3000)).toBe('good');
    // A dip during the hold restarts it.
    expect(s.update('poor', 3500)).toBe('poor');
    expect(s.update('good', 4000)).toBe('poor');
    expect(s.update('lost', 4500)).toBe('lost');
    expect(s.update('good', 5000)).toBe('lost');
    expect(s.update('good', 6500)).toBe('lost');
    expect(s.update('good', 7000)).toBe('good');
  });

  it('orders states from good to reconnecting', () => {
    expect(worst('good', 'ok')).toBe('ok');
    expect(worst('poor', 'lost')).toBe('lost');
    expect(worst('reconnecting', 'lost')).toBe('reconnecting');
  });
});
