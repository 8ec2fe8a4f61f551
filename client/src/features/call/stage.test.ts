import { describe, expect, it } from 'vitest';
import { defaultStage, gridColumns, nextStage, type StageState } from './stage';

const base = { candidates: ['a', 'b', 'c'], fallback: 'a', frozen: false };

describe('steady stage', () => {
  it('fills an empty stage at once, with the speaker or the fallback', () => {
    expect(nextStage({ stageId: null }, { ...base, activeId: null }, 0).state.stageId).toBe('a');
    expect(nextStage({ stageId: null }, { ...base, activeId: 'b' }, 0).state.stageId).toBe('b');
  });

  it('switches only after the new speaker held the floor for 1.5 s', () => {
    let s: StageState = { stageId: 'a' };
    const r1 = nextStage(s, { ...base, activeId: 'b' }, 1000);
    expect(r1.state.stageId).toBe('a');
    expect(r1.wakeAt).toBe(2500);
    s = r1.state;
    expect(nextStage(s, { ...base, activeId: 'b' }, 2400).state.stageId).toBe('a');
    expect(nextStage(s, { ...base, activeId: 'b' }, 2500).state.stageId).toBe('b');
  });

  it('a short interjection does not move the stage, and restarts the clock', () => {
    let s = nextStage({ stageId: 'a' }, { ...base, activeId: 'b' }, 0).state;
    s = nextStage(s, { ...base, activeId: 'a' }, 700).state; // back to the one on stage
    expect(s).toEqual({ stageId: 'a' });
    s = nextStage(s, { ...base, activeId: 'c' }, 800).state;
    expect(nextStage(s, { ...base, activeId: 'c' }, 1600).state.stageId).toBe('a');
    expect(nextStage(s, { ...base, activeId: 'c' }, 2300).state.stageId).toBe('c');
  });

  it('holds while a menu is open and switches once it closes', () => {
    const s = nextStage({ stageId: 'a' }, { ...base, activeId: 'b', frozen: true }, 0).state;
    const frozen = nextStage(s, { ...base, activeId: 'b', frozen: true }, 5000);
    expect(frozen.state.stageId).toBe('a');
    expect(frozen.wakeAt).toBeUndefined();
    expect(nextStage(frozen.state, { ...base, activeId: 'b' }, 5001).state.stageId).toBe('b');
  });

  it('replaces someone who left at once', () => {
    const r = nextStage({ stageId: 'x' }, { ...base, activeId: 'c' }, 0);
    expect(r.state.stageId).toBe('c');
  });

  it('ignores a speaker who cannot take the stage (the interpreter, oneself)', () => {
    const r = nextStage({ stageId: 'a' }, { ...base, activeId: 'tolk' }, 0);
    expect(r.state).toEqual({ stageId: 'a' });
    expect(r.wakeAt).toBeUndefined();
  });
});

describe('default stage and grid', () => {
  const remotes = [
    { id: 'gp', role: 'gp' as const },
    { id: 'pas', role: 'patient' as const },
    { id: 'spes', role: 'specialist' as const },
  ];
  it('shows the other side of the consultation first', () => {
    expect(defaultStage(remotes, 'patient')).toBe('spes');
    expect(defaultStage(remotes, 'specialist')).toBe('pas');
    expect(defaultStage([], 'gp')).toBeNull();
  });
  it('picks the columns that give the largest tiles', () => {
    expect(gridColumns(1, 1000, 700)).toBe(1);
    expect(gridColumns(2, 1200, 600)).toBe(2);
    expect(gridColumns(2, 390, 600)).toBe(1);
    expect(gridColumns(4, 1200, 700)).toBe(2);
    expect(gridColumns(5, 1200, 600)).toBe(3);
  });
});
