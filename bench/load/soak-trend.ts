import { linearRegression } from './stats.js';

/** A series of [time ms, value] points, in time order. */
export type TimeSeries = ReadonlyArray<readonly [number, number]>;

/** Least-squares slope of a series per minute; null with fewer than two points. */
export function slopePerMinute(points: TimeSeries): number | null {
  if (points.length < 2) return null;
  const t0 = points[0]![0];
  return linearRegression(points.map((p) => (p[0] - t0) / 60_000), points.map((p) => p[1])).slope;
}

/**
 * A soak's growth trend. A gateway's memory climbs for its first minutes at a new load while
 * each V8 heap grows to the size at which its collections keep pace and the allocator's arenas
 * fill; a leak goes on climbing after that. So the trend is taken over the steady window, from
 * `warmupMs` after the load was reached, and the slope over the whole run is kept beside it.
 */
export interface SoakTrend {
  /** Per minute, over the points from `steadyFrom` on (the whole run when the warm-up is 0). */
  steady: number | null;
  /** Per minute, over every point. */
  whole: number | null;
  /** Time of the first point of the steady window (ms), null when the series is empty. */
  steadyFrom: number | null;
}

export function soakTrend(series: TimeSeries, warmupMs: number): SoakTrend {
  if (series.length === 0) return { steady: null, whole: null, steadyFrom: null };
  const start = series[0]![0] + warmupMs;
  const steady = series.filter((p) => p[0] >= start);
  return { steady: slopePerMinute(steady), whole: slopePerMinute(series), steadyFrom: steady[0]?.[0] ?? null };
}
