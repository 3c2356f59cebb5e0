import { describe, expect, it } from 'vitest';
import { FrameSlab } from '../../src/providers/audio/frame-slab.js';
import { AgentAudioQueue } from '../../src/media/pacer.js';

describe('FrameSlab: kept copies of reused caller frames', () => {
  it('returns copies that keep their samples while the source frame is reused', () => {
    const slab = new FrameSlab(4);
    const src = new Int16Array(320);
    const kept: Int16Array[] = [];
    for (let f = 0; f < 10; f++) {
      src.fill(f * 100 - 400);
      kept.push(slab.copy(src));
    }
    src.fill(7);
    kept.forEach((k, f) => {
      expect(k.length).toBe(320);
      expect(k.every((v) => v === f * 100 - 400)).toBe(true);
    });
  });

  it('cuts framesPerSlab frames from one backing store, then starts a new one (never rewrites a slab)', () => {
    const slab = new FrameSlab(4);
    const frames = Array.from({ length: 9 }, (_, f) => slab.copy(new Int16Array(320).fill(f)));
    const buffers = new Set(frames.map((f) => f.buffer));
    expect(buffers.size).toBe(3);
    expect(frames[0]?.buffer).toBe(frames[3]?.buffer);
    expect(frames[4]?.buffer).not.toBe(frames[3]?.buffer);
    // Views of one slab do not overlap.
    expect(frames.slice(0, 4).map((f) => f.byteOffset)).toEqual([0, 640, 1280, 1920]);
  });

  it('takes frames of any length and refuses a bad slab size', () => {
    const slab = new FrameSlab(2);
    expect(Array.from(slab.copy(Int16Array.of(1, 2, 3)))).toEqual([1, 2, 3]);
    expect(Array.from(slab.copy(new Int16Array(10).fill(5)))).toEqual(new Array(10).fill(5));
    expect(() => new FrameSlab(0)).toThrow(RangeError);
  });
});

describe('FrameSlab.alloc and the agent audio queue', () => {
  it('alloc gives zeroed, non-overlapping frames from one backing store per slab', () => {
    const slab = new FrameSlab(3);
    const a = slab.alloc(320);
    a.fill(9);
    const b = slab.alloc(320);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(640);
    slab.alloc(320);
    expect(slab.alloc(320).buffer).not.toBe(a.buffer);
  });

  it('the agent queue cuts its frames from slabs, keeps the samples and zero-pads a trailing partial frame', () => {
    const q = new AgentAudioQueue();
    const pcm = Int16Array.from({ length: 320 * 3 + 100 }, (_, i) => (i % 1000) - 500);
    q.push(pcm);
    const out: Int16Array[] = [];
    for (let f = q.shift(); f; f = q.shift()) out.push(f);
    expect(out).toHaveLength(4);
    expect(new Set(out.map((f) => f.buffer)).size).toBe(1);
    expect(Array.from(out[1] ?? [])).toEqual(Array.from(pcm.subarray(320, 640)));
    expect(Array.from((out[3] ?? new Int16Array(0)).subarray(0, 100))).toEqual(Array.from(pcm.subarray(960)));
    expect((out[3] ?? new Int16Array(0)).subarray(100).every((v) => v === 0)).toBe(true);
  });
});
