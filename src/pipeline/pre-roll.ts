/**
 * The caller audio kept from before the VAD's onset, so the first syllable is not clipped
 * (`endpointing.preRollMs`). A call spends most of its time not speaking, and every frame
 * passes through here: the frames are copied into one fixed ring, allocated once per call,
 * so silence makes no garbage. At the onset, `take` hands the utterance its own copies.
 */
import type { FrameSlab } from '../providers/audio/frame-slab.js';

export class PreRoll {
  private readonly ring: Int16Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number, private readonly frameSamples: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('pre-roll capacity must be a whole number of frames');
    this.ring = new Int16Array(capacity * frameSamples);
  }

  /** Frames held (at most the capacity). */
  get length(): number {
    return this.count;
  }

  /** Copies `frame` in, over the oldest when full; `frame` may change once this returns. */
  push(frame: Int16Array): void {
    if (this.capacity === 0) return;
    const at = this.next * this.frameSamples;
    const n = Math.min(frame.length, this.frameSamples);
    this.ring.set(frame.subarray(0, n), at);
    if (n < this.frameSamples) this.ring.fill(0, at + n, at + this.frameSamples);
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The held frames, oldest first, as copies from `slab` that stay unchanged; the ring is emptied. */
  take(slab: FrameSlab): Int16Array[] {
    const out: Int16Array[] = [];
    const first = (this.next - this.count + this.capacity) % Math.max(1, this.capacity);
    for (let i = 0; i < this.count; i++) {
      const at = ((first + i) % this.capacity) * this.frameSamples;
      out.push(slab.copy(this.ring.subarray(at, at + this.frameSamples)));
    }
    this.count = 0;
    return out;
  }
}
