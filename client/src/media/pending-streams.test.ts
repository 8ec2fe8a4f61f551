import { describe, expect, it } from 'vitest';
import { PendingStreams } from './pending-streams.js';

describe('remote streams still being made', () => {
  it('keeps a stream nothing closed while it was made', () => {
    const s = new PendingStreams();
    s.begin('c1', 'kari');
    expect(s.settle('c1')).toBe(true);
  });

  it('drops a stream whose consumerClosed came while it was made, once', () => {
    const s = new PendingStreams();
    s.begin('c1', 'kari');
    expect(s.closed('c1')).toBe(true);
    expect(s.settle('c1')).toBe(false);
    // Settled: a late second word about it is not about a stream being made.
    expect(s.closed('c1')).toBe(false);
  });

  it('drops the streams of a participant who left (and rejoined with the same id) meanwhile', () => {
    const s = new PendingStreams();
    // The wire order of a leave right after publishing: newConsumer, peerLeft, consumerClosed.
    s.begin('old-mic', 'kari');
    s.begin('old-cam', 'kari');
    s.begin('per-cam', 'per');
    s.peerLeft('kari');
    // The reloaded page's streams, announced after the rejoin, are kept.
    s.begin('new-cam', 'kari');
    expect(s.settle('old-mic')).toBe(false);
    expect(s.settle('old-cam')).toBe(false);
    expect(s.settle('per-cam')).toBe(true);
    expect(s.settle('new-cam')).toBe(true);
  });

  it('a close for a stream it never saw is not pending', () => {
    expect(new PendingStreams().closed('c9')).toBe(false);
  });
});
