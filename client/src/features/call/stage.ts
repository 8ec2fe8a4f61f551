import { useEffect, useRef, useState } from 'react';
import type { Role } from '@samkons/shared';

/**
 * Who fills the large stage of the speaker layout. The stage must be steady: a cough or a
 * short "ja" does not swap the picture, so another person takes the stage only after
 * speaking for `holdMs` without a break, and never while a menu is open (the host's
 * actions on a tile would jump away under the pointer).
 */
export const STAGE_HOLD_MS = 1500;

export interface StageState {
  stageId: string | null;
  /** Who speaks now but has not held the floor long enough yet, and since when. */
  pending?: { id: string; since: number } | undefined;
}

export interface StageInput {
  /** The server's active (dominant) speaker. */
  activeId: string | null;
  /** Who may take the stage (remote participants with a camera tile, not the interpreter). */
  candidates: readonly string[];
  /** Who takes the stage when nobody has spoken yet, or the one on it left. */
  fallback: string | null;
  /** A menu is open: no switch now (a pending one happens once it closes). */
  frozen: boolean;
}

/** The next stage state, and when to look again (a pending switch comes due). */
export function nextStage(
  prev: StageState,
  input: StageInput,
  now: number,
  holdMs = STAGE_HOLD_MS,
): { state: StageState; wakeAt?: number } {
  const has = (id: string | null): id is string => id !== null && input.candidates.includes(id);
  // Nobody on stage (first tile, or they left): fill it at once.
  if (!has(prev.stageId)) {
    return { state: { stageId: has(input.activeId) ? input.activeId : input.fallback } };
  }
  const active = input.activeId;
  if (!has(active) || active === prev.stageId) return { state: { stageId: prev.stageId } };
  const pending = prev.pending?.id === active ? prev.pending : { id: active, since: now };
  if (input.frozen) return { state: { stageId: prev.stageId, pending } };
  if (now - pending.since >= holdMs) return { state: { stageId: active } };
  return { state: { stageId: prev.stageId, pending }, wakeAt: pending.since + holdMs };
}

/** `nextStage` over time: re-evaluated on every input change and when a switch comes due. */
export function useSteadyStage(input: StageInput, holdMs = STAGE_HOLD_MS): string | null {
  const [state, setState] = useState<StageState>({ stageId: null });
  const stateRef = useRef(state);
  const key = `${input.activeId}|${input.candidates.join(',')}|${input.fallback}|${input.frozen}`;
  const inputRef = useRef(input);
  inputRef.current = input;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const step = () => {
      const { state: next, wakeAt } = nextStage(
        stateRef.current,
        inputRef.current,
        performance.now(),
        holdMs,
      );
      stateRef.current = next;
      setState(next);
      if (wakeAt !== undefined) {
        timer = setTimeout(step, Math.max(0, wakeAt - performance.now()) + 10);
      }
    };
    step();
    return () => clearTimeout(timer);
  }, [key, holdMs]);
  return state.stageId;
}

/**
 * Who is on stage before anyone speaks: the other side of the consultation. A patient or
 * relative sees the specialist first; health personnel see the patient.
 */
export function defaultStage(
  remotes: readonly { id: string; role: Role | undefined }[],
  selfRole: Role | undefined,
): string | null {
  const patientSide = selfRole === 'patient' || selfRole === 'next_of_kin';
  const order: Role[] = patientSide
    ? ['specialist', 'gp', 'municipal', 'patient', 'next_of_kin']
    : ['patient', 'next_of_kin', 'specialist', 'gp', 'municipal'];
  for (const role of order) {
    const hit = remotes.find((r) => r.role === role);
    if (hit) return hit.id;
  }
  return remotes[0]?.id ?? null;
}

/**
 * Columns for `n` equal tiles of aspect `ratio` in a box, chosen so that the tiles come out
 * largest (Jitsi's tile view does the same).
 */
export function gridColumns(n: number, width: number, height: number, ratio = 4 / 3): number {
  if (n <= 1 || width <= 0 || height <= 0) return 1;
  let best = 1;
  let bestArea = 0;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.min(width / cols, (height / rows) * ratio);
    const area = w * (w / ratio);
    if (area > bestArea + 1) {
      bestArea = area;
      best = cols;
    }
  }
  return best;
}
