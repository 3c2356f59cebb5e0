import { native } from './native.js';

/** Sample rates the native resampler converts among. */
export type SampleRate = 8000 | 16000 | 24000 | 48000;

interface NativeResampler {
  process(input: Int16Array, out: Int16Array): number;
  processFloat(input: Float32Array, out: Float32Array): number;
  maxOutput(n: number): number;
  reset(): void;
  delaySamples(): number;
}

interface NativeConcealer {
  noteGood(pcm: Int16Array): void;
  conceal(out: Int16Array): number;
  reset(): void;
  comfortLevelDb(): number;
}

interface DspAddon {
  ulawEncode(pcm: Int16Array, out: Uint8Array): number;
  ulawDecode(codes: Uint8Array, out: Int16Array): number;
  alawEncode(pcm: Int16Array, out: Uint8Array): number;
  alawDecode(codes: Uint8Array, out: Int16Array): number;
  int16ToFloat32(pcm: Int16Array, out: Float32Array): number;
  float32ToInt16(samples: Float32Array, out: Int16Array): number;
  frameEnergyDb(pcm: Int16Array): number;
  Resampler: new (inRate: number, outRate: number) => NativeResampler;
  Concealer: new (frameSamples: number, fadeSamples: number, seed?: number) => NativeConcealer;
}

const addon = native as unknown as DspAddon;

/** G.711 µ-law encode (ITU-T G.711, bit-exact). Writes into `out` when given. */
export function ulawEncode(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  addon.ulawEncode(pcm, out);
  return out;
}

/** G.711 µ-law decode to 16-bit linear PCM. */
export function ulawDecode(codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  addon.ulawDecode(codes, out);
  return out;
}

/** G.711 A-law encode (ITU-T G.711, bit-exact). */
export function alawEncode(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  addon.alawEncode(pcm, out);
  return out;
}

/** G.711 A-law decode to 16-bit linear PCM. */
export function alawDecode(codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  addon.alawDecode(codes, out);
  return out;
}

/** int16 → float32 in [-1, 1) (x / 32768). */
export function int16ToFloat32(pcm: Int16Array, out: Float32Array = new Float32Array(pcm.length)): Float32Array {
  addon.int16ToFloat32(pcm, out);
  return out;
}

/** float32 → int16 with rounding and saturation; NaN becomes 0. */
export function float32ToInt16(samples: Float32Array, out: Int16Array = new Int16Array(samples.length)): Int16Array {
  addon.float32ToInt16(samples, out);
  return out;
}

/** RMS level of a frame in dBFS (-120 for digital silence). */
export function frameEnergyDb(pcm: Int16Array): number {
  return addon.frameEnergyDb(pcm);
}

/**
 * Splits PCM into whole frames of `frameSamples` as views (no copy); a trailing
 * partial frame is left out.
 */
export function sliceFrames(pcm: Int16Array, frameSamples: number): Int16Array[] {
  if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError('frameSamples must be a positive integer');
  const frames: Int16Array[] = [];
  for (let off = 0; off + frameSamples <= pcm.length; off += frameSamples) frames.push(pcm.subarray(off, off + frameSamples));
  return frames;
}

/**
 * Streaming polyphase FIR resampler (Kaiser-windowed sinc, 80 dB stopband, passband to
 * 0.4 × the lower rate). Keeps filter history between calls, so consecutive frames of
 * one stream go through one instance.
 */
export class Resampler {
  private readonly impl: NativeResampler;

  constructor(
    readonly inRate: SampleRate,
    readonly outRate: SampleRate,
  ) {
    this.impl = new addon.Resampler(inRate, outRate);
  }

  /** Upper bound of the output length for `n` input samples. */
  maxOutput(n: number): number {
    return this.impl.maxOutput(n);
  }

  /** Group delay of the filter, in output samples. */
  get delaySamples(): number {
    return this.impl.delaySamples();
  }

  /** Resamples `input`; returns a view of `out` (default: a new array) holding the output. */
  process(input: Int16Array, out: Int16Array = new Int16Array(this.maxOutput(input.length))): Int16Array {
    const n = this.impl.process(input, out);
    return out.subarray(0, n);
  }

  /** Float variant of {@link process}. */
  processFloat(input: Float32Array, out: Float32Array = new Float32Array(this.maxOutput(input.length))): Float32Array {
    const n = this.impl.processFloat(input, out);
    return out.subarray(0, n);
  }

  /** Clears the filter history (start of a new stream). */
  reset(): void {
    this.impl.reset();
  }
}

/**
 * Packet-loss concealment for PCM frames: the first lost frame replays the last good
 * one under a fade (`fadeSamples`), mixed with comfort noise; later ones are comfort
 * noise at a low level following the background of the good frames.
 */
export class Concealer {
  private readonly impl: NativeConcealer;

  constructor(
    readonly frameSamples = 320,
    fadeSamples = 160,
    seed?: number,
  ) {
    this.impl = new addon.Concealer(frameSamples, fadeSamples, seed);
  }

  /** Remembers a correctly received frame (exactly `frameSamples` long). */
  noteGood(pcm: Int16Array): void {
    this.impl.noteGood(pcm);
  }

  /** Produces one frame of concealment. */
  conceal(out: Int16Array = new Int16Array(this.frameSamples)): Int16Array {
    this.impl.conceal(out);
    return out;
  }

  /** Comfort-noise level in dBFS. */
  get comfortLevelDb(): number {
    return this.impl.comfortLevelDb();
  }

  reset(): void {
    this.impl.reset();
  }
}
