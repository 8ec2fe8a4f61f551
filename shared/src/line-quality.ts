import { z } from 'zod';
import { lineText } from './plain-text.js';

/**
 * Line quality as each participant's browser measures it from what arrives (client
 * `media/quality.ts`), shared with the others so a host sees whose line is the weak one.
 *
 * - good / ok / poor: media flows; loss, round trip, jitter and bandwidth grade it.
 * - lost: media that should flow brought nothing in the last second (a stall).
 * - reconnecting: the transports are being brought back (ICE restart or rejoin).
 */
export const LineState = z.enum(['good', 'ok', 'poor', 'lost', 'reconnecting']);
export type LineState = z.infer<typeof LineState>;

/** One participant's report of their own line; figures are optional detail for the host. */
export const LineReport = z
  .object({
    state: LineState,
    /** Inbound loss over the last seconds, percent. */
    lossPct: z.number().min(0).max(100).optional(),
    /** Round trip to the SFU, milliseconds. */
    rttMs: z.number().min(0).max(60_000).optional(),
    /** The sender's bandwidth estimate, kbit/s. */
    outKbps: z.number().min(0).max(1_000_000).optional(),
  })
  .strict();
export type LineReport = z.infer<typeof LineReport>;

/** At most this many reports per second from one participant; more gets `rate_limited`. */
export const MAX_LINE_REPORTS_PER_SECOND = 4;

export const lineRequests = {
  /**
   * This participant's own line (sent when it changes and every couple of seconds). The
   * server relays it to those in the room who receive this participant's media.
   */
  reportLine: { req: LineReport, res: z.object({}).strict() },
} as const;

export const lineNotifications = {
  /** Another participant's report of their own line. */
  peerLine: LineReport.extend({ peerId: lineText.min(1).max(128) }).strict(),
} as const;
