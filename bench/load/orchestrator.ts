import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallResult } from './call-script.js';
import { reapOnExit } from './child-reaper.js';
import { pinned } from './local-gateway.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './worker-messages.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

interface WorkerHandle {
  child: ChildProcess;
  active: number;
  stats: WorkerStats[];
}

export interface StepRun {
  calls: CallResult[];
  /** Per worker, the stats it reported during the step. */
  workerStats: WorkerStats[][];
  startedAt: number;
  /** When the N-th call was launched. */
  rampedAt: number;
  endedAt: number;
  /** Calls launched but with no result when the step was cut (worker stuck or dead). */
  lost: number;
}

export interface StepPlan {
  concurrency: number;
  durationMs: number;
  /** New calls per second while ramping (and when replacing finished calls). */
  rampPerS: number;
}

/**
 * Caller worker processes (each running several calls) and the step loop: ramp to N
 * concurrent calls, keep N up (a call that ends is replaced) until the step's end,
 * then hang every call up and collect the results.
 */
export class LoadGenerator {
  private readonly workers: WorkerHandle[] = [];
  private onResult: ((r: CallResult, w: WorkerHandle) => void) | undefined;
  private nextIndex = 0;

  private constructor() {}

  static async start(count: number, config: WorkerConfig, cpus?: string): Promise<LoadGenerator> {
    if (!Number.isInteger(count) || count < 1) throw new Error('--workers must be a positive integer');
    const g = new LoadGenerator();
    await Promise.all(Array.from({ length: count }, () => g.spawnWorker(config, cpus)));
    return g;
  }

  get size(): number {
    return this.workers.length;
  }

  private spawnWorker(config: WorkerConfig, cpus?: string): Promise<void> {
    const [cmd, args] = pinned(cpus, process.execPath, ['--import', 'tsx', WORKER]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(config) } });
    reapOnExit(child);
    const h: WorkerHandle = { child, active: 0, stats: [] };
    this.workers.push(h);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('caller worker did not start within 60 s')), 60_000);
      child.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.t === 'stats') {
          const { t: _t, ...s } = m;
          h.stats.push(s);
        } else if (m.t === 'result') {
          h.active--;
          this.onResult?.(m.result, h);
        } else if (m.t === 'error') {
          clearTimeout(timer);
          reject(new Error(`caller worker: ${m.message}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`caller worker exited with ${code}`));
      });
    });
  }

  private launch(): void {
    let best = this.workers[0] as WorkerHandle;
    for (const w of this.workers) if (w.active < best.active) best = w;
    best.active++;
    best.child.send({ t: 'call', index: this.nextIndex++ } satisfies ToWorker);
  }

  async runStep(plan: StepPlan): Promise<StepRun> {
    if (!Number.isInteger(plan.concurrency) || plan.concurrency < 1) throw new Error('concurrency must be a positive integer');
    if (!(plan.rampPerS > 0)) throw new Error('--ramp must be > 0 calls per second');
    for (const w of this.workers) w.stats = [];
    const calls: CallResult[] = [];
    const startedAt = Date.now();
    const endAt = startedAt + plan.durationMs;
    let launched = 0;
    let rampedAt = endAt;
    let active = 0;
    const pendingReplacements: number[] = [];

    const ramp = setInterval(() => {
      if (Date.now() >= endAt) return;
      if (launched < plan.concurrency) {
        launched++;
        active++;
        this.launch();
        if (launched === plan.concurrency) rampedAt = Date.now();
      } else if (pendingReplacements.length > 0) {
        pendingReplacements.pop();
        active++;
        this.launch();
      }
    }, 1000 / plan.rampPerS);

    let settle: (() => void) | undefined;
    this.onResult = (r) => {
      calls.push(r);
      active--;
      if (Date.now() < endAt - 2000) pendingReplacements.push(1);
      if (active === 0 && settle) settle();
    };
    await new Promise((r) => setTimeout(r, plan.durationMs));
    clearInterval(ramp);
    for (const w of this.workers) w.child.send({ t: 'stop' } satisfies ToWorker);
    const cut = await new Promise<boolean>((resolve) => {
      if (active === 0) return resolve(false);
      const t = setTimeout(() => resolve(true), 30_000);
      settle = () => {
        clearTimeout(t);
        resolve(false);
      };
    });
    this.onResult = undefined;
    const lost = cut ? active : 0;
    for (const w of this.workers) w.active = 0;
    return { calls, workerStats: this.workers.map((w) => w.stats.slice()), startedAt, rampedAt, endedAt: Date.now(), lost };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            const kill = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
            w.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.child.send({ t: 'exit' } satisfies ToWorker);
          }),
      ),
    );
  }
}
