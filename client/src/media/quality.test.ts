import { describe, expect, it } from 'vitest';
import { lossBetween, rateLink, worst } from './quality';

describe('connection quality', () => {
  it('computes loss between cumulative samples', () => {
    expect(lossBetween(undefined, { packetsReceived: 0, packetsLost: 0, jitter: 0 })).toBe(0);
    expect(
      lossBetween(
        { packetsReceived: 100, packetsLost: 0, jitter: 0 },
        { packetsReceived: 190, packetsLost: 10, jitter: 0 },
      ),
    ).toBeCloseTo(0.1);
    // A counter that goes down (stream restarted) never gives negative loss.
    expect(
      lossBetween(
        { packetsReceived: 100, packetsLost: 5, jitter: 0 },
        { packetsReceived: 150, packetsLost: 2, jitter: 0 },
      ),
    ).toBe(0);
  });

  it('rates good, ok and poor links', () => {
    expect(rateLink({ loss: 0, rttMs: 40, jitterMs: 5 })).toBe('good');
    expect(rateLink({ loss: 0.03, rttMs: 40, jitterMs: 5 })).toBe('ok');
    expect(rateLink({ loss: 0, rttMs: 300, jitterMs: 5 })).toBe('ok');
    expect(rateLink({ loss: 0, rttMs: undefined, jitterMs: 45 })).toBe('ok');
    expect(rateLink({ loss: 0.1, rttMs: 40, jitterMs: 5 })).toBe('poor');
    expect(rateLink({ loss: 0, rttMs: 800, jitterMs: 5 })).toBe('poor');
  });

  it('takes the worse rating', () => {
    expect(worst('good', 'ok')).toBe('ok');
    expect(worst('poor', 'ok')).toBe('poor');
    expect(worst('good', 'good')).toBe('good');
  });
});
