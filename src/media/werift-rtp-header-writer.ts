/**
 * Writes a werift `RtpHeader` straight into a caller's buffer, byte for byte what
 * werift 0.24.4's `RtpHeader.serialize(header.serializeSize)` produces, without the
 * intermediate Buffer and `BitWriter` objects that method allocates per packet.
 *
 * Layout (RFC 3550 §5.1): V=2|P|X|CC, M|PT, sequence number, timestamp, SSRC, CSRC list,
 * then the header extension block (RFC 3550 §5.3.1) in the one-byte (0xBEDE) or two-byte
 * (0x100x) form of RFC 8285 §4.2/§4.3, zero-padded to a 32-bit boundary.
 *
 * Headers outside the fast path (a one-byte extension of 0 or more than 16 bytes, or a
 * non-RFC 8285 profile) are serialized by werift itself and copied, so the result always
 * equals werift's.
 */
import type { RtpHeader } from 'werift';

/** RFC 8285 §4.2 one-byte header extension profile. */
const ONE_BYTE_PROFILE = 0xbede;
/** RFC 8285 §4.3 two-byte header extension profile (appbits 0). */
const TWO_BYTE_PROFILE = 0x1000;

/** Whether `writeRtpHeader` writes this header itself (otherwise it falls back to werift). */
function isFastPath(header: RtpHeader): boolean {
  if (header.csrc.length > 15) return false;
  if (header.extensions.length === 0) return true;
  if (header.extensionProfile === ONE_BYTE_PROFILE) {
    for (const e of header.extensions) if (e.payload.length < 1 || e.payload.length > 16 || e.id > 14) return false;
    return true;
  }
  if (header.extensionProfile === TWO_BYTE_PROFILE) {
    for (const e of header.extensions) if (e.payload.length > 255 || e.id > 255) return false;
    return true;
  }
  return false;
}

/** Bytes the header takes; equals werift's `header.serializeSize`. */
export function rtpHeaderSize(header: RtpHeader): number {
  let size = 12 + header.csrc.length * 4;
  if (header.extensions.length > 0 || header.extension) {
    let ext = 4;
    if (header.extensionProfile === ONE_BYTE_PROFILE) {
      for (const e of header.extensions) ext += 1 + e.payload.length;
    } else if (header.extensionProfile === TWO_BYTE_PROFILE) {
      for (const e of header.extensions) ext += 2 + e.payload.length;
    } else {
      return header.serializeSize;
    }
    size += ((ext + 3) >> 2) << 2;
  }
  return size;
}

/**
 * Writes `header` at `out[0..size)` (size from `rtpHeaderSize`) and returns `size`.
 * Like werift's serialize, sets `header.extension` when extensions exist and
 * `header.payloadOffset` to the header length.
 */
export function writeRtpHeader(header: RtpHeader, out: Buffer, size: number): number {
  if (!isFastPath(header)) {
    const copy = header.serialize(size);
    copy.copy(out, 0);
    return copy.length;
  }
  if (header.extensions.length > 0) header.extension = true;
  const csrc = header.csrc;
  out[0] = ((header.version & 3) << 6) | (header.padding ? 0x20 : 0) | (header.extension ? 0x10 : 0) | csrc.length;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  let offset = 12;
  for (let i = 0; i < csrc.length; i++) {
    out.writeUInt32BE((csrc[i] as number) >>> 0, offset);
    offset += 4;
  }
  if (header.extension) {
    const extHeader = offset;
    out.writeUInt16BE(header.extensionProfile, offset);
    offset += 4;
    const start = offset;
    const twoByte = header.extensionProfile === TWO_BYTE_PROFILE;
    for (const e of header.extensions) {
      if (twoByte) {
        out[offset++] = e.id;
        out[offset++] = e.payload.length;
      } else {
        out[offset++] = (e.id << 4) | (e.payload.length - 1);
      }
      e.payload.copy(out, offset);
      offset += e.payload.length;
    }
    const used = offset - start;
    const rounded = ((used + 3) >> 2) << 2;
    out.writeUInt16BE(rounded >> 2, extHeader + 2);
    out.fill(0, offset, start + rounded);
    offset = start + rounded;
  }
  header.payloadOffset = offset;
  return offset;
}
