import { getHeapStatistics } from 'node:v8';
import { resourceLimits } from 'node:worker_threads';

/**
 * One thread's V8 heap, as the thread itself sees it (each worker thread has its own
 * isolate). `physicalBytes` is what the heap holds in RAM, the part of the process RSS
 * it accounts for; `externalBytes` is memory outside the heap that its objects keep
 * alive (ArrayBuffers included), which may live in malloc'd memory of this process.
 * `youngLimitBytes` is the most its young generation may grow to (the worker's
 * `resourceLimits`: MEDIA_WORKER_YOUNG_GEN_MB, HANDLER_THREAD_YOUNG_GEN_MB), 0 on the main thread.
 */
export interface ThreadHeap {
  usedBytes: number;
  physicalBytes: number;
  externalBytes: number;
  youngLimitBytes: number;
}

export function threadHeap(): ThreadHeap {
  const h = getHeapStatistics();
  const young = resourceLimits.maxYoungGenerationSizeMb ?? 0;
  return { usedBytes: h.used_heap_size, physicalBytes: h.total_physical_size, externalBytes: h.external_memory, youngLimitBytes: young * 1024 * 1024 };
}
