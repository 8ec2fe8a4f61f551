/**
 * Synthetic camera and microphone for headless participants: pre-built RTP with the bytes
 * an SFU reads (VP8 payload descriptor and key-frame flag, Opus with an audio level), at a
 * fixed packet rate, so the load costs little CPU and every run sends exactly the same.
 */
import { RtpPacket } from 'werift';
import { vp8Payload } from '../support/vp8.js';
import { rtpHeader } from './werift-speedups.js';

export interface MediaProfile {
  videoFps: number;
  videoPacketsPerFrame: number;
  keyFramePackets: number;
  videoPayloadBytes: number;
  audioPacketsPerSecond: number;
  audioPayloadBytes: number;
}

/** About 800 kbit/s of 640x360 VP8 and 50 Opus packets a second per participant. */
export const DEFAULT_PROFILE: MediaProfile = {
  videoFps: 25,
  videoPacketsPerFrame: 4,
  keyFramePackets: 10,
  videoPayloadBytes: 1000,
  audioPacketsPerSecond: 50,
  audioPayloadBytes: 120,
};

export function describeProfile(p: MediaProfile): { video: string; audio: string } {
  const kbps = Math.round((p.videoFps * p.videoPacketsPerFrame * p.videoPayloadBytes * 8) / 1000);
  return {
    video: `VP8 ${p.videoFps} fps x ${p.videoPacketsPerFrame} packets of ${p.videoPayloadBytes} B (~${kbps} kbit/s), key frame of ${p.keyFramePackets} packets on PLI`,
    audio: `Opus ${p.audioPacketsPerSecond} packets/s of ${p.audioPayloadBytes} B with ssrc-audio-level`,
  };
}

export interface RtpSink {
  writeRtp(packet: RtpPacket): void;
}

/**
 * One participant's camera and microphone. `advance(now)` writes every packet due by `now`
 * (catching up after a late timer, so the rate stays exact); a phase spreads participants
 * over the frame interval as independent devices would be.
 */
export class SyntheticSource {
  readonly #profile: MediaProfile;
  readonly #video: RtpSink;
  readonly #audio: RtpSink;
  readonly #startedAt: number;
  #audioLevelExtensionId: number | undefined;
  #frames = 0;
  #audioPackets = 0;
  #videoSeq = 0;
  #audioSeq = 0;
  #keyFrameWanted = true;

  constructor(opts: {
    profile: MediaProfile;
    video: RtpSink;
    audio: RtpSink;
    startedAt: number;
    phaseMs: number;
    audioLevelExtensionId?: number;
  }) {
    this.#profile = opts.profile;
    this.#video = opts.video;
    this.#audio = opts.audio;
    this.#startedAt = opts.startedAt + opts.phaseMs;
    this.#audioLevelExtensionId = opts.audioLevelExtensionId;
  }

  /** A receiver lost the picture (PLI/FIR through the SFU): the next frame is a key frame. */
  requestKeyFrame(): void {
    this.#keyFrameWanted = true;
  }

  advance(now: number): void {
    const elapsed = now - this.#startedAt;
    if (elapsed < 0) return;
    const p = this.#profile;
    const audioDue = Math.floor((elapsed * p.audioPacketsPerSecond) / 1000) + 1;
    while (this.#audioPackets < audioDue) this.#sendAudio();
    const framesDue = Math.floor((elapsed * p.videoFps) / 1000) + 1;
    while (this.#frames < framesDue) this.#sendFrame();
  }

  #sendAudio(): void {
    const p = this.#profile;
    const n = this.#audioPackets++;
    const extensions =
      this.#audioLevelExtensionId !== undefined
        ? // Voice activity bit and a level that varies a little, as a speaking microphone.
          [{ id: this.#audioLevelExtensionId, payload: Buffer.from([0x80 | (20 + (n % 10))]) }]
        : [];
    const header = rtpHeader({
      payloadType: 100,
      sequenceNumber: this.#audioSeq++ & 0xffff,
      timestamp: (n * (48000 / p.audioPacketsPerSecond)) >>> 0,
      ssrc: 1,
      marker: false,
      extension: extensions.length > 0,
      extensions,
    });
    this.#audio.writeRtp(new RtpPacket(header, Buffer.alloc(p.audioPayloadBytes, 0x01)));
  }

  #sendFrame(): void {
    const p = this.#profile;
    const frame = this.#frames++;
    const key = this.#keyFrameWanted;
    this.#keyFrameWanted = false;
    const packets = key ? p.keyFramePackets : p.videoPacketsPerFrame;
    const timestamp = (frame * (90000 / p.videoFps)) >>> 0;
    for (let k = 0; k < packets; k++) {
      const header = rtpHeader({
        payloadType: 101,
        sequenceNumber: this.#videoSeq++ & 0xffff,
        timestamp,
        ssrc: 2,
        marker: k === packets - 1,
      });
      this.#video.writeRtp(
        new RtpPacket(header, vp8Payload(frame, k === 0, key, p.videoPayloadBytes)),
      );
    }
  }
}
