import { bucketQuantile, bucketsDelta, histogramBuckets, parsePromText, sampleSum, type PromScrape } from './prom-text.js';
import { coreUtilisation, cpuJiffies, threadTimes, threadUtilisation, type ThreadLoad, type ThreadTimes } from './proc-cpu.js';

/**
 * Gateway-side figures of a run, from GET /metrics (any gateway) and, for a local
 * gateway, /proc (per-thread CPU of its process, per-core CPU of the machine).
 * Metric names are the gateway's (src/observability/metrics.ts, prom-client defaults
 * with the `firstring_` prefix).
 */
export const METRIC = {
  cpuSeconds: 'firstring_process_cpu_seconds_total',
  rss: 'firstring_process_resident_memory_bytes',
  lagP99: 'firstring_nodejs_eventloop_lag_p99_seconds',
  tickOverruns: 'firstring_media_tick_overruns_total',
  /** Media ticks run; older gateways lack it and the count of pacingJitter stands in. */
  mediaTicks: 'firstring_media_ticks_total',
  ticksSkipped: 'firstring_media_ticks_skipped_total',
  /** Per media worker, label stat = p50 | p99 | max over its last second. */
  workerLoopDelay: 'firstring_media_worker_event_loop_delay_seconds',
  pacingJitter: 'firstring_outbound_pacing_jitter_seconds',
  callsActive: 'firstring_calls_active',
  /** Per media worker and handler thread (labels thread, kind = used | physical | external | young_limit | live; the main thread: live). */
  threadHeap: 'firstring_thread_heap_bytes',
  /** The main thread's heap (prom-client default metric). */
  mainHeap: 'firstring_nodejs_heap_size_total_bytes',
  /** The C allocator's totals (label kind = in_use | free | arena | mmapped). */
  malloc: 'firstring_malloc_bytes',
} as const;

/**
 * The V8 heap each thread of the gateway holds in RAM (bytes): `main` (its committed heap), and
 * `media-N` / `handler-N` (physical size, or with `external` the memory outside the heap their objects keep
 * alive), from one scrape. Empty for a gateway that exposes neither.
 */
export function threadHeapBytes(scrape: PromScrape, kind: 'physical' | 'external' | 'live' = 'physical'): Record<string, number> {
  const out: Record<string, number> = {};
  const main = kind === 'physical' ? sampleSum(scrape, METRIC.mainHeap) : undefined;
  if (main !== undefined) out.main = main;
  for (const x of scrape.samples) if (x.name === METRIC.threadHeap && x.labels.kind === kind && x.labels.thread) out[x.labels.thread] = x.value;
  return out;
}

/**
 * The gateway's per-turn stage histograms (seconds or ms, as named): where a caller's turn gap
 * goes on the gateway side. Gateways that lack one simply leave it out of `stages`.
 */
export const STAGE_METRICS = {
  /** Caller audio's jitter-buffer delay at each end of caller speech. */
  playoutDelay: { name: 'firstring_caller_playout_delay_seconds', scale: 1000 },
  /** VAD end of speech (media thread) → first agent packet out. */
  endToEnd: { name: 'firstring_end_to_end_seconds', scale: 1000 },
  /** The same span as the pipeline sees it (from when the handler thread took the VAD end). */
  pipelineEndToEnd: { name: 'firstring_end_to_end_ms', scale: 1 },
  endOfUtterance: { name: 'firstring_end_of_utterance_delay_ms', scale: 1 },
  transcription: { name: 'firstring_transcription_delay_ms', scale: 1 },
  llmTtft: { name: 'firstring_llm_ttft_ms', scale: 1 },
  ttsTtfb: { name: 'firstring_tts_ttfb_ms', scale: 1 },
} as const;

export type StageName = keyof typeof STAGE_METRICS;

/** p50/p95 (ms) of one stage over a window, interpolated inside the histogram's buckets. */
export interface StageFigures {
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface GatewaySample {
  at: number;
  scrape: PromScrape;
  threads?: ThreadTimes[];
  cores?: ReturnType<typeof cpuJiffies>;
}

export interface GatewayFigures {
  /** Process CPU, 100 = one core (from process_cpu_seconds_total). */
  cpuPct: number | null;
  rssBytes: number | null;
  /** Largest RSS seen in the window. */
  rssPeakBytes: number | null;
  /** Main-thread event-loop delay p99 (the largest value seen in the window). */
  eventLoopLagP99Ms: number | null;
  tickOverruns: number | null;
  /** Overruns over ticks (firstring_media_ticks_total, else the pacing-jitter count: one value per tick). */
  tickOverrunRatio: number | null;
  /** 20 ms slots the media clocks skipped after stalls (gateways that expose it). */
  ticksSkipped?: number | null;
  /** Largest 1-s p99 / max of any media worker's own event-loop delay in the window (gateways that expose it). */
  mediaLoopDelayP99Ms?: number | null;
  mediaLoopDelayMaxMs?: number | null;
  pacingJitterP50Ms: number | null;
  pacingJitterP99Ms: number | null;
  callsActiveMax: number | null;
  /** CPU % of the busiest threads of the gateway process: main thread, media workers (local gateway only). */
  threadsPct?: ThreadLoad[];
  /** Machine per-core utilisation % (local gateway only). */
  corePct?: number[];
  /** Each thread's V8 heap at the window's end (threadHeapBytes), when the gateway exposes it. */
  heapBytes?: Record<string, number>;
  /** Memory outside each worker thread's V8 heap that its objects keep alive (ArrayBuffers included), at the window's end. */
  heapExternalBytes?: Record<string, number>;
  /** Each thread's heap in use after its last full collection (0 before its first), at the window's end. */
  heapLiveBytes?: Record<string, number>;
  /** The C allocator's totals at the window's end, by kind (in_use, free, arena, mmapped), when exposed. */
  mallocBytes?: Record<string, number>;
  /** Per-turn stage latencies observed in the window (stages the gateway exposes and that saw a turn). */
  stages?: Partial<Record<StageName, StageFigures>>;
  /** Metrics the bench looked for and the gateway did not expose. */
  missing: string[];
}

export class GatewaySampler {
  readonly samples: GatewaySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;

  constructor(private readonly url: string, private readonly localPid?: number, private readonly intervalMs = 1000) {}

  /** Scrapes that failed (unreachable, HTTP error, unparsable), with the reason; the run goes on without them. */
  readonly failures: string[] = [];

  /** Takes one sample; never throws (a failed scrape is recorded in `failures`). */
  async sample(): Promise<GatewaySample | undefined> {
    let scrape: PromScrape;
    try {
      const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      scrape = parsePromText(await res.text());
    } catch (err) {
      if (this.failures.length < 20) this.failures.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
    const s: GatewaySample = { at: Date.now(), scrape };
    if (this.localPid) {
      s.threads = threadTimes(this.localPid);
      s.cores = cpuJiffies();
    }
    this.samples.push(s);
    return s;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.inFlight = true;
      this.sample().finally(() => (this.inFlight = false));
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples taken within [from, to] (ms since epoch). */
  between(from: number, to: number): GatewaySample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
}

/** Figures over a window, from its first and last samples (counters as deltas, gauges as maxima). */
export function windowFigures(window: readonly GatewaySample[]): GatewayFigures {
  const missing: string[] = [];
  const first = window[0];
  const last = window[window.length - 1];
  const empty: GatewayFigures = {
    cpuPct: null,
    rssBytes: null,
    rssPeakBytes: null,
    eventLoopLagP99Ms: null,
    tickOverruns: null,
    tickOverrunRatio: null,
    pacingJitterP50Ms: null,
    pacingJitterP99Ms: null,
    callsActiveMax: null,
    missing: ['/metrics (fewer than two samples in the window)'],
  };
  if (!first || !last || first === last) return empty;
  const wallS = (last.at - first.at) / 1000;
  const has = (name: string): boolean => {
    const ok = last.scrape.samples.some((s) => s.name === name || s.name.startsWith(`${name}_`));
    if (!ok) missing.push(name);
    return ok;
  };
  const delta = (name: string): number => (sampleSum(last.scrape, name) ?? 0) - (sampleSum(first.scrape, name) ?? 0);
  const maxOf = (name: string): number | null => {
    let m: number | null = null;
    for (const s of window) {
      const v = sampleSum(s.scrape, name);
      if (v !== undefined && (m === null || v > m)) m = v;
    }
    return m;
  };

  const f: GatewayFigures = { ...empty, missing };
  if (has(METRIC.cpuSeconds)) f.cpuPct = (delta(METRIC.cpuSeconds) / wallS) * 100;
  if (has(METRIC.rss)) {
    f.rssBytes = sampleSum(last.scrape, METRIC.rss) ?? null;
    f.rssPeakBytes = maxOf(METRIC.rss);
  }
  if (has(METRIC.lagP99)) {
    const lag = maxOf(METRIC.lagP99);
    f.eventLoopLagP99Ms = lag === null ? null : lag * 1000;
  }
  if (has(METRIC.callsActive)) f.callsActiveMax = maxOf(METRIC.callsActive);
  const jitterAfter = has(METRIC.pacingJitter) ? histogramBuckets(last.scrape, METRIC.pacingJitter) : undefined;
  if (jitterAfter) {
    const d = bucketsDelta(jitterAfter, histogramBuckets(first.scrape, METRIC.pacingJitter));
    f.pacingJitterP50Ms = bucketQuantile(d, 0.5) * 1000;
    f.pacingJitterP99Ms = bucketQuantile(d, 0.99) * 1000;
    const hasTicks = last.scrape.samples.some((s) => s.name === METRIC.mediaTicks);
    const ticks = hasTicks ? delta(METRIC.mediaTicks) : (d.counts[d.counts.length - 1] ?? 0);
    if (has(METRIC.tickOverruns)) {
      f.tickOverruns = delta(METRIC.tickOverruns);
      f.tickOverrunRatio = ticks > 0 ? f.tickOverruns / ticks : null;
    }
  }
  if (last.scrape.samples.some((s) => s.name === METRIC.ticksSkipped)) f.ticksSkipped = delta(METRIC.ticksSkipped);
  const loopMax = (stat: string): number | null => {
    let m: number | null = null;
    for (const s of window) for (const x of s.scrape.samples) if (x.name === METRIC.workerLoopDelay && x.labels.stat === stat && (m === null || x.value > m)) m = x.value;
    return m === null ? null : m * 1000;
  };
  if (last.scrape.samples.some((s) => s.name === METRIC.workerLoopDelay)) {
    f.mediaLoopDelayP99Ms = loopMax('p99');
    f.mediaLoopDelayMaxMs = loopMax('max');
  }
  const stages: Partial<Record<StageName, StageFigures>> = {};
  for (const [key, m] of Object.entries(STAGE_METRICS) as Array<[StageName, (typeof STAGE_METRICS)[StageName]]>) {
    const after = histogramBuckets(last.scrape, m.name);
    if (!after) continue;
    const d = bucketsDelta(after, histogramBuckets(first.scrape, m.name));
    const count = d.counts[d.counts.length - 1] ?? 0;
    if (count > 0) stages[key] = { count, p50Ms: bucketQuantile(d, 0.5) * m.scale, p95Ms: bucketQuantile(d, 0.95) * m.scale };
  }
  if (Object.keys(stages).length > 0) f.stages = stages;
  const heaps = threadHeapBytes(last.scrape);
  if (Object.keys(heaps).length > 0) f.heapBytes = heaps;
  const external = threadHeapBytes(last.scrape, 'external');
  if (Object.keys(external).length > 0) f.heapExternalBytes = external;
  const live = threadHeapBytes(last.scrape, 'live');
  if (Object.keys(live).length > 0) f.heapLiveBytes = live;
  const malloc: Record<string, number> = {};
  for (const x of last.scrape.samples) if (x.name === METRIC.malloc && x.labels.kind) malloc[x.labels.kind] = x.value;
  if (Object.keys(malloc).length > 0) f.mallocBytes = malloc;
  if (first.threads && last.threads) f.threadsPct = threadUtilisation(first.threads, last.threads, wallS);
  if (first.cores && last.cores) f.corePct = coreUtilisation(first.cores, last.cores);
  return f;
}
