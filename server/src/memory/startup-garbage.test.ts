import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectStartupGarbage } from './startup-garbage.js';

const newSpaceCommitted = () =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size;

describe('collectStartupGarbage', () => {
  it('collects, shrinks the young generation, and leaves the event loop running', async () => {
    // Grow the young generation the way a start does: much allocated, much of it surviving.
    let keep: unknown[] = [];
    for (let round = 0; round < 20; round++) {
      keep = [];
      for (let i = 0; i < 50_000; i++) keep.push({ i, s: `x${i}` });
    }
    expect(keep.length).toBe(50_000);
    keep = [];
    const before = newSpaceCommitted();

    const ms = await collectStartupGarbage();

    expect(ms).toBeGreaterThanOrEqual(0);
    expect(newSpaceCommitted()).toBeLessThan(before);
    // The session is closed after its callback: closing inside it stopped Node 20's loop.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
