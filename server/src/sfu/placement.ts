/** Picks the slot with the least load; ties go to the lowest index so placement is stable. */
export function pickLeastLoaded<T extends { index: number; load: number; alive: boolean }>(
  slots: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const slot of slots) {
    if (!slot.alive) continue;
    if (!best || slot.load < best.load || (slot.load === best.load && slot.index < best.index)) {
      best = slot;
    }
  }
  return best;
}
