import { tolerateRepeatedHelloVerify } from './werift-dtls-hello-verify.js';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import type { CallTransport, MediaPacket } from './call-transport.js';
import { announcedCandidate, announceInSdp, setOpusFmtp } from './webrtc-sdp.js';
import type { WebRtcSettings } from './webrtc-settings.js';
import type { NativeSrtpBridge } from './werift-native-srtp.js';
import type { LeanRtpPath, LeanRtpStats, NativeReceiveSink } from './lean-rtp-path.js';
import type { HandedBackDatagram } from './media-engine.js';

/** The native SRTP bridge module (werift-native-srtp.ts), loaded by the worker when the addon has SRTP. */
export type NativeSrtpModule = typeof import('./werift-native-srtp.js');
type LeanRtpModule = typeof import('./lean-rtp-path.js');

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

const OPUS_PT = 111;
/** How long a `disconnected` ICE state may last before the caller counts as gone. */
const DISCONNECT_GRACE_MS = 5000;

/**
 * A call's WebRTC transport on werift: the gateway answers the caller's offer,
 * trickles candidates both ways, and moves Opus payloads in and out.
 * werift verifies the DTLS certificate against the SDP fingerprint
 * (RFC 8122 §5; RTCDtlsTransport.verifyRemoteCertificateFingerprint) and keeps
 * checking ICE consent (RFC 7675), which turns a lost network into `disconnected`/`failed`.
 */
export class WebRtcTransport implements CallTransport {
  readonly kind = 'webrtc' as const;
  onPacket: ((packet: MediaPacket) => void) | undefined;
  onClose: ((reason: string) => void) | undefined;
  /** Called once DTLS is up and media can flow. */
  onConnected: (() => void) | undefined;
  /**
   * The media engine's reads of this call's socket (the session's engine slot), given before
   * the answer; used on the lean path when RTP_RECEIVE=engine.
   */
  nativeReceive: NativeReceiveSink | undefined;
  private readonly pc: RTCPeerConnection;
  private readonly transceiver: RTCRtpTransceiver;
  private seq = (Math.random() * 0xffff) >>> 0;
  private closed = false;
  private disconnectTimer: NodeJS.Timeout | undefined;

  /** The lean RTP path of this call (RTP_PATH=lean with native SRTP), once the answer is made. */
  private lean: LeanRtpPath | undefined;

  /** Which SRTP implementation carries the media once DTLS is up. */
  get srtp(): 'native' | 'werift' {
    if (this.lean?.active) return 'native';
    return this.srtpBridge && this.srtpBridge.stats.transports > 0 ? 'native' : 'werift';
  }
  /** Which code carries RTP: the lean path (native, werift bypassed) or werift's RTP stack. */
  get rtpPath(): 'lean' | 'werift' {
    return this.lean?.active ? 'lean' : 'werift';
  }
  /** Lean path counters of this call (packets each way, drops, datagrams left to werift), when attached. */
  get leanStats(): LeanRtpStats | undefined {
    return this.lean?.stats;
  }
  /** Native SRTP counters of this call (packets, drops by cause), when bridged. */
  readonly srtpBridge: NativeSrtpBridge | undefined;

  /** With `nativeSrtp`, the media path runs on the native core's SRTP once DTLS is up. */
  constructor(
    private readonly settings: WebRtcSettings,
    onCandidate: (c: IceCandidateInit) => void,
    private readonly nativeSrtp?: NativeSrtpModule,
  ) {
    this.pc = new RTCPeerConnection({
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: OPUS_PT })],
        video: [],
      },
      headerExtensions: { audio: [], video: [] },
      iceServers: settings.iceServers,
      icePortRange: settings.icePortRange,
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
    });
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.srtpBridge = nativeSrtp?.useNativeSrtp(this.pc);
    this.transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const h = rtp.header;
        this.onPacket?.({ payload: rtp.payload, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, marker: h.marker, payloadType: h.payloadType, ssrc: h.ssrc, arrivalMs: performance.now() });
      });
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c || this.closed) return;
      const init = c.toJSON();
      onCandidate(init);
      const announced = settings.announcedIp ? announcedCandidate(init.candidate, settings.announcedIp) : undefined;
      if (announced) onCandidate({ ...init, candidate: announced });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.closed) return;
      if (state === 'connected') {
        if (this.disconnectTimer) clearTimeout(this.disconnectTimer);
        this.disconnectTimer = undefined;
        this.onConnected?.();
      } else if (state === 'disconnected') {
        this.disconnectTimer ??= setTimeout(() => this.close('network_lost'), DISCONNECT_GRACE_MS);
      } else if (state === 'failed') {
        this.close('connection_failed');
      }
    });
  }

  /** Applies the caller's offer; returns the answer with the gateway's Opus wishes. */
  async answer(offerSdp: string): Promise<string> {
    const lean = await this.leanModule();
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });

    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    // The gateway is the DTLS client (setup:active): a late first answer must not fail the call.
    tolerateRepeatedHelloVerify(this.transceiver.sender.dtlsTransport);
    this.attachLeanPath(lean);
    const local = this.pc.localDescription;
    if (!local) throw new Error('no local description after setLocalDescription');
    const sdp = setOpusFmtp(local.sdp);
    return this.settings.announcedIp ? announceInSdp(sdp, this.settings.announcedIp) : sdp;
  }

  /**
   * RTP_PATH=lean (the default) with native SRTP: RTP bypasses werift's RTP stack once DTLS
   * connects (lean-rtp-path.ts); werift keeps ICE, DTLS and RTCP. Loaded lazily, so a
   * worker without the native addon still runs calls on werift's path.
   */
  private async leanModule(): Promise<LeanRtpModule | undefined> {
    if (!this.nativeSrtp || (this.settings.rtpPath ?? 'lean') !== 'lean') return undefined;
    return import('./lean-rtp-path.js');
  }

  /** Right after setLocalDescription: ICE has not completed, so no RTP has flowed through werift yet. */
  private attachLeanPath(mod: LeanRtpModule | undefined): void {
    const dtls = this.transceiver.sender.dtlsTransport;
    if (!mod || this.lean || !dtls || this.closed) return;
    const { attachLeanRtp } = mod;
    const engineReads = this.nativeReceive && (this.settings.rtpReceive ?? 'engine') === 'engine';
    const opts = {
      onRtp: (p: MediaPacket) => this.onPacket?.(p),
      ...(this.srtpBridge ? { bridgeStats: this.srtpBridge.stats } : {}),
      ...(engineReads ? { nativeReceive: this.nativeReceive } : {}),
    };
    this.lean = attachLeanRtp(dtls, this.transceiver, opts);
  }

  /** RTP the media engine read from this call's socket this tick (see nativeReceive). */
  engineReceived(packets: number, bytes: number): void {
    this.lean?.onEngineReceived(packets, bytes);
  }

  /** A datagram the media engine read from this call's socket that is not RTP: to werift. */
  deliverDatagram(d: HandedBackDatagram): void {
    if (!this.closed) this.lean?.deliver(d);
  }

  /** A remote candidate; null is end-of-candidates (RFC 8838 §8.2), which werift needs no action for. */
  async addCandidate(c: IceCandidateInit | null): Promise<void> {
    if (!c || !c.candidate || this.closed) return;
    await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? undefined, sdpMLineIndex: c.sdpMLineIndex ?? undefined });
  }

  /** Sends one packet; `payload` is copied (or sent) before this returns, so the caller may reuse it. */
  send(payload: Buffer, timestamp: number, marker: boolean): void {
    if (this.closed) return;
    const seq = this.seq;
    this.seq = (seq + 1) & 0xffff;
    if (this.lean?.send(payload, seq, timestamp, marker)) return;
    const header = new RtpHeader({ payloadType: OPUS_PT, sequenceNumber: seq, timestamp, marker });
    // werift serializes after an await: keep a copy, the caller may reuse `payload` (NativeOpusEncoder16k).
    this.transceiver.sender.sendRtp(new RtpPacket(header, Buffer.from(payload))).catch(() => undefined);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer);
    this.lean?.close();
    this.pc.close().catch(() => undefined);
    this.onClose?.(reason);
  }
}
