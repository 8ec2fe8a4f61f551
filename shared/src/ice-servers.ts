import { z } from 'zod';

/** One STUN/TURN server as RTCPeerConnection takes it (RTCIceServer). */
export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** GET /api/ice-servers: TURN servers with short-lived credentials for this caller. */
export const IceServers = z.object({
  iceServers: z.array(IceServer),
  /** When the credentials stop working (ISO time); absent when no TURN is configured. */
  expiresAt: z.string().optional(),
});
export type IceServers = z.infer<typeof IceServers>;
