import type { Traffic } from './transport-recovery.js';

/**
 * Tells from what arrives on the two transports, sampled twice a second, that the path to
 * the SFU went silent: far sooner than the browser's ICE, which calls a path `disconnected`
 * only after 5 to 7 s without answers to its checks (measured on Chromium, UDP blocked).
 *
 * - The send transport, while it publishes anything, always hears from the SFU: transport-cc
 *   feedback and receiver reports for the audio (a muted microphone still sends DTX frames)
 *   and video. Silence there is the path's fault.
 * - The receive transport goes silent also when the others stop sending (muted, or their own
 *   link died). Its silence counts only when there is no evidence our path works: the send
 *   transport is silent too, or judges nothing.
 *
 * Only bytes count as life, not answers to ICE checks: the SFU (ICE-lite) sends on the pair
 * the browser last nominated, so checks can succeed on a pair nothing is sent to. A
 * transport is judged only once media has arrived on it, and only while it has something
 * to carry. Pure: the media session feeds it counters read with getStats.
 */

/** Silence this long on a transport that carried media is a stall (several feedback gaps). */
export const STALL_MS = 1500;

export interface LivenessSample {
  at: number;
  /** RTP, RTCP and DTLS bytes each transport received so far (RTCTransportStats). */
  sendBytes?: number | undefined;
  recvBytes?: number | undefined;
  /** Something is published (the SFU answers the send transport). */
  publishing: boolean;
  /** Some consumer should receive media (neither paused by its sender nor by us). */
  receiving: boolean;
}

interface Track {
  bytes: number;
  /** When bytes last arrived; undefined until media arrived (or while nothing is carried). */
  lastBytesAt: number | undefined;
}

export class TransportLiveness {
  #send: Track | undefined;
  #recv: Track | undefined;

  /** Reads one sample; answers what each transport's recovery should hear. */
  sample(s: LivenessSample): { send: Traffic; recv: Traffic } {
    const send = step(this.#send, s.sendBytes, s.at, s.publishing);
    const recv = step(this.#recv, s.recvBytes, s.at, s.receiving);
    this.#send = send.track;
    this.#recv = recv.track;
    const silent = (t: Track | undefined) =>
      t?.lastBytesAt !== undefined && s.at - t.lastBytesAt >= STALL_MS;
    const sendJudges = this.#send?.lastBytesAt !== undefined;
    const sendStalled = silent(this.#send);
    const recvStalled = silent(this.#recv) && (!sendJudges || sendStalled);
    return {
      send: sendStalled ? 'stalled' : send.alive ? 'alive' : 'quiet',
      recv: recvStalled ? 'stalled' : recv.alive ? 'alive' : 'quiet',
    };
  }
}

function step(
  track: Track | undefined,
  bytes: number | undefined,
  at: number,
  carrying: boolean,
): { track: Track | undefined; alive: boolean } {
  if (bytes === undefined) return { track: undefined, alive: false };
  const alive = track !== undefined && bytes > track.bytes;
  // Nothing to carry: judged again once media arrives after it has something again.
  const lastBytesAt = !carrying ? undefined : alive ? at : track?.lastBytesAt;
  return { track: { bytes, lastBytesAt }, alive };
}
