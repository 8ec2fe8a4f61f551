import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage, LobbyEntry, RosterEntry } from '@samkons/shared';
import type { LiveEvent, LiveSession } from '../../media/live-session';
import { useLiveSnapshot } from '../../media/useMediaSession';
import type { MediaSession } from '../../media/session';
import { lossBetween, rateLink, type InboundSample, type Quality } from '../../media/quality';

/*
 * Hooks of the call page, one concern each. They read the live session (lobby, chat, hands,
 * roster, host actions) or the media session (tracks, controls, stats); components render.
 */

/** Good / ok / poor per remote participant, from inbound loss, jitter and round trip. */
export function useConnectionQuality(
  media: MediaSession | null,
  intervalMs = 2000,
): ReadonlyMap<string, Quality> {
  const [quality, setQuality] = useState<ReadonlyMap<string, Quality>>(new Map());
  const last = useRef(new Map<string, InboundSample>());
  useEffect(() => {
    if (!media) return;
    let live = true;
    const tick = async () => {
      const samples = await media.linkSamples();
      if (!live) return;
      const next = new Map<string, Quality>();
      for (const s of samples) {
        const loss = lossBetween(last.current.get(s.peerId), s);
        last.current.set(s.peerId, s);
        next.set(s.peerId, rateLink({ loss, rttMs: s.rttMs, jitterMs: s.jitter * 1000 }));
      }
      // Unchanged ratings keep the old map, so the call view does not re-render every tick.
      setQuality((prev) => (sameRatings(prev, next) ? prev : next));
    };
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [media, intervalMs]);
  return quality;
}

const sameRatings = (a: ReadonlyMap<string, Quality>, b: ReadonlyMap<string, Quality>) =>
  a.size === b.size && [...b].every(([peer, q]) => a.get(peer) === q);

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
