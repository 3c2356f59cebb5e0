/**
 * On-demand CPU profile of one thread (a media worker) for a window at steady load, for
 * the per-packet cost breakdown of issue 6. Set `FIRSTRING_MEDIA_CPU_PROF=<dir>`; the
 * worker starts V8's sampling profiler (through node:inspector, which reaches the thread
 * it runs on) once it has held `FIRSTRING_MEDIA_CPU_PROF_CALLS` calls for
 * `FIRSTRING_MEDIA_CPU_PROF_DELAY_S` seconds, keeps it `FIRSTRING_MEDIA_CPU_PROF_SECONDS`,
 * and writes `<dir>/<label>-<pid>-<time>.cpuprofile` plus a `.window.json` with what the
 * thread saw meanwhile: GC pauses by kind, tick busy/lateness, counters passed in by the
 * caller (packets in/out). `FIRSTRING_MEDIA_HEAP_SNAPSHOT=1` adds a heap snapshot of the
 * thread at the window's end (what a thread's calls keep alive, for the memory per call).
 * Off unless the variable is set.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { z } from 'zod';

const RequestSchema = z.object({
  dir: z.string().min(1),
  /** Calls the thread must hold before the window opens. */
  calls: z.coerce.number().int().min(0).default(1),
  /** Seconds at or above that count before the profiler starts (skips the ramp). */
  delayS: z.coerce.number().min(0).max(3600).default(3),
  seconds: z.coerce.number().positive().max(600).default(15),
  /** Sampling interval, µs. */
  intervalUs: z.coerce.number().int().min(50).max(100_000).default(200),
  /**
   * Also sample allocations (V8 sampling heap profiler) into a `.heapprofile`: `1` every sampled
   * allocation (what drives scavenges), `major` only those that outlived the young generation
   * and died in a mark-compact (what drives full GCs); `0` none.
   */
  heap: z.enum(['0', '1', 'major']).default('0'),
  /** Also write a heap snapshot (`.heapsnapshot`) of the thread at the window's end: what its calls keep alive. */
  snapshot: z.enum(['0', '1']).default('0'),
});
export type ThreadProfileRequest = z.infer<typeof RequestSchema>;

/** The request from the environment, or undefined when profiling is off. A bad value throws naming the variable. */
export function profileRequestFromEnv(env: NodeJS.ProcessEnv = process.env): ThreadProfileRequest | undefined {
  const dir = env.FIRSTRING_MEDIA_CPU_PROF;
  if (!dir) return undefined;
  const parsed = RequestSchema.safeParse({
    dir,
    calls: env.FIRSTRING_MEDIA_CPU_PROF_CALLS,
    delayS: env.FIRSTRING_MEDIA_CPU_PROF_DELAY_S,
    seconds: env.FIRSTRING_MEDIA_CPU_PROF_SECONDS,
    intervalUs: env.FIRSTRING_MEDIA_CPU_PROF_INTERVAL_US,
    heap: env.FIRSTRING_MEDIA_HEAP_PROF,
    snapshot: env.FIRSTRING_MEDIA_HEAP_SNAPSHOT,
  });
  if (!parsed.success) throw new Error(`FIRSTRING_MEDIA_CPU_PROF*: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** What the profiled thread reports about itself for the window. */
export interface ProfileProbe {
  /** Current call count of the thread. */
  calls(): number;
  /** Monotonic counters (packets in/out, ticks, ...) read at the window's start and end. */
  counters(): Record<string, number>;
}

interface GcStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

export interface ProfileWindow {
  label: string;
  startedAt: string;
  wallMs: number;
  /** CPU time of the profiled thread over the window (/proc/thread-self/stat), ms; undefined off Linux. */
  threadCpuMs: number | undefined;
  callsAtStart: number;
  callsAtEnd: number;
  counters: Record<string, number>;
  gc: Record<string, GcStats>;
  /** V8 heap spaces' used size, MiB. */
  heapAtStart: Record<string, number>;
  heapAtEnd: Record<string, number>;
  profileFile: string;
}

/**
 * Arms the profiler: polls the call count once a second; the window opens after the
 * count has stayed at or above `req.calls` for `req.delayS`. One window per thread life.
 * Returns a function that disarms it.
 */
export function armThreadProfile(req: ThreadProfileRequest, label: string, probe: ProfileProbe, onDone: (file: string | Error) => void): () => void {
  let heldSince: number | undefined;
  let started = false;
  const poll = setInterval(() => {
    if (started) return;
    const now = performance.now();
    if (probe.calls() < req.calls) {
      heldSince = undefined;
      return;
    }
    heldSince ??= now;
    if (now - heldSince < req.delayS * 1000) return;
    started = true;
    clearInterval(poll);
    runWindow(req, label, probe).then(onDone, (err: unknown) => onDone(err instanceof Error ? err : new Error(String(err))));
  }, 250);
  poll.unref();
  return () => clearInterval(poll);
}

function heapSpaces(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) out[s.space_name] = +(s.space_used_size / 2 ** 20).toFixed(2);
  const h = getHeapStatistics();
  out.external = +(h.external_memory / 2 ** 20).toFixed(2);
  return out;
}

/** This thread's user + system CPU time in ms (Linux: utime and stime of /proc/thread-self/stat, in 10 ms ticks). */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15 (proc(5)).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return undefined;
  }
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
}

async function runWindow(req: ThreadProfileRequest, label: string, probe: ProfileProbe): Promise<string> {
  mkdirSync(req.dir, { recursive: true });
  const session = new Session();
  session.connect();
  const gc: Record<string, GcStats> = {};
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = GC_KINDS[((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other';
      const s = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      s.count++;
      s.totalMs += e.duration;
      s.maxMs = Math.max(s.maxMs, e.duration);
    }
  });
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: req.intervalUs });
    const c0 = probe.counters();
    const calls0 = probe.calls();
    const cpu0 = threadCpuMs();
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    obs.observe({ entryTypes: ['gc'] });
    const heap0 = heapSpaces();
    // Collected objects included: the allocation rate by site is what drives GC (live-only sampling would hide it).
    if (req.heap !== '0') {
      await post(session, 'HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: req.heap === '1' });
    }
    await post(session, 'Profiler.start');
    await new Promise((r) => setTimeout(r, req.seconds * 1000));
    const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
    const heapProfile = req.heap !== '0' ? (await post<{ profile: unknown }>(session, 'HeapProfiler.stopSampling')).profile : undefined;
    const heap1 = heapSpaces();
    obs.disconnect();
    const wallMs = performance.now() - t0;
    const cpu1 = threadCpuMs();
    const c1 = probe.counters();
    const counters: Record<string, number> = {};
    for (const [k, v] of Object.entries(c1)) counters[k] = v - (c0[k] ?? 0);
    const base = join(req.dir, `${label}-${process.pid}-${Date.now()}`);
    const profileFile = `${base}.cpuprofile`;
    writeFileSync(profileFile, JSON.stringify(profile));
    if (heapProfile) writeFileSync(`${base}.heapprofile`, JSON.stringify(heapProfile));
    if (req.snapshot === '1') writeHeapSnapshot(`${base}.heapsnapshot`);
    const window: ProfileWindow = {
      label,
      startedAt,
      wallMs,
      threadCpuMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      callsAtStart: calls0,
      callsAtEnd: probe.calls(),
      counters,
      gc,
      heapAtStart: heap0,
      heapAtEnd: heap1,
      profileFile,
    };
    writeFileSync(`${base}.window.json`, JSON.stringify(window, null, 2));
    return profileFile;
  } finally {
    obs.disconnect();
    session.disconnect();
  }
}
