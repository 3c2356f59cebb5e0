/** PreRoll: the caller audio before the onset, kept in one fixed ring and handed over as stable copies. */
import { describe, expect, it } from 'vitest';
import { PreRoll } from '../../src/pipeline/pre-roll.js';
import { FrameSlab } from '../../src/providers/audio/frame-slab.js';

const frame = (v: number, n = 4) => new Int16Array(n).fill(v);

describe('PreRoll', () => {
  it('keeps the last frames in order, as copies the reused source array cannot change', () => {
    const pre = new PreRoll(3, 4);
    const reused = new Int16Array(4);
    for (let v = 1; v <= 5; v++) {
      reused.fill(v);
      pre.push(reused);
    }
    expect(pre.length).toBe(3);
    const kept = pre.take(new FrameSlab());
    reused.fill(99);
    expect(kept.map((f) => Array.from(f))).toEqual([[3, 3, 3, 3], [4, 4, 4, 4], [5, 5, 5, 5]]);
    expect(pre.length).toBe(0);
    // The ring is reused after a take; the copies handed over stay as they were.
    pre.push(frame(7));
    expect(kept[0]![0]).toBe(3);
    expect(pre.take(new FrameSlab()).map((f) => f[0])).toEqual([7]);
  });

  it('pads a short frame with silence and takes nothing when the pre-roll is off', () => {
    const pre = new PreRoll(2, 4);
    pre.push(frame(5));
    pre.push(new Int16Array([1, 2]));
    expect(pre.take(new FrameSlab()).map((f) => Array.from(f))).toEqual([[5, 5, 5, 5], [1, 2, 0, 0]]);
    const off = new PreRoll(0, 4);
    off.push(frame(5));
    expect(off.length).toBe(0);
    expect(off.take(new FrameSlab())).toEqual([]);
    expect(() => new PreRoll(-1, 4)).toThrow(RangeError);
  });
});
