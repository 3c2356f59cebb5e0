/**
 * A lean synthetic WebRTC caller: werift does the signaling-driven handshake (ICE, DTLS,
 * RTCP), and once DTLS is connected the call's RTP runs on the gateway's lean path
 * (src/media/lean-rtp-path.ts: native SRTP on werift's selected ICE socket, see
 * docs/lean-rtp-path.md), so no RTP packet crosses werift's per-packet JavaScript.
 *
 * Sending: one Opus packet per 20 ms slot of the process's CallerClock (one timer for all
 * callers), taken from pre-encoded utterances (PreEncodedAudio, shared by the process) or,
 * between them, the one pre-encoded silence packet: a browser's continuous stream without
 * DTX, so the gateway decodes a packet per caller every 20 ms as it would with real
 * callers (and its RTP timeout, RTP_TIMEOUT_MS, never fires in a long pause).
 * Receiving: each agent packet is kept as its arrival time and a speech flag: from its size
 * (isSpeechPacket) for SILK, by decoding for CELT (AgentSpeechDetector).
 */
import { RTCPeerConnection, RTCRtpCodecParameters, type RTCDtlsTransport, type RTCRtpTransceiver } from 'werift';
import type { MediaPacket } from '../../src/media/call-transport.js';
import { attachLeanRtp, createLeanRtpStats, type LeanRtpPath, type LeanRtpStats } from '../../src/media/lean-rtp-path.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';
import type { CallerClock, PacedSender } from './caller-clock.js';
import { applySignal, openSignaling, type Signaling } from './call-signaling.js';
import { CallerRtpStream } from './caller-rtp-stream.js';
import type { PreEncodedAudio } from './opus-frames.js';
import { AgentSpeechDetector } from './opus-speech-classifier.js';
import { SetupTimeline } from './setup-timeline.js';

export interface LeanCallerOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 (no trailing slash). */
  gateway: string;
  tenant: string;
  /** Origin presented to the token API and the signaling socket. */
  origin: string;
  /** The process's pre-encoded audio. */
  audio: PreEncodedAudio;
  /** The process's send clock. */
  clock: CallerClock;
  /** Lean-path counters, shared by the callers of a process. */
  stats?: LeanRtpStats;
  /** Also keep a copy of every received payload (tests compare the classifier with decoding). */
  keepPayloads?: boolean;
}

/** One received agent packet: arrival (ms since epoch, monotonic-based) and its speech flag. */
export interface LeanReceived {
  at: number;
  speech: boolean;
}

const OPUS_PAYLOAD_TYPE = 111;

export class LeanWebRtcCaller implements PacedSender {
  readonly received: LeanReceived[] = [];
  /** Received payloads in arrival order (only with `keepPayloads`). */
  readonly payloads: Buffer[] = [];
  callId = '';
  /** Why the far end ended the call (`state: ended` reason, or the socket's close code); before any agent packet, with the setup timeline. */
  endedByGateway: string | undefined;
  /** How far the call's setup got, and when (ms since the token request). */
  readonly setup = new SetupTimeline();
  private readonly speech = new AgentSpeechDetector();
  /** When the last frame carrying speech was sent (ms since epoch; 0 before any). */
  lastSpeechSentAt = 0;
  private signaling!: Signaling;
  private pc!: RTCPeerConnection;
  private path: LeanRtpPath | undefined;
  private readonly stream: CallerRtpStream;
  private closed = false;

  private constructor(private readonly opts: LeanCallerOptions) {
    this.stream = new CallerRtpStream(opts.audio.silence);
  }

  /** Places a call; resolves once the offer is sent (media starts when DTLS connects). */
  static async place(opts: LeanCallerOptions): Promise<LeanWebRtcCaller> {
    const c = new LeanWebRtcCaller(opts);
    try {
      await c.connect();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** Queues 16 kHz mono PCM (encoded once per process) after whatever is queued. */
  say(pcm: Int16Array): void {
    this.stream.queueUtterance(this.opts.audio.utterance(pcm));
  }

  /** Sends this 20 ms slot's packet (called by the process's CallerClock once the lean path carries the call). */
  onSlot(_now: number, frame: number): void {
    const path = this.path;
    if (!path) return;
    const p = this.stream.next(frame);
    if (p.speech) this.lastSpeechSentAt = performance.timeOrigin + performance.now();
    // False only when the selected ICE pair moved somewhere the lean path cannot use: nothing is sent.
    path.send(p.payload, p.sequenceNumber, p.timestamp, false);
  }

  hangup(): void {
    this.signaling?.send({ v: 1, type: 'hangup' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.opts.clock.remove(this);
    this.path?.close();
    this.signaling?.close();
    await this.pc?.close().catch(() => undefined);
  }

  private onRtp = (p: MediaPacket): void => {
    if (this.received.length === 0) this.setup.mark('rtp');
    this.received.push({ at: performance.timeOrigin + p.arrivalMs, speech: this.speech.isSpeech(p.payload) });
    if (this.opts.keepPayloads) this.payloads.push(Buffer.from(p.payload));
  };

  private async connect(): Promise<void> {
    this.signaling = await openSignaling({
      gateway: this.opts.gateway,
      tenant: this.opts.tenant,
      origin: this.opts.origin,
      onMessage: (m) => this.onMessage(m),
      onClose: (code) => this.ended(`socket closed ${code}`),
    });
    this.setup.mark('welcome');
    const { welcome } = this.signaling;
    this.callId = welcome.callId;
    this.pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: OPUS_PAYLOAD_TYPE })], video: [] },
      headerExtensions: { audio: [], video: [] },
      iceServers: welcome.iceServers,
      iceUseIpv6: false,
    });
    const transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.pc.iceConnectionStateChange.subscribe((state) => {
      if (state === 'connected') this.setup.mark('ice');
      else if (state === 'failed') this.setup.failures.push('caller ICE failed');
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (c) this.signaling.send({ v: 1, type: 'candidate', candidate: c.toJSON() });
    });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.attach(transceiver);
    this.signaling.send({ v: 1, type: 'offer', sdp: this.pc.localDescription?.sdp ?? offer.sdp });
    this.setup.mark('offer');
  }

  /** Attaches the lean path before ICE can complete, and starts sending once it carries the call. */
  private attach(transceiver: RTCRtpTransceiver): void {
    const dtls: RTCDtlsTransport = transceiver.sender.dtlsTransport;
    const stats = this.opts.stats ?? createLeanRtpStats();
    const path = attachLeanRtp(dtls, transceiver, { onRtp: this.onRtp, stats });
    // Subscribed after the path's own handler, so `active` is already decided on `connected`.
    // A path that refused the call (counted in `stats.refused`) sends nothing: RTP never goes through werift here.
    dtls.onStateChange.subscribe((state) => {
      if (state === 'connecting') this.setup.dtlsRole = dtls.role;
      else if (state === 'failed') this.setup.failures.push('caller DTLS failed');
      if (state !== 'connected') return;
      this.setup.mark('dtls');
      if (this.closed || this.path || !path.active) return;
      this.path = path;
      this.opts.clock.add(this);
    });
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'answer') this.setup.mark('answer');
    applySignal(this.pc, m);
    if (m.type === 'state' && m.state === 'ended') this.ended(m.reason ?? 'ended');
  }

  /** The far end ended the call: a call ended before any agent packet says how far its setup got. */
  private ended(reason: string): void {
    if (this.endedByGateway !== undefined || this.closed) return;
    this.endedByGateway = this.received.length > 0 ? reason : `${reason} (${this.setup.describe()})`;
  }
}
