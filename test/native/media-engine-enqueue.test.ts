import { describe, expect, it } from 'vitest';
import { FrameStatus, MediaEngine } from '../../src/media/media-engine.js';
import { buildRtp } from '../support/impairment.js';

describe('MediaEngine.enqueueRtp (header fields + payload, no intermediate buffer)', () => {
  it('queues exactly what enqueuePacket queues for the same RTP packet', () => {
    const a = new MediaEngine({ maxCalls: 2 });
    const b = new MediaEngine({ maxCalls: 2 });
    for (const e of [a, b]) {
      e.addCall(1, { payload: 'pcmu', payloadType: 0 });
    }
    const out: Array<[number[], number[]]> = [];
    for (let i = 0; i < 30; i++) {
      const payload = new Uint8Array(160).map((_, k) => (i * 7 + k) & 0xff);
      const seq = (65530 + i) & 0xffff; // across the 16-bit wrap
      const ts = (0xfffffe00 + i * 160) >>> 0; // across the 32-bit wrap
      a.enqueuePacket(1, 1000 + i * 20, buildRtp({ sequence: seq, timestamp: ts, ssrc: 0xdeadbeef, payloadType: 0, marker: i === 0, payload }));
      b.enqueueRtp(1, 1000 + i * 20, i === 0, 0, seq, ts, 0xdeadbeef, payload);
      expect(b.ingest()).toBe(a.ingest());
      a.pull(1021 + i * 20);
      b.pull(1021 + i * 20);
      expect(b.status[1]).toBe(a.status[1]);
      out.push([Array.from(a.pcmFrame(1)), Array.from(b.pcmFrame(1))]);
    }
    expect(out.some(([x]) => x.some((v) => v !== 0))).toBe(true);
    for (const [x, y] of out) expect(y).toEqual(x);
    expect(b.stats(1)).toEqual(a.stats(1));
    expect(a.status[1]).toBe(FrameStatus.Pcm);
  });

  it('refuses a bad slot before packing anything', () => {
    const e = new MediaEngine({ maxCalls: 2 });
    expect(() => e.enqueueRtp(2, 0, false, 111, 1, 1, 1, new Uint8Array(10))).toThrow(RangeError);
    expect(() => e.enqueueRtp(-1, 0, false, 111, 1, 1, 1, new Uint8Array(10))).toThrow(RangeError);
    expect(e.ingest()).toBe(0);
  });
});
