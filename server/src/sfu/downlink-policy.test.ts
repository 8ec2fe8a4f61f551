import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOWNLINK_POLICY as P,
  DownlinkPolicy,
  layerForCeiling,
} from './downlink-policy.js';

/** Feeds one estimate a second (as mediasoup's bwe trace does) from `from` for `seconds`. */
function feed(policy: DownlinkPolicy, bps: number, from: number, seconds: number): number {
  let now = from;
  for (let i = 0; i < seconds * 4; i++) {
    now += 250;
    if (i % 4 === 0) policy.estimate(bps, now);
    else policy.tick(now);
  }
  return now;
}

describe('downlink policy', () => {
  it('caps the ceiling near what the link carried after a fall, and does not probe far above it', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 2_500_000, 0, 5);
    expect(policy.decision).toEqual({ mode: 'video', ceilingBps: undefined });
    // 400 kbit/s link: the estimate falls to what got through.
    now = feed(policy, 350_000, now, 1);
    const capped = policy.decision.ceilingBps ?? Infinity;
    expect(capped).toBeLessThanOrEqual(350_000 * P.headroom);
    // The link limits the estimate below the ceiling: the ceiling stays, for a minute.
    feed(policy, 350_000, now, 60);
    expect(policy.decision.ceilingBps ?? Infinity).toBeLessThan(500_000);
    expect(policy.decision.mode).toBe('video');
  });

  it('raises the ceiling step by step while the estimate presses against it', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 2_500_000, 0, 2);
    now = feed(policy, 350_000, now, 1);
    const ceilings: number[] = [];
    for (let s = 0; s < 20; s++) {
      // The link came back: the estimate follows the ceiling up.
      const c = policy.decision.ceilingBps;
      if (c === undefined) break;
      ceilings.push(c);
      now = feed(policy, c, now, 1);
    }
    expect(policy.decision.ceilingBps).toBeUndefined();
    expect(ceilings.length).toBeGreaterThan(2);
    expect(ceilings.length).toBeLessThan(20);
  });

  it('takes a cut link for silence, not for a weak link: no audio only, the estimate afresh after', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 1_500_000, 0, 3);
    // The link is cut: nothing from the receiver, and the estimate collapses.
    policy.setReceiverSilent(true, now);
    now = feed(policy, 30_000, now, 10);
    expect(policy.decision.mode).toBe('video');
    // Back: video goes on; what the estimator says now counts again.
    policy.setReceiverSilent(false, now);
    expect(policy.estimateBps).toBeUndefined();
    now = feed(policy, 1_200_000, now, 2);
    expect(policy.decision.mode).toBe('video');
    // A weak link with the receiver heard still goes audio only.
    now = feed(policy, 120_000, now, 2);
    expect(policy.decision.mode).toBe('audio-only');
    // Cut while audio only: no trials run into the silence; heard again, one starts at once.
    policy.setReceiverSilent(true, now);
    now = feed(policy, 30_000, now, 20);
    expect(policy.decision.mode).toBe('audio-only');
    policy.setReceiverSilent(false, now);
    expect(policy.decision.mode).toBe('trial');
  });

  it('goes audio-only below what video needs, and back to video after a trial that holds', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 1_500_000, 0, 3);
    // A short dip is not enough.
    now = feed(policy, 120_000, now, 0.5);
    now = feed(policy, 600_000, now, 1);
    expect(policy.decision.mode).toBe('video');
    // Held low: audio only within a couple of seconds.
    const start = now;
    while (policy.decision.mode === 'video' && now - start < 10_000)
      now = feed(policy, 120_000, now, 0.25);
    expect(now - start).toBeLessThanOrEqual(P.audioOnlyAfterMs + 1_000);
    expect(policy.decision.mode).toBe('audio-only');
    // Still weak: trials fail and come less often.
    const modes: string[] = [];
    for (let i = 0; i < 80; i++) {
      now = feed(policy, 120_000, now, 0.25);
      modes.push(policy.decision.mode);
    }
    expect(modes).toContain('trial');
    expect(modes.at(-1)).not.toBe('video');
    // The link recovers: the next trial sees the estimate rise and video returns.
    const back = now;
    while (policy.decision.mode !== 'video' && now - back < 20_000) {
      now = feed(policy, policy.decision.mode === 'trial' ? 900_000 : 120_000, now, 0.25);
    }
    expect(policy.decision.mode).toBe('video');
    expect(now - back).toBeLessThanOrEqual(P.trialEveryMaxMs + P.trialLengthMs);
  });
});

describe('layer cap from the ceiling', () => {
  // The client's simulcast: 180p 150 kbit/s, 360p 500 kbit/s, 720p 1.2 Mbit/s.
  const layers = [150_000, 500_000, 1_200_000];

  it('sends no layer above what the ceiling carries', () => {
    // A 400 kbit/s link: the ceiling after the fall is ~1.25 x the estimate.
    const policy = new DownlinkPolicy();
    policy.estimate(3_000_000, 0);
    const { ceilingBps } = policy.estimate(360_000, 100);
    expect(ceilingBps).toBeLessThan(500_000);
    expect(layerForCeiling(2, ceilingBps, layers)).toBe(0);
    expect(layerForCeiling(2, 600_000, layers)).toBe(1);
    expect(layerForCeiling(2, 1_200_000, layers)).toBe(2);
  });

  it('keeps the tile’s smaller wish, the smallest layer always, and no cap without a ceiling', () => {
    expect(layerForCeiling(1, 2_000_000, layers)).toBe(1);
    expect(layerForCeiling(0, 2_000_000, layers)).toBe(0);
    expect(layerForCeiling(2, 100_000, layers)).toBe(0);
    expect(layerForCeiling(2, undefined, layers)).toBe(2);
    // Bitrates unknown (no maxBitrate in the encodings): the wish as it is.
    expect(layerForCeiling(2, 300_000, [undefined, undefined, undefined])).toBe(2);
    expect(layerForCeiling(2, 300_000, [])).toBe(2);
  });
});

describe('downlink policy while no video is wanted', () => {
  it('does not read the estimate of an audio-only downlink as a weak link', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 1_500_000, 0, 3);
    // The person turns "audio only" on (or hides every tile): only audio is sent, and the
    // estimate sinks to what audio needs.
    policy.setVideoWanted(false, now);
    now = feed(policy, 120_000, now, 20);
    expect(policy.decision).toEqual({ mode: 'video', ceilingBps: undefined });
    // Video wanted again: the first estimate is not a fall from the audio-only one.
    policy.setVideoWanted(true, now);
    now = feed(policy, 900_000, now, 1);
    expect(policy.decision).toEqual({ mode: 'video', ceilingBps: undefined });
  });

  it('still goes audio-only on a weak link once video is wanted, and tries video at once when wanted again', () => {
    const policy = new DownlinkPolicy();
    let now = feed(policy, 1_500_000, 0, 3);
    now = feed(policy, 120_000, now, 5);
    expect(policy.decision.mode).not.toBe('video');
    // Nothing to try while the person wants no video: no trials run.
    policy.setVideoWanted(false, now);
    now = feed(policy, 120_000, now, 30);
    expect(policy.decision.mode).toBe('audio-only');
    // Wanted again: a trial starts at once, and a link that carries video brings it back.
    policy.setVideoWanted(true, now);
    expect(policy.decision.mode).toBe('trial');
    feed(policy, 900_000, now, 1);
    expect(policy.decision.mode).toBe('video');
  });
});
