import { describe, expect, it } from 'vitest';
import {
  STALL_MS,
  TransportLiveness,
  type LivenessSample,
  type PairSample,
} from './transport-liveness.js';

type Side = number | Partial<PairSample> | undefined;

interface Step {
  /** Defaults to 500 ms after the previous sample. */
  at?: number;
  /** Bytes on the selected pair (UDP, `p`), or the pair sample in full. */
  send?: Side;
  recv?: Side;
  publishing?: boolean;
  receiving?: boolean;
}

const pairOf = (side: Side): PairSample | undefined =>
  side === undefined
    ? undefined
    : typeof side === 'number'
      ? { pair: 'p', path: 'udp', bytes: side }
      : { pair: 'p', path: 'udp', bytes: 0, ...side };

/** Samples every 500 ms unless `at` says otherwise; both transports carrying media. */
function run(samples: Step[]) {
  const l = new TransportLiveness();
  let at = -500;
  return samples.map((s) => {
    at = s.at ?? at + 500;
    const sample: LivenessSample = {
      at,
      send: pairOf(s.send),
      recv: pairOf(s.recv),
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

  it('judges a path that dies before its second read, when media had come before its first', () => {
    // The path connects and the SFU resumes the streams at once: the first read of the pair
    // already holds media. Then UDP is blocked before the next read: no bytes ever rise.
    const at = (bytes: number, silentMs: number) => ({ bytes, silentMs, media: true });
    const out = run([
      { send: at(300, 40), recv: at(9000, 20) },
      { send: at(300, 540), recv: at(9000, 520) },
      { send: at(300, 1040), recv: at(9000, 1020) },
      { send: at(300, 1540), recv: at(9000, 1520) },
    ]);
    expect(out.at(-1)).toEqual({ send: 'stalled', recv: 'stalled' });
    // Only the DTLS handshake before the first read (no media): not judged, as before.
    const handshake = run(
      Array.from({ length: 4 }, (_, i) => ({
        send: { bytes: 300, silentMs: 40 + 500 * i },
        recv: { bytes: 900, silentMs: 20 + 500 * i },
      })),
    );
    expect(handshake.at(-1)).toEqual({ send: 'quiet', recv: 'quiet' });
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

  it('dates the silence from the last packet, not from a sample that came late', () => {
    // Measured under CPU load (bench:faults, load 50): samples 1.4-1.7 s apart. UDP blocked
    // at 1000 ms; the first sample after it, at 2400 ms, still sees the bytes of the last
    // packets, which arrived just before the block. Counting from that sample called the
    // stall only at 3900 ms; the browser's time of the last packet calls it at 2600 ms.
    const side = (bytes: number, silentMs: number) => ({ bytes, silentMs });
    const out = run([
      { at: 0, send: side(100, 10), recv: side(1000, 5) },
      { at: 500, send: side(200, 10), recv: side(2000, 5) },
      { at: 2400, send: side(250, 1400), recv: side(2500, 1410) },
      { at: 2600, send: side(250, 1600), recv: side(2500, 1610) },
    ]);
    expect(out[2]).toEqual({ send: 'alive', recv: 'alive' });
    expect(out[3]).toEqual({ send: 'stalled', recv: 'stalled' });
  });

  it('blames the receive path when the send transport hears the SFU over another path', () => {
    // UDP blocked; the browser moved the send transport to a TCP pair of its own accord
    // (feedback arrives there again) while the receive transport still sits on the dead
    // UDP pair: the send side's life says nothing of the receive side's path.
    const tcp = (bytes: number) => ({ pair: 't', path: 'tcp', bytes, silentMs: 0 });
    const out = run([
      { send: 100, recv: 1000 },
      { send: 200, recv: 2000 },
      { send: 200, recv: 2000 },
      { send: tcp(50), recv: 2000 },
      { send: tcp(90), recv: 2000 },
    ]);
    expect(out.at(-1)).toEqual({ send: 'alive', recv: 'stalled' });
  });

  it('counts only what arrives on the selected pair, and keeps the silence running on a switch', () => {
    const out = run([
      { send: 100, recv: 1000 },
      { send: 200, recv: 2000 },
      // The browser switched to another pair on which nothing arrived yet (old bytes on it).
      { send: { pair: 'q', bytes: 500 }, recv: { pair: 'q', bytes: 7000 } },
      { send: { pair: 'q', bytes: 500 }, recv: { pair: 'q', bytes: 7000 } },
      { send: { pair: 'q', bytes: 500 }, recv: { pair: 'q', bytes: 7000 } },
    ]);
    expect(out.slice(2).map((o) => o.send)).toEqual(['quiet', 'quiet', 'stalled']);
    // A switch to a pair on which packets arrive since the last sample is life.
    const moved = run([
      { send: { bytes: 100, silentMs: 0 }, recv: { bytes: 1000, silentMs: 0 } },
      { send: { bytes: 200, silentMs: 400 }, recv: { bytes: 2000, silentMs: 400 } },
      {
        send: { pair: 'q', path: 'tcp', bytes: 80, silentMs: 50 },
        recv: { pair: 'q', path: 'tcp', bytes: 900, silentMs: 50 },
      },
    ]);
    expect(moved.at(-1)).toEqual({ send: 'alive', recv: 'alive' });
  });
});
