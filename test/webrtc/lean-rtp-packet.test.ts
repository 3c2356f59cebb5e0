/**
 * Packet rules of the lean RTP path, checked against werift's own RTP/RTCP/STUN code:
 * RFC 7983 demultiplexing, the received header's payload bounds, the written header.
 */
import { describe, expect, it } from 'vitest';
import { RtcpRrPacket, RtcpSrPacket, RtcpSenderInfo, RtpHeader, RtpPacket } from 'werift';
import {
  DatagramKind,
  classifyDatagram,
  leanRtpHeaderSize,
  ntpNow,
  rtpPayloadEnd,
  rtpPayloadOffset,
  writeLeanRtpHeader,
} from '../../src/media/lean-rtp-packet.js';

/** Small deterministic PRNG so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 0x1_0000_0000;
  };
}

describe('classifyDatagram (RFC 7983 §7, RFC 5761 §4)', () => {
  it('tells STUN, DTLS, RTP and RTCP apart and rejects the rest', () => {
    // A STUN binding request header: type 0x0001, length 0, magic cookie.
    const stun = Buffer.from('000100002112a442000000000000000000000000', 'hex');
    expect(classifyDatagram(stun)).toBe(DatagramKind.stun);
    for (const contentType of [20, 21, 22, 23, 63]) expect(classifyDatagram(Buffer.from([contentType, 0xfe, 0xfd]))).toBe(DatagramKind.dtls);
    const rtp = new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: 1, timestamp: 2, ssrc: 3, marker: true }), Buffer.alloc(20)).serialize();
    expect(classifyDatagram(rtp)).toBe(DatagramKind.rtp);
    const sr = new RtcpSrPacket({ ssrc: 1, senderInfo: new RtcpSenderInfo({ ntpTimestamp: 1n, rtpTimestamp: 2, packetCount: 3, octetCount: 4 }) }).serialize();
    expect(classifyDatagram(sr)).toBe(DatagramKind.rtcp);
    expect(classifyDatagram(new RtcpRrPacket({ ssrc: 1 }).serialize())).toBe(DatagramKind.rtcp);
    // RTCP packet types 192–223 (RFC 5761 §4), whatever the marker-bit position says.
    for (let pt = 192; pt <= 223; pt++) expect(classifyDatagram(Buffer.from([0x80, pt, ...Buffer.alloc(10)]))).toBe(DatagramKind.rtcp);
    expect(classifyDatagram(Buffer.from([0x80, 0xe0, ...Buffer.alloc(10)]))).toBe(DatagramKind.rtp); // PT 96 with marker
    expect(classifyDatagram(Buffer.alloc(0))).toBe(DatagramKind.other);
    expect(classifyDatagram(Buffer.from([0x80, 111]))).toBe(DatagramKind.other); // shorter than an RTP header
    expect(classifyDatagram(Buffer.from([0x80]))).toBe(DatagramKind.other);
    expect(classifyDatagram(Buffer.from([64, 0, 0, 4, 1, 2, 3, 4]))).toBe(DatagramKind.other); // TURN channel data
    expect(classifyDatagram(Buffer.from([200]))).toBe(DatagramKind.other);
  });
});

describe('received RTP payload bounds (RFC 3550 §5.1, §5.3.1)', () => {
  it('matches werift on 500 random packets with CSRCs, extensions and padding', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const csrc = Array.from({ length: Math.floor(r() * 4) }, () => Math.floor(r() * 0xffffffff));
      const nExt = Math.floor(r() * 3);
      const extensions = Array.from({ length: nExt }, (_, k) => ({ id: k + 1, payload: Buffer.alloc(1 + Math.floor(r() * 8), k + 1) }));
      const padding = r() < 0.3;
      const header = new RtpHeader({
        payloadType: 111,
        sequenceNumber: i,
        timestamp: i * 960,
        ssrc: 42,
        csrc,
        extensions,
        extensionProfile: 0xbede,
        padding,
        paddingSize: padding ? 1 + Math.floor(r() * 12) : 0,
      });
      const payload = Buffer.alloc(1 + Math.floor(r() * 100), i & 0xff);
      const bytes = new RtpPacket(header, payload).serialize();
      const parsed = RtpPacket.deSerialize(bytes);
      const offset = rtpPayloadOffset(bytes, bytes.length);
      const end = rtpPayloadEnd(bytes, bytes.length, offset);
      expect(offset).toBeGreaterThanOrEqual(12);
      expect(bytes.subarray(offset, end).equals(parsed.payload)).toBe(true);
      expect(bytes.subarray(offset, end).equals(payload)).toBe(true);
    }
  });

  it('rejects a length field pointing past the packet, impossible padding and a wrong version', () => {
    const bytes = new RtpPacket(new RtpHeader({ payloadType: 111, extensions: [{ id: 1, payload: Buffer.from([1, 2]) }], extensionProfile: 0xbede }), Buffer.alloc(10)).serialize();
    const longExt = Buffer.from(bytes);
    longExt.writeUInt16BE(100, 14); // 400 bytes of extension in a 30-byte packet
    expect(rtpPayloadOffset(longExt, longExt.length)).toBe(-1);
    const manyCsrc = Buffer.from(bytes);
    manyCsrc[0] = 0x80 | 15;
    expect(rtpPayloadOffset(manyCsrc, manyCsrc.length)).toBe(-1);
    const v1 = Buffer.from(bytes);
    v1[0] = 0x50;
    expect(rtpPayloadOffset(v1, v1.length)).toBe(-1);
    const plain = new RtpPacket(new RtpHeader({ payloadType: 111 }), Buffer.alloc(10)).serialize();
    plain[0] = (plain[0] as number) | 0x20;
    plain[plain.length - 1] = 200; // padding longer than the payload
    expect(rtpPayloadEnd(plain, plain.length, rtpPayloadOffset(plain, plain.length))).toBe(-1);
    plain[plain.length - 1] = 0; // a padding count of 0 is invalid too
    expect(rtpPayloadEnd(plain, plain.length, 12)).toBe(-1);
    expect(rtpPayloadOffset(plain, 11)).toBe(-1);
  });
});

describe('writeLeanRtpHeader (RFC 3550 §5.1, RFC 8285 §4.2)', () => {
  it('writes a header werift reads back, with and without mid / abs-send-time', () => {
    const cases = [
      {},
      { absSendTimeId: 3 },
      { mid: { id: 1, value: Buffer.from('0') } },
      { mid: { id: 4, value: Buffer.from('audio') }, absSendTimeId: 2 },
      { mid: { id: 2, value: Buffer.from('a') }, absSendTimeId: 9 },
    ];
    for (const ext of cases) {
      const out = Buffer.alloc(64, 0xaa);
      const size = writeLeanRtpHeader(out, 111, 65535, 0xfffffff0, 0xdeadbeef, true, ext, 0x123456);
      expect(size).toBe(leanRtpHeaderSize(ext));
      expect(size % 4).toBe(0);
      expect(out[size]).toBe(0xaa); // nothing written past the header
      const h = RtpHeader.deSerialize(out.subarray(0, size + 4));
      expect(h).toMatchObject({ version: 2, payloadType: 111, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true, padding: false });
      expect(h.payloadOffset).toBe(size);
      const got = Object.fromEntries(h.extensions.map((e) => [e.id, e.payload.toString('hex')]));
      const want: Record<number, string> = {};
      if ('mid' in ext && ext.mid) want[ext.mid.id] = ext.mid.value.toString('hex');
      if ('absSendTimeId' in ext && ext.absSendTimeId !== undefined) want[ext.absSendTimeId] = '123456';
      expect(got).toEqual(want);
      expect(h.extensions.map((e) => e.id)).toEqual([...h.extensions.map((e) => e.id)].sort((a, b) => a - b));
    }
  });

  it('gives an NTP timestamp of now (RFC 3550 §4)', () => {
    const ntp = ntpNow();
    const unixMs = Number(ntp >> 32n) * 1000 - 2_208_988_800_000 + (Number(ntp & 0xffffffffn) / 0x1_0000_0000) * 1000;
    expect(Math.abs(unixMs - Date.now())).toBeLessThan(1000);
  });
});
