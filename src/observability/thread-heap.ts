import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { resourceLimits } from 'node:worker_threads';
import type { Gauge } from 'prom-client';

/**
 * One thread's V8 heap, as the thread itself sees it (each worker thread has its own
 * isolate). `physicalBytes` is what the heap holds in RAM, the part of the process RSS
 * it accounts for; `externalBytes` is memory outside the heap that its objects keep
 * alive (ArrayBuffers included), which may live in malloc'd memory of this process.
 * `youngLimitBytes` is the most its young generation may grow to (the worker's
 * `resourceLimits`: MEDIA_WORKER_YOUNG_GEN_MB, HANDLER_THREAD_YOUNG_GEN_MB), 0 on the main thread.
 * `liveBytes` is the heap in use just after the thread's last full collection (mark-compact),
 * 0 before its first: what its objects really hold, without the garbage the physical size
 * carries between collections. A leak shows as a rising `liveBytes`; a growing physical
 * heap with a flat `liveBytes` is V8 sizing its spaces.
 */
export interface ThreadHeap {
  usedBytes: number;
  physicalBytes: number;
  externalBytes: number;
  youngLimitBytes: number;
  liveBytes: number;
}

let liveBytes = 0;
let watching = false;

/** Records the heap in use after each full collection of this thread (read in the observer's callback, just after it). */
function watchFullCollections(): void {
  if (watching) return;
  watching = true;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) liveBytes = getHeapStatistics().used_heap_size;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** This thread's heap; the first call starts watching its full collections (`liveBytes`). */
export function threadHeap(): ThreadHeap {
  watchFullCollections();
  const h = getHeapStatistics();
  const young = resourceLimits.maxYoungGenerationSizeMb ?? 0;
  return {
    usedBytes: h.used_heap_size,
    physicalBytes: h.total_physical_size,
    externalBytes: h.external_memory,
    youngLimitBytes: young * 1024 * 1024,
    liveBytes,
  };
}

/** Sets one thread's heap figures on the `firstring_thread_heap_bytes` gauge. */
export function setThreadHeapGauge(gauge: Gauge<'thread' | 'kind'>, thread: string, heap: ThreadHeap): void {
  gauge.set({ thread, kind: 'used' }, heap.usedBytes);
  gauge.set({ thread, kind: 'physical' }, heap.physicalBytes);
  gauge.set({ thread, kind: 'external' }, heap.externalBytes);
  gauge.set({ thread, kind: 'young_limit' }, heap.youngLimitBytes);
  gauge.set({ thread, kind: 'live' }, heap.liveBytes);
}
