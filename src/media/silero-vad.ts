import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

/**
 * Silero VAD v5 for every call of a worker in ONE onnxruntime inference per tick.
 *
 * The model takes [batch, 64 + 512] float32 at 16 kHz (each 512-sample chunk prefixed by the
 * last 64 samples of the previous chunk, as silero-vad's `OnnxWrapper.__call__` and
 * @ricky0123/vad-web's `Silero.process` do) and `state` [2, batch, 128], and returns `output`
 * [batch, 1] (speech probability) and `stateN` [2, batch, 128]. The default model is
 * models/silero_vad_v5_16k.onnx, which scripts/silero-16k.ts (run by setup) builds from the
 * upstream silero_vad_v5.onnx: the 16 kHz network alone with its convolutions laid out as GEMMs
 * over the whole batch, about 3x less CPU per chunk at 64+ calls than the upstream graph, whose
 * extra `sr` int64 input is still accepted (pass its path as `modelPath`). Each call
 * keeps its own state row and context; `run()` gathers the calls that have a chunk ready into
 * one batch tensor, runs once, and scatters probabilities and states back.
 *
 * The native frame VAD gates the model: a chunk whose frames all had a native probability
 * below `gateProbability`, at least `gateHangoverMs` after the last frame that did not, is
 * clear silence and never reaches the model (the hangover keeps weak word endings and
 * pauses inside an utterance, which the native VAD may score low in noise, in front of it). Its state is then
 * stale, so after `resetAfterGatedMs` of gated silence the call's state is zeroed (the
 * state a stream starts from), and its context always follows the real audio.
 */

export const SILERO_RATE = 16000;
export const SILERO_CHUNK = 512;
export const SILERO_CONTEXT = 64;
const ROW = SILERO_CHUNK + SILERO_CONTEXT;
const STATE = 128;

const here = path.dirname(fileURLToPath(import.meta.url));
/** The 16 kHz batched graph scripts/silero-16k.ts builds (the default). */
export const DEFAULT_SILERO_MODEL = path.resolve(here, '../../models/silero_vad_v5_16k.onnx');
/** The upstream graph as @ricky0123/vad-web ships it (8 and 16 kHz, `sr` input). */
export const UPSTREAM_SILERO_MODEL = path.resolve(here, '../../models/silero_vad_v5.onnx');

export interface SileroBatcherOptions {
  /** path of the model (default models/silero_vad_v5_16k.onnx; the upstream silero_vad_v5.onnx also works) */
  modelPath?: string;
  /** chunks whose frames all scored below this native probability skip the model (default 0.15; 0 disables gating) */
  gateProbability?: number;
  /** the model keeps running this long after the last frame at or above gateProbability (default 500 ms) */
  gateHangoverMs?: number;
  /** gated silence after which a call's model state is zeroed (default 320 ms) */
  resetAfterGatedMs?: number;
  /** most samples a call may queue before the oldest are dropped (default 4096 = 256 ms) */
  maxPendingSamples?: number;
}

/** One 32 ms chunk's verdict for one call. */
export interface SileroChunkResult {
  callId: string;
  /** Silero speech probability, or 0 when the chunk was gated as silence */
  probability: number;
  /** true when the native VAD judged the chunk clear silence and the model was skipped */
  gated: boolean;
  /** index (in the call's 16 kHz sample stream) one past the chunk's last sample */
  endSample: number;
}

export interface SileroStats {
  inferences: number;
  chunksInferred: number;
  chunksGated: number;
  samplesDropped: number;
}

interface CallState {
  readonly id: string;
  readonly state: Float32Array; // [2][128]: layer 0 then layer 1
  readonly context: Float32Array; // last 64 samples before the next chunk
  readonly pending: Float32Array;
  pendingLength: number;
  /** highest native probability among frames whose samples are in the next chunk */
  chunkMaxProb: number;
  /** native probability of the frame the newest pending samples came from */
  lastFrameProb: number;
  /** time since the last frame at or above the gate probability */
  quietMs: number;
  gatedMs: number;
  consumed: number; // samples taken into chunks so far
}

/**
 * Input scratch sized for the largest batch so far (grown by doubling). Each run feeds views of
 * exactly the rows it uses: with the 16 kHz GEMM graph a new batch size costs no re-planning
 * worth measuring, so no padded rows are computed.
 */
interface Scratch {
  input: Float32Array;
  state: Float32Array;
}

export class SileroBatcher {
  private readonly calls = new Map<string, CallState>();
  private scratch: Scratch = { input: new Float32Array(0), state: new Float32Array(0) };
  private readonly ready: CallState[] = [];
  private running = false;
  private readonly gateProbability: number;
  private readonly resetAfterGatedMs: number;
  private readonly gateHangoverMs: number;
  private readonly maxPending: number;
  readonly stats: SileroStats = { inferences: 0, chunksInferred: 0, chunksGated: 0, samplesDropped: 0 };

  private constructor(
    private readonly session: ort.InferenceSession,
    /** the upstream graph's `sr` input, fed when the model has one */
    private readonly sr: ort.Tensor | undefined,
    options: Required<Omit<SileroBatcherOptions, 'modelPath'>>,
  ) {
    this.gateProbability = options.gateProbability;
    this.gateHangoverMs = options.gateHangoverMs;
    this.resetAfterGatedMs = options.resetAfterGatedMs;
    this.maxPending = options.maxPendingSamples;
  }

  /** Loads the model with options suited to a worker thread (one intra-op thread). */
  static async create(options: SileroBatcherOptions = {}): Promise<SileroBatcher> {
    const settings = {
      gateProbability: options.gateProbability ?? 0.15,
      gateHangoverMs: options.gateHangoverMs ?? 500,
      resetAfterGatedMs: options.resetAfterGatedMs ?? 320,
      maxPendingSamples: options.maxPendingSamples ?? 4096,
    };
    if (!(settings.gateProbability >= 0 && settings.gateProbability <= 1)) throw new RangeError('gateProbability must be within 0..1');
    if (!(settings.gateHangoverMs >= 0)) throw new RangeError('gateHangoverMs must be >= 0');
    if (!(settings.resetAfterGatedMs >= 0)) throw new RangeError('resetAfterGatedMs must be >= 0');
    if (!Number.isInteger(settings.maxPendingSamples) || settings.maxPendingSamples < SILERO_CHUNK || settings.maxPendingSamples > 1 << 20) {
      throw new RangeError(`maxPendingSamples must be an integer within ${SILERO_CHUNK}..${1 << 20}`);
    }
    const modelPath = options.modelPath ?? DEFAULT_SILERO_MODEL;
    if (modelPath === DEFAULT_SILERO_MODEL && !existsSync(modelPath)) {
      throw new Error(`${modelPath} is missing: run npm run setup (scripts/silero-16k.ts builds it from models/silero_vad_v5.onnx)`);
    }
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const names = session.inputNames.join(',');
    if ((names !== 'input,state' && names !== 'input,state,sr') || !session.outputNames.includes('output') || !session.outputNames.includes('stateN')) {
      await session.release();
      throw new Error(`not a Silero v5 model (inputs ${names})`);
    }
    const sr = names.endsWith(',sr') ? new ort.Tensor('int64', BigInt64Array.from([BigInt(SILERO_RATE)]), []) : undefined;
    return new SileroBatcher(session, sr, settings);
  }

  get callCount(): number {
    return this.calls.size;
  }

  addCall(callId: string): void {
    if (this.calls.has(callId)) throw new Error(`call ${callId} already added`);
    this.calls.set(callId, {
      id: callId,
      state: new Float32Array(2 * STATE),
      context: new Float32Array(SILERO_CONTEXT),
      pending: new Float32Array(this.maxPending),
      pendingLength: 0,
      chunkMaxProb: 0,
      lastFrameProb: 0,
      quietMs: Number.POSITIVE_INFINITY,
      gatedMs: 0,
      consumed: 0,
    });
  }

  removeCall(callId: string): void {
    this.calls.delete(callId);
  }

  /** Zeroes a call's model state and context (e.g. after a long hold). */
  resetCall(callId: string): void {
    const c = this.mustGet(callId);
    c.state.fill(0);
    c.context.fill(0);
  }

  /**
   * Queues one frame of 16 kHz int16 audio for a call with the native VAD's probability for
   * that frame (use 1 to bypass gating for it).
   */
  pushFrame(callId: string, pcm: Int16Array, nativeProbability: number): void {
    const c = this.mustGet(callId);
    if (!(pcm instanceof Int16Array)) throw new TypeError('pcm must be an Int16Array');
    if (!(nativeProbability >= 0 && nativeProbability <= 1)) throw new RangeError('nativeProbability must be within 0..1');
    let src = pcm;
    if (src.length > c.pending.length) {
      this.stats.samplesDropped += src.length - c.pending.length;
      src = src.subarray(src.length - c.pending.length);
    }
    const overflow = c.pendingLength + src.length - c.pending.length;
    if (overflow > 0) {
      // The consumer fell behind: drop the oldest queued audio rather than grow.
      c.pending.copyWithin(0, overflow, c.pendingLength);
      c.pendingLength -= overflow;
      c.consumed += overflow;
      this.stats.samplesDropped += overflow;
    }
    const base = c.pendingLength;
    for (let i = 0; i < src.length; i++) c.pending[base + i] = src[i]! / 32768;
    c.pendingLength += src.length;
    if (nativeProbability > c.chunkMaxProb) c.chunkMaxProb = nativeProbability;
    c.lastFrameProb = nativeProbability;
    c.quietMs = nativeProbability >= this.gateProbability ? 0 : c.quietMs + (src.length * 1000) / SILERO_RATE;
  }

  /** True when at least one call has a whole chunk queued. */
  hasWork(): boolean {
    for (const c of this.calls.values()) if (c.pendingLength >= SILERO_CHUNK) return true;
    return false;
  }

  /**
   * Takes one chunk from every call that has one queued, gates the silent ones and runs the
   * rest through the model in a single inference. Call again while hasWork() is true.
   */
  async run(): Promise<SileroChunkResult[]> {
    if (this.running) throw new Error('SileroBatcher.run() is already in progress');
    const results: SileroChunkResult[] = [];
    const ready = this.ready;
    ready.length = 0;
    for (const c of this.calls.values()) {
      if (c.pendingLength < SILERO_CHUNK) continue;
      if (c.chunkMaxProb < this.gateProbability && c.quietMs >= this.gateHangoverMs) {
        this.gate(c);
        results.push({ callId: c.id, probability: 0, gated: true, endSample: c.consumed });
      } else {
        ready.push(c);
      }
    }
    if (ready.length === 0) return results;

    const size = ready.length;
    const { input, state } = this.scratchFor(size);
    const ends: number[] = [];
    for (let b = 0; b < ready.length; b++) {
      const c = ready[b]!;
      const row = b * ROW;
      input.set(c.context, row);
      input.set(c.pending.subarray(0, SILERO_CHUNK), row + SILERO_CONTEXT);
      state.set(c.state.subarray(0, STATE), b * STATE);
      state.set(c.state.subarray(STATE), (size + b) * STATE);
      // The chunk is copied: take it off the queue now, so frames pushed while the model
      // runs land behind it.
      this.consume(c);
      c.gatedMs = 0;
      ends.push(c.consumed);
    }
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('float32', input.subarray(0, size * ROW), [size, ROW]),
      state: new ort.Tensor('float32', state.subarray(0, 2 * size * STATE), [2, size, STATE]),
    };
    if (this.sr) feeds.sr = this.sr;

    this.running = true;
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } finally {
      this.running = false;
    }
    const prob = out.output?.data;
    const stateN = out.stateN?.data;
    if (!(prob instanceof Float32Array) || !(stateN instanceof Float32Array) || stateN.length !== 2 * size * STATE) {
      throw new Error('Silero returned unexpected outputs');
    }
    this.stats.inferences++;
    this.stats.chunksInferred += ready.length;
    for (let b = 0; b < ready.length; b++) {
      const c = ready[b]!;
      c.state.set(stateN.subarray(b * STATE, (b + 1) * STATE), 0);
      c.state.set(stateN.subarray((size + b) * STATE, (size + b + 1) * STATE), STATE);
      results.push({ callId: c.id, probability: prob[b]!, gated: false, endSample: ends[b]! });
    }
    return results;
  }

  async close(): Promise<void> {
    this.calls.clear();
    await this.session.release();
  }

  private gate(c: CallState): void {
    this.consume(c);
    this.stats.chunksGated++;
    c.gatedMs += (SILERO_CHUNK * 1000) / SILERO_RATE;
    if (c.gatedMs >= this.resetAfterGatedMs) c.state.fill(0);
  }

  /** Drops the chunk from the queue, keeping its tail as the next chunk's context. */
  private consume(c: CallState): void {
    c.context.set(c.pending.subarray(SILERO_CHUNK - SILERO_CONTEXT, SILERO_CHUNK));
    c.pending.copyWithin(0, SILERO_CHUNK, c.pendingLength);
    c.pendingLength -= SILERO_CHUNK;
    c.consumed += SILERO_CHUNK;
    // Leftover samples came from the newest frame, so the next chunk starts with its score.
    c.chunkMaxProb = c.pendingLength > 0 ? c.lastFrameProb : 0;
  }

  private scratchFor(n: number): Scratch {
    if (this.scratch.input.length < n * ROW) {
      const rows = 2 ** Math.ceil(Math.log2(n));
      this.scratch = { input: new Float32Array(rows * ROW), state: new Float32Array(2 * rows * STATE) };
    }
    return this.scratch;
  }

  private mustGet(callId: string): CallState {
    const c = this.calls.get(callId);
    if (!c) throw new Error(`unknown call ${callId}`);
    return c;
  }
}
