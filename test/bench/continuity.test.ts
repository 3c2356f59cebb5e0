import { describe, expect, it } from 'vitest';
import { analyzeArrivals, mergeContinuity } from '../../bench/load/continuity.js';

const regular = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i * 20);

describe('received audio continuity from arrival times', () => {
  it('a perfectly paced talkspurt has no gap, no late packet and no jitter', () => {
    const s = analyzeArrivals(regular(0, 100));
    expect(s).toEqual({ packets: 100, talkspurts: 1, gaps: 0, latePackets: 0, longestGapMs: 20, jitterMs: 0 });
  });

  it('counts a hole inside a talkspurt as a gap and a late packet, and a long silence as a new talkspurt', () => {
    const a = regular(0, 10); // 0..180
    const b = regular(260, 10); // 80 ms hole: two frames missing
    const c = regular(1000, 5); // 560 ms of silence: a new talkspurt
    const s = analyzeArrivals([...a, ...b, ...c]);
    expect(s.packets).toBe(25);
    expect(s.talkspurts).toBe(2);
    expect(s.gaps).toBe(1);
    expect(s.latePackets).toBe(1);
    expect(s.longestGapMs).toBe(80);
    expect(s.jitterMs).toBeCloseTo(60 / 16, 9);
  });

  it('a packet 35 ms after the previous one is late but not a gap; jitter follows RFC 3550 smoothing', () => {
    const t = [0, 20, 40, 75, 80, 100];
    const s = analyzeArrivals(t);
    expect(s.latePackets).toBe(1);
    expect(s.gaps).toBe(0);
    // D: 0, 0, 15, -15, 0 → J after 15: 15/16; after |−15|: J + (15 − J)/16.
    const j1 = 15 / 16;
    const j2 = j1 + (15 - j1) / 16;
    expect(s.jitterMs).toBeCloseTo(j2, 9);
  });

  it('merges calls by summing counts and keeping the worst jitter and gap', () => {
    const m = mergeContinuity(analyzeArrivals([0, 20, 100]), analyzeArrivals([0, 50]));
    expect(m.packets).toBe(5);
    expect(m.gaps).toBe(1);
    expect(m.longestGapMs).toBe(80);
    expect(analyzeArrivals([]).talkspurts).toBe(0);
  });
});
