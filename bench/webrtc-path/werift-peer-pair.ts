/**
 * Two werift RTCPeerConnections in one process, offer/answer exchanged in memory, ICE
 * over host candidates on 127.0.0.1, one Opus (audio/48000/2) transceiver each way.
 * Either side may run on the native SRTP bridge. Used by the bench and the tests.
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  type RTCDtlsTransport,
  type RTCRtpTransceiver,
  type RtcpPacket,
} from 'werift';
import {
  createNativeSrtpBridgeStats,
  useNativeSrtp,
  type NativeSrtpBridge,
  type NativeSrtpBridgeStats,
} from '../../src/media/werift-native-srtp.js';

export const OPUS_PT = 111;
/** 20 ms of 48 kHz RTP clock. */
export const TICKS_PER_FRAME = 960;
const LOOPBACK = '127.0.0.1';

/** Deterministic Opus-sized payload for (stream, seq): the receiver can check every byte. */
export function framePayload(stream: number, seq: number, length = 80, into?: Buffer): Buffer {
  const buf = into ?? Buffer.allocUnsafe(length);
  buf.writeUInt16BE(seq & 0xffff, 0);
  buf.writeUInt16BE(stream & 0xffff, 2);
  let x = (seq * 2654435761 + stream * 40503) >>> 0;
  for (let i = 4; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf;
}

export interface PeerReceiveStats {
  packets: number;
  bytes: number;
  /** packets whose payload differed from framePayload(stream, seq) */
  corrupt: number;
  rtcp: number;
}

export class Peer {
  readonly pc: RTCPeerConnection;
  readonly transceiver: RTCRtpTransceiver;
  readonly bridge: NativeSrtpBridge | undefined;
  readonly received: PeerReceiveStats = { packets: 0, bytes: 0, corrupt: 0, rtcp: 0 };
  /** stream id written into our payloads, checked in the other side's */
  readonly stream: number;
  readonly remoteStream: number;
  #seq = 1000;
  #ts = 12345;
  readonly #check: Buffer;

  constructor(stream: number, remoteStream: number, native: NativeSrtpBridgeStats | undefined, checkPayloads: boolean) {
    this.stream = stream;
    this.remoteStream = remoteStream;
    this.#check = Buffer.allocUnsafe(2048);
    this.pc = new RTCPeerConnection({
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: OPUS_PT })],
        video: [],
      },
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [LOOPBACK],
      bundlePolicy: 'max-bundle',
    });
    this.bridge = native ? useNativeSrtp(this.pc, { stats: native }) : undefined;
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        this.received.packets++;
        this.received.bytes += rtp.payload.length;
        if (checkPayloads) {
          const want = framePayload(this.remoteStream, rtp.payload.readUInt16BE(0), rtp.payload.length, this.#check);
          if (!rtp.payload.equals(want.subarray(0, rtp.payload.length))) this.received.corrupt++;
        }
      });
    });
    this.transceiver.receiver.onRtcp.subscribe((_p: RtcpPacket) => {
      this.received.rtcp++;
    });
  }

  get dtlsTransport(): RTCDtlsTransport {
    const t = this.pc.dtlsTransports[0];
    if (!t) throw new Error('no DTLS transport');
    return t;
  }

  /**
   * Sends one 20 ms frame through werift's sender (which adds its header extensions):
   * the checkable framePayload, or `payload` (e.g. a pre-encoded frame for the bench).
   */
  sendFrame(payload?: Buffer): Promise<void> {
    const seq = this.#seq;
    const header = new RtpHeader({ payloadType: OPUS_PT, sequenceNumber: seq, timestamp: this.#ts, marker: false });
    this.#seq = (seq + 1) & 0xffff;
    this.#ts = (this.#ts + TICKS_PER_FRAME) >>> 0;
    return this.transceiver.sender.sendRtp(new RtpPacket(header, payload ?? framePayload(this.stream, seq)));
  }

  async close(): Promise<void> {
    this.bridge?.detach();
    await this.pc.close();
  }
}

export interface PeerPairOptions {
  /** counters for side A's native bridge; undefined = werift's own SRTP */
  nativeA?: NativeSrtpBridgeStats | boolean;
  nativeB?: NativeSrtpBridgeStats | boolean;
  /** compare every received payload with the expected bytes */
  checkPayloads?: boolean;
  stream?: number;
  timeoutMs?: number;
  /**
   * DTLS-SRTP profiles both sides offer (RFC 5764 §4.1.2), e.g. [1] for
   * AES_CM_128_HMAC_SHA1_80; default werift's list, which prefers AEAD_AES_128_GCM.
   */
  srtpProfiles?: number[];
}

function statsFor(v: NativeSrtpBridgeStats | boolean | undefined): NativeSrtpBridgeStats | undefined {
  if (v === true) return createNativeSrtpBridgeStats();
  return v || undefined;
}

function isLoopbackCandidate(candidate: string): boolean {
  return candidate.includes(` ${LOOPBACK} `);
}

function waitConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`peer not connected after ${timeoutMs} ms (${pc.connectionState})`)), timeoutMs);
    const sub = pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (s === 'failed' || s === 'closed') {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(new Error(`peer connection ${s}`));
      }
    });
  });
}

/** A (offerer, DTLS role decided by werift) and B (answerer), connected. */
export async function connectPeerPair(opts: PeerPairOptions = {}): Promise<{ a: Peer; b: Peer; close: () => Promise<void> }> {
  const stream = opts.stream ?? 0;
  const check = opts.checkPayloads ?? true;
  const a = new Peer(2 * stream, 2 * stream + 1, statsFor(opts.nativeA), check);
  const b = new Peer(2 * stream + 1, 2 * stream, statsFor(opts.nativeB), check);
  if (opts.srtpProfiles) {
    // RTCDtlsTransport.srtpProfiles is private in werift's typings; set per instance.
    for (const p of [a, b]) (p.dtlsTransport as unknown as { srtpProfiles: number[] }).srtpProfiles = opts.srtpProfiles;
  }
  // Trickle only the loopback host candidates (RFC 8838 §4), once descriptions are set.
  const trickle = (from: Peer, to: Peer, ready: () => boolean, queue: Parameters<RTCPeerConnection['addIceCandidate']>[0][]) => {
    from.pc.onIceCandidate.subscribe((c) => {
      if (!c || !isLoopbackCandidate(c.candidate)) return;
      const init = c.toJSON();
      if (ready()) void to.pc.addIceCandidate(init).catch(() => undefined);
      else queue.push(init);
    });
  };
  const toB: Parameters<RTCPeerConnection['addIceCandidate']>[0][] = [];
  const toA: Parameters<RTCPeerConnection['addIceCandidate']>[0][] = [];
  let bHasOffer = false;
  let aHasAnswer = false;
  trickle(a, b, () => bHasOffer, toB);
  trickle(b, a, () => aHasAnswer, toA);

  const offer = await a.pc.createOffer();
  await a.pc.setLocalDescription(offer);
  await b.pc.setRemoteDescription(a.pc.localDescription ?? offer);
  bHasOffer = true;
  for (const c of toB.splice(0)) await b.pc.addIceCandidate(c);
  const answer = await b.pc.createAnswer();
  await b.pc.setLocalDescription(answer);
  await a.pc.setRemoteDescription(b.pc.localDescription ?? answer);
  aHasAnswer = true;
  for (const c of toA.splice(0)) await a.pc.addIceCandidate(c);

  const timeoutMs = opts.timeoutMs ?? 15_000;
  await Promise.all([waitConnected(a.pc, timeoutMs), waitConnected(b.pc, timeoutMs)]);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}
