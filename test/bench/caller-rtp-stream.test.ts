import { describe, expect, it } from 'vitest';
import { CallerRtpStream } from '../../bench/clients/caller-rtp-stream.js';
import type { EncodedUtterance } from '../../bench/clients/opus-frames.js';

const silence = Buffer.from([0xf8, 0xff, 0xfe]);
/** An utterance of `n` one-byte packets numbered from 1, speech in every frame. */
const utterance = (n: number): EncodedUtterance => ({
  frames: Array.from({ length: n }, (_, i) => Buffer.from([i + 1])),
  speech: new Uint8Array(n).fill(1),
});

describe('caller RTP stream (send side of a synthetic caller)', () => {
  it('sends queued utterances in order with silence between, one sequence number and 960 timestamp ticks per frame', () => {
    const s = new CallerRtpStream(silence, 65534, 0xffff_fc00);
    s.queueUtterance(utterance(2));
    const sent = [10, 11, 12].map((f) => ({ ...s.next(f) }));
    expect(sent.map((p) => p.payload)).toEqual([Buffer.from([1]), Buffer.from([2]), silence]);
    expect(sent.map((p) => p.speech)).toEqual([true, true, false]);
    // Both counters wrap (RFC 3550 §5.1: 16-bit sequence, 32-bit timestamp).
    expect(sent.map((p) => p.sequenceNumber)).toEqual([65534, 65535, 0]);
    expect(sent.map((p) => p.timestamp)).toEqual([0xffff_fc00, (0xffff_fc00 + 960) >>> 0, (0xffff_fc00 + 1920) >>> 0]);
  });

  it('loses the frames of skipped slots: the utterance, sequence number and timestamp move past them', () => {
    const s = new CallerRtpStream(silence, 100, 48_000);
    s.queueUtterance(utterance(10));
    const first = { ...s.next(5) };
    // The clock skipped frames 6, 7 and 8 after a long stall.
    const after = { ...s.next(9) };
    expect(first).toMatchObject({ payload: Buffer.from([1]), sequenceNumber: 100, timestamp: 48_000 });
    expect(after).toMatchObject({ payload: Buffer.from([5]), sequenceNumber: 104, timestamp: 48_000 + 4 * 960 });
    // The frame after is the next one: no burst, no repeat.
    expect(s.next(10)).toMatchObject({ payload: Buffer.from([6]), sequenceNumber: 105 });
  });

  it('ignores an empty utterance and a frame number that does not move forward', () => {
    const s = new CallerRtpStream(silence, 0, 0);
    s.queueUtterance(utterance(0));
    expect(s.next(3)).toMatchObject({ payload: silence, speech: false, sequenceNumber: 0 });
    expect(s.next(3)).toMatchObject({ sequenceNumber: 1, timestamp: 960 });
  });
});
