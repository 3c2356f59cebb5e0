/**
 * The bridge writes werift's RtpHeader itself (no per-packet intermediate buffers); the
 * bytes must equal werift's own RtpHeader.serialize for every header werift can send.
 */
import { describe, expect, it } from 'vitest';
import { RtpHeader } from 'werift';
import { rtpHeaderSize, writeRtpHeader } from '../../src/media/werift-rtp-header-writer.js';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

type Props = ConstructorParameters<typeof RtpHeader>[0];

function randomProps(r: () => number): Props {
  const int = (n: number) => Math.floor(r() * n);
  const kind = int(5);
  const extensions: { id: number; payload: Buffer }[] = [];
  let extensionProfile = 0xbede;
  if (kind === 1) {
    for (let i = 0, n = 1 + int(4); i < n; i++) extensions.push({ id: 1 + int(14), payload: Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256))) });
  } else if (kind === 2) {
    extensionProfile = 0x1000;
    for (let i = 0, n = 1 + int(4); i < n; i++) extensions.push({ id: 1 + int(255), payload: Buffer.from(Array.from({ length: int(24) }, () => int(256))) });
  } else if (kind === 3) {
    extensionProfile = 0xabcd; // not RFC 8285: one opaque block, werift serializes it
    extensions.push({ id: 0, payload: Buffer.from(Array.from({ length: 4 * (1 + int(3)) }, () => int(256))) });
  }
  return {
    padding: r() < 0.2,
    marker: r() < 0.5,
    extension: kind === 4, // X bit without any extension element
    payloadType: int(128),
    sequenceNumber: int(65536),
    timestamp: int(2 ** 32),
    ssrc: int(2 ** 32),
    csrc: Array.from({ length: int(4) }, () => int(2 ** 32)),
    extensionProfile: extensionProfile as RtpHeader['extensionProfile'],
    extensions,
  };
}

describe('writeRtpHeader', () => {
  it('produces werift RtpHeader.serialize bytes, size and payloadOffset for 2000 random headers', () => {
    const r = rng(7);
    const out = Buffer.alloc(1024, 0xee);
    for (let i = 0; i < 2000; i++) {
      const props = randomProps(r);
      const ours = new RtpHeader({ ...props, csrc: [...(props?.csrc ?? [])], extensions: [...(props?.extensions ?? [])] });
      const theirs = new RtpHeader({ ...props, csrc: [...(props?.csrc ?? [])], extensions: [...(props?.extensions ?? [])] });
      const want = theirs.serialize(theirs.serializeSize);
      const size = rtpHeaderSize(ours);
      expect(size).toBe(want.length);
      out.fill(0xee);
      expect(writeRtpHeader(ours, out, size)).toBe(want.length);
      expect(out.subarray(0, size).equals(want)).toBe(true);
      expect(out[size]).toBe(0xee); // nothing written past the header
      expect(ours.payloadOffset).toBe(theirs.payloadOffset);
      expect(ours.extension).toBe(theirs.extension);
    }
  });
});
