import { describe, expect, it } from 'vitest';
import { next, type CallEvent, type CallState } from './state.js';

const run = (events: CallEvent[], from: CallState = 'idle') =>
  events.reduce<CallState>((s, e) => next(s, e) ?? s, from);

const states: CallState[] = ['idle', 'prejoin', 'joining', 'lobby', 'in-call', 'reconnecting'];

describe('call state machine', () => {
  it('warms up in the pre-join, then joins straight into the call', () => {
    expect(run([{ type: 'prepare' }])).toBe('prejoin');
    expect(run([{ type: 'prepare' }, { type: 'join' }])).toBe('joining');
    expect(run([{ type: 'prepare' }, { type: 'join' }, { type: 'admitted' }])).toBe('in-call');
  });

  it('joins without a warm-up (a reloaded call page) and waits in the lobby', () => {
    expect(run([{ type: 'join' }, { type: 'waiting' }])).toBe('lobby');
    expect(run([{ type: 'join' }, { type: 'waiting' }, { type: 'admitted' }])).toBe('in-call');
  });

  it('reconnects from the call and from the lobby, and comes back where it belongs', () => {
    const inCall: CallEvent[] = [{ type: 'join' }, { type: 'admitted' }];
    expect(run([...inCall, { type: 'connectionLost' }])).toBe('reconnecting');
    expect(run([...inCall, { type: 'connectionLost' }, { type: 'connectionLost' }])).toBe(
      'reconnecting',
    );
    expect(run([...inCall, { type: 'connectionLost' }, { type: 'recovered' }])).toBe('in-call');
    expect(run([...inCall, { type: 'connectionLost' }, { type: 'admitted' }])).toBe('in-call');
    const lobby: CallEvent[] = [{ type: 'join' }, { type: 'waiting' }];
    expect(run([...lobby, { type: 'connectionLost' }, { type: 'waiting' }])).toBe('lobby');
    // Admitted earlier: a reconnect from the lobby screen may land straight in the call.
    expect(run([...lobby, { type: 'connectionLost' }, { type: 'admitted' }])).toBe('in-call');
  });

  it('does not call a lost warm-up or first join "reconnecting" (nothing to get back to)', () => {
    expect(next('prejoin', { type: 'connectionLost' })).toBeNull();
    expect(next('joining', { type: 'connectionLost' })).toBeNull();
  });

  it('goes back to the lobby when held for an agenda part, and in again when admitted', () => {
    const inCall: CallEvent[] = [{ type: 'join' }, { type: 'admitted' }];
    expect(run([...inCall, { type: 'held' }])).toBe('lobby');
    expect(run([...inCall, { type: 'held' }, { type: 'admitted' }])).toBe('in-call');
    expect(next('idle', { type: 'held' })).toBeNull();
    expect(next('ended', { type: 'held' })).toBeNull();
  });

  it('ends from every live state and stays ended', () => {
    for (const s of states) {
      expect(next(s, { type: 'end', reason: 'left' })).toBe('ended');
      expect(next(s, { type: 'end', reason: 'failed' })).toBe('ended');
    }
    for (const e of [
      { type: 'prepare' },
      { type: 'join' },
      { type: 'admitted' },
      { type: 'connectionLost' },
      { type: 'end', reason: 'left' },
    ] as const) {
      expect(next('ended', e)).toBeNull();
    }
  });

  it('ignores events that do not fit', () => {
    expect(next('idle', { type: 'admitted' })).toBeNull();
    expect(next('in-call', { type: 'waiting' })).toBeNull();
    expect(next('in-call', { type: 'join' })).toBeNull();
    expect(next('lobby', { type: 'recovered' })).toBeNull();
    expect(next('joining', { type: 'recovered' })).toBeNull();
  });
});
