import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import WebSocket from 'ws';
import { applySignal } from './call-signaling.js';
import { FRAME_MS, FRAME_SAMPLES, OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { RtpFrameCounter } from './caller-rtp-stream.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { MediaClock } from '../../src/media/pacer.js';
import type { ServerMessage } from '../../src/signaling/protocol.js';

/**
 * A synthetic caller on werift: gets a call token, opens the signaling socket,
 * places a WebRTC call and talks like a browser (a continuous 20 ms Opus stream:
 * silence, then whatever PCM it is told to say). It measures the agent audio it
 * receives as per-frame levels with arrival times. Used by tests and the bench.
 */
export interface CallerOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080. */
  gateway: string;
  tenant: string;
  /** Origin presented to the token API and the signaling socket. */
  origin: string;
  /** Edits the offer before it is sent (tests use it to corrupt the DTLS fingerprint). */
  mungeOffer?: (sdp: string) => string;
}

export interface ReceivedFrame {
  at: number;
  dbfs: number;
}

/** Longest stall whose frames are still sent (late, in order) rather than lost. */
const CATCH_UP_MS = 200;

export class WebRtcCaller {
  readonly received: ReceivedFrame[] = [];
  readonly messages: ServerMessage[] = [];
  callId = '';
  closeCode: number | undefined;
  private pc!: RTCPeerConnection;
  private transceiver!: RTCRtpTransceiver;
  private ws!: WebSocket;
  private readonly encoder = new OpusEncoder16k({ complexity: 3 });
  private readonly decoder = new OpusDecoder16k();
  private readonly silence = new Int16Array(FRAME_SAMPLES);
  private pending: Int16Array[] = [];
  private clock: MediaClock | undefined;
  private readonly counter = new RtpFrameCounter(1000, 5000);
  private sending = true;
  private lastSpeechSentAt = 0;
  private listeners: Array<() => void> = [];

  private constructor(private readonly opts: CallerOptions) {}

  static async place(opts: CallerOptions): Promise<WebRtcCaller> {
    const c = new WebRtcCaller(opts);
    await c.connect();
    return c;
  }

  /** When the last frame louder than -50 dBFS was sent (ms since epoch). */
  get lastSpeechSent(): number {
    return this.lastSpeechSentAt;
  }

  /** Queues PCM (16 kHz mono) to speak after what is already queued. */
  say(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i += FRAME_SAMPLES) {
      const f = new Int16Array(FRAME_SAMPLES);
      f.set(pcm.subarray(i, Math.min(pcm.length, i + FRAME_SAMPLES)));
      this.pending.push(f);
    }
  }

  /** Stops sending RTP without hanging up (simulates a lost network path). */
  stopMedia(): void {
    this.sending = false;
  }

  hangup(): void {
    this.send({ v: 1, type: 'hangup' });
  }

  async close(): Promise<void> {
    this.clock?.stop();
    this.ws.close();
    await this.pc.close().catch(() => undefined);
  }

  /** Waits until `pred` holds over the received messages, checking on every message. */
  async waitFor<T>(pred: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 50));
        this.listeners.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Frames received after `since` louder than `dbfs`. */
  loudFramesSince(since: number, dbfs = -50): ReceivedFrame[] {
    return this.received.filter((f) => f.at >= since && f.dbfs > dbfs);
  }

  private send(m: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private wake(): void {
    const l = this.listeners;
    this.listeners = [];
    for (const f of l) f();
  }

  private async connect(): Promise<void> {
    const { gateway, tenant, origin } = this.opts;
    const res = await fetch(`${gateway}/api/v1/tokens`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ tenant }) });
    if (res.status !== 200) throw new Error(`token refused: ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    this.ws = new WebSocket(`${gateway.replace(/^http/, 'ws')}/ws/webrtc?token=${encodeURIComponent(token)}`, { origin });
    this.ws.on('message', (d) => {
      this.messages.push(JSON.parse(String(d)) as ServerMessage);
      this.onMessage(this.messages[this.messages.length - 1] as ServerMessage);
      this.wake();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    const welcome = await this.waitFor(() => this.messages.find((m): m is Extract<ServerMessage, { type: 'welcome' }> => m.type === 'welcome'), 10_000, 'welcome');
    this.callId = welcome.callId;

    this.pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 111 })], video: [] },
      headerExtensions: { audio: [], video: [] },
      iceServers: welcome.iceServers,
      iceUseIpv6: false,
    });
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const pcm = this.decoder.decode(rtp.payload);
        if (pcm) this.received.push({ at: performance.timeOrigin + performance.now(), dbfs: EnergyTurnDetector.levelDbfs(pcm) });
      });
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (c) this.send({ v: 1, type: 'candidate', candidate: c.toJSON() });
    });
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const sdp = this.pc.localDescription?.sdp ?? offer.sdp;
    this.send({ v: 1, type: 'offer', sdp: this.opts.mungeOffer ? this.opts.mungeOffer(sdp) : sdp });
    this.transceiver.sender.onReady.subscribe(() => this.startSending());
  }

  private onMessage(m: ServerMessage): void {
    applySignal(this.pc, m);
  }

  /**
   * A browser-like continuous stream: one frame every 20 ms (silence when there is nothing to say), on a
   * MediaClock that sends the frames of a short stall late and skips (loses) those of a long one, so the
   * RTP timestamps stay on real time (RFC 3550 §5.1) whatever this process's event loop does.
   */
  private startSending(): void {
    if (this.clock) return;
    this.clock = new MediaClock((slot) => this.sendSlot(slot), FRAME_MS, CATCH_UP_MS);
    this.clock.start();
  }

  private sendSlot(slot: number): void {
    this.counter.advanceTo(slot);
    if (!this.sending) return;
    const frame = this.pending.shift();
    if (frame && EnergyTurnDetector.levelDbfs(frame) > -50) this.lastSpeechSentAt = performance.timeOrigin + performance.now();
    const payload = this.encoder.encode(frame ?? this.silence);
    const at = { sequenceNumber: 0, timestamp: 0 };
    this.counter.take(at);
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: at.sequenceNumber, timestamp: at.timestamp, marker: false });
    this.transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  }
}
