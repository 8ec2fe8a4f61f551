/**
 * The raw baseline server's signalling (./raw-server.ts): the media requests every
 * mediasoup application has, with socket.io acks. Frozen on purpose: samkons's protocol
 * may change, the baseline does not.
 */
import type { types } from 'mediasoup';

export type RawAck<T> = { ok: true; data: T } | { ok: false; error: { message: string } };

export interface RawTransportOptions {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface RawJoinResponse {
  peerId: string;
  routerRtpCapabilities: types.RtpCapabilities;
  sendTransport: RawTransportOptions;
  recvTransport: RawTransportOptions;
}

/** A paused consumer the client creates locally, then resumes with `resumeConsumer`. */
export interface RawNewConsumer {
  id: string;
  producerId: string;
  peerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
}
