import { native } from './native.js';
import type { JitterStats } from './native-jitter.js';

/**
 * Batch media engine for one media worker thread: all calls of the worker cross into
 * native code a constant number of times per 20 ms tick, never once per packet:
 *
 *   1. `enqueuePacket()` for every decrypted RTP packet received since the last tick
 *      (JS only: packs into one buffer), then `ingest()` (one native call);
 *   2. `pull(nowMs)` (one native call): per slot, `status` says none / pcm (G.711,
 *      decoded and upsampled to 16 kHz natively into `pcmFrame(slot)`) / opus (payload
 *      in `opusPayload(slot)`, to be decoded by JS into `pcmFrame(slot)`) / lost;
 *   3. JS decodes the Opus payloads, sets `setAgentFrame()` for calls where the agent
 *      is talking, then `analyze()` (one native call): lost frames are concealed into
 *      `pcmFrame(slot)`, and VAD plus barge-in run for every call with a frame.
 *
 * All buffers are allocated once here and reused every tick. Layout: docs/native-core.md.
 */

/** Payload carried by a call's RTP stream. */
export type PayloadKind = 'opus' | 'pcmu' | 'pcma';

/** Native frame VAD settings (see native/src/vad.h). */
export interface CallVadConfig {
  /** Speech must persist this long to start a segment [60]. */
  onsetMs?: number;
  /** Silence must persist this long to end it [200]. */
  hangoverMs?: number;
  /** Probability above which a frame counts as speech [0.5]. */
  threshold?: number;
}

/** Barge-in thresholds (see native/src/barge_in.h); configurable per tenant. */
export interface CallBargeInConfig {
  /** Caller speech must last this long to interrupt [200]. */
  minSpeechMs?: number;
  /** Caller energy must exceed the expected echo by this margin [6]. */
  echoMarginDb?: number;
  /** Assumed attenuation of the agent's audio in the return path [20]. */
  echoReturnLossDb?: number;
}

export interface CallConfig {
  payload: PayloadKind;
  /** RTP payload type to accept (others, e.g. RFC 4733 events, are counted and dropped); any when absent. */
  payloadType?: number;
  /**
   * Opus only: decode natively in `pull()` (libopus, straight to 16 kHz) so the slot's status
   * is `Pcm`, not `Opus`; a refused or short packet becomes `Lost` and is concealed [false].
   */
  decodeOpus?: boolean;
  /** RTP clock rate [48000 for Opus, 8000 for G.711]. */
  clockRate?: number;
  /** Jitter-buffer delay bounds [20, 200]. */
  jitterMinMs?: number;
  jitterMaxMs?: number;
  /** Largest payload accepted [1275 for Opus, 160 for G.711]. */
  maxPayload?: number;
  vad?: CallVadConfig;
  bargeIn?: CallBargeInConfig;
}

export interface MediaEngineOptions {
  /** Call slots of this worker (0 .. maxCalls-1). */
  maxCalls: number;
  /** Payload area per slot, bytes [1500]. */
  maxPayload?: number;
}

/** Per-slot status after `pull()`. */
export const FrameStatus = { None: 0, Pcm: 1, Opus: 2, Lost: 3 } as const;
export type FrameStatus = (typeof FrameStatus)[keyof typeof FrameStatus];

/** Bits of the flags word written by `analyze()`. */
export const ResultFlag = {
  Analyzed: 1,
  Speech: 2,
  Onset: 4,
  Offset: 8,
  BargeIn: 16,
  Concealed: 32,
} as const;

/** Bits of the per-slot agent flags read by `analyze()`. */
export const AgentFlag = { Speaking: 1, Frame: 2 } as const;

/** What `analyze()` decided for one call this tick. */
export interface CallAnalysis {
  analyzed: boolean;
  speech: boolean;
  onset: boolean;
  offset: boolean;
  bargeIn: boolean;
  concealed: boolean;
  /** VAD speech probability, 0..1. */
  probability: number;
  /** Frame energy, dBFS. */
  energyDb: number;
  /** Wall-clock ms (the `nowMs` of the pull) of the frame that decided the barge-in; 0 otherwise. */
  bargeInAtMs: number;
  /** Media clock (from RTP timestamps) of the frame, ms. */
  frameMediaMs: number;
}

/** Jitter stats of a call plus the engine's own packet counters. */
export interface CallStats extends JitterStats {
  /** Packets whose RTP header failed the RFC 3550 §5.1 checks. */
  malformed: number;
  /** Packets of another payload type than the configured one. */
  otherPayloadType: number;
  /** Opus packets the native decoder refused or that held less than a frame (concealed instead). */
  opusDecodeErrors: number;
}

/** A natively read call's RTP stream (RFC 3550 §6.4.1 fields) and what became of its socket's datagrams. */
export interface SocketReceiveStats {
  /** SSRC of the stream (-1 before its first packet) */
  ssrc: number;
  packets: number;
  bytes: number;
  extendedMaxSeq: number;
  expected: number;
  /** interarrival jitter, RTP timestamp units (A.8) */
  jitter: number;
  /** RTP packets authenticated and handed to the jitter buffer */
  rtp: number;
  /** datagrams handed back to JavaScript (STUN, DTLS, RTCP, other) */
  handedBack: number;
  authFailed: number;
  replayed: number;
  tooOld: number;
  malformed: number;
  otherDropped: number;
  truncated: number;
  readErrors: number;
}

/** A datagram the engine read from a call's socket that is not RTP, for werift (valid during the visit only). */
export interface HandedBackDatagram {
  slot: number;
  /** a view of the engine's reused receive buffer: copy it to keep it */
  data: Uint8Array;
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

interface EngineLayout {
  maxCalls: number;
  maxPayload: number;
  frameSamples: number;
  recordHeaderBytes: number;
  resultStride: number;
  /** libopus version when the addon decodes Opus natively (absent in an older addon). */
  opusVersion?: string;
  datagramRecordHeaderBytes: number;
  /** smallest `out` buffer receive() takes */
  receiveOutBytes: number;
}

interface NativeMediaEngine {
  addCall(slot: number, config: CallConfig): void;
  removeCall(slot: number): void;
  ingest(records: Uint8Array, count: number): number;
  pull(nowMs: number, status: Uint8Array, pcm: Int16Array, payload: Uint8Array, payloadLen: Uint16Array): number;
  analyze(status: Uint8Array, pcm: Int16Array, agentFlags: Uint8Array, agentPcm: Int16Array, results: Float64Array): number;
  stats(slot: number): CallStats;
  attachSocket(slot: number, fd: number, srtpHandle: number): void;
  detachSocket(slot: number): void;
  receive(nowMs: number, out: Uint8Array, rxPackets: Uint32Array, rxBytes: Uint32Array, summary: Uint32Array): number;
  receiveStats(slot: number): SocketReceiveStats | undefined;
  layout(): EngineLayout;
}

interface EngineAddon {
  MediaEngine: new (options: MediaEngineOptions) => NativeMediaEngine;
}

const addon = native as unknown as EngineAddon;

/** Bytes of one packed ingest record header: u32 slot, u32 length, f64 arrival ms (little-endian). */
export const RECORD_HEADER_BYTES = 16;
/** Fixed RTP header (RFC 3550 §5.1) that `enqueueRtp` writes. */
const RTP_HEADER_BYTES = 12;

export class MediaEngine {
  readonly maxCalls: number;
  readonly maxPayload: number;
  readonly frameSamples: number;
  /** The addon's libopus version when it can decode Opus itself (`decodeOpus`), else undefined. */
  readonly opusVersion: string | undefined;
  /** Per-slot status after pull (see {@link FrameStatus}); JS may set Opus→Lost when decoding fails. */
  readonly status: Uint8Array;
  /** Per-slot 16 kHz frames (frameSamples each). */
  readonly pcm: Int16Array;
  readonly payload: Uint8Array;
  readonly payloadLen: Uint16Array;
  readonly agentFlags: Uint8Array;
  readonly agentPcm: Int16Array;
  /** Per-slot results, `resultStride` doubles each: flags, probability, energyDb, bargeInAtMs, frameMediaMs. */
  readonly results: Float64Array;
  /** RTP packets / datagram bytes each slot's socket gave in the last `receive()`. */
  readonly rxPackets: Uint32Array;
  readonly rxBytes: Uint32Array;
  private readonly resultStride: number;
  private readonly impl: NativeMediaEngine;
  private readonly received: Buffer;
  private readonly receiveSummary = new Uint32Array(3);
  private readonly datagramHeader: number;
  private readonly pcmViews: Int16Array[];
  private records: Uint8Array;
  private recordView: DataView;
  private recordBytes = 0;
  private recordCount = 0;

  constructor(options: MediaEngineOptions) {
    this.impl = new addon.MediaEngine(options);
    const layout = this.impl.layout();
    this.maxCalls = layout.maxCalls;
    this.maxPayload = layout.maxPayload;
    this.frameSamples = layout.frameSamples;
    this.resultStride = layout.resultStride;
    this.opusVersion = layout.opusVersion;
    const n = this.maxCalls;
    this.status = new Uint8Array(n);
    this.pcm = new Int16Array(n * this.frameSamples);
    this.payload = new Uint8Array(n * this.maxPayload);
    this.payloadLen = new Uint16Array(n);
    this.agentFlags = new Uint8Array(n);
    this.agentPcm = new Int16Array(n * this.frameSamples);
    this.results = new Float64Array(n * this.resultStride);
    this.rxPackets = new Uint32Array(n);
    this.rxBytes = new Uint32Array(n);
    // Two batches of datagrams handed back fit before a pass stops with `more`.
    this.received = Buffer.alloc(layout.receiveOutBytes * 2);
    this.datagramHeader = layout.datagramRecordHeaderBytes;
    this.pcmViews = Array.from({ length: n }, (_, s) => this.pcm.subarray(s * this.frameSamples, (s + 1) * this.frameSamples));
    // Room for about 4 packets of 200 bytes per call per tick; grows (rarely) when needed.
    this.records = new Uint8Array(Math.max(4096, n * 4 * (RECORD_HEADER_BYTES + 200)));
    this.recordView = new DataView(this.records.buffer);
  }

  /** Starts a call in `slot` (replacing any call there). Throws on a bad config. */
  addCall(slot: number, config: CallConfig): void {
    this.impl.addCall(slot, config);
    this.agentFlags[slot] = 0;
  }

  removeCall(slot: number): void {
    this.impl.removeCall(slot);
    this.agentFlags[slot] = 0;
  }

  /**
   * From now on the engine reads the call's UDP socket itself (a duplicate of `fd`): RTP is
   * unprotected with the SRTP session `srtpHandle` (NativeSrtpSession.handle, this thread) and
   * goes straight into the slot's jitter buffer during `receive()`. The socket's owner must
   * stop reading it. Throws when the slot has no call, the handle no session, or fd no UDP socket.
   */
  attachSocket(slot: number, fd: number, srtpHandle: number): void {
    this.impl.attachSocket(slot, fd, srtpHandle);
  }

  /** Stops reading the slot's socket (closes the engine's duplicate); removeCall does this too. */
  detachSocket(slot: number): void {
    this.impl.detachSocket(slot);
  }

  /**
   * Drains every attached socket: RTP into the jitter buffers (arrival = `nowMs` minus the
   * kernel-stamped age), `rxPackets`/`rxBytes` set per slot, and every other datagram visited
   * (its view is reused afterwards). Returns the number of datagrams visited.
   */
  receive(nowMs: number, visit: (d: HandedBackDatagram) => void): number {
    const buf = this.received;
    const sum = this.receiveSummary;
    const h = this.datagramHeader;
    let visited = 0;
    for (;;) {
      const records = this.impl.receive(nowMs, buf, this.rxPackets, this.rxBytes, sum);
      let o = 0;
      for (let i = 0; i < records; i++) {
        const length = buf.readUInt32LE(o + 4);
        const addressLength = buf[o + 11] as number;
        visit({
          slot: buf.readUInt32LE(o),
          data: buf.subarray(o + h, o + h + length),
          address: buf.toString('latin1', o + 12, o + 12 + addressLength),
          family: buf[o + 10] === 6 ? 'IPv6' : 'IPv4',
          port: buf.readUInt16LE(o + 8),
        });
        o += h + length;
      }
      visited += records;
      if (sum[2] === 0) return visited;
    }
  }

  /** The natively read stream of a slot, or undefined when its socket is not attached. */
  receiveStats(slot: number): SocketReceiveStats | undefined {
    return this.impl.receiveStats(slot);
  }

  /** Packs one decrypted RTP packet for the next `ingest()` (no native call). */
  enqueuePacket(slot: number, arrivalMs: number, packet: Uint8Array): void {
    this.checkSlot(slot);
    const o = this.reserve(slot, arrivalMs, packet.length);
    this.records.set(packet, o + RECORD_HEADER_BYTES);
  }

  /**
   * Packs one RTP packet given as header fields and payload (the header rebuilt in place,
   * RFC 3550 §5.1, no extension or CSRC) for the next `ingest()`: no intermediate buffer or view.
   */
  enqueueRtp(slot: number, arrivalMs: number, marker: boolean, payloadType: number, sequenceNumber: number, timestamp: number, ssrc: number, payload: Uint8Array): void {
    this.checkSlot(slot);
    const length = RTP_HEADER_BYTES + payload.length;
    const o = this.reserve(slot, arrivalMs, length) + RECORD_HEADER_BYTES;
    const v = this.recordView;
    v.setUint8(o, 0x80);
    v.setUint8(o + 1, (marker ? 0x80 : 0) | (payloadType & 0x7f));
    v.setUint16(o + 2, sequenceNumber & 0xffff);
    v.setUint32(o + 4, timestamp >>> 0);
    v.setUint32(o + 8, ssrc >>> 0);
    this.records.set(payload, o + RTP_HEADER_BYTES);
  }

  /** Room for one record of `length` packet bytes; writes its header and returns its offset. */
  private reserve(slot: number, arrivalMs: number, length: number): number {
    const need = this.recordBytes + RECORD_HEADER_BYTES + length;
    if (need > this.records.length) {
      const grown = new Uint8Array(Math.max(need, this.records.length * 2));
      grown.set(this.records.subarray(0, this.recordBytes));
      this.records = grown;
      this.recordView = new DataView(grown.buffer);
    }
    const o = this.recordBytes;
    this.recordView.setUint32(o, slot, true);
    this.recordView.setUint32(o + 4, length, true);
    this.recordView.setFloat64(o + 8, arrivalMs, true);
    this.recordBytes = need;
    this.recordCount++;
    return o;
  }

  /** Hands every queued packet to the jitter buffers in one native call; returns the number accepted. */
  ingest(): number {
    const count = this.recordCount;
    const bytes = this.recordBytes;
    this.recordCount = 0;
    this.recordBytes = 0;
    if (count === 0) return 0;
    return this.impl.ingest(this.records.subarray(0, bytes), count);
  }

  /**
   * Hands records packed by the caller (same layout as {@link enqueuePacket}: u32 slot,
   * u32 length, f64 arrival ms, little-endian, then the packet) to the jitter buffers.
   * Throws a RangeError on a bad slot or length; records before it are already taken.
   */
  ingestPacked(records: Uint8Array, count: number): number {
    return this.impl.ingest(records, count);
  }

  /** Plays out every due frame; returns how many slots got a status other than None. */
  pull(nowMs: number): number {
    return this.impl.pull(nowMs, this.status, this.pcm, this.payload, this.payloadLen);
  }

  /** The 16 kHz frame of a slot (a view reused every tick). */
  pcmFrame(slot: number): Int16Array {
    const v = this.pcmViews[slot];
    if (v === undefined) throw new RangeError(`slot ${slot} is out of range`);
    return v;
  }

  /** The Opus payload pulled for a slot this tick (a view of the shared payload area). */
  opusPayload(slot: number): Uint8Array {
    const off = slot * this.maxPayload;
    return this.payload.subarray(off, off + (this.payloadLen[slot] ?? 0));
  }

  /**
   * Tells analyze() whether the agent is speaking to this caller and, when it is, its
   * outbound 16 kHz frame for this tick (copied; feeds the expected-echo envelope).
   */
  setAgentFrame(slot: number, speaking: boolean, frame?: Int16Array): void {
    this.checkSlot(slot);
    let flags = speaking ? AgentFlag.Speaking : 0;
    if (frame !== undefined) {
      if (frame.length !== this.frameSamples) throw new RangeError(`agent frame must hold ${this.frameSamples} samples`);
      this.agentPcm.set(frame, slot * this.frameSamples);
      flags |= AgentFlag.Frame;
    }
    this.agentFlags[slot] = flags;
  }

  /** Conceals lost frames, runs VAD and barge-in for every call with a frame; returns the number analyzed. */
  analyze(): number {
    const n = this.impl.analyze(this.status, this.pcm, this.agentFlags, this.agentPcm, this.results);
    for (let s = 0; s < this.maxCalls; s++) this.agentFlags[s] = (this.agentFlags[s] ?? 0) & AgentFlag.Speaking;
    return n;
  }

  /** Flags word of a slot's last analysis (see {@link ResultFlag}). */
  flags(slot: number): number {
    return this.results[slot * this.resultStride] ?? 0;
  }

  /** A slot's last analysis as an object (allocates; the hot path can read `results`). */
  analysis(slot: number): CallAnalysis {
    const o = slot * this.resultStride;
    const f = this.results[o] ?? 0;
    return {
      analyzed: (f & ResultFlag.Analyzed) !== 0,
      speech: (f & ResultFlag.Speech) !== 0,
      onset: (f & ResultFlag.Onset) !== 0,
      offset: (f & ResultFlag.Offset) !== 0,
      bargeIn: (f & ResultFlag.BargeIn) !== 0,
      concealed: (f & ResultFlag.Concealed) !== 0,
      probability: this.results[o + 1] ?? 0,
      energyDb: this.results[o + 2] ?? -120,
      bargeInAtMs: this.results[o + 3] ?? 0,
      frameMediaMs: this.results[o + 4] ?? 0,
    };
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.maxCalls) {
      throw new RangeError(`slot must be an integer in 0..${this.maxCalls - 1}`);
    }
  }

  /** Jitter and packet counters of an active call. */
  stats(slot: number): CallStats {
    return this.impl.stats(slot);
  }
}
