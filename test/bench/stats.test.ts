import { describe, expect, it } from 'vitest';
import { histogram, linearRegression, percentile, summarize } from '../../bench/load/stats.js';

describe('percentile (linear interpolation between closest ranks)', () => {
  it('matches the type-7 definition on small sets', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 12);
    expect(percentile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(percentile([10], 0.99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5], 1)).toBe(5);
  });

  it('gives NaN for no values and refuses a q outside [0, 1]', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(/q must be within/);
    expect(() => percentile([1], Number.NaN)).toThrow(/q must be within/);
  });

  it('summarize agrees with percentile and does not reorder its input', () => {
    const v = Array.from({ length: 101 }, (_, i) => (i * 37) % 101);
    const copy = v.slice();
    const s = summarize(v);
    expect(s).toMatchObject({ count: 101, min: 0, max: 100, p50: 50, p95: 95, p99: 99, mean: 50 });
    expect(s.p95).toBe(percentile(v, 0.95));
    expect(v).toEqual(copy);
    expect(summarize([]).count).toBe(0);
  });
});

describe('histogram', () => {
  it('bins values, clamps low values into the first bin and counts overflow', () => {
    const h = histogram([-5, 0, 49.9, 50, 120, 150, 1000], 0, 50, 3);
    expect(h.counts).toEqual([3, 1, 1]);
    expect(h.overflow).toBe(2);
  });

  it('refuses a bad shape', () => {
    expect(() => histogram([1], 0, 0, 3)).toThrow(RangeError);
    expect(() => histogram([1], 0, 1, 0)).toThrow(RangeError);
  });
});

describe('linearRegression', () => {
  it('recovers an exact line and a noisy slope', () => {
    const fit = linearRegression([0, 1, 2, 3], [5, 7, 9, 11]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(5, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    const noisy = linearRegression([0, 1, 2, 3, 4, 5], [1, 0, 1, 0, 1, 0]);
    expect(noisy.slope).toBeCloseTo(-0.0857142857, 8);
  });

  it('flat data has zero slope; degenerate input is refused', () => {
    expect(linearRegression([0, 1, 2], [3, 3, 3]).slope).toBe(0);
    expect(() => linearRegression([1], [1])).toThrow(/two points/);
    expect(() => linearRegression([1, 1], [1, 2])).toThrow(/x are equal/);
    expect(() => linearRegression([1, 2], [1])).toThrow(/differ in length/);
  });
});
