import { useEffect, useState, useSyncExternalStore } from 'react';
import { CAMERA_CAPTURE } from '@samkons/shared';
import type { MediaSession, SessionSnapshot } from './session.js';
import { EMPTY_SNAPSHOT, LiveSession, type LiveSnapshot } from './live-session.js';
import { takePreparedCall } from './prepared-call.js';
import { lineMonitorOf, type LineMonitor } from './line-monitor.js';
import { testHooks } from './test-hooks.js';

declare global {
  interface Window {
    /** Test hook, only in dev builds or with VITE_SAMKONS_TEST_HOOKS=true. */
    __samkonsMedia?: MediaSession;
    __samkonsLive?: LiveSession;
    /** Test hook: the line monitor (its `lastFigures` explain the badge). */
    __samkonsLine?: LineMonitor;
    /** Test builds only: camera constraints (e2e uses 320x240 to spare the CPU). */
    __samkonsVideoConstraints?: MediaTrackConstraints;
  }
}

const IDLE: SessionSnapshot = {
  connection: 'idle',
  participants: [],
  activeSpeakerId: null,
  downlink: { audioOnly: false },
  local: { microphoneOn: true, cameraOn: true, screenSharing: false, audioOnly: false },
};

export interface LocalMediaOptions {
  cameraId?: string | undefined;
  microphoneId?: string | undefined;
}

/** Camera and microphone for the call; null until granted, or when refused. */
export function useLocalMedia(opts: LocalMediaOptions = {}): {
  stream: MediaStream | null;
  error: string | null;
  done: boolean;
} {
  const { cameraId, microphoneId } = opts;
  const [result, setResult] = useState<{
    stream: MediaStream | null;
    error: string | null;
    done: boolean;
  }>({ stream: null, error: null, done: false });
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    const video: MediaTrackConstraints = {
      width: { ideal: CAMERA_CAPTURE.width },
      height: { ideal: CAMERA_CAPTURE.height },
      ...(testHooks ? window.__samkonsVideoConstraints : {}),
      ...(cameraId ? { deviceId: { ideal: cameraId } } : {}),
    };
    const audio: MediaTrackConstraints | true = microphoneId
      ? { deviceId: { ideal: microphoneId } }
      : true;
    navigator.mediaDevices
      .getUserMedia({ audio, video })
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
  }, [cameraId, microphoneId]);
  return result;
}

/** The media state of a session (idle when there is none). */
export function useMediaSnapshot(session: MediaSession | null): SessionSnapshot {
  return useSyncExternalStore(
    session?.subscribe ?? noopSubscribe,
    session?.getSnapshot ?? idleSnapshot,
  );
}

/**
 * The call on the call page: the pre-join's warmed-up session for this token when there
 * is one, else a new one (a reloaded page). It joins at once; the camera and microphone
 * are published when they arrive. Left on unmount.
 */
export function useLiveSession(opts: {
  /** `{ token, consultationId }`, or `{ room, displayName }` for a development room. */
  auth: { token: string; consultationId: string } | { room: string; displayName: string };
  localStream: MediaStream | null;
  microphoneOn: boolean;
  cameraOn: boolean;
  /** 'relay' forces media through TURN (the call page's `?relay=1`). */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
}): { live: LiveSession | null; snapshot: LiveSnapshot } {
  const { localStream, iceTransportPolicy } = opts;
  const key = JSON.stringify(opts.auth);
  const [live, setLive] = useState<LiveSession | null>(null);
  // The first choices only: later toggles go through the session.
  const [initial] = useState({ microphoneOn: opts.microphoneOn, cameraOn: opts.cameraOn });

  useEffect(() => {
    const auth = JSON.parse(key) as typeof opts.auth;
    const s =
      ('token' in auth ? takePreparedCall(auth.token) : undefined) ?? new LiveSession({ auth });
    if (testHooks) {
      window.__samkonsLive = s;
      window.__samkonsMedia = s.media;
      window.__samkonsLine = lineMonitorOf(s.media);
    }
    setLive(s);
    s.start({ ...initial, ...(iceTransportPolicy ? { iceTransportPolicy } : {}) });
    return () => {
      s.leave();
      if (window.__samkonsLive === s) delete window.__samkonsLive;
      if (window.__samkonsMedia === s.media) {
        delete window.__samkonsMedia;
        delete window.__samkonsLine;
      }
    };
  }, [key, initial, iceTransportPolicy]);

  useEffect(() => {
    live?.setLocalStream(localStream ?? undefined);
  }, [live, localStream]);

  return { live, snapshot: useLiveSnapshot(live) };
}

/** The state of a live session (idle, with nobody, when there is none). */
export function useLiveSnapshot(live: LiveSession | null): LiveSnapshot {
  return useSyncExternalStore(live?.subscribe ?? noopSubscribe, live?.getSnapshot ?? emptyLive);
}

const noopSubscribe = () => () => undefined;
const idleSnapshot = () => IDLE;
const emptyLive = () => EMPTY_SNAPSHOT;
