import { useEffect, useState, useSyncExternalStore } from 'react';
import { MediaSession, type SessionSnapshot } from './session.js';

declare global {
  interface Window {
    /** Test hook, only in dev builds or with VITE_SAMKONS_TEST_HOOKS=true. */
    __samkonsMedia?: MediaSession;
  }
}

const testHooks = import.meta.env.DEV || import.meta.env.VITE_SAMKONS_TEST_HOOKS === 'true';

const IDLE: SessionSnapshot = { state: 'idle', participants: [], activeSpeakerId: null };

/** Camera and microphone for the call; null until granted, or when refused. */
export function useLocalMedia(): {
  stream: MediaStream | null;
  error: string | null;
  done: boolean;
} {
  const [result, setResult] = useState<{
    stream: MediaStream | null;
    error: string | null;
    done: boolean;
  }>({ stream: null, error: null, done: false });
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      .getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } })
      .then((s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        stream = s;
        setResult({ stream: s, error: null, done: true });
      })
      .catch((err: unknown) => {
        // Joining without camera/microphone still lets the person see and hear the others.
        if (!cancelled) setResult({ stream: null, error: String(err), done: true });
      });
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);
  return result;
}

/** One media session per (room, name, local stream); closed on unmount. */
export function useMediaSession(opts: {
  room: string;
  displayName: string;
  localStream: MediaStream | null;
  enabled: boolean;
}): SessionSnapshot {
  const { room, displayName, localStream, enabled } = opts;
  const [session, setSession] = useState<MediaSession | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const s = new MediaSession({ room, displayName, ...(localStream ? { localStream } : {}) });
    if (testHooks) window.__samkonsMedia = s;
    setSession(s);
    s.start();
    return () => {
      s.close();
      if (window.__samkonsMedia === s) delete window.__samkonsMedia;
    };
  }, [room, displayName, localStream, enabled]);

  return useSyncExternalStore(
    session?.subscribe ?? noopSubscribe,
    session?.getSnapshot ?? idleSnapshot,
  );
}

const noopSubscribe = () => () => undefined;
const idleSnapshot = () => IDLE;
