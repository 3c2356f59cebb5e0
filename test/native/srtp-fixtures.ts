/** Shared helpers of the SRTP tests: a seeded PRNG, key pairs, RTP packets built by werift. */
import { RtpHeader, RtpPacket } from 'werift';
import { SrtpProfile, srtpProfileParams, type SrtpKeys } from '../../src/media/native-srtp.js';

export { seededRandom } from '../support/seeded-random.js';

export function randomBytes(rng: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng() * 256);
  return b;
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Keys of two peers: A's local keys are B's remote keys and the other way round. */
export function keyPair(rng: () => number, profile: SrtpProfile): { a: SrtpKeys; b: SrtpKeys } {
  const { keyLength, saltLength } = srtpProfileParams(profile);
  const k1 = randomBytes(rng, keyLength);
  const s1 = randomBytes(rng, saltLength);
  const k2 = randomBytes(rng, keyLength);
  const s2 = randomBytes(rng, saltLength);
  return {
    a: { localMasterKey: k1, localMasterSalt: s1, remoteMasterKey: k2, remoteMasterSalt: s2 },
    b: { localMasterKey: k2, localMasterSalt: s2, remoteMasterKey: k1, remoteMasterSalt: s1 },
  };
}

/** werift's SessionKeys want Buffers. */
export function weriftKeys(k: SrtpKeys) {
  return {
    localMasterKey: Buffer.from(k.localMasterKey),
    localMasterSalt: Buffer.from(k.localMasterSalt),
    remoteMasterKey: Buffer.from(k.remoteMasterKey),
    remoteMasterSalt: Buffer.from(k.remoteMasterSalt),
  };
}

export interface RtpSpec {
  seq: number;
  ssrc: number;
  timestamp?: number;
  payloadLength?: number;
  csrc?: number[];
  /** RFC 8285 one-byte extensions (e.g. id 1 = ssrc-audio-level) */
  extensions?: { id: number; payload: Buffer }[];
}

/** An RTP packet as werift serialises it: header object, payload and wire bytes. */
export function rtpPacket(rng: () => number, spec: RtpSpec): { header: RtpHeader; payload: Buffer; bytes: Buffer } {
  const header = new RtpHeader({
    payloadType: 111,
    sequenceNumber: spec.seq,
    timestamp: spec.timestamp ?? (spec.seq * 960) >>> 0,
    ssrc: spec.ssrc,
    marker: false,
    csrc: spec.csrc ?? [],
    extensions: spec.extensions ?? [],
  });
  const payload = randomBytes(rng, spec.payloadLength ?? 160);
  const bytes = new RtpPacket(header, payload).serialize();
  return { header, payload, bytes };
}

/** Copies `bytes` into a buffer with `extra` spare bytes at the end (room for the tag). */
export function withRoom(bytes: Uint8Array, extra: number): Buffer {
  const b = Buffer.alloc(bytes.length + extra);
  b.set(bytes);
  return b;
}

/** A minimal RTCP receiver report (RFC 3550 §6.4.2) with one report block. */
export function rtcpReceiverReport(rng: () => number, ssrc: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81; // V=2, RC=1
  b[1] = 201; // RR
  b.writeUInt16BE(7, 2); // length in words - 1
  b.writeUInt32BE(ssrc, 4);
  randomBytes(rng, 24).copy(b, 8);
  return b;
}

export const profiles = [
  ['AES_CM_128_HMAC_SHA1_80', SrtpProfile.AES_CM_128_HMAC_SHA1_80],
  ['AEAD_AES_128_GCM', SrtpProfile.AEAD_AES_128_GCM],
] as const;
