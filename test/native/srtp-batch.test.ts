/** The batch entry point: many packets of many sessions in one native call. */
import { describe, expect, it } from 'vitest';
import {
  NativeSrtpSession,
  SRTP_BATCH_STRIDE,
  SrtpBatch,
  SrtpBatchField,
  SrtpBatchOp,
  SrtpProfile,
  SrtpStatus,
  srtpProcessBatch,
} from '../../src/media/native-srtp.js';
import { keyPair, rtcpReceiverReport, rtpPacket, seededRandom, withRoom } from './srtp-fixtures.js';

function peers(n: number, seed: number) {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const profile = i % 2 === 0 ? SrtpProfile.AES_CM_128_HMAC_SHA1_80 : SrtpProfile.AEAD_AES_128_GCM;
    const keys = keyPair(rng, profile);
    return { tx: new NativeSrtpSession(profile, keys.a), rx: new NativeSrtpSession(profile, keys.b), ssrc: 0x1000 + i };
  });
}

describe('SRTP batch', () => {
  it('protects and unprotects packets of many sessions in one call each, same bytes as per-packet', () => {
    const rng = seededRandom(31);
    const sessions = peers(6, 32);
    const reference = peers(6, 32); // same keys: the per-packet path for comparison
    const protectBatch = new SrtpBatch(64, 64 * 400);
    const unprotectBatch = new SrtpBatch(64, 64 * 400);
    for (let tick = 0; tick < 5; tick++) {
      protectBatch.clear();
      const plain: Buffer[] = [];
      sessions.forEach((s, i) => {
        const { bytes } = rtpPacket(rng, { seq: (65_533 + tick) & 0xffff, ssrc: s.ssrc, extensions: [{ id: 1, payload: Buffer.from([i]) }] });
        plain.push(bytes);
        expect(protectBatch.add(s.tx, SrtpBatchOp.protectRtp, bytes)).toBe(i);
      });
      expect(protectBatch.run()).toBe(sessions.length);
      unprotectBatch.clear();
      sessions.forEach((s, i) => {
        const wire = protectBatch.packet(i);
        const ref = withRoom(plain[i]!, reference[i]!.tx.params.rtpOverhead);
        expect(reference[i]!.tx.protectRtp(ref, plain[i]!.length)).toBe(wire.length);
        expect(Buffer.compare(ref, wire)).toBe(0);
        unprotectBatch.add(s.rx, SrtpBatchOp.unprotectRtp, wire);
      });
      expect(unprotectBatch.run()).toBe(sessions.length);
      sessions.forEach((_s, i) => expect(Buffer.compare(unprotectBatch.packet(i), plain[i]!)).toBe(0));
    }
  });

  it('reports each failing entry in its own result and carries on', () => {
    const rng = seededRandom(33);
    const [a, b] = peers(2, 34);
    const closed = peers(1, 35)[0]!;
    const closedHandle = closed.rx.handle;
    closed.rx.close();
    const { bytes } = rtpPacket(rng, { seq: 1, ssrc: a!.ssrc });
    const wire = withRoom(bytes, a!.tx.params.rtpOverhead);
    a!.tx.protectRtp(wire, bytes.length);
    const tampered = Buffer.from(wire);
    tampered[30]! ^= 1;
    const rr = rtcpReceiverReport(rng, b!.ssrc);

    const batch = new SrtpBatch(8, 4096);
    batch.add(a!.rx, SrtpBatchOp.unprotectRtp, tampered);
    batch.add(a!.rx, SrtpBatchOp.unprotectRtp, wire);
    batch.add(a!.rx, SrtpBatchOp.unprotectRtp, wire);
    batch.add(b!.tx, SrtpBatchOp.protectRtcp, rr);
    const bad = batch.add(b!.tx, SrtpBatchOp.protectRtp, bytes);
    batch.descriptors[bad * SRTP_BATCH_STRIDE + SrtpBatchField.handle] = closedHandle;
    expect(batch.run()).toBe(2);
    expect(batch.result(0)).toBe(SrtpStatus.authFailed);
    expect(batch.result(1)).toBe(bytes.length);
    expect(batch.result(2)).toBe(SrtpStatus.replayed);
    expect(batch.result(3)).toBe(rr.length + b!.tx.params.rtcpOverhead);
    expect(batch.result(4)).toBe(SrtpStatus.badSession);
    expect(b!.rx.unprotectRtcp(batch.packet(3))).toBe(rr.length);
  });

  it('rejects descriptors that point outside the buffer', () => {
    const [a] = peers(1, 36);
    const buffer = new Uint8Array(100);
    const desc = new Int32Array(3 * SRTP_BATCH_STRIDE);
    const set = (i: number, offset: number, length: number, capacity: number) => {
      desc.set([a!.tx.handle, SrtpBatchOp.protectRtp, offset, length, capacity, 0], i * SRTP_BATCH_STRIDE);
    };
    set(0, 90, 20, 30);
    set(1, -1, 20, 30);
    set(2, 0, 20, 10);
    expect(srtpProcessBatch(buffer, desc, 3)).toBe(0);
    for (let i = 0; i < 3; i++) expect(desc[i * SRTP_BATCH_STRIDE + SrtpBatchField.result]).toBe(SrtpStatus.badDescriptor);
  });

  it('a full batch refuses more entries', () => {
    const [a] = peers(1, 37);
    const batch = new SrtpBatch(1, 1000);
    expect(batch.add(a!.tx, SrtpBatchOp.protectRtp, new Uint8Array(100))).toBe(0);
    expect(batch.add(a!.tx, SrtpBatchOp.protectRtp, new Uint8Array(100))).toBe(-1);
  });
});
