/**
 * Copies of caller frames for a consumer that keeps them (the speech pipeline's utterance
 * buffers; its pre-roll is a fixed ring, pre-roll.ts), the agent's queued frames (the media layer's pacer) and the
 * frames cut from synthesized speech (pcm.ts `Framer`), from a shared slab instead of one ArrayBuffer per frame:
 * per 20 ms frame a typed-array view, and one backing store per `framesPerSlab` frames
 * (a separate malloc'd ArrayBuffer per frame is what V8 tracks and sweeps in every
 * scavenge). A slab is never reused: it is released when the last frame cut from it is
 * dropped, so a kept frame never changes. Memory held is at most one slab beyond what the
 * consumer keeps.
 */
export class FrameSlab {
  private slab: Int16Array = new Int16Array(0);
  private used = 0;

  constructor(private readonly framesPerSlab = 50) {
    if (!Number.isInteger(framesPerSlab) || framesPerSlab < 1) throw new RangeError('framesPerSlab must be a positive integer');
  }

  /** A copy of `frame` that stays unchanged for as long as the caller keeps it. */
  copy(frame: Int16Array): Int16Array {
    const out = this.alloc(frame.length);
    out.set(frame);
    return out;
  }

  /** A fresh zeroed frame of `n` samples (a slab is never rewritten, so its unused part is still zero). */
  alloc(n: number): Int16Array {
    if (this.used + n > this.slab.length) {
      this.slab = new Int16Array(Math.max(n, n * this.framesPerSlab));
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }
}
