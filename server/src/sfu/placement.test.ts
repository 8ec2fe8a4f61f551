import { describe, expect, it } from 'vitest';
import { pickLeastLoaded } from './placement.js';

describe('pickLeastLoaded', () => {
  it('picks the slot with the fewest rooms', () => {
    const slots = [
      { index: 0, load: 3, alive: true },
      { index: 1, load: 1, alive: true },
      { index: 2, load: 2, alive: true },
    ];
    expect(pickLeastLoaded(slots)?.index).toBe(1);
  });

  it('breaks ties by the lowest index', () => {
    const slots = [
      { index: 1, load: 0, alive: true },
      { index: 0, load: 0, alive: true },
    ];
    expect(pickLeastLoaded(slots)?.index).toBe(0);
  });

  it('skips dead workers even when they look idle', () => {
    const slots = [
      { index: 0, load: 0, alive: false },
      { index: 1, load: 5, alive: true },
    ];
    expect(pickLeastLoaded(slots)?.index).toBe(1);
  });

  it('returns undefined when no worker is alive', () => {
    expect(pickLeastLoaded([{ index: 0, load: 0, alive: false }])).toBeUndefined();
    expect(pickLeastLoaded([])).toBeUndefined();
  });
});
