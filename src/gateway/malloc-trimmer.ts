/**
 * Periodic malloc_trim. Many threads (media workers, handler threads, the main thread)
 * each allocate from their own glibc arena, and the free chunks left between live ones
 * stay resident: at 150 calls the arenas held about 50–90 MB free. Trimming every few
 * seconds hands those pages back (about 30 MB less RSS at 150 calls, BENCHMARKS.md,
 * session 5). The trim runs on a libuv pool thread (native `mallocTrim`), never on a
 * JavaScript thread; a trim still running when the next is due is not doubled.
 */
import type { Histogram } from 'prom-client';
import type { Logger } from 'pino';

export interface MallocTrimmerOptions {
  /** Resolves once the trim is done: true when memory went back to the OS. */
  trim: () => Promise<boolean>;
  intervalMs: number;
  /** Duration of each trim, seconds. */
  duration?: Histogram;
  log?: Logger;
}

export interface MallocTrimmer {
  /** Trims run so far. */
  readonly trims: number;
  stop(): void;
}

export function startMallocTrimmer(o: MallocTrimmerOptions): MallocTrimmer {
  let trims = 0;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const t0 = performance.now();
    o.trim().then(
      () => {
        trims++;
        o.duration?.observe((performance.now() - t0) / 1000);
      },
      (err: unknown) => o.log?.warn({ err }, 'malloc_trim failed'),
    ).finally(() => {
      running = false;
    });
  }, o.intervalMs);
  timer.unref();
  return {
    get trims() {
      return trims;
    },
    stop: () => clearInterval(timer),
  };
}
