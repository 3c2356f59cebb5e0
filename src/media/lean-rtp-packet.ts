/**
 * The packet-level rules of the lean RTP path (lean-rtp-path.ts): demultiplexing a
 * datagram on the ICE socket, reading a received RTP header after SRTP unprotect, and
 * writing an outgoing RTP header with the few header extensions the lean path supports.
 * No allocation: everything works on the caller's buffer.
 */

/** What arrived on the ICE-selected UDP socket (RFC 7983 §7, RFC 5761 §4). */
export const DatagramKind = {
  stun: 0,
  dtls: 1,
  rtp: 2,
  rtcp: 3,
  other: 4,
} as const;
export type DatagramKind = (typeof DatagramKind)[keyof typeof DatagramKind];

/**
 * RFC 7983 §7: first byte 0–3 is STUN, 20–63 DTLS, 128–191 RTP or RTCP (64–79 TURN
 * channel data, handled by werift's TURN protocol, never seen on a host socket here).
 * RTP and RTCP share the port (rtcp-mux, RFC 5761 §4): a second byte of 192–223 (RTCP
 * packet types 192–223, i.e. 64–95 once the marker bit is masked) is RTCP.
 */
export function classifyDatagram(buf: Uint8Array): DatagramKind {
  const b0 = buf[0];
  if (b0 === undefined) return DatagramKind.other;
  if (b0 >= 128 && b0 <= 191) {
    const b1 = buf[1];
    if (b1 === undefined) return DatagramKind.other;
    if ((b1 & 0x7f) >= 64 && (b1 & 0x7f) <= 95) return DatagramKind.rtcp;
    // An RTP packet has at least its 12-byte fixed header (RFC 3550 §5.1).
    return buf.length >= 12 ? DatagramKind.rtp : DatagramKind.other;
  }
  if (b0 <= 3) return DatagramKind.stun;
  if (b0 >= 20 && b0 <= 63) return DatagramKind.dtls;
  return DatagramKind.other;
}

/**
 * Offset of the payload in an RTP packet of `length` bytes (RFC 3550 §5.1: fixed header,
 * CSRC list, then the §5.3.1 extension block whose 16-bit length counts 32-bit words),
 * or -1 when a length field points past the packet.
 */
export function rtpPayloadOffset(buf: Uint8Array, length: number): number {
  if (length < 12 || ((buf[0] as number) & 0xc0) !== 0x80) return -1;
  let offset = 12 + ((buf[0] as number) & 0x0f) * 4;
  if (((buf[0] as number) & 0x10) !== 0) {
    if (offset + 4 > length) return -1;
    const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
    offset += 4 + words * 4;
  }
  return offset <= length ? offset : -1;
}

/**
 * End of the payload: `length` less the RFC 3550 §5.1 padding whose count is the last
 * octet when the P bit is set; -1 when the padding count is impossible.
 */
export function rtpPayloadEnd(buf: Uint8Array, length: number, payloadOffset: number): number {
  if (((buf[0] as number) & 0x20) === 0) return length;
  const pad = buf[length - 1] as number;
  return pad === 0 || length - pad < payloadOffset ? -1 : length - pad;
}

/**
 * The RTP header extensions the lean sender writes (one-byte form, RFC 8285 §4.2). werift
 * negotiates what its peer offered; anything else keeps the call on werift's sender.
 */
export interface LeanHeaderExtensions {
  /** urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15), its id and the MID bytes */
  mid?: { id: number; value: Buffer };
  /** http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time: 6.18 fixed-point seconds, 3 bytes */
  absSendTimeId?: number;
}

export const SDES_MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

/** Bytes of the header `writeLeanRtpHeader` writes for these extensions. */
export function leanRtpHeaderSize(ext: LeanHeaderExtensions): number {
  let body = 0;
  if (ext.mid) body += 1 + ext.mid.value.length;
  if (ext.absSendTimeId !== undefined) body += 1 + 3;
  return body === 0 ? 12 : 12 + 4 + (((body + 3) >> 2) << 2);
}

/** Whether the one-byte form can carry these extensions (ids 1–14, 1–16 data bytes). */
export function isWritable(ext: LeanHeaderExtensions): boolean {
  const okId = (id: number) => Number.isInteger(id) && id >= 1 && id <= 14;
  if (ext.mid && (!okId(ext.mid.id) || ext.mid.value.length < 1 || ext.mid.value.length > 16)) return false;
  if (ext.absSendTimeId !== undefined && !okId(ext.absSendTimeId)) return false;
  return true;
}

/**
 * Writes the RTP fixed header (RFC 3550 §5.1, V=2, no padding, no CSRC) and the one-byte
 * extension block (RFC 8285 §4.2, elements in id order, zero-padded) at `out[0..size)`.
 * `absSendTime` is the 24-bit abs-send-time value. Returns the header size.
 */
export function writeLeanRtpHeader(
  out: Buffer,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  marker: boolean,
  ext: LeanHeaderExtensions,
  absSendTime: number,
): number {
  const size = leanRtpHeaderSize(ext);
  out[0] = size > 12 ? 0x90 : 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out.writeUInt16BE(sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(timestamp >>> 0, 4);
  out.writeUInt32BE(ssrc >>> 0, 8);
  if (size === 12) return 12;
  out.writeUInt16BE(0xbede, 12);
  out.writeUInt16BE((size - 16) >> 2, 14);
  let o = 16;
  const mid = ext.mid;
  const abs = ext.absSendTimeId;
  const midFirst = mid !== undefined && (abs === undefined || mid.id < abs);
  if (midFirst) o = writeMid(out, o, mid);
  if (abs !== undefined) {
    out[o++] = (abs << 4) | 2;
    out[o++] = (absSendTime >>> 16) & 0xff;
    out[o++] = (absSendTime >>> 8) & 0xff;
    out[o++] = absSendTime & 0xff;
  }
  if (mid !== undefined && !midFirst) o = writeMid(out, o, mid);
  out.fill(0, o, size);
  return size;
}

function writeMid(out: Buffer, o: number, mid: { id: number; value: Buffer }): number {
  out[o++] = (mid.id << 4) | (mid.value.length - 1);
  mid.value.copy(out, o);
  return o + mid.value.length;
}

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (RFC 868). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** Wall-clock time as a 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900, 32-bit fraction). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(seconds + NTP_UNIX_OFFSET_S) << 32n) | BigInt(fraction >>> 0);
}

/** abs-send-time: the NTP time in 6.18 fixed-point seconds, 24 bits. */
export function absSendTimeNow(): number {
  const s = (performance.timeOrigin + performance.now()) / 1000;
  return Math.floor(s * 262_144) & 0xffffff;
}
