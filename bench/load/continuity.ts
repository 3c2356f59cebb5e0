/**
 * Received-audio continuity from packet arrival times alone (no decoding): the agent
 * sends one 20 ms frame per packet in talkspurts, so within a talkspurt packets should
 * arrive every 20 ms. A silence longer than `spurtGapMs` starts a new talkspurt.
 */
export interface ContinuityStats {
  packets: number;
  talkspurts: number;
  /** Inter-arrival gaps inside a talkspurt longer than `gapMs` (a hole the listener hears). */
  gaps: number;
  /** Packets arriving more than `lateMs` after the previous one inside a talkspurt. */
  latePackets: number;
  longestGapMs: number;
  /**
   * Interarrival jitter estimate of RFC 3550 §6.4.1 (J += (|D| - J) / 16), with D the
   * difference between the arrival spacing and the 20 ms send spacing; the largest value
   * it reached over the call, in ms.
   */
  jitterMs: number;
}

export interface ContinuityOptions {
  frameMs: number;
  spurtGapMs: number;
  gapMs: number;
  lateMs: number;
}

export const DEFAULT_CONTINUITY: ContinuityOptions = { frameMs: 20, spurtGapMs: 200, gapMs: 60, lateMs: 30 };

export function analyzeArrivals(arrivals: readonly number[], o: ContinuityOptions = DEFAULT_CONTINUITY): ContinuityStats {
  const s: ContinuityStats = { packets: arrivals.length, talkspurts: arrivals.length > 0 ? 1 : 0, gaps: 0, latePackets: 0, longestGapMs: 0, jitterMs: 0 };
  let j = 0;
  for (let i = 1; i < arrivals.length; i++) {
    const d = (arrivals[i] as number) - (arrivals[i - 1] as number);
    if (d >= o.spurtGapMs) {
      s.talkspurts++;
      continue;
    }
    if (d > o.lateMs) s.latePackets++;
    if (d > o.gapMs) s.gaps++;
    if (d > s.longestGapMs) s.longestGapMs = d;
    j += (Math.abs(d - o.frameMs) - j) / 16;
    if (j > s.jitterMs) s.jitterMs = j;
  }
  return s;
}

/** Adds `b` into `a` (jitter and longest gap keep the maximum). */
export function mergeContinuity(a: ContinuityStats, b: ContinuityStats): ContinuityStats {
  return {
    packets: a.packets + b.packets,
    talkspurts: a.talkspurts + b.talkspurts,
    gaps: a.gaps + b.gaps,
    latePackets: a.latePackets + b.latePackets,
    longestGapMs: Math.max(a.longestGapMs, b.longestGapMs),
    jitterMs: Math.max(a.jitterMs, b.jitterMs),
  };
}

export const EMPTY_CONTINUITY: ContinuityStats = { packets: 0, talkspurts: 0, gaps: 0, latePackets: 0, longestGapMs: 0, jitterMs: 0 };
