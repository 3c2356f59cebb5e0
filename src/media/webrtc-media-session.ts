import type { MediaPacket } from './call-transport.js';
import { hasNativeOpusEncoder, LazyAgentEncoder, NativeOpusEncoder16k } from './native-opus-encoder.js';
import { AGENT_VOICE_OPUS, FRAME_SAMPLES, OpusDecoder16k, OpusEncoder16k, opusFormat } from './opus-codec.js';
import { AgentAudioQueue, OutboundPacer } from './pacer.js';
import { wallClock, type CallHandler, type CallHandlerFactory, type CallReporter } from './webrtc-call-handler.js';
import type { HandedBackDatagram } from './media-engine.js';
import type { EngineCall, FrameAnalysis, WorkerJitterEngine } from './webrtc-jitter-engine.js';
import type { IceCandidateInit, WebRtcTransport } from './webrtc-transport.js';

/** What a session tells its worker (which forwards it to the main thread). */
export interface SessionOutput extends CallReporter {
  candidate(c: IceCandidateInit): void;
  connected(srtp: 'native' | 'werift', jitter: 'native' | 'none'): void;
  ended(reason: string): void;
  error(err: unknown): void;
}

export interface SessionInit {
  callId: string;
  tenant: string;
  rtpTimeoutMs: number;
  /** A call that does not connect within this time after its offer is dropped. */
  connectTimeoutMs: number;
}

/** Worker-wide media counters (monotonic), read by the on-demand profiler (src/observability/thread-profiler.ts). */
export const workerMediaCounters = { packetsIn: 0, framesOut: 0 };

/**
 * One call inside a media worker: its transport, the caller's audio path (the worker's
 * native jitter engine when it has one, else decode-on-arrival), and the paced encoder
 * sending the handler's audio.
 */
export class MediaSession implements EngineCall {
  private jsDecoder: OpusDecoder16k | undefined;
  private readonly slot: number | undefined;
  private sentFrame: Int16Array | undefined;
  private readonly pacer: OutboundPacer;
  private readonly encoder: LazyAgentEncoder;
  private readonly handler: CallHandler;
  private lastSeq = -1;
  private lastPacketAt = 0;
  private offeredAt = 0;
  private connected = false;
  private ended = false;

  constructor(
    private readonly init: SessionInit,
    private readonly transport: WebRtcTransport,
    factory: CallHandlerFactory,
    handlerOptions: unknown,
    private readonly out: SessionOutput,
    startTick: number,
    private readonly engine?: WorkerJitterEngine,
    nativeOpus = true,
  ) {
    // The native encoder's packet is a reused buffer: the transport copies it in send(). Made on first use:
    // a handler in the handler thread sends frames encoded there, and this call then never holds one.
    this.encoder = new LazyAgentEncoder(opusFormat(AGENT_VOICE_OPUS), () =>
      nativeOpus && hasNativeOpusEncoder() ? new NativeOpusEncoder16k(AGENT_VOICE_OPUS) : new OpusEncoder16k(AGENT_VOICE_OPUS),
    );
    this.pacer = new OutboundPacer(new AgentAudioQueue(), this.encoder, transport, (m) => out.mark(m), startTick);
    this.handler = factory({ callId: init.callId, tenant: init.tenant, audio: this.pacer, report: out, now: wallClock, hangup: (reason) => this.hangup(reason) }, handlerOptions);
    if (this.handler.agentFrames) this.pacer.useSource(this.handler.agentFrames);
    this.slot = engine?.attach(this, this.handler.mediaConfig);
    const slot = this.slot;
    if (engine && slot !== undefined) {
      transport.nativeReceive = {
        attach: (fd, srtpHandle) => engine.attachSocket(slot, fd, srtpHandle),
        detach: () => engine.detachSocket(slot),
        stats: () => engine.receiveStats(slot),
      };
    }
    transport.onPacket = (p) => this.onPacket(p);
    transport.onClose = (reason) => this.finish(reason);
    transport.onConnected = () => {
      if (this.connected) return;
      this.connected = true;
      this.lastPacketAt = performance.now();
      out.connected(transport.srtp, this.slot !== undefined ? 'native' : 'none');
      try {
        this.handler.onConnected();
      } catch (err) {
        this.handlerFailed(err);
      }
    };
  }

  async offer(sdp: string): Promise<string> {
    this.offeredAt = performance.now();
    return this.transport.answer(sdp);
  }

  addCandidate(c: IceCandidateInit | null): Promise<void> {
    return this.transport.addCandidate(c);
  }

  /** Media-clock tick: send one agent frame if queued; detect a silent caller. Runs before the engine's tick. */
  tick(tick: number, now: number): void {
    if (this.ended) return;
    this.sentFrame = this.pacer.tick(tick);
    if (this.sentFrame) workerMediaCounters.framesOut++;
    if (this.connected && now - this.lastPacketAt > this.init.rtpTimeoutMs) this.hangup('media_timeout');
    else if (!this.connected && this.offeredAt > 0 && now - this.offeredAt > this.init.connectTimeoutMs) this.hangup('connect_timeout');
  }

  hangup(reason: string): void {
    this.transport.close(reason);
  }

  /** Made on first use: with the native engine decoding Opus, never (a libopus state less per call). */
  get decoder(): OpusDecoder16k {
    return (this.jsDecoder ??= new OpusDecoder16k());
  }

  agentFrame(): Int16Array | undefined {
    return this.sentFrame;
  }

  /** A frame played out by the engine's jitter buffer, with its VAD/barge-in verdicts. */
  onFrame(frame: Int16Array, a: FrameAnalysis): void {
    if (this.ended || !this.connected) return;
    const h = this.handler;
    try {
      h.onCallerFrame(frame);
      if (!h.onVoiceActivity) return;
      if (a.onset) h.onVoiceActivity({ kind: 'onset', at: wallClock() });
      if (a.offset) h.onVoiceActivity({ kind: 'offset', at: wallClock() });
      if (a.bargeIn) h.onVoiceActivity({ kind: 'barge_in', at: wallClock() });
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  /** RTP the engine read from this call's socket this tick (already in its jitter buffer). */
  onReceived(packets: number, bytes: number): void {
    if (this.ended) return;
    workerMediaCounters.packetsIn += packets;
    if (this.lastSeq < 0) this.out.mark('first_packet_in');
    this.lastSeq = 0;
    this.lastPacketAt = performance.now();
    this.transport.engineReceived(packets, bytes);
  }

  onDatagram(d: HandedBackDatagram): void {
    if (!this.ended) this.transport.deliverDatagram(d);
  }

  private onPacket(p: MediaPacket): void {
    if (this.ended) return;
    workerMediaCounters.packetsIn++;
    if (this.slot !== undefined && this.engine) {
      if (this.lastSeq < 0) this.out.mark('first_packet_in');
      this.lastSeq = p.sequenceNumber;
      this.lastPacketAt = performance.now();
      this.engine.enqueue(this.slot, p);
      return;
    }
    // Drop duplicates and late reordered packets (RFC 3550 §A.1 sequence arithmetic, 16-bit wrap).
    if (this.lastSeq >= 0) {
      const delta = (p.sequenceNumber - this.lastSeq) & 0xffff;
      if (delta === 0 || delta > 0x8000) return;
    } else {
      this.out.mark('first_packet_in');
    }
    this.lastSeq = p.sequenceNumber;
    this.lastPacketAt = performance.now();
    const pcm = this.decoder.decode(p.payload);
    if (!pcm) return;
    try {
      for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) this.handler.onCallerFrame(pcm.subarray(i, i + FRAME_SAMPLES));
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.pacer.flush();
    this.encoder.close();
    if (this.slot !== undefined) this.engine?.detach(this.slot);
    let reported: void | Promise<void> = undefined;
    try {
      reported = this.handler.onEnd(reason);
    } catch (err) {
      this.out.error(err);
    }
    if (!reported) {
      this.out.ended(reason);
      return;
    }
    reported.then(
      () => this.out.ended(reason),
      (err: unknown) => {
        this.out.error(err);
        this.out.ended(reason);
      },
    );
  }

  /** A failing handler ends its own call, never the worker's other calls. */
  private handlerFailed(err: unknown): void {
    this.out.error(err);
    this.hangup('handler_error');
  }
}
