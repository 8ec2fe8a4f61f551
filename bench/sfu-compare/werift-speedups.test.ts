import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { RtpHeader, RtpPacket } from 'werift';
import { deserializeRtpHeader, getBit, rtpHeader } from './werift-speedups.js';

const require = createRequire(import.meta.url);
const original = require('werift/lib/common/src/binary') as {
  getBit(bits: number, start: number, length?: number): number;
};

function packet(extensions: { id: number; payload: Buffer }[], opts: Partial<RtpHeader> = {}) {
  const header = new RtpHeader({
    payloadType: 101,
    sequenceNumber: 65_534,
    timestamp: 0xfedcba98,
    ssrc: 0x12345678,
    marker: true,
    csrc: [7, 8],
    extensions,
    ...opts,
  });
  return new RtpPacket(header, Buffer.alloc(40, 0x55)).serialize();
}

describe('werift speed-ups for the load', () => {
  it('getBit matches werift for every byte, start and length', () => {
    for (let bits = 0; bits < 256; bits++) {
      for (let start = 0; start < 8; start++) {
        for (let length = 1; start + length <= 8; length++) {
          expect(getBit(bits, start, length)).toBe(original.getBit(bits, start, length));
        }
      }
    }
  });

  it('parses RTP headers exactly as werift does (one-byte, two-byte, none)', () => {
    const buffers = [
      packet([]),
      packet([
        { id: 1, payload: Buffer.from('0') },
        { id: 3, payload: Buffer.from([0x80 | 23]) },
      ]),
      packet([{ id: 20, payload: Buffer.alloc(20, 1) }], { extensionProfile: 0x1000 }),
    ];
    for (const raw of buffers) {
      const theirs = { ...RtpHeader.deSerialize(raw) };
      const ours = { ...deserializeRtpHeader(raw) };
      expect(ours).toEqual(theirs);
    }
  });

  it('builds headers with the same fields as the constructor', () => {
    const fields = { payloadType: 100, sequenceNumber: 5, timestamp: 960, ssrc: 1 };
    expect({ ...rtpHeader(fields) }).toEqual({ ...new RtpHeader(fields) });
    expect(rtpHeader(fields)).toBeInstanceOf(RtpHeader);
  });
});
