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
 *   link died). Its silence counts only when there is no evidence its path works: the send
 *   transport is silent too, judges nothing, or hears the SFU over another path (the browser
 *   moves each transport to a TCP pair on its own once UDP stops answering, one sooner than
 *   the other: life on the send transport's TCP pair says nothing of the receive
 *   transport's dead UDP pair).
 *
 * Life is judged on each transport's selected candidate pair only, from when its last
 * packet arrived as the browser says (`lastPacketReceivedTimestamp`), not from when a sample
 * saw its counters rise: on a loaded machine samples come seconds apart, and a sample late
 * by 1.5 s made a stall look 1.5 s younger than it was. Only RTP, RTCP and DTLS count, not
 * answers to ICE checks (the SFU, ICE-lite, sends on the pair the browser last nominated, so
 * checks can succeed on a pair nothing is sent to), and not bytes on other pairs (the
 * transport's total adds up every pair it ever used). A transport is judged only once media
 * has arrived on it (seen rise between reads, or already there at its first read), and only
 * while it has something to carry. Pure: the media session feeds it counters read with
 * getStats.
 */

/** Silence this long on a transport that carried media is a stall (several feedback gaps). */
export const STALL_MS = 1500;

/** What one transport's selected candidate pair received, read with getStats. */
export interface PairSample {
  /** The pair's stats id: counters are compared on the same pair only. */
  pair: string;
  /** The network path it takes (protocol and addresses): life on one path says nothing of another. */
  path: string;
  /** RTP, RTCP and DTLS bytes received on the pair so far (not ICE checks). */
  bytes: number;
  /**
   * How long before the sample the pair's last packet arrived (its stats timestamp minus
   * `lastPacketReceivedTimestamp`), when the browser tells.
   */
  silentMs?: number | undefined;
  /**
   * Media has reached this transport: RTP received, or a receiver report on what it sends.
   * Its pair's bytes alone do not say so (the DTLS handshake counts there too).
   */
  media?: boolean | undefined;
}

export interface LivenessSample {
  at: number;
  /** The selected pair of each transport; undefined while it has none (or is closed). */
  send?: PairSample | undefined;
  recv?: PairSample | undefined;
  /** Something is published (the SFU answers the send transport). */
  publishing: boolean;
  /** Some consumer should receive media (neither paused by its sender nor by us). */
  receiving: boolean;
}

interface Track {
  pair: string;
  path: string;
  bytes: number;
  /** When the pair's last packet arrived, as far as the samples tell. */
  lastPacketAt: number;
  /** When media last arrived while carrying; undefined until it did (or while nothing is carried). */
  lastLifeAt: number | undefined;
}

export class TransportLiveness {
  #send: Track | undefined;
  #recv: Track | undefined;

  /** Reads one sample; answers what each transport's recovery should hear. */
  sample(s: LivenessSample): { send: Traffic; recv: Traffic } {
    const send = step(this.#send, s.send, s.at, s.publishing);
    const recv = step(this.#recv, s.recv, s.at, s.receiving);
    this.#send = send.track;
    this.#recv = recv.track;
    const silent = (t: Track | undefined) =>
      t?.lastLifeAt !== undefined && s.at - t.lastLifeAt >= STALL_MS;
    const sendJudges = this.#send?.lastLifeAt !== undefined;
    const sendStalled = silent(this.#send);
    const samePath = this.#send?.path === this.#recv?.path;
    const recvStalled = silent(this.#recv) && (!sendJudges || sendStalled || !samePath);
    return {
      send: sendStalled ? 'stalled' : send.alive ? 'alive' : 'quiet',
      recv: recvStalled ? 'stalled' : recv.alive ? 'alive' : 'quiet',
    };
  }
}

function step(
  track: Track | undefined,
  p: PairSample | undefined,
  at: number,
  carrying: boolean,
): { track: Track | undefined; alive: boolean } {
  if (!p) return { track: undefined, alive: false };
  const samePair = track?.pair === p.pair;
  const grew = samePair && p.bytes > track.bytes;
  // The browser's own time of the last packet; without it, the sample's (rises seen late).
  const lastPacketAt = p.silentMs !== undefined ? at - p.silentMs : grew ? at : undefined;
  // A packet since the last sample: on the same pair its bytes rose; on a pair the browser
  // just switched to, a packet that arrived after the last one seen on the old pair.
  const alive =
    track !== undefined &&
    p.bytes > 0 &&
    (grew || (!samePair && lastPacketAt !== undefined && lastPacketAt > track.lastPacketAt));
  // The first read of a transport whose media already came (between two reads, as it does
  // when the path connects and the SFU resumes at once): its last packet is life, or a path
  // that died before the next read would never be judged.
  const firstLife = track === undefined && p.media === true && lastPacketAt !== undefined;
  // Nothing to carry: judged again once media arrives after it has something again. A pair
  // the browser switched to without anything on it yet keeps the silence running.
  const lastLifeAt = !carrying
    ? undefined
    : alive || firstLife
      ? (lastPacketAt ?? at)
      : track?.lastLifeAt;
  return {
    track: {
      pair: p.pair,
      path: p.path,
      bytes: p.bytes,
      lastPacketAt: lastPacketAt ?? track?.lastPacketAt ?? -Infinity,
      lastLifeAt,
    },
    alive,
  };
}
