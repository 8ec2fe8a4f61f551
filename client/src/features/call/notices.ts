import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Visible notices in the call (toasts): what a host did to this participant, new messages
 * while the chat is closed, raised hands. Information passes by itself; a request ("the
 * host asks you to unmute") stays until answered or dismissed. The live region announces
 * the same text for screen readers (CallView).
 */
export interface Notice {
  id: number;
  /**
   * info passes by itself; a request waits for an answer; a status stays while what it
   * explains lasts (muted by the host: until unmuted), or until dismissed.
   */
  kind: 'info' | 'request' | 'status';
  text: string;
  detail?: string | undefined;
  /** One action the notice offers (unmute, open the chat). */
  action?: { label: string; run: () => void } | undefined;
  /** Notices with the same key replace each other (two messages from one person: one toast). */
  key?: string | undefined;
}

/** How long information stays on screen; long enough for a slow reader. */
export const INFO_NOTICE_MS = 10_000;
/** More at once would cover the call; the oldest goes first. */
const MAX_NOTICES = 3;

export function useNotices(infoMs = INFO_NOTICE_MS) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setNotices((all) => all.filter((n) => n.id !== id));
  }, []);

  const show = useCallback(
    (notice: Omit<Notice, 'id'>) => {
      const id = nextId.current++;
      setNotices((all) => {
        const kept = all.filter((n) => notice.key === undefined || n.key !== notice.key);
        return [...kept, { ...notice, id }].slice(-MAX_NOTICES);
      });
      if (notice.kind === 'info') {
        timers.current.set(
          id,
          setTimeout(() => dismiss(id), infoMs),
        );
      }
      return id;
    },
    [dismiss, infoMs],
  );

  /** Takes away the notices with this key (the request they made was answered). */
  const dismissKey = useCallback((key: string) => {
    // A timer left behind for one of them finds nothing to take away.
    setNotices((all) => (all.some((n) => n.key === key) ? all.filter((n) => n.key !== key) : all));
  }, []);

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((timer) => clearTimeout(timer));
  }, []);

  return { notices, show, dismiss, dismissKey };
}
