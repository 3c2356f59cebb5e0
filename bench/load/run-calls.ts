import { randomBytes } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { callerSideNote, checkCallRecords } from './call-records.js';
import { GatewaySampler, METRIC, threadHeapBytes, windowFigures, type GatewaySample } from './gateway-sampler.js';
import { startLocalGateway, startStubProcess, type LocalProcess } from './local-gateway.js';
import { LoadGenerator, type StepRun } from './orchestrator.js';
import { sampleSum, type PromScrape } from './prom-text.js';
import { aggregateStep, evaluateStep, marginalRssPerCall, type Criteria, type RunResult, type StepResult } from './results.js';
import { soakTrend } from './soak-trend.js';
import { saveUtterances, synthesizeUtterances, type TalkPattern } from './talk-pattern.js';
import { transportNames } from './transports/registry.js';

export type CallMode = 'calls' | 'capacity' | 'soak';

export interface CallBenchOptions {
  name: string;
  mode: CallMode;
  /** Gateway base URL; when absent a local gateway is started. */
  url?: string;
  transport: string;
  tenant: string;
  origin?: string;
  /** Key for GET /api/v1/calls/{id} (an operator key, or the tenant's): the soak's record check. */
  apiKey?: string;
  workers: number;
  /** calls: every N to run; soak: the one N; capacity: ignored. */
  concurrency: number[];
  stepDurationMs: number;
  rampPerS: number;
  /** soak: time at the full load before the window the RSS trend is taken over (the warm-up), ms. */
  soakWarmupMs: number;
  pattern: TalkPattern;
  capacity: { start: number; step: number; max: number; criteria: Criteria };
  gatewayCpus?: string;
  loadCpus?: string;
  stub: { ttftMs: number; ttfbMs: number; transcriptionDelayMs: number };
  sampleMs: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

/** Seconds of each step left out of the gateway window after the ramp (calls still connecting). */
const SETTLE_MS = 2000;

async function runStep(gen: LoadGenerator, sampler: GatewaySampler, n: number, o: CallBenchOptions): Promise<{ step: StepResult; run: StepRun }> {
  await sampler.sample();
  const run = await gen.runStep({ concurrency: n, durationMs: o.stepDurationMs, rampPerS: o.rampPerS });
  await sampler.sample();
  let window = sampler.between(run.rampedAt + SETTLE_MS, run.endedAt);
  if (window.length < 2) window = sampler.between(run.startedAt, run.endedAt);
  const step = aggregateStep(n, (run.endedAt - run.startedAt) / 1000, run.calls, run.lost, run.workerStats, windowFigures(window));
  return { step, run };
}

function describe(s: StepResult): string {
  const g = s.gateway;
  const f = (v: number | null | undefined, d = 0): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
  return (
    `N=${s.concurrency} calls ok/failed/dropped ${s.calls.ok}/${s.calls.failed}/${s.calls.dropped} ` +
    `setup p50 ${f(s.setupMs.p50)} ms, turn gap p50/p95 ${f(s.turnGapMs.p50)}/${f(s.turnGapMs.p95)} ms, barge-in p50 ${f(s.bargeInMs.p50)} ms; ` +
    `gateway CPU ${f(g.cpuPct)}%, RSS ${f((g.rssBytes ?? NaN) / 2 ** 20)} MiB, overruns ${f((g.tickOverrunRatio ?? NaN) * 100, 2)}%, pacing p99 ${f(g.pacingJitterP99Ms, 2)} ms; ` +
    `generator max CPU ${f(s.generator.cpuPctMax)}%${s.generator.saturated ? ' SATURATED' : ''}`
  );
}

/** Runs the call bench (fixed steps, capacity search or soak) and returns its result document. */
export async function runCallBench(o: CallBenchOptions): Promise<RunResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!transportNames().includes(o.transport)) throw new Error(`unknown --transport "${o.transport}"; known: ${transportNames().join(', ')}`);
  const owned: LocalProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'firstring-calls-'));
  let gen: LoadGenerator | undefined;
  const sampler: { s?: GatewaySampler } = {};
  try {
    let url = o.url;
    let apiKey = o.apiKey;
    let localPid: number | undefined;
    if (!url) {
      const stub = await startStubProcess(o.stub, o.loadCpus).catch((err: unknown) => {
        log(`OpenAI stub not started (${String(err)}); the gateway runs its offline providers`);
        return undefined;
      });
      apiKey = `bench-operator-${randomBytes(16).toString('hex')}`;
      const env: Record<string, string> = { FIRSTRING_OPERATOR_KEYS: apiKey };
      if (stub?.priorityRefused) log(`OpenAI stub keeps the callers' priority (${stub.priorityRefused}): its answers may carry the generator's load`);
      if (stub) {
        owned.push(stub);
        env.OPENAI_BASE_URL = stub.baseURL;
        env.OPENAI_API_KEY = 'bench-local-stub';
      }
      const gw = await startLocalGateway({ cpus: o.gatewayCpus, env });
      owned.push(gw);
      url = gw.url;
      localPid = gw.pid;
      log(`local gateway ${url} (pid ${gw.pid}${o.gatewayCpus ? `, cpus ${o.gatewayCpus}` : ''})`);
    }
    const uttPath = join(dir, 'utterances.json');
    saveUtterances(uttPath, synthesizeUtterances(o.pattern.languages));
    gen = await LoadGenerator.start(
      o.workers,
      { transport: o.transport, url, tenant: o.tenant, origin: o.origin ?? url, pattern: o.pattern, utterancesPath: uttPath, statsIntervalMs: 1000 },
      o.loadCpus,
    );
    const s = new GatewaySampler(url, localPid, o.sampleMs);
    sampler.s = s;
    s.start();

    const result: RunResult = {
      name: o.name,
      kind: o.mode,
      startedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAvg: loadavg() },
      config: { ...o, log: undefined, url: o.url ?? 'local', gatewayCpus: o.gatewayCpus ?? null, loadCpus: o.loadCpus ?? null },
      steps: [],
    };
    const step = async (n: number): Promise<{ step: StepResult; run: StepRun }> => {
      const r = await runStep(gen as LoadGenerator, s, n, o);
      result.steps.push(r.step);
      log(describe(r.step));
      return r;
    };

    if (o.mode === 'calls') {
      for (const n of o.concurrency) await step(n);
      // With a 1-call first step, every step also gets its verdict against the capacity criteria.
      const first = result.steps[0];
      if (first && first.concurrency === 1) {
        const baseline = first.turnGapMs.count > 0 ? first.turnGapMs.p95 : null;
        for (const st of result.steps) {
          const failures = evaluateStep(st, st === first ? null : baseline, o.capacity.criteria);
          st.verdict = { pass: failures.length === 0, failures };
        }
      }
    } else if (o.mode === 'capacity') {
      const base = await step(1);
      const baseline = base.step.turnGapMs.count > 0 ? base.step.turnGapMs.p95 : null;
      const cap = { criteria: o.capacity.criteria, baselineTurnGapP95Ms: baseline, largestPassingN: null as number | null, bindingConstraint: [] as string[] };
      base.step.verdict = { pass: evaluateStep(base.step, null, o.capacity.criteria).length === 0, failures: evaluateStep(base.step, null, o.capacity.criteria) };
      if (base.step.verdict.pass) cap.largestPassingN = 1;
      else cap.bindingConstraint = base.step.verdict.failures;
      for (let n = o.capacity.start; base.step.verdict.pass && n <= o.capacity.max; n += o.capacity.step) {
        const r = await step(n);
        const failures = evaluateStep(r.step, baseline, o.capacity.criteria);
        r.step.verdict = { pass: failures.length === 0, failures };
        if (failures.length) {
          cap.bindingConstraint = failures;
          if (r.step.generator.saturated) cap.bindingConstraint.push(`load generator saturated: ${r.step.generator.reasons.join('; ')}`);
          break;
        }
        cap.largestPassingN = n;
      }
      result.capacity = cap;
    } else {
      const n = o.concurrency[0] ?? 1;
      const r = await step(n);
      const window = s.between(r.run.rampedAt + SETTLE_MS, r.run.endedAt);
      const series = window.flatMap((w) => {
        const rss = sampleSum(w.scrape, METRIC.rss);
        return rss === undefined ? [] : [[w.at, rss] as [number, number]];
      });
      const trend = soakTrend(series, o.soakWarmupMs);
      // Where a growth is: each thread's V8 heap against the whole RSS (the rest is native memory), over the same steady window.
      const heapSlopes = steadySlopes(window, (scrape) => threadHeapBytes(scrape), o.soakWarmupMs);
      // The heap each thread holds after its full collections: a leak raises it, V8's sizing of its spaces does not.
      const readLive = (scrape: PromScrape): Record<string, number> => nonZero(threadHeapBytes(scrape, 'live'));
      const liveSlopes = steadySlopes(window, readLive, o.soakWarmupMs);
      const liveSeries = Object.fromEntries(Object.entries(threadSeries(window, readLive)).map(([t, pts]) => [t, changesOnly(pts)]));
      await new Promise((res) => setTimeout(res, 2000));
      const check = await checkCallRecords(url, r.run.calls.filter((c) => c.callId).map((c) => ({ id: c.callId, callerSpoke: c.turns.length > 0, callerSide: callerSideNote(c) })), { apiKey });
      const slope = trend.steady;
      result.soak = {
        warmupMs: o.soakWarmupMs,
        rssSlopeBytesPerMin: slope,
        rssSlopeWholeBytesPerMin: trend.whole,
        heapSlopesBytesPerMin: heapSlopes,
        liveHeapSlopesBytesPerMin: liveSlopes,
        liveHeapSeries: liveSeries,
        rssSeries: series,
        recordsChecked: check.checked,
        recordsIncomplete: check.incomplete.slice(0, 50),
        recordsUnavailable: check.unavailable,
      };
      const slopesText = (slopes: Record<string, number>): string => Object.entries(slopes).map(([t, v]) => `${t} ${(v / 1024).toFixed(1)}`).join(', ') || '-';
      const heapText = `${slopesText(heapSlopes)}; live after full collections: ${slopesText(liveSlopes)}`;
      const kib = (v: number | null): string => (v === null ? '-' : (v / 1024).toFixed(1));
      const over = o.soakWarmupMs > 0 ? ` after a ${o.soakWarmupMs / 1000}-s warm-up (whole run ${kib(trend.whole)})` : '';
      log(`soak: RSS slope ${kib(slope)} KiB/min${over} (V8 heaps, KiB/min: ${heapText}); records checked ${check.checked}, incomplete ${check.incomplete.length}${check.unavailable ? ' (GET /api/v1/calls/{id} unavailable)' : ''}`);
    }
    result.marginalRss = marginalRssPerCall(result.steps);
    if (result.marginalRss) log(`marginal RSS per call ${(result.marginalRss.bytesPerCall / 2 ** 20).toFixed(2)} MiB (least squares over ${result.marginalRss.steps} steps)`);
    if (s.failures.length) result.scrapeFailures = s.failures.slice();
    result.machine.loadAvg = loadavg();
    return result;
  } finally {
    sampler.s?.stop();
    await gen?.close();
    for (const p of owned.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per thread, the steady-window slope (soak-trend.ts) of a per-thread figure read from each scrape. */
function steadySlopes(window: readonly GatewaySample[], read: (scrape: PromScrape) => Record<string, number>, warmupMs: number): Record<string, number> {
  const slopes: Record<string, number> = {};
  for (const [thread, points] of Object.entries(threadSeries(window, read))) {
    const sl = soakTrend(points, warmupMs).steady;
    if (sl !== null) slopes[thread] = sl;
  }
  return slopes;
}

/** Each thread's figure over the window, one point per sample. */
function threadSeries(window: readonly GatewaySample[], read: (scrape: PromScrape) => Record<string, number>): Record<string, Array<[number, number]>> {
  const series: Record<string, Array<[number, number]>> = {};
  for (const w of window) for (const [thread, bytes] of Object.entries(read(w.scrape))) (series[thread] ??= []).push([w.at, bytes]);
  return series;
}

/** A series with only the points where the figure changed (a live heap moves only at full collections). */
function changesOnly(points: ReadonlyArray<[number, number]>): Array<[number, number]> {
  return points.filter((p, i) => i === 0 || p[1] !== points[i - 1]![1]);
}

/** Drops zero figures (a thread's live heap before its first full collection). */
function nonZero(figures: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).filter(([, v]) => v > 0));
}
