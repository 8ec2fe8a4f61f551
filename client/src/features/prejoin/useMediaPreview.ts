import { useCallback, useEffect, useRef, useState } from 'react';

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export type PreviewError = 'permission' | 'device' | null;

const constraint = (id: string | undefined): boolean | MediaTrackConstraints =>
  id ? { deviceId: { exact: id } } : true;

async function acquire(cameraId?: string, microphoneId?: string): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: cameraId === 'none' ? false : constraint(cameraId),
      audio: constraint(microphoneId),
    });
  } catch (err) {
    // A stored device id that is gone, or no camera at all: fall back step by step.
    if (err instanceof DOMException && err.name === 'NotAllowedError') throw err;
    if (cameraId || microphoneId) return acquire(undefined, undefined).catch(() => acquire('none'));
    if (cameraId !== 'none') return acquire('none');
    throw err;
  }
}

/**
 * Camera and microphone preview with device lists. Changing a device re-acquires the
 * stream; the previous tracks are stopped so the camera light goes off.
 */
export function useMediaPreview(initial: {
  cameraId?: string | undefined;
  microphoneId?: string | undefined;
}) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [devices, setDevices] = useState<DeviceLists>({
    cameras: [],
    microphones: [],
    speakers: [],
  });
  const [cameraId, setCameraId] = useState(initial.cameraId);
  const [microphoneId, setMicrophoneId] = useState(initial.microphoneId);
  const [error, setError] = useState<PreviewError>(null);
  const [attempt, setAttempt] = useState(0);
  const streamRef = useRef<MediaStream | null>(null);

  const refreshDevices = useCallback(async () => {
    const all = await navigator.mediaDevices.enumerateDevices();
    setDevices({
      cameras: all.filter((d) => d.kind === 'videoinput' && d.deviceId),
      microphones: all.filter((d) => d.kind === 'audioinput' && d.deviceId),
      speakers: all.filter((d) => d.kind === 'audiooutput' && d.deviceId),
    });
  }, []);

  useEffect(() => {
    if (!navigator.mediaDevices?.getUserMedia) {
      setError('device');
      return;
    }
    let cancelled = false;
    acquire(cameraId, microphoneId)
      .then((s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        streamRef.current?.getTracks().forEach((t) => t.stop());
        streamRef.current = s;
        setStream(s);
        setError(null);
        // Report what the browser actually picked, so the selects show it.
        const v = s.getVideoTracks()[0]?.getSettings().deviceId;
        const a = s.getAudioTracks()[0]?.getSettings().deviceId;
        if (v && v !== cameraId) setCameraId(v);
        if (a && a !== microphoneId) setMicrophoneId(a);
        return refreshDevices();
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(
          err instanceof DOMException && err.name === 'NotAllowedError' ? 'permission' : 'device',
        );
      });
    return () => {
      cancelled = true;
    };
  }, [cameraId, microphoneId, attempt, refreshDevices]);

  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md) return;
    const onChange = () => void refreshDevices();
    md.addEventListener('devicechange', onChange);
    return () => md.removeEventListener('devicechange', onChange);
  }, [refreshDevices]);

  // Stop everything when leaving the page.
  useEffect(
    () => () => {
      streamRef.current?.getTracks().forEach((t) => t.stop());
      streamRef.current = null;
    },
    [],
  );

  const stop = useCallback(() => {
    streamRef.current?.getTracks().forEach((t) => t.stop());
    streamRef.current = null;
    setStream(null);
  }, []);

  return {
    stream,
    devices,
    cameraId,
    microphoneId,
    setCameraId,
    setMicrophoneId,
    error,
    retry: () => setAttempt((n) => n + 1),
    stop,
  };
}
