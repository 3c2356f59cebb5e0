import { describe, expect, it } from 'vitest';
import { slopePerMinute, soakTrend } from '../../bench/load/soak-trend.js';

const MIB = 2 ** 20;
/** One point every 10 s for `minutes`, from f(minute). */
const series = (minutes: number, f: (m: number) => number): Array<[number, number]> =>
  Array.from({ length: minutes * 6 + 1 }, (_, i) => [1_000_000 + i * 10_000, f(i / 6)]);

describe('soak trend', () => {
  it('gives the slope per minute', () => {
    expect(slopePerMinute(series(10, (m) => 500 * MIB + m * 2 * MIB))).toBeCloseTo(2 * MIB, 0);
    expect(slopePerMinute([[0, 1]])).toBeNull();
  });

  it('takes the trend after the warm-up, and keeps the whole run beside it', () => {
    // Climbs 20 MiB/min for 5 minutes, then flat: the warm-up of a gateway that has no leak.
    const warm = series(15, (m) => 450 * MIB + Math.min(m, 5) * 20 * MIB);
    const t = soakTrend(warm, 5 * 60_000);
    expect(Math.abs(t.steady!)).toBeLessThan(0.01 * MIB);
    expect(t.whole!).toBeGreaterThan(5 * MIB);
    expect(t.steadyFrom).toBe(warm[30]![0]);
    // A leak goes on after the warm-up: the steady slope shows it.
    const leak = series(15, (m) => 450 * MIB + Math.min(m, 5) * 20 * MIB + m * 3 * MIB);
    expect(soakTrend(leak, 5 * 60_000).steady!).toBeCloseTo(3 * MIB, -3);
  });

  it('is the whole run without a warm-up, and empty without points', () => {
    const s = series(10, (m) => m * MIB);
    expect(soakTrend(s, 0)).toEqual({ steady: slopePerMinute(s), whole: slopePerMinute(s), steadyFrom: s[0]![0] });
    expect(soakTrend([], 60_000)).toEqual({ steady: null, whole: null, steadyFrom: null });
  });
});
