import type { CallResult } from './call-script.js';
import type { TalkPattern } from './talk-pattern.js';

/** Given to each caller worker process in the BENCH_WORKER_CONFIG environment variable (JSON). */
export interface WorkerConfig {
  transport: string;
  url: string;
  tenant: string;
  origin: string;
  pattern: TalkPattern;
  utterancesPath: string;
  statsIntervalMs: number;
}

export type ToWorker = { t: 'call'; index: number } | { t: 'stop' } | { t: 'exit' };

/** The worker's own load: CPU of its process (100 = one core) and its event-loop delay over the last interval. */
export interface WorkerStats {
  at: number;
  cpuPct: number;
  lagP99Ms: number;
  lagMaxMs: number;
  active: number;
  rssBytes: number;
}

export type FromWorker = { t: 'ready' } | { t: 'result'; result: CallResult } | ({ t: 'stats' } & WorkerStats) | { t: 'error'; message: string };
