import { useCallback } from 'react';
import { placementIn, type AgendaPart, type MediaGroup } from '@samkons/shared';
import type { LiveSession } from '../../media/live-session';
import { useLiveSnapshot } from '../../media/useMediaSession';

export interface AgendaView {
  parts: readonly AgendaPart[];
  current: AgendaPart | null;
  /** The part after the current one (the first part when the agenda has not started). */
  next: AgendaPart | null;
  /** This participant's media group now (the server enforces the same rule). */
  selfGroup: MediaGroup;
  /** Another admitted participant's media group ('held' never applies to the admitted). */
  groupOf: (participantId: string) => MediaGroup;
  moveTo: (partId: string | null) => Promise<void>;
}

/** The agenda of the live session, as the call draws it; null when there is none. */
export function useAgenda(live: LiveSession | null): AgendaView | null {
  const snap = useLiveSnapshot(live);
  const moveTo = useCallback(
    async (partId: string | null) => {
      await live?.moveToPart(partId);
    },
    [live],
  );
  const agenda = snap.agenda;
  if (!agenda || agenda.parts.length === 0) return null;
  const index = agenda.parts.findIndex((p) => p.id === agenda.currentPartId);
  const current = index >= 0 ? (agenda.parts[index] ?? null) : null;
  const next = agenda.parts[index + 1] ?? null;
  const roles = new Map(snap.participants.map((p) => [p.id, p.role]));
  const groupOf = (participantId: string): MediaGroup => {
    const place = placementIn(current, { participantId, role: roles.get(participantId) });
    return place === 'held' ? 'plenary' : place;
  };
  return {
    parts: agenda.parts,
    current,
    next,
    selfGroup: snap.selfId ? groupOf(snap.selfId) : 'plenary',
    groupOf,
    moveTo,
  };
}
