import { describe, expect, it } from 'vitest';
import { countsBetween, SeqTracker } from './seq-tracker.js';

describe('SeqTracker', () => {
  it('counts a gap as lost and a late packet that fills it as repaired', () => {
    const t = new SeqTracker();
    for (const seq of [10, 11, 13, 14]) t.add(seq);
    expect(t.counts()).toEqual({ expected: 5, received: 4, inOrder: 4, duplicates: 0 });
    t.add(12); // the retransmission
    expect(t.counts()).toEqual({ expected: 5, received: 5, inOrder: 4, duplicates: 0 });
    t.add(12);
    t.add(14);
    expect(t.counts().duplicates).toBe(2);
  });

  it('follows sequence numbers across the 16-bit wrap', () => {
    const t = new SeqTracker();
    for (let i = 0; i < 20; i++) t.add((65530 + i) & 0xffff);
    expect(t.counts()).toEqual({ expected: 20, received: 20, inOrder: 20, duplicates: 0 });
    t.add(65535); // late duplicate from before the wrap
    expect(t.counts().duplicates).toBe(1);
  });

  it('ignores packets from before the first one it saw', () => {
    const t = new SeqTracker();
    t.add(100);
    t.add(99);
    t.add(101);
    expect(t.counts()).toEqual({ expected: 2, received: 2, inOrder: 2, duplicates: 0 });
  });

  it('measures a window as the difference of two snapshots', () => {
    const t = new SeqTracker();
    for (let s = 0; s < 100; s++) t.add(s);
    const before = t.counts();
    for (let s = 100; s < 200; s++) if (s % 10 !== 0) t.add(s);
    expect(countsBetween(before, t.counts())).toEqual({
      expected: 100,
      received: 90,
      inOrder: 90,
      duplicates: 0,
    });
  });
});
