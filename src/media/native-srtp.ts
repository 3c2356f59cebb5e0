/**
 * Typed wrapper of the native SRTP module (native/src/srtp_*.cc, js_srtp.cc).
 *
 * SRTP per RFC 3711 (AES_CM_128_HMAC_SHA1_80) and RFC 7714 (AEAD_AES_128_GCM), keyed from
 * the DTLS-SRTP exporter (RFC 5764 §4.2). Packets are processed in place: protect appends
 * the tag after `length` (the buffer must have room, see `overhead`), unprotect verifies
 * the tag and the replay window, decrypts, and returns the shorter length. Every packet
 * method returns the new length (>= 0) or a negative `SrtpStatus`; a bad packet never
 * throws. Wrong argument types and lengths outside the buffer throw.
 */
import { native } from './native.js';

/** DTLS-SRTP protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2), as werift numbers them. */
export const SrtpProfile = {
  AES_CM_128_HMAC_SHA1_80: 0x0001,
  AEAD_AES_128_GCM: 0x0007,
} as const;
export type SrtpProfile = (typeof SrtpProfile)[keyof typeof SrtpProfile];

/** Result codes of the packet methods and of each batch entry. */
export const SrtpStatus = {
  ok: 0,
  /** the authentication tag did not match (forged, corrupted, or wrong keys) */
  authFailed: -1,
  /** this packet index was already accepted (RFC 3711 §3.3.2) */
  replayed: -2,
  /** the index is older than the replay window */
  tooOld: -3,
  /** not a parsable RTP/RTCP packet, or lengths out of bounds */
  malformed: -4,
  /** the buffer has no room for the tag protect appends */
  noRoom: -5,
  /** more SSRCs on one session than `maxStreams` */
  ssrcLimit: -6,
  /** batch entry names an unknown or closed session */
  badSession: -7,
  /** 2^48 RTP or 2^31 RTCP packets under one key: rekey */
  indexExhausted: -8,
  cryptoError: -9,
  /** batch entry offset/length/capacity outside the shared buffer */
  badDescriptor: -10,
  /** protectRtpSendTo: the kernel refused the datagram */
  sendFailed: -11,
} as const;
export type SrtpStatusCode = (typeof SrtpStatus)[keyof typeof SrtpStatus];

/** Operation of one batch entry. */
export const SrtpBatchOp = {
  protectRtp: 0,
  unprotectRtp: 1,
  protectRtcp: 2,
  unprotectRtcp: 3,
} as const;
export type SrtpBatchOp = (typeof SrtpBatchOp)[keyof typeof SrtpBatchOp];

/** Layout of one batch descriptor: `SRTP_BATCH_STRIDE` int32 per packet. */
export const SrtpBatchField = {
  handle: 0,
  op: 1,
  offset: 2,
  length: 3,
  capacity: 4,
  /** written by the native side: new length or a negative SrtpStatus */
  result: 5,
} as const;
export const SRTP_BATCH_STRIDE = 6;

export interface SrtpProfileParams {
  keyLength: number;
  saltLength: number;
  /** bytes protectRtp appends */
  rtpOverhead: number;
  /** bytes protectRtcp appends (E||index word plus tag) */
  rtcpOverhead: number;
}

export function srtpProfileParams(profile: SrtpProfile): SrtpProfileParams {
  switch (profile) {
    case SrtpProfile.AES_CM_128_HMAC_SHA1_80:
      return { keyLength: 16, saltLength: 14, rtpOverhead: 10, rtcpOverhead: 14 };
    case SrtpProfile.AEAD_AES_128_GCM:
      return { keyLength: 16, saltLength: 12, rtpOverhead: 16, rtcpOverhead: 20 };
    default:
      throw new RangeError(`unknown SRTP profile ${String(profile)}`);
  }
}

/** Master keys of one session; field names match werift's `SessionKeys`. */
export interface SrtpKeys {
  localMasterKey: Uint8Array;
  localMasterSalt: Uint8Array;
  remoteMasterKey: Uint8Array;
  remoteMasterSalt: Uint8Array;
}

export type DtlsRole = 'client' | 'server';

/** Label of the TLS exporter call that yields the SRTP keying material (RFC 5764 §4.2). */
export const DTLS_SRTP_EXPORTER_LABEL = 'EXTRACTOR-dtls_srtp';

/** Bytes to ask the DTLS exporter for: 2 * (key + salt). */
export function dtlsSrtpKeyingMaterialLength(profile: SrtpProfile): number {
  const p = srtpProfileParams(profile);
  return 2 * (p.keyLength + p.saltLength);
}

/**
 * Splits the DTLS-SRTP exporter output (RFC 5764 §4.2):
 * client_write_SRTP_master_key | server_write_SRTP_master_key |
 * client_write_SRTP_master_salt | server_write_SRTP_master_salt.
 * The DTLS client protects with the client keys; the server with the server keys.
 */
export function splitDtlsSrtpKeyingMaterial(
  material: Uint8Array,
  profile: SrtpProfile,
  role: DtlsRole,
): SrtpKeys {
  const { keyLength: k, saltLength: s } = srtpProfileParams(profile);
  if (material.length !== 2 * (k + s)) {
    throw new RangeError(`DTLS-SRTP keying material must be ${2 * (k + s)} bytes, got ${material.length}`);
  }
  const clientKey = material.slice(0, k);
  const serverKey = material.slice(k, 2 * k);
  const clientSalt = material.slice(2 * k, 2 * k + s);
  const serverSalt = material.slice(2 * k + s, 2 * k + 2 * s);
  return role === 'client'
    ? { localMasterKey: clientKey, localMasterSalt: clientSalt, remoteMasterKey: serverKey, remoteMasterSalt: serverSalt }
    : { localMasterKey: serverKey, localMasterSalt: serverSalt, remoteMasterKey: clientKey, remoteMasterSalt: clientSalt };
}

interface NativeSrtpSessionObject {
  readonly handle: number;
  protectRtp(buf: Uint8Array, length: number): number;
  protectRtpSendTo(buf: Uint8Array, length: number, fd: number, sockaddr: Uint8Array): number;
  unprotectRtp(buf: Uint8Array, length: number): number;
  protectRtcp(buf: Uint8Array, length: number): number;
  unprotectRtcp(buf: Uint8Array, length: number): number;
  close(): void;
}

interface NativeSrtpModule {
  SrtpSession: new (
    profile: number,
    localKey: Uint8Array,
    localSalt: Uint8Array,
    remoteKey: Uint8Array,
    remoteSalt: Uint8Array,
  ) => NativeSrtpSessionObject;
  srtpProcessBatch(buffer: Uint8Array, descriptors: Int32Array, count: number): number;
  srtpDeriveKey(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Uint8Array;
  srtpAesCmKeystream(sessionKey: Uint8Array, sessionSalt: Uint8Array, ssrc: number, index: number, length: number): Uint8Array;
  udpSockaddr(ip: string, port: number): Uint8Array;
  srtpConstants: {
    status: Record<keyof typeof SrtpStatus, number>;
    batchStride: number;
    replayWindow: number;
    maxStreams: number;
  };
}

function loadNative(): NativeSrtpModule {
  const m = native as unknown as Partial<NativeSrtpModule>;
  if (typeof m.SrtpSession !== 'function' || typeof m.srtpProcessBatch !== 'function' || !m.srtpConstants) {
    throw new Error('native addon has no SRTP module: rebuild it with `npm run build:native`');
  }
  const c = m.srtpConstants;
  for (const [name, code] of Object.entries(SrtpStatus)) {
    if (c.status[name as keyof typeof SrtpStatus] !== code) {
      throw new Error(`native SRTP status ${name} is ${c.status[name as keyof typeof SrtpStatus]}, expected ${code}: stale build`);
    }
  }
  if (c.batchStride !== SRTP_BATCH_STRIDE) throw new Error('native SRTP batch layout differs: stale build');
  return m as NativeSrtpModule;
}

const srtp = loadNative();

/** The socket address `protectRtpSendTo` takes; a RangeError for anything but an IPv4/IPv6 literal. */
export function udpSockaddr(ip: string, port: number): Uint8Array {
  return srtp.udpSockaddr(ip, port);
}

/** Packets tracked by the replay window (RFC 3711 §3.3.2 asks for at least 64). */
export const SRTP_REPLAY_WINDOW: number = srtp.srtpConstants.replayWindow;
/** SSRCs one session can carry in each direction and packet kind. */
export const SRTP_MAX_STREAMS: number = srtp.srtpConstants.maxStreams;

/** Readable name of a status code for logs and errors. */
export function srtpStatusName(code: number): string {
  for (const [name, value] of Object.entries(SrtpStatus)) if (value === code) return name;
  return code >= 0 ? 'ok' : `unknown(${code})`;
}

/** The counter a dropped packet's status belongs to (statistics of the SRTP users). */
export type SrtpDropKey = 'authFailed' | 'replayed' | 'tooOld' | 'malformed' | 'otherDropped';

export function srtpDropKey(status: number): SrtpDropKey {
  switch (status) {
    case SrtpStatus.authFailed:
      return 'authFailed';
    case SrtpStatus.replayed:
      return 'replayed';
    case SrtpStatus.tooOld:
      return 'tooOld';
    case SrtpStatus.malformed:
      return 'malformed';
    default:
      return 'otherDropped';
  }
}

/**
 * One SRTP session: protects with the local keys, unprotects with the remote keys.
 * The OpenSSL contexts are created here once and reused for every packet.
 */
export class NativeSrtpSession {
  readonly profile: SrtpProfile;
  readonly params: SrtpProfileParams;
  readonly #inner: NativeSrtpSessionObject;

  constructor(profile: SrtpProfile, keys: SrtpKeys) {
    this.profile = profile;
    this.params = srtpProfileParams(profile);
    this.#inner = new srtp.SrtpSession(
      profile,
      keys.localMasterKey,
      keys.localMasterSalt,
      keys.remoteMasterKey,
      keys.remoteMasterSalt,
    );
  }

  /** Keys from the DTLS-SRTP exporter output and our DTLS role. */
  static fromDtls(profile: SrtpProfile, keyingMaterial: Uint8Array, role: DtlsRole): NativeSrtpSession {
    return new NativeSrtpSession(profile, splitDtlsSrtpKeyingMaterial(keyingMaterial, profile, role));
  }

  /** Id of this session in `srtpProcessBatch` descriptors (-1 once closed). */
  get handle(): number {
    return this.#inner.handle;
  }

  /** Encrypts and tags buf[0, length) in place; needs buf.length >= length + params.rtpOverhead. */
  protectRtp(buf: Uint8Array, length: number = buf.length - this.params.rtpOverhead): number {
    return this.#inner.protectRtp(buf, length);
  }

  /**
   * Protects buf[0, length) in place and sends it with one sendto(2) on the UDP socket `fd` to
   * `sockaddr` (udpSockaddr): bytes sent, a negative status, or `SrtpStatus.sendFailed`.
   */
  protectRtpSendTo(buf: Uint8Array, length: number, fd: number, sockaddr: Uint8Array): number {
    return this.#inner.protectRtpSendTo(buf, length, fd, sockaddr);
  }

  /** Verifies, checks replay, decrypts buf[0, length) in place; returns the RTP length. */
  unprotectRtp(buf: Uint8Array, length: number = buf.length): number {
    return this.#inner.unprotectRtp(buf, length);
  }

  /** Needs buf.length >= length + params.rtcpOverhead. */
  protectRtcp(buf: Uint8Array, length: number = buf.length - this.params.rtcpOverhead): number {
    return this.#inner.protectRtcp(buf, length);
  }

  unprotectRtcp(buf: Uint8Array, length: number = buf.length): number {
    return this.#inner.unprotectRtcp(buf, length);
  }

  /** Frees the native state now (otherwise at garbage collection); later calls throw. */
  close(): void {
    this.#inner.close();
  }
}

/**
 * Runs every descriptor of `descriptors[0, count * SRTP_BATCH_STRIDE)` against `buffer`
 * in one native call and returns how many succeeded; each entry's result lands in its
 * `SrtpBatchField.result` slot.
 */
export function srtpProcessBatch(buffer: Uint8Array, descriptors: Int32Array, count: number): number {
  return srtp.srtpProcessBatch(buffer, descriptors, count);
}

/**
 * A reusable batch: packets of many sessions copied into one buffer, processed by one
 * native call. Allocated once; `clear()` between ticks.
 */
export class SrtpBatch {
  readonly buffer: Uint8Array;
  readonly descriptors: Int32Array;
  #count = 0;
  #used = 0;

  constructor(maxPackets: number, bufferBytes: number) {
    this.buffer = new Uint8Array(bufferBytes);
    this.descriptors = new Int32Array(maxPackets * SRTP_BATCH_STRIDE);
  }

  get count(): number {
    return this.#count;
  }

  clear(): void {
    this.#count = 0;
    this.#used = 0;
  }

  /**
   * Queues a copy of `packet` for `op` on `session`, with room for the bytes protect
   * appends. Returns the entry index, or -1 when the batch is full.
   */
  add(session: NativeSrtpSession, op: SrtpBatchOp, packet: Uint8Array): number {
    const overhead =
      op === SrtpBatchOp.protectRtp ? session.params.rtpOverhead : op === SrtpBatchOp.protectRtcp ? session.params.rtcpOverhead : 0;
    const capacity = packet.length + overhead;
    if (this.#count * SRTP_BATCH_STRIDE >= this.descriptors.length || this.#used + capacity > this.buffer.length) return -1;
    const d = this.#count * SRTP_BATCH_STRIDE;
    this.buffer.set(packet, this.#used);
    this.descriptors[d + SrtpBatchField.handle] = session.handle;
    this.descriptors[d + SrtpBatchField.op] = op;
    this.descriptors[d + SrtpBatchField.offset] = this.#used;
    this.descriptors[d + SrtpBatchField.length] = packet.length;
    this.descriptors[d + SrtpBatchField.capacity] = capacity;
    this.descriptors[d + SrtpBatchField.result] = 0;
    this.#used += capacity;
    return this.#count++;
  }

  /** Processes all queued entries; returns how many succeeded. */
  run(): number {
    return srtp.srtpProcessBatch(this.buffer, this.descriptors, this.#count);
  }

  /** New length or negative SrtpStatus of entry i after `run()`. */
  result(i: number): number {
    return this.descriptors[i * SRTP_BATCH_STRIDE + SrtpBatchField.result] ?? SrtpStatus.badDescriptor;
  }

  /** View of entry i's output bytes (valid until the next clear/add); empty on failure. */
  packet(i: number): Uint8Array {
    const r = this.result(i);
    const offset = this.descriptors[i * SRTP_BATCH_STRIDE + SrtpBatchField.offset] ?? 0;
    return this.buffer.subarray(offset, offset + Math.max(r, 0));
  }
}

/** SRTP key derivation labels (RFC 3711 §4.3.1, §4.3.2). */
export const SrtpKdfLabel = {
  rtpEncryption: 0,
  rtpAuth: 1,
  rtpSalt: 2,
  rtcpEncryption: 3,
  rtcpAuth: 4,
  rtcpSalt: 5,
} as const;
export type SrtpKdfLabel = (typeof SrtpKdfLabel)[keyof typeof SrtpKdfLabel];

/** The RFC 3711 §4.3.3 AES-CM PRF with key_derivation_rate 0, as the contexts use it. */
export function deriveSrtpSessionKey(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: SrtpKdfLabel,
  length: number,
): Uint8Array {
  return srtp.srtpDeriveKey(masterKey, masterSalt, label, length);
}

/** AES-CM keystream of RFC 3711 §4.1.1 for (SSRC, 48-bit index), as the contexts use it. */
export function aesCmKeystream(
  sessionKey: Uint8Array,
  sessionSalt: Uint8Array,
  ssrc: number,
  index: number,
  length: number,
): Uint8Array {
  return srtp.srtpAesCmKeystream(sessionKey, sessionSalt, ssrc, index, length);
}
