import { describe, expect, it } from 'vitest';
import { STALL_MS, TransportLiveness, type LivenessSample } from './transport-liveness.js';

/** Samples every 500 ms; `bytes` per transport (cumulative), both carrying media. */
function run(
  samples: { send?: number; recv?: number; publishing?: boolean; receiving?: boolean }[],
) {
  const l = new TransportLiveness();
  return samples.map((s, i) => {
    const sample: LivenessSample = {
      at: i * 500,
      sendBytes: s.send,
      recvBytes: s.recv,
      publishing: s.publishing ?? true,
      receiving: s.receiving ?? true,
    };
    return l.sample(sample);
  });
}

const steps = STALL_MS / 500;

describe('transport liveness', () => {
  it('calls both transports stalled once nothing arrived on either for the stall window', () => {
    const flowing = [0, 1, 2].map((i) => ({ send: 100 * i, recv: 1000 * i }));
    const silent = Array.from({ length: steps }, () => ({ send: 200, recv: 2000 }));
    const out = run([...flowing, ...silent]);
    expect(out[2]).toEqual({ send: 'alive', recv: 'alive' });
    expect(out.at(-2)).toEqual({ send: 'quiet', recv: 'quiet' });
    expect(out.at(-1)).toEqual({ send: 'stalled', recv: 'stalled' });
  });

  it('does not blame our path for silence on the receive side while the SFU answers what we send', () => {
    // The other participant's link died: nothing to receive, feedback on ours goes on.
    const out = run(Array.from({ length: 8 }, (_, i) => ({ send: 100 * i, recv: i < 2 ? i : 1 })));
    expect(out.at(-1)).toEqual({ send: 'alive', recv: 'quiet' });
  });

  it('judges the receive side alone when nothing is published', () => {
    const out = run(
      Array.from({ length: 8 }, (_, i) => ({ recv: i < 2 ? 1000 * i : 1000, publishing: false })),
    );
    expect(out.at(-1)?.recv).toBe('stalled');
  });

  it('does not judge a transport with nothing to carry, nor one that never carried anything', () => {
    // Everyone else muted with cameras off: the receive side goes quiet by design.
    const muted = run(
      Array.from({ length: 8 }, (_, i) => ({
        send: 0,
        recv: i < 2 ? 1000 * i : 1000,
        receiving: i < 2,
      })),
    );
    expect(muted.at(-1)).toEqual({ send: 'quiet', recv: 'quiet' });
    const never = run(Array.from({ length: 8 }, () => ({ send: 0, recv: 0 })));
    expect(never.at(-1)).toEqual({ send: 'quiet', recv: 'quiet' });
  });

  it('starts the stall clock anew when there is something to carry again', () => {
    const out = run([
      { send: 0, recv: 0 },
      { send: 0, recv: 100 },
      { send: 0, recv: 100, receiving: false },
      { send: 0, recv: 100, receiving: false },
      { send: 0, recv: 100, receiving: false },
      { send: 0, recv: 100 },
      { send: 0, recv: 100 },
    ]);
    expect(out.map((o) => o.recv)).not.toContain('stalled');
  });
});
