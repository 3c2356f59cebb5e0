/**
 * Receive-side protections (RFC 3711 §3.3): the tag is checked on every packet, the replay
 * window is checked before and advanced only after authentication.
 */
import { describe, expect, it } from 'vitest';
import { NativeSrtpSession, SRTP_REPLAY_WINDOW, SrtpStatus, type SrtpProfile } from '../../src/media/native-srtp.js';
import { keyPair, profiles, rtcpReceiverReport, rtpPacket, seededRandom, withRoom } from './srtp-fixtures.js';

const SSRC = 0xcafe0001;

/** A sender/receiver pair and a function producing protected packets by sequence number. */
function link(profile: SrtpProfile, seed: number) {
  const rng = seededRandom(seed);
  const keys = keyPair(rng, profile);
  const sender = new NativeSrtpSession(profile, keys.a);
  const receiver = new NativeSrtpSession(profile, keys.b);
  const protect = (seq: number, ext = false): { wire: Buffer; plain: Buffer } => {
    const { bytes } = rtpPacket(rng, {
      seq,
      ssrc: SSRC,
      extensions: ext ? [{ id: 1, payload: Buffer.from([0x90]) }] : [],
    });
    const buf = withRoom(bytes, sender.params.rtpOverhead);
    const n = sender.protectRtp(buf, bytes.length);
    expect(n).toBe(bytes.length + sender.params.rtpOverhead);
    return { wire: buf, plain: bytes };
  };
  /** Unprotects a copy, so the same wire packet can be offered again. */
  const receive = (wire: Buffer): number => {
    const copy = Buffer.from(wire);
    return receiver.unprotectRtp(copy, copy.length);
  };
  return { sender, receiver, protect, receive };
}

describe.each(profiles)('SRTP receive protections (%s)', (_name, profile) => {
  it('accepts a genuine packet and returns the plaintext', () => {
    const { protect, receiver } = link(profile, 1);
    const { wire, plain } = protect(100, true);
    const n = receiver.unprotectRtp(wire, wire.length);
    expect(n).toBe(plain.length);
    expect(Buffer.compare(wire.subarray(0, n), plain)).toBe(0);
  });

  it('rejects a packet tampered anywhere (header, extension, payload, tag), then still accepts the genuine one', () => {
    const { protect, receive } = link(profile, 2);
    const { wire } = protect(200, true);
    for (const at of [1, 3, 9, 13, 17, 20, 60, wire.length - 1]) {
      const bad = Buffer.from(wire);
      bad[at]! ^= 0x01;
      expect(receive(bad), `byte ${at}`).toBe(SrtpStatus.authFailed);
    }
    expect(receive(wire)).toBeGreaterThan(0);
  });

  it('rejects a replayed packet', () => {
    const { protect, receive } = link(profile, 3);
    const { wire } = protect(300);
    expect(receive(wire)).toBeGreaterThan(0);
    expect(receive(wire)).toBe(SrtpStatus.replayed);
    expect(receive(wire)).toBe(SrtpStatus.replayed);
  });

  it('accepts late packets inside the window once, rejects those left of it as too old', () => {
    const { protect, receive } = link(profile, 4);
    const packets = new Map<number, Buffer>();
    for (let seq = 1000; seq <= 1300; seq++) packets.set(seq, protect(seq).wire);
    // Deliver 1100..1300, holding back 1000..1099 and 1250.
    for (let seq = 1100; seq <= 1300; seq++) if (seq !== 1250) expect(receive(packets.get(seq)!)).toBeGreaterThan(0);
    expect(receive(packets.get(1250)!)).toBeGreaterThan(0); // late but inside the window
    expect(receive(packets.get(1250)!)).toBe(SrtpStatus.replayed);
    const leftEdge = 1300 - SRTP_REPLAY_WINDOW + 1;
    expect(receive(packets.get(leftEdge - 1)!)).toBe(SrtpStatus.tooOld);
    expect(receive(packets.get(1000)!)).toBe(SrtpStatus.tooOld);
    expect(receive(packets.get(leftEdge)!)).toBe(SrtpStatus.replayed); // delivered earlier, still tracked
  });

  it('a forged packet with a far-ahead index does not advance the window', () => {
    const { protect, receive } = link(profile, 5);
    expect(receive(protect(40_000).wire)).toBeGreaterThan(0);
    const next = protect(40_001).wire;
    // Forge: a genuine packet with its sequence number moved 1000 ahead, and one moved
    // to 100, which the index estimate reads as the next rollover (ROC + 1). Both fail
    // authentication, so neither may move the window or the ROC.
    for (const forgedSeq of [41_000, 100]) {
      const forged = Buffer.from(protect(40_002).wire);
      forged.writeUInt16BE(forgedSeq, 2);
      expect(receive(forged)).toBe(SrtpStatus.authFailed);
    }
    // Had the window moved to 41000, 40001 would be too old; had ROC moved, it would fail.
    expect(receive(next)).toBeGreaterThan(0);
  });

  it('keeps the rollover counter through reordering around 65535 -> 0', () => {
    const { protect, receiver } = link(profile, 6);
    const order = [65_530, 65_531, 65_533, 0, 65_532, 2, 65_534, 1, 65_535, 3];
    const sent = new Map<number, { wire: Buffer; plain: Buffer }>();
    for (const seq of [65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1, 2, 3]) sent.set(seq, protect(seq));
    for (const seq of order) {
      const { wire, plain } = sent.get(seq)!;
      const n = receiver.unprotectRtp(wire, wire.length);
      expect(n, `seq ${seq}`).toBe(plain.length);
      expect(Buffer.compare(wire.subarray(0, n), plain)).toBe(0);
    }
  });

  it('a forged packet from an unknown SSRC does not create state that blocks the real stream', () => {
    const { protect, receive } = link(profile, 7);
    const genuine = protect(7000).wire;
    const forged = Buffer.from(genuine);
    forged[20]! ^= 0xff;
    expect(receive(forged)).toBe(SrtpStatus.authFailed);
    expect(receive(genuine)).toBeGreaterThan(0);
  });

  it('rejects a replayed or tampered SRTCP packet', () => {
    const rng = seededRandom(8);
    const keys = keyPair(rng, profile);
    const sender = new NativeSrtpSession(profile, keys.a);
    const receiver = new NativeSrtpSession(profile, keys.b);
    const rr = rtcpReceiverReport(rng, SSRC);
    const buf = withRoom(rr, sender.params.rtcpOverhead);
    const n = sender.protectRtcp(buf, rr.length);
    const wire = buf.subarray(0, n);
    const tampered = Buffer.from(wire);
    tampered[12]! ^= 0x40;
    expect(receiver.unprotectRtcp(tampered, tampered.length)).toBe(SrtpStatus.authFailed);
    expect(receiver.unprotectRtcp(Buffer.from(wire), wire.length)).toBe(rr.length);
    expect(receiver.unprotectRtcp(Buffer.from(wire), wire.length)).toBe(SrtpStatus.replayed);
  });
});
