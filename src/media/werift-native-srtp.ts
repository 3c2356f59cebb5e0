/**
 * Puts the native SRTP core (native-srtp.ts) on werift's media path.
 *
 * werift 0.24.4's `RTCDtlsTransport` keeps its SRTP state in two public fields, `srtp`
 * (`SrtpSession`) and `srtcp` (`SrtcpSession`), created by its public method
 * `updateSrtpSession()` once the DTLS handshake is done (called from `startSrtp()`), and
 * reads them on every packet:
 *   - receive: `startSrtp()`'s ICE `onData` handler calls `this.srtp.decrypt(datagram)` or
 *     `this.srtcp.decrypt(datagram)` and drops the packet when that throws werift's
 *     `SrtpAuthenticationError` (any other exception escapes into the ICE socket handler);
 *   - send: `sendRtp(payload, header)` calls `this.srtp.encrypt(payload, header)` (errors
 *     caught and logged by werift) and `sendRtcp(packets)` calls
 *     `this.srtcp.encrypt(serializedRtcp)` (errors reject sendRtcp; all its callers catch).
 * Bad packets must therefore raise exactly werift's SrtpAuthenticationError on receive.
 *
 * The bridge wraps `updateSrtpSession` on each transport instance (no prototype is
 * touched), lets werift derive its sessions as usual, then replaces both fields with
 * adapters over one `NativeSrtpSession` keyed from werift's DTLS exporter
 * (`dtls.exportKeyingMaterial("EXTRACTOR-dtls_srtp", 2 * (key + salt))`, RFC 5764 §4.2)
 * with the transport's DTLS role. Replays and forgeries, which werift's JS path does not
 * detect, are dropped by the native replay window (RFC 3711 §3.3.2) and counted.
 *
 * Per packet the adapters allocate only what werift's interface forces:
 *   - decrypt returns `datagram.subarray(0, n)`: the datagram is unprotected in place (it
 *     is a fresh Buffer from the UDP socket that no later subscriber reads), the view object
 *     is the only allocation;
 *   - encrypt must return a new Buffer, because werift hands it to the ICE socket
 *     asynchronously (a reused scratch buffer could be overwritten before the datagram
 *     leaves): one `Buffer.allocUnsafe` (pooled for small packets) into which the header
 *     is written directly (werift-rtp-header-writer.ts) and the payload copied.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { RTCDtlsTransport, RTCPeerConnection, RtpHeader } from 'werift';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  NativeSrtpSession,
  SrtpProfile,
  SrtpStatus,
  dtlsSrtpKeyingMaterialLength,
  srtpDropKey,
  type SrtpDropKey,
  type DtlsRole,
} from './native-srtp.js';
import { rtpHeaderSize, writeRtpHeader } from './werift-rtp-header-writer.js';

/** The werift release whose internals this bridge was written against and tested with. */
export const SUPPORTED_WERIFT_VERSION = '0.24.4';

/**
 * Counters of one bridge (or shared by many, e.g. one per media worker); received packets
 * dropped are counted by cause under the `SrtpDropKey` names (`otherDropped`: SSRC limit, closed session, ...).
 */
export interface NativeSrtpBridgeStats extends Record<SrtpDropKey, number> {
  /** DTLS transports whose SRTP now runs natively */
  transports: number;
  /** transports left on werift's own SRTP (unsupported profile, unexpected internals) */
  refused: number;
  rtpReceived: number;
  rtpSent: number;
  rtcpReceived: number;
  rtcpSent: number;
  /** packets we could not protect (werift then skips the send) */
  sendFailed: number;
}

export function createNativeSrtpBridgeStats(): NativeSrtpBridgeStats {
  return {
    transports: 0,
    refused: 0,
    rtpReceived: 0,
    rtpSent: 0,
    rtcpReceived: 0,
    rtcpSent: 0,
    authFailed: 0,
    replayed: 0,
    tooOld: 0,
    malformed: 0,
    otherDropped: 0,
    sendFailed: 0,
  };
}

export interface UseNativeSrtpOptions {
  /** counters to add to (default: a new set, returned on the bridge) */
  stats?: NativeSrtpBridgeStats;
  log?: Logger;
  /** run on a werift release other than SUPPORTED_WERIFT_VERSION (untested) */
  allowUntestedWeriftVersion?: boolean;
}

export interface NativeSrtpBridge {
  readonly stats: NativeSrtpBridgeStats;
  /** Stops watching the peer connection for new transports; bridged ones stay native. */
  detach(): void;
}

let installedVersion: string | undefined;

/** Version of the werift package this process resolves (read once from its package.json). */
export function weriftVersion(): string {
  if (installedVersion !== undefined) return installedVersion;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('werift'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'werift' && typeof pkg.version === 'string') return (installedVersion = pkg.version);
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find werift/package.json');
    dir = parent;
  }
}

function checkVersion(opts: UseNativeSrtpOptions): void {
  const v = weriftVersion();
  if (v !== SUPPORTED_WERIFT_VERSION && !opts.allowUntestedWeriftVersion) {
    throw new Error(
      `native SRTP bridge supports werift ${SUPPORTED_WERIFT_VERSION} only (found ${v}): it replaces ` +
        'RTCDtlsTransport.srtp/srtcp, werift internals that may differ in other releases',
    );
  }
}

/** Shared state of the two adapters of one transport. */
interface AdapterState {
  session: NativeSrtpSession;
  stats: NativeSrtpBridgeStats;
  closed: boolean;
}

/** Replaces werift's `SrtpSession`: same `decrypt(buf)` / `encrypt(payload, header)`. */
class NativeSrtpAdapter {
  readonly #state: AdapterState;
  readonly #authError: Error;
  readonly #sendError = new Error('native SRTP protect failed');
  readonly #overhead: number;

  constructor(state: AdapterState, authError: Error) {
    this.#state = state;
    this.#authError = authError;
    this.#overhead = state.session.params.rtpOverhead;
  }

  /** Unprotects in place; a rejected packet throws werift's SrtpAuthenticationError (dropped). */
  decrypt(buf: Buffer): Buffer {
    const s = this.#state;
    const n = s.closed ? SrtpStatus.badSession : s.session.unprotectRtp(buf, buf.length);
    if (n < 0) {
      s.stats[srtpDropKey(n)]++;
      // One pre-built instance: a flood of forged packets costs no stack captures.
      throw this.#authError;
    }
    s.stats.rtpReceived++;
    return buf.subarray(0, n);
  }

  encrypt(payload: Buffer, header: RtpHeader): Buffer {
    const s = this.#state;
    const headerLength = rtpHeaderSize(header);
    const length = headerLength + payload.length;
    const out = Buffer.allocUnsafe(length + this.#overhead);
    writeRtpHeader(header, out, headerLength);
    payload.copy(out, headerLength);
    const n = s.closed ? SrtpStatus.badSession : s.session.protectRtp(out, length);
    if (n < 0) {
      s.stats.sendFailed++;
      throw this.#sendError; // RTCDtlsTransport.sendRtp catches it and sends nothing
    }
    s.stats.rtpSent++;
    return n === out.length ? out : out.subarray(0, n);
  }
}

/** Replaces werift's `SrtcpSession`: same `decrypt(buf)` / `encrypt(rawRtcp)`. */
class NativeSrtcpAdapter {
  readonly #state: AdapterState;
  readonly #authError: Error;
  readonly #sendError = new Error('native SRTCP protect failed');
  readonly #overhead: number;

  constructor(state: AdapterState, authError: Error) {
    this.#state = state;
    this.#authError = authError;
    this.#overhead = state.session.params.rtcpOverhead;
  }

  decrypt(buf: Buffer): Buffer {
    const s = this.#state;
    const n = s.closed ? SrtpStatus.badSession : s.session.unprotectRtcp(buf, buf.length);
    if (n < 0) {
      s.stats[srtpDropKey(n)]++;
      throw this.#authError;
    }
    s.stats.rtcpReceived++;
    return buf.subarray(0, n);
  }

  encrypt(rawRtcp: Buffer): Buffer {
    const s = this.#state;
    const out = Buffer.allocUnsafe(rawRtcp.length + this.#overhead);
    rawRtcp.copy(out, 0);
    const n = s.closed ? SrtpStatus.badSession : s.session.protectRtcp(out, rawRtcp.length);
    if (n < 0) {
      s.stats.sendFailed++;
      throw this.#sendError; // rejects sendRtcp; every werift caller catches it
    }
    s.stats.rtcpSent++;
    return n === out.length ? out : out.subarray(0, n);
  }
}

/** The exception werift's receive path treats as "drop this packet", taken from werift itself. */
function probeAuthError(decrypt: (buf: Buffer) => unknown): Error | undefined {
  try {
    decrypt(Buffer.alloc(0));
  } catch (e) {
    if (e instanceof Error && e.name === 'SrtpAuthenticationError') return e;
  }
  return undefined;
}

function isSupportedProfile(p: unknown): p is SrtpProfile {
  return p === SrtpProfile.AES_CM_128_HMAC_SHA1_80 || p === SrtpProfile.AEAD_AES_128_GCM;
}

/** Swaps werift's sessions on a transport whose SRTP has started; false when refused. */
function swapSessions(transport: RTCDtlsTransport, stats: NativeSrtpBridgeStats, log?: Logger): boolean {
  const dtls = transport.dtls;
  const profile: unknown = dtls?.srtp.srtpProfile;
  const role = transport.role;
  const refuse = (reason: string): false => {
    stats.refused++;
    log?.warn({ transport: transport.id, reason }, 'native SRTP refused; werift SRTP stays on this transport');
    return false;
  };
  if (!dtls || typeof dtls.exportKeyingMaterial !== 'function') return refuse('no DTLS session');
  if (!isSupportedProfile(profile)) return refuse(`unsupported SRTP profile ${String(profile)}`);
  if (role !== 'client' && role !== 'server') return refuse(`DTLS role ${role}`);
  const rtpError = probeAuthError((b) => transport.srtp.decrypt(b));
  const rtcpError = probeAuthError((b) => transport.srtcp.decrypt(b));
  if (!rtpError || !rtcpError) return refuse('werift SrtpAuthenticationError not found');

  const material = dtls.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, dtlsSrtpKeyingMaterialLength(profile));
  const state: AdapterState = {
    session: NativeSrtpSession.fromDtls(profile, material, role satisfies DtlsRole),
    stats,
    closed: false,
  };
  material.fill(0);
  // The adapters honour werift's SrtpSession/SrtcpSession call sites (see header comment).
  transport.srtp = new NativeSrtpAdapter(state, rtpError) as unknown as RTCDtlsTransport['srtp'];
  transport.srtcp = new NativeSrtcpAdapter(state, rtcpError) as unknown as RTCDtlsTransport['srtcp'];
  const sub = transport.onStateChange.subscribe((st) => {
    if (st !== 'closed' && st !== 'failed') return;
    state.closed = true;
    state.session.close();
    sub.unSubscribe();
  });
  stats.transports++;
  log?.debug({ transport: transport.id, profile, role }, 'native SRTP on werift transport');
  return true;
}

const bridged = new WeakSet<RTCDtlsTransport>();

/**
 * Makes one DTLS transport use native SRTP: now if its SRTP has started, otherwise when
 * werift starts it (and again if werift ever re-keys through `updateSrtpSession`).
 * Idempotent per transport.
 */
export function useNativeSrtpOnTransport(transport: RTCDtlsTransport, opts: UseNativeSrtpOptions = {}): NativeSrtpBridgeStats {
  checkVersion(opts);
  const stats = opts.stats ?? createNativeSrtpBridgeStats();
  if (bridged.has(transport)) return stats;
  if (typeof transport.updateSrtpSession !== 'function' || typeof transport.startSrtp !== 'function') {
    throw new Error('werift RTCDtlsTransport has no updateSrtpSession/startSrtp: unsupported werift build');
  }
  bridged.add(transport);
  const weriftUpdate = transport.updateSrtpSession.bind(transport);
  // An own property shadows the prototype method for this instance only.
  transport.updateSrtpSession = () => {
    weriftUpdate();
    swapSessions(transport, stats, opts.log);
  };
  if (transport.srtpStarted && transport.srtp) swapSessions(transport, stats, opts.log);
  return stats;
}

/**
 * Native SRTP for every DTLS transport of a werift peer connection. Call right after
 * creating the peer connection (before or after negotiation: transports are picked up
 * when the connection starts connecting, before werift's DTLS handshake).
 */
export function useNativeSrtp(pc: RTCPeerConnection, opts: UseNativeSrtpOptions = {}): NativeSrtpBridge {
  checkVersion(opts);
  const stats = opts.stats ?? createNativeSrtpBridgeStats();
  const o = { ...opts, stats };
  const scan = (): void => {
    for (const t of pc.dtlsTransports) useNativeSrtpOnTransport(t, o);
  };
  scan();
  // RTCPeerConnection.connect() sets connectionState "connecting" before it starts ICE and
  // DTLS on its transports, so every transport is seen before SRTP starts.
  const subs = [
    pc.connectionStateChange.subscribe(scan),
    pc.iceConnectionStateChange.subscribe(scan),
    pc.signalingStateChange.subscribe(scan),
  ];
  return {
    stats,
    detach: () => {
      for (const s of subs) s.unSubscribe();
    },
  };
}
