import type { MediaPacket } from './call-transport.js';
import type { HandedBackDatagram, MediaEngine, SocketReceiveStats } from './media-engine.js';
import type { CallMediaConfig } from './webrtc-call-handler.js';
import { FRAME_SAMPLES, type OpusDecoder16k } from './opus-codec.js';

export type EngineModule = typeof import('./media-engine.js');

/** What the native engine decided about one caller frame (a 20 ms tick of one call). */
export interface FrameAnalysis {
  speech: boolean;
  onset: boolean;
  offset: boolean;
  bargeIn: boolean;
  /** The frame was lost and concealed natively. */
  concealed: boolean;
}

/** A call's side of the engine: it knows the agent's outbound frame and takes the played-out frames. */
export interface EngineCall {
  /** Decodes Opus in JavaScript, only when the addon cannot (no libopus in it: `MediaEngine.opusVersion`). */
  readonly decoder: OpusDecoder16k;
  /** The agent frame sent on this tick, or undefined when the agent is silent. */
  agentFrame(): Int16Array | undefined;
  onFrame(frame: Int16Array, analysis: FrameAnalysis): void;
  /** RTP the engine read from the call's own socket this tick (attachSocket): packets and datagram bytes. */
  onReceived(packets: number, bytes: number): void;
  /** A datagram of the call's socket that is not RTP (STUN, DTLS, RTCP), for werift; `data` is reused after this returns. */
  onDatagram(d: HandedBackDatagram): void;
}

/** Largest payload queued (an Ethernet MTU's worth; longer ones were never valid Opus here). */
const MAX_RTP_PAYLOAD = 1500;
/** Offsets kept between two stats reports (one per second): far more than a worker's calls can end speaking. */
const MAX_OFFSET_DELAYS = 4096;

/**
 * The worker's native MediaEngine (src/media/media-engine.ts) for its WebRTC calls:
 * received packets queue in JS, and once per 20 ms tick all calls cross into native
 * code three times (ingest into the jitter buffers, playout with Opus decoding,
 * conceal + VAD + barge-in): no N-API crossing and no allocation per frame.
 */
export class WorkerJitterEngine {
  private readonly engine: MediaEngine;
  private readonly calls: Array<EngineCall | undefined>;
  private readonly free: number[];
  private readonly analysis: FrameAnalysis = { speech: false, onset: false, offset: false, bargeIn: false, concealed: false };
  /** Jitter-buffer playout delay (ms) of each call at each end of caller speech since the last take. */
  private offsetDelays: number[] = [];

  /** Opus is decoded inside the engine's pull (libopus in the addon); else in JS per frame. */
  readonly nativeOpus: boolean;

  constructor(private readonly mod: EngineModule, maxCalls: number, opts: { nativeOpus?: boolean } = {}) {
    this.engine = new mod.MediaEngine({ maxCalls });
    this.nativeOpus = (opts.nativeOpus ?? true) && this.engine.opusVersion !== undefined;
    this.calls = new Array<EngineCall | undefined>(maxCalls).fill(undefined);
    this.free = Array.from({ length: maxCalls }, (_, i) => maxCalls - 1 - i);
  }

  /**
   * Gives the call a slot; undefined when the worker's slots are all taken. `media` carries the
   * tenant's VAD and barge-in thresholds (engine defaults when absent); a bad value throws a RangeError.
   */
  attach(call: EngineCall, media?: CallMediaConfig): number | undefined {
    const slot = this.free.pop();
    if (slot === undefined) return undefined;
    // Only Opus is negotiated (webrtc-transport.ts), under whatever payload type the caller chose.
    try {
      this.engine.addCall(slot, { payload: 'opus', clockRate: 48_000, decodeOpus: this.nativeOpus, vad: media?.vad, bargeIn: media?.bargeIn });
    } catch (err) {
      this.free.push(slot);
      throw err;
    }
    this.calls[slot] = call;
    return slot;
  }

  detach(slot: number): void {
    if (!this.calls[slot]) return;
    this.engine.removeCall(slot);
    this.calls[slot] = undefined;
    this.free.push(slot);
  }

  /** The engine reads this call's socket from now on (see MediaEngine.attachSocket); throws when it cannot. */
  attachSocket(slot: number, fd: number, srtpHandle: number): void {
    this.engine.attachSocket(slot, fd, srtpHandle);
  }

  detachSocket(slot: number): void {
    if (this.calls[slot]) this.engine.detachSocket(slot);
  }

  receiveStats(slot: number): SocketReceiveStats | undefined {
    return this.calls[slot] ? this.engine.receiveStats(slot) : undefined;
  }

  /** Queues one received packet (rebuilt as RTP, RFC 3550 §5.1, straight into the engine's ingest records). */
  enqueue(slot: number, p: MediaPacket): void {
    if (p.payload.length > MAX_RTP_PAYLOAD) return;
    this.engine.enqueueRtp(slot, p.arrivalMs, p.marker, p.payloadType, p.sequenceNumber, p.timestamp, p.ssrc, p.payload);
  }

  /**
   * One media tick for every call: jitter buffers, Opus decode, concealment, VAD, barge-in.
   * With `nativeOpus`, pull() leaves no slot in the Opus status and the first loop only hands the agent frames over.
   */
  tick(nowMs: number): void {
    const e = this.engine;
    const { FrameStatus, ResultFlag } = this.mod;
    // Read now, not at the tick's start: the kernel stamps are measured back from this instant.
    e.receive(performance.now(), this.visitDatagram);
    const rx = e.rxPackets;
    for (let slot = 0; slot < this.calls.length; slot++) {
      const n = rx[slot] as number;
      if (n !== 0) this.calls[slot]?.onReceived(n, e.rxBytes[slot] as number);
    }
    e.ingest();
    e.pull(nowMs);
    for (let slot = 0; slot < this.calls.length; slot++) {
      const call = this.calls[slot];
      if (!call) continue;
      if (e.status[slot] === FrameStatus.Opus) {
        const p = e.opusPayload(slot);
        const pcm = call.decoder.decode(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
        if (pcm && pcm.length >= FRAME_SAMPLES) e.pcmFrame(slot).set(pcm.subarray(0, FRAME_SAMPLES));
        else e.status[slot] = FrameStatus.Lost;
      }
      const agent = call.agentFrame();
      e.setAgentFrame(slot, agent !== undefined, agent);
    }
    e.analyze();
    const a = this.analysis;
    for (let slot = 0; slot < this.calls.length; slot++) {
      const call = this.calls[slot];
      if (!call) continue;
      const f = e.flags(slot);
      if ((f & ResultFlag.Analyzed) === 0) continue;
      a.speech = (f & ResultFlag.Speech) !== 0;
      a.onset = (f & ResultFlag.Onset) !== 0;
      a.offset = (f & ResultFlag.Offset) !== 0;
      a.bargeIn = (f & ResultFlag.BargeIn) !== 0;
      a.concealed = (f & ResultFlag.Concealed) !== 0;
      // The caller's audio reached the VAD this much after its fastest transit: part of every turn gap.
      if (a.offset && this.offsetDelays.length < MAX_OFFSET_DELAYS) this.offsetDelays.push(e.stats(slot).currentDelayMs);
      call.onFrame(e.pcmFrame(slot), a);
    }
  }

  /** Datagrams handed back whose handler threw. */
  get datagramErrors(): number {
    return this.#datagramErrors;
  }
  #datagramErrors = 0;
  private readonly visitDatagram = (d: HandedBackDatagram): void => {
    try {
      this.calls[d.slot]?.onDatagram(d);
    } catch {
      // werift's handling of one datagram must not stop the tick for every other call.
      this.#datagramErrors++;
    }
  };

  /** The playout delays (ms) seen at ends of caller speech since the last call, for the worker's stats. */
  takeOffsetDelays(): number[] {
    const d = this.offsetDelays;
    this.offsetDelays = [];
    return d;
  }
}
