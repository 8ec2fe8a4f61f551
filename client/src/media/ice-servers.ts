import { IceServers } from '@samkons/shared';

/**
 * TURN servers with short-lived credentials for this session token (GET /api/ice-servers).
 * Empty when the server has no TURN configured.
 */
export async function fetchIceServers(token: string, origin = ''): Promise<RTCIceServer[]> {
  const res = await fetch(`${origin}/api/ice-servers`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`ice-servers: HTTP ${res.status}`);
  return IceServers.parse(await res.json()).iceServers;
}
