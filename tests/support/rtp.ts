import type { Socket } from 'node:dgram';

/*
 * Hand-made RTP and RTCP for tests that drive the real mediasoup worker over plain
 * transports from UDP sockets (no browser: ICE, DTLS and SRTP are not what they test).
 */

export const VP8_PT = 101;

/** A VP8 camera sending from a test socket: its SSRC, and the sequence number next sent. */
export interface Vp8Sender {
  ssrc: number;
  seq: number;
}

/**
 * One VP8 frame (64x48) in one RTP packet, a key frame or not; advances the sender's
 * sequence. The worker parses the payload: a key frame is what it forwards to a stream
 * that waits for one, and a stream's first packet not being one makes it ask for one.
 */
export function vp8Packet(s: Vp8Sender, keyFrame = true): Buffer {
  const p = Buffer.alloc(12 + 20);
  p[0] = 0x80;
  p[1] = 0x80 | VP8_PT; // marker: the frame's last packet
  p.writeUInt16BE(s.seq & 0xffff, 2);
  p.writeUInt32BE((s.seq * 3000) >>> 0, 4);
  p.writeUInt32BE(s.ssrc, 8);
  // VP8 payload descriptor: extended (the worker reads no other), start of partition 0, a
  // two-byte picture id. Then the frame header: its first bit clear for a key frame, which
  // goes on with the start code and the size.
  const pictureId = s.seq & 0x7fff;
  const descriptor = [0x90, 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff];
  const frame = keyFrame
    ? [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x00, 0x30, 0x00]
    : [0x11, 0x02, 0x00];
  Buffer.from([...descriptor, ...frame]).copy(p, 12);
  s.seq++;
  return p;
}

/** The SSRC an RTP packet was sent with. */
export const rtpSsrc = (packet: Buffer) => packet.readUInt32BE(8);

/** Whether a datagram is RTCP (RFC 5761: payload types 200-206 where RTP's marker sits). */
export const isRtcp = (packet: Buffer) =>
  packet.length >= 8 && packet[1]! >= 200 && packet[1]! <= 206;

/** The media SSRCs a compound RTCP packet asks key frames of (PLI, RFC 4585). */
export function pliSsrcs(packet: Buffer): number[] {
  const asked: number[] = [];
  for (let at = 0; at + 12 <= packet.length;) {
    const fmt = packet[at]! & 0x1f;
    const type = packet[at + 1]!;
    if (type === 206 && fmt === 1) asked.push(packet.readUInt32BE(at + 8));
    at += (packet.readUInt16BE(at + 2) + 1) * 4;
  }
  return asked;
}

export const sendTo = (socket: Socket, packet: Buffer, port: number) =>
  new Promise<void>((resolve, reject) =>
    socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
  );
