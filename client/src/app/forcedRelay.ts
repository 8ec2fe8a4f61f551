/**
 * Diagnostic: `?relay=1` on the pre-join or the call page sends all media through TURN (no
 * direct route), to check that a network which only lets TURN through will work (like
 * LiveKit's forceRelay). Only for token sessions: they get TURN servers from /api/ice-servers.
 * Passed wherever a call is made (the pre-join's warm-up too), so that no transport is made
 * without it.
 */
export function forcedIcePolicy(): RTCIceTransportPolicy | undefined {
  return new URLSearchParams(window.location.search).get('relay') === '1' ? 'relay' : undefined;
}
