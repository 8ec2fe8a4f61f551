import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnCredentials } from './credentials.js';

const settings = { urls: ['turn:turn.example.no:3478'], secret: 's3cret', ttlSeconds: 600 };

describe('turnCredentials', () => {
  it('follows coturn’s shared-secret scheme with the expiry in the username', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const { iceServers, expiresAt } = turnCredentials(settings, 'participant-1', now);
    const expiry = now.getTime() / 1000 + 600;
    expect(iceServers).toHaveLength(1);
    expect(iceServers[0]?.username).toBe(`${expiry}:participant-1`);
    expect(iceServers[0]?.credential).toBe(
      createHmac('sha1', 's3cret').update(`${expiry}:participant-1`).digest('base64'),
    );
    expect(iceServers[0]?.urls).toEqual(settings.urls);
    expect(expiresAt).toBe('2026-11-24T12:10:00.000Z');
  });

  it('keeps the separator out of the identity and changes with the secret', () => {
    const now = new Date(0);
    const a = turnCredentials(settings, 'a:b', now).iceServers[0];
    const b = turnCredentials({ ...settings, secret: 'other' }, 'a:b', now).iceServers[0];
    expect(a?.username).toBe('600:a_b');
    expect(a?.credential).not.toBe(b?.credential);
  });
});
