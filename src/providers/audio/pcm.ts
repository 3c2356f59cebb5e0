/** PCM helpers shared by the providers and the pipeline: 16-bit mono samples throughout. */
import { FrameSlab } from './frame-slab.js';

/** The pipeline's internal audio format: 16 kHz mono, 20 ms frames. */
export const PIPELINE_RATE = 16_000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (PIPELINE_RATE * FRAME_MS) / 1000;

/**
 * Linear-interpolation resampler that keeps its phase across chunks, so a
 * stream resampled chunk by chunk equals the whole resampled at once.
 * Adequate for speech into a 16 kHz narrow path; the native resampler replaces it later.
 */
export class StreamingResampler {
  private readonly step: number;
  private pos = 0; // position of the next output sample, in input samples, relative to `prev`
  private prev = 0;
  private primed = false;

  constructor(readonly fromRate: number, readonly toRate: number) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad resample rates ${fromRate} -> ${toRate}`);
    this.step = fromRate / toRate;
  }

  push(input: Int16Array): Int16Array {
    if (this.fromRate === this.toRate) return input;
    if (input.length === 0) return new Int16Array(0);
    // Virtual sequence: [prev, ...input] where prev sits at index 0 once primed.
    const offset = this.primed ? 1 : 0;
    const total = input.length + offset;
    const at = (i: number): number => (i < offset ? this.prev : input[i - offset]!);
    // Count first, then fill one exact-size array: no growing number[] per chunk (it was the
    // media worker's largest allocation site under call load, bench/webrtc-path/media-profile.ts).
    let count = 0;
    for (let p = this.pos; Math.floor(p) + 1 < total; p += this.step) count++;
    const out = new Int16Array(count);
    let pos = this.pos;
    for (let k = 0; k < count; k++) {
      const i = Math.floor(pos);
      const a = at(i);
      out[k] = Math.round(a + (at(i + 1) - a) * (pos - i));
      pos += this.step;
    }
    // Re-base so that the last input sample becomes `prev` (index 0) of the next chunk.
    this.pos = pos - (total - 1);
    this.prev = input[input.length - 1]!;
    this.primed = true;
    return out;
  }
}

/**
 * Cuts a sample stream into fixed frames; `end()` pads the tail with silence. Frames are cut
 * from slabs (frame-slab.ts): a reply's seconds of queued speech are a few backing stores, not
 * one per 20 ms. A frame handed out is never written again.
 */
export class Framer {
  private readonly slab = new FrameSlab();
  private buf: Int16Array;
  private fill = 0;

  constructor(readonly frameSamples: number = FRAME_SAMPLES) {
    this.buf = this.slab.alloc(frameSamples);
  }

  push(samples: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(this.frameSamples - this.fill, samples.length - i);
      this.buf.set(samples.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.frameSamples) {
        frames.push(this.buf);
        this.buf = this.slab.alloc(this.frameSamples);
        this.fill = 0;
      }
    }
    return frames;
  }

  /** Returns the padded last frame, if any samples are pending. */
  end(): Int16Array | undefined {
    if (this.fill === 0) return undefined;
    const last = this.buf;
    this.buf = this.slab.alloc(this.frameSamples);
    this.fill = 0;
    return last;
  }
}

/** Turns a byte stream of s16le into samples, carrying an odd trailing byte to the next chunk. */
export class S16leReader {
  private carry: number | undefined;

  push(bytes: Uint8Array): Int16Array {
    let src = bytes;
    if (this.carry !== undefined) {
      const joined = new Uint8Array(bytes.length + 1);
      joined[0] = this.carry;
      joined.set(bytes, 1);
      src = joined;
      this.carry = undefined;
    }
    const even = src.length & ~1;
    if (even !== src.length) this.carry = src[src.length - 1];
    const out = new Int16Array(even >> 1);
    const view = new DataView(src.buffer, src.byteOffset, even);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
    return out;
  }
}

/** Concatenates sample chunks. */
export function concatPcm(chunks: readonly Int16Array[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Int16Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A RIFF/WAVE file holding 16-bit mono PCM. */
export function encodeWav(pcm: Int16Array, rate: number): Buffer {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Root-mean-square level of a frame, 0..32768. */
export function rms(frame: Int16Array): number {
  if (frame.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < frame.length; i++) s += frame[i]! * frame[i]!;
  return Math.sqrt(s / frame.length);
}

export function samplesToMs(samples: number, rate: number): number {
  return (samples * 1000) / rate;
}
