import { describe, expect, it } from 'vitest';
import { measurePayload } from './payload-limits.js';

describe('measurePayload', () => {
  it('matches the JSON length of ordinary payloads', () => {
    for (const v of [
      null,
      { producerId: 'abc', spatialLayer: 2 },
      { people: [{ name: 'Åse «mor»', relation: null }], ok: true, n: -1.5 },
      ['a', [], {}, [[1, 2], { x: 'y\n' }]],
    ]) {
      expect(measurePayload(v, 1e6)).toEqual({ ok: true, bytes: JSON.stringify(v).length });
    }
  });

  it('gives up on depth and size without recursing', () => {
    const deep: unknown = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(measurePayload(deep, 1e9)).toEqual({ ok: false, problem: 'too_deep' });
    const wide = { list: Array.from({ length: 100_000 }, (_, i) => i) };
    expect(measurePayload(wide, 1000)).toMatchObject({ ok: false, problem: 'too_large' });
    expect(measurePayload({ a: { b: { c: 1 } } }, 100, 3)).toEqual({ ok: true, bytes: 19 });
    expect(measurePayload({ a: { b: { c: {} } } }, 100, 3)).toEqual({
      ok: false,
      problem: 'too_deep',
    });
  });
});
