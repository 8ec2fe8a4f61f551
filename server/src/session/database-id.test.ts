import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDatabaseId } from './database-id.js';

describe('isDatabaseId', () => {
  it('knows a consultation id from a development room name', () => {
    expect(isDatabaseId(randomUUID())).toBe(true);
    expect(isDatabaseId(randomUUID().toUpperCase())).toBe(true);
    expect(isDatabaseId('demo-room')).toBe(false);
    expect(isDatabaseId(`${randomUUID()}x`)).toBe(false);
    expect(isDatabaseId('')).toBe(false);
  });
});
