import { useEffect } from 'react';

/**
 * The pre-join's warm-up: while the person checks camera and microphone, the call's socket
 * connects, the device loads and the ICE servers arrive, so joining is one round trip.
 * Pass null until the session token is known. The media code is loaded on demand, after
 * the pre-join shows (it is the call page's code, fetched anyway).
 */
export function usePrepareCall(session: { token: string; consultationId: string } | null): void {
  const token = session?.token ?? null;
  const consultationId = session?.consultationId ?? null;
  useEffect(() => {
    if (!token || !consultationId) return;
    const calls = import('../../media/prepared-call');
    calls.then((m) => m.prepareCall({ token, consultationId })).catch(() => undefined);
    return () => void calls.then((m) => m.releasePreparedCall(token)).catch(() => undefined);
  }, [token, consultationId]);
}

/**
 * The join button: the warmed-up call joins at once, while the call page renders (see
 * media/prepared-call.ts `startPreparedCall`). Without a warmed-up call the call page
 * joins as it opens.
 */
export function joinPreparedCall(
  token: string,
  choices: { microphoneOn: boolean; cameraOn: boolean; iceTransportPolicy?: RTCIceTransportPolicy },
): void {
  import('../../media/prepared-call')
    .then((m) => m.startPreparedCall(token, choices))
    .catch(() => undefined);
}
