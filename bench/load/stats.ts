/** Small, dependency-free statistics for bench results: percentiles, summaries, histograms, regression. */

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between closest ranks
 * (the "type 7" definition used by NumPy and R's default). NaN for an empty input.
 */
export function percentile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must be within [0, 1], got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, min: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const a = sorted[lo] as number;
    const b = sorted[Math.ceil(pos)] as number;
    return a + (b - a) * (pos - lo);
  };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1] as number,
    mean: sum / sorted.length,
  };
}

export interface Histogram {
  /** Lower edge of the first bin. */
  start: number;
  binWidth: number;
  counts: number[];
  /** Values above the last bin (counted, not dropped). */
  overflow: number;
}

/** Fixed-width histogram from `start` with `bins` bins; values below `start` go to the first bin. */
export function histogram(values: readonly number[], start: number, binWidth: number, bins: number): Histogram {
  if (!(binWidth > 0) || !Number.isInteger(bins) || bins < 1) throw new RangeError('histogram: binWidth must be > 0 and bins a positive integer');
  const counts = new Array<number>(bins).fill(0);
  let overflow = 0;
  for (const v of values) {
    const i = Math.max(0, Math.floor((v - start) / binWidth));
    if (i >= bins) overflow++;
    else counts[i] = (counts[i] as number) + 1;
  }
  return { start, binWidth, counts, overflow };
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; NaN when y is constant. */
  r2: number;
}

/** Ordinary least squares y = slope·x + intercept. Needs at least two distinct x. */
export function linearRegression(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length) throw new RangeError('linearRegression: xs and ys differ in length');
  const n = xs.length;
  if (n < 2) throw new RangeError('linearRegression: need at least two points');
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('linearRegression: all x are equal');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? Number.NaN : (sxy * sxy) / (sxx * syy) };
}
