/** RTP payloads shaped like a browser's, for synthetic media in the benchmarks. */

/**
 * A VP8 packet as Chrome sends it: the extended payload descriptor (picture id, TL0 index,
 * temporal layer 0), then for a frame's first packet the VP8 payload header. mediasoup reads
 * key frames from these bytes and forwards video to a consumer only from a key frame on.
 */
export function vp8Payload(
  frame: number,
  firstOfFrame: boolean,
  keyFrame: boolean,
  bytes: number,
): Buffer {
  const body = Buffer.alloc(bytes, 0x55);
  body[0] = firstOfFrame ? 0x90 : 0x80; // X, and S on a frame's first packet, partition 0
  body[1] = 0xe0; // I, L, T present
  body.writeUInt16BE(0x8000 | (frame & 0x7fff), 2); // two-byte picture id
  body[4] = frame & 0xff; // TL0PICIDX
  body[5] = 0x20; // temporal layer 0, layer sync
  if (firstOfFrame) {
    // Frame tag: bit 0 clear = key frame; show_frame set.
    body[6] = keyFrame ? 0x10 : 0x11;
    body[7] = 0x00;
    body[8] = 0x00;
    if (keyFrame) {
      body.set([0x9d, 0x01, 0x2a], 9); // key frame start code
      body.writeUInt16LE(640, 12);
      body.writeUInt16LE(360, 14);
    }
  }
  return body;
}
