import { describe, expect, it } from 'vitest';
import {
  instantInMessage,
  isRelayCandidate,
  levelFromSamples,
  levelWord,
  median,
  rttRating,
  turnServersOnly,
} from './checks';

describe('pre-join checks', () => {
  it('maps silence, a quiet and a loud signal to levels', () => {
    expect(levelFromSamples(new Float32Array(256))).toBe(0);
    expect(levelFromSamples([])).toBe(0);
    const loud = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i / 4));
    expect(levelFromSamples(loud)).toBeGreaterThan(0.9);
    const quiet = loud.map((s) => s * 0.01);
    expect(levelFromSamples(quiet)).toBeGreaterThan(0.1);
    expect(levelFromSamples(quiet)).toBeLessThan(0.5);
    expect(levelWord(0)).toBe('micSilent');
    expect(levelWord(0.3)).toBe('micLow');
    expect(levelWord(0.9)).toBe('micGood');
  });

  it('rates round trips', () => {
    expect(median([300, 20, 40])).toBe(40);
    expect(median([10, 20, 30, 40])).toBe(25);
    expect(rttRating(40)).toBe('rttGood');
    expect(rttRating(200)).toBe('rttFair');
    expect(rttRating(900)).toBe('rttPoor');
  });

  it('keeps only TURN servers and recognises relay candidates', () => {
    expect(
      turnServersOnly([
        { urls: 'stun:stun.example.no:3478' },
        {
          urls: ['turn:t.example.no:3478?transport=udp', 'stun:x'],
          username: 'u',
          credential: 'c',
        },
      ]),
    ).toEqual([{ urls: ['turn:t.example.no:3478?transport=udp'], username: 'u', credential: 'c' }]);
    expect(
      isRelayCandidate('candidate:1 1 udp 41885439 10.0.0.1 50000 typ relay raddr 1.2.3.4 rport 1'),
    ).toBe(true);
    expect(isRelayCandidate('candidate:1 1 udp 2122260223 192.168.1.2 5000 typ host')).toBe(false);
  });

  it('finds the opening time in a server message', () => {
    expect(
      instantInMessage('The invitation opens at 2026-11-25T08:30:00.000Z')?.toISOString(),
    ).toBe('2026-11-25T08:30:00.000Z');
    expect(instantInMessage('nothing here')).toBeNull();
  });
});
