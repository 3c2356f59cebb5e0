import type { CallResult } from './call-script.js';
import { EMPTY_CONTINUITY, mergeContinuity, type ContinuityStats } from './continuity.js';
import type { GatewayFigures } from './gateway-sampler.js';
import { histogram, linearRegression, summarize, type Histogram, type Summary } from './stats.js';
import type { WorkerStats } from './worker-messages.js';

/**
 * The load generator is called saturated when, for at least `share` of a worker's 1-second
 * intervals, its CPU or its event-loop delay p99 passes these (a single blocked interval, such
 * as werift generating a DTLS certificate at call setup, is not saturation).
 */
export const SATURATION = { cpuPct: 85, lagP99Ms: 50, share: 0.25 } as const;

export interface GeneratorFigures {
  workers: number;
  /** Highest per-interval CPU of any worker (100 = one core). */
  cpuPctMax: number;
  /** Mean over workers of their mean CPU. */
  cpuPctMean: number;
  /** Sum over workers of their mean CPU: the generator's total, in % of one core. */
  cpuPctTotal: number;
  lagP99MsMax: number;
  /** Largest share of one worker's intervals over a saturation threshold. */
  overloadedShare: number;
  /** Per worker, its 1-second intervals as [CPU %, event-loop delay p99 ms] (to re-judge saturation later). */
  intervals: Array<Array<[number, number]>>;
  saturated: boolean;
  reasons: string[];
}

export interface StepResult {
  concurrency: number;
  durationS: number;
  calls: { total: number; ok: number; failed: number; dropped: number; lost: number; errors: string[] };
  setupMs: Summary;
  turnGapMs: Summary;
  turnGapHistogram: Histogram;
  /** Turn gaps of plain turns and of the agent's answers to barge-in utterances. */
  turnGapMsByKind: { plain: Summary; afterBargeIn: Summary };
  bargeInMs: Summary;
  /** Barge-in reaction per language of the barge-in utterance (the detector hears languages differently). */
  bargeInMsByLanguage: Record<string, Summary>;
  /** Barge-ins after which the agent never stopped talking. */
  bargeInsIgnored: number;
  turns: number;
  turnsWithoutReply: number;
  /** Turns where the agent was already talking when the caller finished (no gap to measure). */
  turnsOverlapped: number;
  continuity: ContinuityStats;
  generator: GeneratorFigures;
  gateway: GatewayFigures & { rssPerCallBytes: number | null };
  verdict?: { pass: boolean; failures: string[] };
}

export function generatorFigures(perWorker: readonly (readonly WorkerStats[])[]): GeneratorFigures {
  let cpuMax = 0;
  let lagMax = 0;
  let worstShare = 0;
  let worst: { cpu: number; lag: number } = { cpu: 0, lag: 0 };
  const means: number[] = [];
  // The first interval includes process start-up and werift imports: skip it when there are more.
  for (const stats of perWorker) {
    const steady = stats.length > 2 ? stats.slice(1) : stats;
    let sum = 0;
    let over = 0;
    let cpuOver = 0;
    let lagOver = 0;
    for (const s of steady) {
      cpuMax = Math.max(cpuMax, s.cpuPct);
      lagMax = Math.max(lagMax, s.lagP99Ms);
      sum += s.cpuPct;
      if (s.cpuPct > SATURATION.cpuPct) cpuOver++;
      if (s.lagP99Ms > SATURATION.lagP99Ms) lagOver++;
      if (s.cpuPct > SATURATION.cpuPct || s.lagP99Ms > SATURATION.lagP99Ms) over++;
    }
    means.push(steady.length ? sum / steady.length : 0);
    const share = steady.length ? over / steady.length : 0;
    if (share > worstShare) {
      worstShare = share;
      worst = { cpu: cpuOver / steady.length, lag: lagOver / steady.length };
    }
  }
  const reasons: string[] = [];
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
  if (worstShare >= SATURATION.share) {
    if (worst.cpu > 0) reasons.push(`a caller worker was above ${SATURATION.cpuPct}% of a core in ${pct(worst.cpu)} of its intervals (max ${cpuMax.toFixed(0)}%)`);
    if (worst.lag > 0) reasons.push(`a caller worker's event-loop delay p99 was above ${SATURATION.lagP99Ms} ms in ${pct(worst.lag)} of its intervals (max ${lagMax.toFixed(0)} ms)`);
  }
  const total = means.reduce((a, b) => a + b, 0);
  return {
    workers: perWorker.length,
    cpuPctMax: cpuMax,
    cpuPctMean: means.length ? total / means.length : 0,
    cpuPctTotal: total,
    lagP99MsMax: lagMax,
    overloadedShare: worstShare,
    intervals: perWorker.map((w) => w.map((x) => [Math.round(x.cpuPct * 10) / 10, Math.round(x.lagP99Ms * 10) / 10] as [number, number])),
    saturated: reasons.length > 0,
    reasons,
  };
}

/** Turn gaps are binned 50 ms wide from 0 to 3 s. */
export const GAP_BINS = { start: 0, width: 50, bins: 60 } as const;

export function aggregateStep(
  concurrency: number,
  durationS: number,
  calls: readonly CallResult[],
  lost: number,
  workerStats: readonly (readonly WorkerStats[])[],
  gateway: GatewayFigures,
): StepResult {
  const gaps: number[] = [];
  const gapsByKind: Record<'plain' | 'afterBargeIn', number[]> = { plain: [], afterBargeIn: [] };
  const barges: number[] = [];
  const bargesByLang: Record<string, number[]> = {};
  let ignored = 0;
  let turns = 0;
  let noReply = 0;
  let overlapped = 0;
  let continuity = EMPTY_CONTINUITY;
  const errors: string[] = [];
  for (const c of calls) {
    continuity = mergeContinuity(continuity, c.continuity);
    if (c.error && errors.length < 10) errors.push(c.error);
    for (const t of c.turns) {
      turns++;
      if (t.overlapped) overlapped++;
      else if (t.gapMs === null) noReply++;
      else {
        gaps.push(t.gapMs);
        gapsByKind[t.afterBargeIn ? 'afterBargeIn' : 'plain'].push(t.gapMs);
      }
      if (t.bargeInMs === null) ignored++;
      else if (t.bargeInMs !== undefined) {
        barges.push(t.bargeInMs);
        const lang = t.bargeLanguage ?? t.language;
        (bargesByLang[lang] ??= []).push(t.bargeInMs);
      }
    }
  }
  const setups = calls.flatMap((c) => (c.setupMs === null ? [] : [c.setupMs]));
  const active = gateway.callsActiveMax ?? concurrency;
  return {
    concurrency,
    durationS,
    calls: {
      total: calls.length + lost,
      ok: calls.filter((c) => c.outcome === 'ok').length,
      failed: calls.filter((c) => c.outcome === 'failed').length,
      dropped: calls.filter((c) => c.outcome === 'dropped').length,
      lost,
      errors,
    },
    setupMs: summarize(setups),
    turnGapMs: summarize(gaps),
    turnGapHistogram: histogram(gaps, GAP_BINS.start, GAP_BINS.width, GAP_BINS.bins),
    turnGapMsByKind: { plain: summarize(gapsByKind.plain), afterBargeIn: summarize(gapsByKind.afterBargeIn) },
    bargeInMs: summarize(barges),
    bargeInMsByLanguage: Object.fromEntries(Object.entries(bargesByLang).map(([k, v]) => [k, summarize(v)])),
    bargeInsIgnored: ignored,
    turns,
    turnsWithoutReply: noReply,
    turnsOverlapped: overlapped,
    continuity,
    generator: generatorFigures(workerStats),
    gateway: { ...gateway, rssPerCallBytes: gateway.rssBytes !== null && active > 0 ? gateway.rssBytes / active : null },
  };
}

/** Gateway RSS against active calls over a run's steps (least squares): what one more call costs. */
export interface MarginalRss {
  /** Slope: RSS bytes per added active call. */
  bytesPerCall: number;
  /** Intercept: the RSS the fit gives at zero calls. */
  baseBytes: number;
  /** Coefficient of determination of the fit (NaN when RSS did not vary). */
  r2: number;
  /** Steps in the fit (those with an RSS figure). */
  steps: number;
}

/**
 * The marginal RSS per call: least-squares slope of each step's gateway RSS (end of its
 * window) against its active calls (`firstring_calls_active` peak, else the step's N).
 * RSS / N also charges each call a share of the process's fixed RSS (runtime, models,
 * caches), which dominates at small N; the slope does not. Null with fewer than two steps
 * with an RSS figure or when they all had the same number of calls.
 */
export function marginalRssPerCall(steps: readonly StepResult[]): MarginalRss | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of steps) {
    if (s.gateway.rssBytes === null) continue;
    xs.push(s.gateway.callsActiveMax ?? s.concurrency);
    ys.push(s.gateway.rssBytes);
  }
  if (xs.length < 2 || xs.every((x) => x === xs[0])) return null;
  const fit = linearRegression(xs, ys);
  return { bytesPerCall: fit.slope, baseBytes: fit.intercept, r2: fit.r2, steps: xs.length };
}

/** The capacity criteria of issue 6; a step passes when none fails. */
export interface Criteria {
  /** Largest share of media ticks that finished late. */
  maxTickOverrunRatio: number;
  maxPacingJitterP99Ms: number;
  /** Turn gap p95 may rise by at most this factor over the single-call figure. */
  maxTurnGapP95Factor: number;
}

export const DEFAULT_CRITERIA: Criteria = { maxTickOverrunRatio: 0.001, maxPacingJitterP99Ms: 5, maxTurnGapP95Factor: 1.2 };

/** Why `step` fails the criteria against the single-call turn gap p95 (empty: it passes). */
export function evaluateStep(step: StepResult, baselineGapP95: number | null, c: Criteria = DEFAULT_CRITERIA): string[] {
  const f: string[] = [];
  const bad = step.calls.failed + step.calls.dropped + step.calls.lost;
  if (bad > 0) f.push(`${bad} call(s) failed, dropped or lost`);
  if (step.turnsWithoutReply > 0) f.push(`${step.turnsWithoutReply} turn(s) got no reply`);
  const g = step.gateway;
  if (g.tickOverrunRatio === null) f.push('tick overrun ratio unavailable from /metrics');
  else if (g.tickOverrunRatio >= c.maxTickOverrunRatio) f.push(`tick overruns ${(g.tickOverrunRatio * 100).toFixed(2)}% ≥ ${(c.maxTickOverrunRatio * 100).toFixed(2)}%`);
  if (g.pacingJitterP99Ms === null) f.push('pacing jitter unavailable from /metrics');
  else if (g.pacingJitterP99Ms >= c.maxPacingJitterP99Ms) f.push(`pacing jitter p99 ${g.pacingJitterP99Ms.toFixed(2)} ms ≥ ${c.maxPacingJitterP99Ms} ms`);
  if (baselineGapP95 !== null && step.turnGapMs.count > 0 && step.turnGapMs.p95 > baselineGapP95 * c.maxTurnGapP95Factor) {
    f.push(`turn gap p95 ${step.turnGapMs.p95.toFixed(0)} ms > ${c.maxTurnGapP95Factor} × ${baselineGapP95.toFixed(0)} ms (1 call)`);
  }
  if (step.turnGapMs.count === 0) f.push('no turn completed');
  return f;
}

export interface RunResult {
  name: string;
  kind: 'calls' | 'capacity' | 'soak';
  startedAt: string;
  /** `loadAvg`: the machine's 1/5/15-minute load averages when the run ended (others' work shares the cores). */
  machine: { cpus: number; model: string; node: string; loadAvg?: number[] };
  config: Record<string, unknown>;
  steps: StepResult[];
  /** Marginal gateway RSS per active call over the steps (see marginalRssPerCall). */
  marginalRss?: MarginalRss | null;
  /** /metrics scrapes that failed during the run (first ones). */
  scrapeFailures?: string[];
  capacity?: { criteria: Criteria; baselineTurnGapP95Ms: number | null; largestPassingN: number | null; bindingConstraint: string[] };
  /** `heapSlopesBytesPerMin`: each thread's V8 heap trend (threadHeapBytes), to tell JS-heap growth from native growth. */
  /**
   * RSS and heap slopes over the steady window (from `warmupMs` after the load was reached:
   * soak-trend.ts); `rssSlopeWholeBytesPerMin` over the whole run. Documents before session 7
   * have neither field (their slopes are over the whole run). `liveHeapSlopesBytesPerMin`: per thread, the
   * slope of its heap in use after its last full collection (`firstring_thread_heap_bytes{kind="live"}`);
   * `liveHeapSeries`: that figure over the window, a point each time it changed (from session 8).
   */
  soak?: { warmupMs?: number; rssSlopeBytesPerMin: number | null; rssSlopeWholeBytesPerMin?: number | null; heapSlopesBytesPerMin: Record<string, number>; liveHeapSlopesBytesPerMin?: Record<string, number>; liveHeapSeries?: Record<string, Array<[number, number]>>; rssSeries: Array<[number, number]>; recordsChecked: number; recordsIncomplete: string[]; recordsUnavailable: boolean };
}
