/**
 * Interoperability with werift's own SRTP (the stack the WebRTC path runs on), both ways:
 * protect with ours -> unprotect with werift's SrtpSession, and the other way round.
 */
import { describe, expect, it } from 'vitest';
import { SrtcpSession, SrtpSession } from 'werift';
import { NativeSrtpSession, SrtpStatus } from '../../src/media/native-srtp.js';
import { keyPair, profiles, rtcpReceiverReport, rtpPacket, seededRandom, weriftKeys, withRoom, type RtpSpec } from './srtp-fixtures.js';

/** Packets that exercise header extensions, CSRCs and the 65535 -> 0 rollover. */
function specs(ssrc: number, start: number, n: number): RtpSpec[] {
  const out: RtpSpec[] = [];
  for (let i = 0; i < n; i++) {
    const seq = (start + i) & 0xffff;
    out.push({
      seq,
      ssrc,
      payloadLength: [160, 0, 1, 37, 320][i % 5],
      csrc: i % 7 === 3 ? [0x11111111, 0x22222222] : [],
      extensions:
        i % 3 === 0
          ? [
              { id: 1, payload: Buffer.from([0x80 | (i & 0x7f)]) }, // ssrc-audio-level
              { id: 3, payload: Buffer.from([i & 0xff, 0x01, 0x02]) },
            ]
          : [],
    });
  }
  return out;
}

describe.each(profiles)('SRTP interop with werift (%s)', (_name, profile) => {
  it('werift decrypts what we protect, across the sequence rollover', () => {
    const rng = seededRandom(11);
    const keys = keyPair(rng, profile);
    const ours = new NativeSrtpSession(profile, keys.a);
    const theirs = new SrtpSession({ keys: weriftKeys(keys.b), profile });
    const overhead = ours.params.rtpOverhead;
    let checked = 0;
    for (const spec of specs(0x1234abcd, 65_400, 300)) {
      const { bytes } = rtpPacket(rng, spec);
      const buf = withRoom(bytes, overhead);
      const n = ours.protectRtp(buf, bytes.length);
      expect(n).toBe(bytes.length + overhead);
      expect(buf.subarray(0, 12)).toEqual(bytes.subarray(0, 12)); // header stays clear
      const plain = theirs.decrypt(buf.subarray(0, n));
      expect(Buffer.compare(plain, bytes)).toBe(0);
      checked++;
    }
    expect(checked).toBe(300);
    ours.close();
  });

  it('we unprotect what werift encrypts, across the sequence rollover', () => {
    const rng = seededRandom(12);
    const keys = keyPair(rng, profile);
    const ours = new NativeSrtpSession(profile, keys.a);
    const theirs = new SrtpSession({ keys: weriftKeys(keys.b), profile });
    for (const spec of specs(0x0badf00d, 65_300, 400)) {
      const { header, payload, bytes } = rtpPacket(rng, spec);
      const protectedPacket = theirs.encrypt(payload, header);
      const n = ours.unprotectRtp(protectedPacket, protectedPacket.length);
      expect(n).toBe(bytes.length);
      expect(Buffer.compare(protectedPacket.subarray(0, n), bytes)).toBe(0);
    }
    ours.close();
  });

  it('SRTCP goes both ways', () => {
    const rng = seededRandom(13);
    const keys = keyPair(rng, profile);
    const ours = new NativeSrtpSession(profile, keys.a);
    const theirs = new SrtcpSession({ keys: weriftKeys(keys.b), profile });
    for (let i = 0; i < 20; i++) {
      const rr = rtcpReceiverReport(rng, 0x5eed0000 + (i % 2));
      const buf = withRoom(rr, ours.params.rtcpOverhead);
      const n = ours.protectRtcp(buf, rr.length);
      expect(n).toBe(rr.length + ours.params.rtcpOverhead);
      expect(Buffer.compare(theirs.decrypt(buf.subarray(0, n)), rr)).toBe(0);

      const back = rtcpReceiverReport(rng, 0x7e570000);
      const enc = theirs.encrypt(back);
      const m = ours.unprotectRtcp(enc, enc.length);
      expect(m).toBe(back.length);
      expect(Buffer.compare(enc.subarray(0, m), back)).toBe(0);
    }
    ours.close();
  });

  it('a packet werift protected with other keys fails authentication', () => {
    const rng = seededRandom(14);
    const ours = new NativeSrtpSession(profile, keyPair(rng, profile).a);
    const theirs = new SrtpSession({ keys: weriftKeys(keyPair(rng, profile).b), profile });
    const { header, payload } = rtpPacket(rng, { seq: 1, ssrc: 42 });
    const enc = theirs.encrypt(payload, header);
    expect(ours.unprotectRtp(enc, enc.length)).toBe(SrtpStatus.authFailed);
  });
});
