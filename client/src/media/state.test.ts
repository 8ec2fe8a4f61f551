import { describe, expect, it } from 'vitest';
import { next, type SessionEvent, type SessionState } from './state.js';

const run = (events: SessionEvent[], from: SessionState = 'idle') =>
  events.reduce<SessionState>((s, e) => next(s, e) ?? s, from);

describe('media session state machine', () => {
  it('goes idle -> connecting -> joined', () => {
    expect(run([{ type: 'start' }])).toBe('connecting');
    expect(run([{ type: 'start' }, { type: 'joined' }])).toBe('joined');
  });

  it('reconnects after a lost connection and rejoins', () => {
    const states = [{ type: 'start' }, { type: 'joined' }, { type: 'connectionLost' }] as const;
    expect(run([...states])).toBe('reconnecting');
    expect(run([...states, { type: 'connectionLost' }])).toBe('reconnecting');
    expect(run([...states, { type: 'joined' }])).toBe('joined');
  });

  it('goes back to connecting when held in the waiting room, and joins again', () => {
    const inCall = [{ type: 'start' }, { type: 'joined' }] as const;
    expect(run([...inCall, { type: 'held' }])).toBe('connecting');
    expect(run([...inCall, { type: 'held' }, { type: 'joined' }])).toBe('joined');
    expect(next('idle', { type: 'held' })).toBeNull();
    expect(next('closed', { type: 'held' })).toBeNull();
  });

  it('closes from every live state and stays closed', () => {
    for (const s of ['idle', 'connecting', 'joined', 'reconnecting'] as const) {
      expect(next(s, { type: 'close' })).toBe('closed');
      expect(next(s, { type: 'failed', reason: 'x' })).toBe('closed');
    }
    for (const e of [{ type: 'start' }, { type: 'joined' }, { type: 'connectionLost' }] as const) {
      expect(next('closed', e)).toBeNull();
    }
  });

  it('ignores events that do not fit', () => {
    expect(next('idle', { type: 'joined' })).toBeNull();
    expect(next('idle', { type: 'connectionLost' })).toBeNull();
    expect(next('joined', { type: 'start' })).toBeNull();
    expect(next('joined', { type: 'joined' })).toBeNull();
    expect(next('connecting', { type: 'start' })).toBeNull();
  });
});
