/**
 * Receiver statistics of the lean path (RFC 3550 §6.4.1, A.3, A.8): extended highest
 * sequence across a wrap, cumulative and interval loss, interarrival jitter.
 */
import { describe, expect, it } from 'vitest';
import { LeanReceiveStats } from '../../src/media/lean-rtp-receive-stats.js';

const CLOCK = 48_000;
const TICKS = 960; // 20 ms

describe('LeanReceiveStats', () => {
  it('extends the highest sequence number across the 16-bit wrap and counts loss', () => {
    const s = new LeanReceiveStats(CLOCK);
    let seq = 65530;
    for (let i = 0; i < 12; i++) {
      if (i !== 3 && i !== 8) s.add(seq & 0xffff, i * TICKS, i * 20, 80);
      seq++;
    }
    // 65530..65535 then 0..5: the extended highest is 2^16 + 5.
    expect(s.max_seq).toBe(0x10000 + 5);
    expect(s.packets_expected).toBe(12);
    expect(s.packets_received).toBe(10);
    expect(s.packets_lost).toBe(2);
    expect(s.fraction_lost).toBe(Math.floor((2 << 8) / 12));
    // The next interval without loss reports 0; reading started a new interval.
    for (let i = 12; i < 20; i++) s.add((65530 + i) & 0xffff, i * TICKS, i * 20, 80);
    expect(s.fraction_lost).toBe(0);
    expect(s.bytesReceived).toBe(18 * 80);
  });

  it('ignores a late reordered packet for the highest sequence and counts it as received', () => {
    const s = new LeanReceiveStats(CLOCK);
    s.add(100, 0, 0, 10);
    s.add(102, 2 * TICKS, 40, 10);
    s.add(101, TICKS, 45, 10); // late
    expect(s.max_seq).toBe(102);
    expect(s.packets_lost).toBe(0);
  });

  it('estimates zero jitter for a steady stream and the A.8 estimate for a delayed packet', () => {
    const steady = new LeanReceiveStats(CLOCK);
    for (let i = 0; i < 50; i++) steady.add(i, i * TICKS, 1000 + i * 20, 80);
    expect(steady.jitter).toBe(0);

    const s = new LeanReceiveStats(CLOCK);
    s.add(0, 0, 0, 80);
    s.add(1, TICKS, 30, 80); // 10 ms late: D = 480 ticks
    // J = 480 / 16
    expect(s.jitter).toBe(30);
    s.add(2, 2 * TICKS, 40, 80); // back on time: D = 480 again (early relative to the late one)
    expect(s.jitter).toBe(Math.floor(30 + (480 - 30) / 16));
  });

  it('handles the RTP timestamp wrapping at 2^32', () => {
    const s = new LeanReceiveStats(CLOCK);
    const start = 0xffffffff - TICKS + 1;
    s.add(1, start, 0, 80);
    s.add(2, (start + TICKS) >>> 0, 20, 80);
    s.add(3, (start + 2 * TICKS) >>> 0, 40, 80);
    expect(s.jitter).toBe(0);
  });
});
