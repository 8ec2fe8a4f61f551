import { useEffect } from 'react';
import { forcedIcePolicy } from '../../app/forcedRelay';

/** The media code, once loaded for the warm-up: the join button calls it in its own task. */
let preparedCalls: typeof import('../../media/prepared-call') | undefined;

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
    calls
      .then((m) => {
        preparedCalls = m;
        m.prepareCall({ token, consultationId, iceTransportPolicy: forcedIcePolicy() });
      })
      .catch(() => undefined);
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
  // Loaded by the warm-up; there is no warmed-up call without it.
  preparedCalls?.startPreparedCall(token, choices);
}
