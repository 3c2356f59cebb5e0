/**
 * Random and truncated input to every SRTP entry point: no crash, a clean status for bad
 * packets, a TypeError/RangeError for bad arguments. Seeded, so failures reproduce.
 */
import { describe, expect, it } from 'vitest';
import {
  NativeSrtpSession,
  SRTP_BATCH_STRIDE,
  SrtpBatchField,
  SrtpProfile,
  SrtpStatus,
  aesCmKeystream,
  deriveSrtpSessionKey,
  srtpProcessBatch,
} from '../../src/media/native-srtp.js';
import { keyPair, profiles, randomBytes, rtcpReceiverReport, rtpPacket, seededRandom, withRoom } from './srtp-fixtures.js';

const statuses = new Set<number>(Object.values(SrtpStatus));

/** A random buffer that often looks like RTP/RTCP (version 2, random CC/X bits). */
function junk(rng: () => number): Buffer {
  const len = Math.floor(rng() * 120);
  const b = randomBytes(rng, len);
  if (len > 0 && rng() < 0.7) b[0] = (b[0]! & 0x3f) | 0x80;
  return b;
}

describe.each(profiles)('SRTP fuzz (%s)', (_name, profile) => {
  it('unprotect of random buffers returns a status and never a length', () => {
    const rng = seededRandom(101);
    const rx = new NativeSrtpSession(profile, keyPair(rng, profile).b);
    for (let i = 0; i < 3000; i++) {
      const b = junk(rng);
      const r1 = rx.unprotectRtp(Buffer.from(b), b.length);
      const r2 = rx.unprotectRtcp(Buffer.from(b), b.length);
      expect(statuses.has(r1) && r1 < 0, `rtp case ${i}: ${r1}`).toBe(true);
      expect(statuses.has(r2) && r2 < 0, `rtcp case ${i}: ${r2}`).toBe(true);
    }
  });

  it('protect of random buffers either fails cleanly or round-trips through the peer', () => {
    const rng = seededRandom(102);
    let tx!: NativeSrtpSession;
    let rx!: NativeSrtpSession;
    let roundTrips = 0;
    for (let i = 0; i < 2000; i++) {
      if (i % 10 === 0) {
        // Fresh pair now and then: random SSRCs would otherwise fill the stream table.
        const keys = keyPair(rng, profile);
        tx = new NativeSrtpSession(profile, keys.a);
        rx = new NativeSrtpSession(profile, keys.b);
      }
      const b = junk(rng);
      const room = Math.floor(rng() * 24);
      const rtcp = rng() < 0.3;
      const buf = withRoom(b, room);
      const n = rtcp ? tx.protectRtcp(buf, b.length) : tx.protectRtp(buf, b.length);
      if (n < 0) {
        expect(statuses.has(n), `case ${i}: ${n}`).toBe(true);
        continue;
      }
      expect(n).toBe(b.length + (rtcp ? tx.params.rtcpOverhead : tx.params.rtpOverhead));
      const m = rtcp ? rx.unprotectRtcp(buf, n) : rx.unprotectRtp(buf, n);
      // Random sequence numbers may be replays or too old for a stream already seen;
      // otherwise the packet must round-trip.
      if (m === SrtpStatus.replayed || m === SrtpStatus.tooOld) continue;
      expect(m, `case ${i}`).toBe(b.length);
      expect(Buffer.compare(buf.subarray(0, m), b)).toBe(0);
      roundTrips++;
    }
    expect(roundTrips).toBeGreaterThan(100);
  });

  it('every truncation of a valid packet is rejected cleanly', () => {
    const rng = seededRandom(103);
    const keys = keyPair(rng, profile);
    const tx = new NativeSrtpSession(profile, keys.a);
    const rx = new NativeSrtpSession(profile, keys.b);
    const { bytes } = rtpPacket(rng, {
      seq: 9,
      ssrc: 77,
      csrc: [1, 2],
      extensions: [{ id: 1, payload: Buffer.from([0x81]) }],
    });
    const rtp = withRoom(bytes, tx.params.rtpOverhead);
    const n = tx.protectRtp(rtp, bytes.length);
    const rr = rtcpReceiverReport(rng, 77);
    const rtcp = withRoom(rr, tx.params.rtcpOverhead);
    const m = tx.protectRtcp(rtcp, rr.length);
    for (let len = 0; len < n; len++) {
      const r = rx.unprotectRtp(Buffer.from(rtp.subarray(0, len)), len);
      expect(r < 0 && statuses.has(r), `rtp len ${len}: ${r}`).toBe(true);
      // A length shorter than the buffer is a truncation too.
      expect(rx.unprotectRtp(Buffer.from(rtp), len)).toBeLessThan(0);
    }
    for (let len = 0; len < m; len++) {
      const r = rx.unprotectRtcp(Buffer.from(rtcp.subarray(0, len)), len);
      expect(r < 0 && statuses.has(r), `rtcp len ${len}: ${r}`).toBe(true);
    }
    // The intact packets still pass afterwards: truncations left no state behind.
    expect(rx.unprotectRtp(rtp, n)).toBe(bytes.length);
    expect(rx.unprotectRtcp(rtcp, m)).toBe(rr.length);
  });

  it('a header extension or CSRC count pointing past the end is malformed', () => {
    const rng = seededRandom(104);
    const keys = keyPair(rng, profile);
    const tx = new NativeSrtpSession(profile, keys.a);
    const p = Buffer.alloc(40);
    p[0] = 0x90; // V=2, X=1
    p.writeUInt16BE(0xbede, 12);
    p.writeUInt16BE(0xffff, 14); // extension length far beyond the packet
    expect(tx.protectRtp(p, 20)).toBe(SrtpStatus.malformed);
    p[0] = 0x8f; // V=2, CC=15 -> 72-byte header
    expect(tx.protectRtp(p, 30)).toBe(SrtpStatus.malformed);
    p[0] = 0x40; // version 1
    expect(tx.protectRtp(p, 30)).toBe(SrtpStatus.malformed);
    p[0] = 0x80;
    expect(tx.protectRtp(p, 35)).toBe(SrtpStatus.noRoom);
  });
});

describe('SRTP bad arguments', () => {
  const rng = seededRandom(105);
  const keys = keyPair(rng, SrtpProfile.AES_CM_128_HMAC_SHA1_80);

  it('refuses unknown profiles and wrong key or salt sizes', () => {
    expect(() => new NativeSrtpSession(3 as SrtpProfile, keys.a)).toThrow(RangeError);
    expect(() => new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, { ...keys.a, localMasterKey: Buffer.alloc(15) })).toThrow(
      /master key must be 16 bytes/,
    );
    expect(() => new NativeSrtpSession(SrtpProfile.AEAD_AES_128_GCM, keys.a)).toThrow(/master salt 12/);
    expect(() => new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, { ...keys.a, remoteMasterSalt: 'x' as never })).toThrow(TypeError);
  });

  it('throws on wrong argument types and lengths outside the buffer', () => {
    const s = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys.a);
    const buf = Buffer.alloc(64);
    expect(() => s.unprotectRtp('nope' as never, 3)).toThrow(TypeError);
    expect(() => s.unprotectRtp(new Uint16Array(8) as never, 3)).toThrow(TypeError);
    expect(() => s.unprotectRtp(buf, 65)).toThrow(RangeError);
    expect(() => s.unprotectRtp(buf, -1)).toThrow(RangeError);
    expect(() => s.unprotectRtp(buf, 1.5)).toThrow(RangeError);
    expect(() => s.protectRtp(buf, '12' as never)).toThrow(TypeError);
    expect(() => aesCmKeystream(Buffer.alloc(16), Buffer.alloc(13), 0, 0, 16)).toThrow(RangeError);
    expect(() => deriveSrtpSessionKey(Buffer.alloc(16), Buffer.alloc(14), 9 as never, 16)).toThrow(RangeError);
    s.close();
    expect(() => s.unprotectRtp(buf, 40)).toThrow(/closed/);
    expect(s.handle).toBe(-1);
  });

  it('a batch of random descriptors yields statuses, never a crash', () => {
    const r = seededRandom(106);
    const sessions = [0, 1, 2].map(() => new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keyPair(r, SrtpProfile.AES_CM_128_HMAC_SHA1_80).b));
    const buffer = randomBytes(r, 4096);
    const n = 2000;
    const desc = new Int32Array(n * SRTP_BATCH_STRIDE);
    const pick = () => Math.floor(r() * 5000) - 500;
    for (let i = 0; i < n; i++) {
      const d = i * SRTP_BATCH_STRIDE;
      desc[d + SrtpBatchField.handle] = r() < 0.8 ? sessions[i % 3]!.handle : pick();
      desc[d + SrtpBatchField.op] = Math.floor(r() * 6) - 1;
      desc[d + SrtpBatchField.offset] = r() < 0.9 ? Math.floor(r() * 4096) : pick();
      desc[d + SrtpBatchField.length] = Math.floor(r() * 200) - 10;
      desc[d + SrtpBatchField.capacity] = desc[d + SrtpBatchField.length]! + Math.floor(r() * 40) - 5;
    }
    const ok = srtpProcessBatch(buffer, desc, n);
    let failures = 0;
    for (let i = 0; i < n; i++) {
      const res = desc[i * SRTP_BATCH_STRIDE + SrtpBatchField.result]!;
      if (res < 0) {
        expect(statuses.has(res), `entry ${i}: ${res}`).toBe(true);
        failures++;
      }
    }
    expect(ok + failures).toBe(n);
    expect(failures).toBeGreaterThan(n / 2);
    expect(() => srtpProcessBatch(buffer, desc, n + 1)).toThrow(RangeError);
    expect(() => srtpProcessBatch(buffer, new Uint32Array(6) as never, 1)).toThrow(TypeError);
  });
});
