/**
 * The devices chosen on the pre-join page, kept in localStorage so the call page (and the
 * next visit) uses the same ones. Ids are per-origin and may be stale: always fall back.
 */
export interface DevicePrefs {
  cameraId?: string | undefined;
  microphoneId?: string | undefined;
  speakerId?: string | undefined;
  /** Join with camera / microphone on. */
  cameraOn: boolean;
  microphoneOn: boolean;
}

export const DEVICE_PREFS_KEY = 'samkons.devices';

export function loadDevicePrefs(): DevicePrefs {
  const fallback: DevicePrefs = { cameraOn: true, microphoneOn: true };
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(DEVICE_PREFS_KEY) ?? 'null');
    if (!raw || typeof raw !== 'object') return fallback;
    const o = raw as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return {
      cameraId: str(o.cameraId),
      microphoneId: str(o.microphoneId),
      speakerId: str(o.speakerId),
      cameraOn: o.cameraOn !== false,
      microphoneOn: o.microphoneOn !== false,
    };
  } catch {
    return fallback;
  }
}

export function saveDevicePrefs(prefs: DevicePrefs): void {
  try {
    localStorage.setItem(DEVICE_PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Not persisted.
  }
}
