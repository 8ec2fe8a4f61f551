import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ChatMessage, LobbyEntry, RosterEntry } from '@samkons/shared';
import type { LiveEvent, LiveSession } from '../../media/live-session';
import { testHooks } from '../../media/test-hooks';
import { useLiveSnapshot } from '../../media/useMediaSession';
import type { MediaSession } from '../../media/session';
import { lineMonitorOf, type LineMonitor, type LineSnapshot } from '../../media/line-monitor';
import type { CallState } from '../../media/state';

/*
 * Hooks of the call page, one concern each. They read the live session (lobby, chat, hands,
 * roster, host actions) or the media session (tracks, controls, stats); components render.
 */

/**
 * One's own line and each remote participant's (media/line-monitor.ts): good / ok / poor
 * from what arrives, `lost` when nothing does, `reconnecting` while the call recovers.
 */
export function useLineQuality(media: MediaSession | null, phase: CallState): LineSnapshot {
  const monitor = media ? lineMonitorOf(media) : null;
  useEffect(() => {
    if (!testHooks || !monitor) return;
    (window as unknown as { __samkonsLine?: LineMonitor }).__samkonsLine = monitor;
  }, [monitor]);
  const snapshot = useSyncExternalStore(
    monitor?.subscribe ?? noSubscribe,
    monitor?.getSnapshot ?? noLines,
  );
  // The socket or the session is being brought back: say so, not what the last stats said.
  return phase === 'reconnecting' ? RECONNECTING : snapshot;
}

const NO_LINES: LineSnapshot = { self: undefined, peers: new Map() };
const RECONNECTING: LineSnapshot = { self: 'reconnecting', peers: new Map() };
const noLines = () => NO_LINES;
const noSubscribe = () => () => undefined;

/** Waiting room for hosts: who waits, and admit or deny them. */
export function useLobby(live: LiveSession | null): {
  lobby: readonly LobbyEntry[];
  admit: (id: string) => Promise<void>;
  deny: (id: string) => Promise<void>;
} {
  const { lobby } = useLiveSnapshot(live);
  const admit = useCallback(
    async (id: string) => {
      await live?.admit(id);
    },
    [live],
  );
  const deny = useCallback(
    async (id: string) => {
      await live?.deny(id);
    },
    [live],
  );
  return { lobby, admit, deny };
}

/** Chat messages, sending, and how many arrived while the panel was closed. */
export function useChat(live: LiveSession | null, open: boolean) {
  const { chat, selfId } = useLiveSnapshot(live);
  const [seen, setSeen] = useState(0);
  useEffect(() => {
    if (open) setSeen(chat.length);
  }, [open, chat.length]);
  const send = useCallback(
    async (text: string) => {
      await live?.sendChat(text);
    },
    [live],
  );
  const unread = open
    ? 0
    : chat.slice(seen).filter((m: ChatMessage) => m.fromParticipantId !== selfId).length;
  return { messages: chat, send, unread, selfId };
}

/** People physically present with the patient, editable from the patient's side. */
export function useRoster(live: LiveSession | null) {
  const { roster } = useLiveSnapshot(live);
  const save = useCallback(
    async (people: RosterEntry[]) => {
      await live?.setRoster(people);
    },
    [live],
  );
  return { roster, save };
}

/** This participant's raised hand. */
export function useRaiseHand(live: LiveSession | null) {
  const { participants, selfId } = useLiveSnapshot(live);
  const raised = participants.find((p) => p.id === selfId)?.handRaised ?? false;
  const toggle = useCallback(async () => {
    await live?.raiseHand(!raised);
  }, [live, raised]);
  return { raised, toggle };
}

/** One-off happenings (chat, hands, host requests) as text for a live region. */
export function useLiveEvents(
  live: LiveSession | null,
  describe: (e: LiveEvent) => string | null,
): string {
  const [text, setText] = useState('');
  const describeRef = useRef(describe);
  describeRef.current = describe;
  useEffect(() => {
    if (!live) return;
    return live.onEvent((e) => {
      const t = describeRef.current(e);
      if (t) setText(t);
    });
  }, [live]);
  return text;
}

/**
 * True once the patient (or guardian) refused consent, until dismissed: it explains why
 * nobody on the patient's side can be admitted, so it stays rather than passing by.
 */
export function useConsentRefused(live: LiveSession | null): [boolean, () => void] {
  const [refused, setRefused] = useState(false);
  useEffect(() => {
    if (!live) return;
    return live.onEvent((e) => {
      if (e.type === 'consentRefused') setRefused(true);
    });
  }, [live]);
  return [refused, () => setRefused(false)];
}
