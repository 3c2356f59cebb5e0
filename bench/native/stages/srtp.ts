/**
 * SRTP stage: µs per 160-byte-payload RTP packet (AES_CM_128_HMAC_SHA1_80) to unprotect
 * and protect, one N-API call per packet and batched (one call per tick for all calls),
 * at each call count (median of REPEATS runs on fresh sessions). AEAD_AES_128_GCM is
 * measured batched. werift's SrtpSession on the same packets is measured for comparison
 * and reported in the note.
 */
import { RtpHeader, RtpPacket, SrtpSession } from 'werift';
import type { StageBench, StageResult } from '../stage.js';
import {
  NativeSrtpSession,
  SRTP_BATCH_STRIDE,
  SrtpBatchOp,
  SrtpProfile,
  srtpProcessBatch,
  srtpProfileParams,
  type SrtpKeys,
} from '../../../src/media/native-srtp.js';

const PROFILE = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
const REPEATS = 3;
const PAYLOAD_BYTES = 160;
const UNIT = '160-byte packet';
const UNPROTECT_TARGET_US = 2;
/** Packets measured per figure (split over the calls); enough to swamp timer noise. */
const PACKETS_PER_FIGURE = 40_000;
const WERIFT_PACKETS = 4_000;

const SLOT_OVERHEAD = Math.max(
  srtpProfileParams(SrtpProfile.AES_CM_128_HMAC_SHA1_80).rtpOverhead,
  srtpProfileParams(SrtpProfile.AEAD_AES_128_GCM).rtpOverhead,
);
const template = new RtpPacket(
  new RtpHeader({ payloadType: 111, sequenceNumber: 0, timestamp: 0, ssrc: 0, marker: false }),
  Buffer.alloc(PAYLOAD_BYTES, 0x55),
).serialize();
const PLAIN_LEN = template.length;
const SLOT = PLAIN_LEN + SLOT_OVERHEAD;

function keysFor(call: number, profile: SrtpProfile = PROFILE): { a: SrtpKeys; b: SrtpKeys } {
  const saltLength = srtpProfileParams(profile).saltLength;
  const k1 = Buffer.alloc(16, call & 0xff);
  const s1 = Buffer.alloc(saltLength, 1);
  const k2 = Buffer.alloc(16, 0x80 | (call & 0x7f));
  const s2 = Buffer.alloc(saltLength, 2);
  return {
    a: { localMasterKey: k1, localMasterSalt: s1, remoteMasterKey: k2, remoteMasterSalt: s2 },
    b: { localMasterKey: k2, localMasterSalt: s2, remoteMasterKey: k1, remoteMasterSalt: s1 },
  };
}

/** `calls` sender/receiver pairs and a buffer of ticks × calls plaintext packets. */
function setup(calls: number, ticks: number, profile: SrtpProfile = PROFILE) {
  const pairs = Array.from({ length: calls }, (_, c) => {
    const keys = keysFor(c, profile);
    return { tx: new NativeSrtpSession(profile, keys.a), rx: new NativeSrtpSession(profile, keys.b) };
  });
  const buffer = Buffer.alloc(calls * ticks * SLOT);
  for (let t = 0; t < ticks; t++) {
    for (let c = 0; c < calls; c++) {
      const at = (t * calls + c) * SLOT;
      template.copy(buffer, at);
      buffer.writeUInt16BE(t & 0xffff, at + 2);
      buffer.writeUInt32BE((t * 960) >>> 0, at + 4);
      buffer.writeUInt32BE(0x10000 + c, at + 8);
    }
  }
  const close = () => pairs.forEach((p) => (p.tx.close(), p.rx.close()));
  return { pairs, buffer, close };
}

function elapsedUs(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1000;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`srtp bench: ${what} failed`);
}

/** Per-packet calls: protect every packet, then unprotect them all. */
function measurePerPacket(calls: number, ticks: number): { protectUs: number; unprotectUs: number } {
  const { pairs, buffer, close } = setup(calls, ticks);
  const views = Array.from({ length: calls * ticks }, (_, i) => buffer.subarray(i * SLOT, (i + 1) * SLOT));
  let ok = 0;
  const protectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++)
      for (let c = 0; c < calls; c++) ok += pairs[c]!.tx.protectRtp(views[t * calls + c]!, PLAIN_LEN) > 0 ? 1 : 0;
  });
  check(ok === calls * ticks, 'protect');
  ok = 0;
  const unprotectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++)
      for (let c = 0; c < calls; c++) ok += pairs[c]!.rx.unprotectRtp(views[t * calls + c]!, PLAIN_LEN + srtpProfileParams(PROFILE).rtpOverhead) > 0 ? 1 : 0;
  });
  check(ok === calls * ticks, 'unprotect');
  close();
  const n = calls * ticks;
  return { protectUs: protectUs / n, unprotectUs: unprotectUs / n };
}

/** One srtpProcessBatch call per tick covering every call. */
function measureBatched(calls: number, ticks: number, profile: SrtpProfile = PROFILE): { protectUs: number; unprotectUs: number } {
  const { pairs, buffer, close } = setup(calls, ticks, profile);
  const descriptors = (op: SrtpBatchOp, length: number, side: 'tx' | 'rx') =>
    Array.from({ length: ticks }, (_, t) => {
      const d = new Int32Array(calls * SRTP_BATCH_STRIDE);
      for (let c = 0; c < calls; c++) {
        d.set([pairs[c]![side].handle, op, (t * calls + c) * SLOT, length, SLOT, 0], c * SRTP_BATCH_STRIDE);
      }
      return d;
    });
  const protectDesc = descriptors(SrtpBatchOp.protectRtp, PLAIN_LEN, 'tx');
  const unprotectDesc = descriptors(SrtpBatchOp.unprotectRtp, PLAIN_LEN + srtpProfileParams(profile).rtpOverhead, 'rx');
  let ok = 0;
  const protectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++) ok += srtpProcessBatch(buffer, protectDesc[t]!, calls);
  });
  check(ok === calls * ticks, 'batched protect');
  ok = 0;
  const unprotectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++) ok += srtpProcessBatch(buffer, unprotectDesc[t]!, calls);
  });
  check(ok === calls * ticks, 'batched unprotect');
  close();
  const n = calls * ticks;
  return { protectUs: protectUs / n, unprotectUs: unprotectUs / n };
}

/** werift's SrtpSession (the JavaScript path it replaces) on the same packet shape. */
function measureWerift(calls: number, ticks: number): { protectUs: number; unprotectUs: number } {
  const sessions = Array.from({ length: calls }, (_, c) => {
    const keys = keysFor(c);
    const wk = (k: SrtpKeys) => ({
      localMasterKey: Buffer.from(k.localMasterKey),
      localMasterSalt: Buffer.from(k.localMasterSalt),
      remoteMasterKey: Buffer.from(k.remoteMasterKey),
      remoteMasterSalt: Buffer.from(k.remoteMasterSalt),
    });
    return { tx: new SrtpSession({ keys: wk(keys.a), profile: PROFILE }), rx: new SrtpSession({ keys: wk(keys.b), profile: PROFILE }) };
  });
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x55);
  const headers = Array.from({ length: ticks }, (_, t) =>
    Array.from({ length: calls }, (_, c) => new RtpHeader({ payloadType: 111, sequenceNumber: t, timestamp: t * 960, ssrc: 0x10000 + c })),
  );
  const wire: Buffer[] = [];
  const protectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++) for (let c = 0; c < calls; c++) wire.push(sessions[c]!.tx.encrypt(payload, headers[t]![c]!));
  });
  let ok = 0;
  const unprotectUs = elapsedUs(() => {
    for (let t = 0; t < ticks; t++)
      for (let c = 0; c < calls; c++) ok += sessions[c]!.rx.decrypt(wire[t * calls + c]!).length === PLAIN_LEN ? 1 : 0;
  });
  check(ok === calls * ticks, 'werift decrypt');
  const n = calls * ticks;
  return { protectUs: protectUs / n, unprotectUs: unprotectUs / n };
}

const round = (us: number) => Math.round(us * 1000) / 1000;

/** Median of REPEATS runs of each figure. */
function median(run: () => { protectUs: number; unprotectUs: number }): { protectUs: number; unprotectUs: number } {
  const runs = Array.from({ length: REPEATS }, run);
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { protectUs: mid(runs.map((r) => r.protectUs)), unprotectUs: mid(runs.map((r) => r.unprotectUs)) };
}

const srtpStage: StageBench = async (callCounts) => {
  // Warm up JIT, OpenSSL and the allocator once before any figure.
  measurePerPacket(4, 500);
  measureBatched(4, 500);
  measureWerift(1, 200);

  const results: StageResult[] = [];
  for (const calls of callCounts) {
    const ticks = Math.max(5, Math.ceil(PACKETS_PER_FIGURE / calls));
    const single = median(() => measurePerPacket(calls, ticks));
    const batched = median(() => measureBatched(calls, ticks));
    const gcm = median(() => measureBatched(calls, ticks, SrtpProfile.AEAD_AES_128_GCM));
    const w = measureWerift(calls, Math.max(2, Math.ceil(WERIFT_PACKETS / calls)));
    const weriftNote = `werift SrtpSession on the same packets: unprotect ${round(w.unprotectUs)} µs, protect ${round(w.protectUs)} µs`;
    results.push(
      { stage: 'srtp unprotect', calls, usPerUnit: round(single.unprotectUs), unit: UNIT, targetUs: UNPROTECT_TARGET_US, note: `one N-API call per packet; ${weriftNote}` },
      { stage: 'srtp unprotect batched', calls, usPerUnit: round(batched.unprotectUs), unit: UNIT, targetUs: UNPROTECT_TARGET_US, note: 'one srtpProcessBatch call per tick for all calls' },
      { stage: 'srtp protect', calls, usPerUnit: round(single.protectUs), unit: UNIT, note: `one N-API call per packet; ${weriftNote}` },
      { stage: 'srtp protect batched', calls, usPerUnit: round(batched.protectUs), unit: UNIT, note: 'one srtpProcessBatch call per tick for all calls' },
      { stage: 'srtp unprotect batched (AEAD_AES_128_GCM)', calls, usPerUnit: round(gcm.unprotectUs), unit: UNIT, targetUs: UNPROTECT_TARGET_US, note: `RFC 7714; protect ${round(gcm.protectUs)} µs` },
    );
  }
  return results;
};

export default srtpStage;
