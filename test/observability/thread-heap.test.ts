import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { threadHeap } from '../../src/observability/thread-heap.js';
import { createMetrics } from '../../src/observability/metrics.js';

// A full collection on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
const MB = 2 ** 20;

/** A full collection, then a turn of the event loop for the GC observer's callback. */
async function collect(): Promise<void> {
  fullGc();
  await new Promise((r) => setTimeout(r, 50));
}

describe('thread heap: live bytes after full collections', () => {
  it('follows what the heap holds after each full collection, not its garbage', async () => {
    expect(threadHeap().liveBytes).toBeGreaterThanOrEqual(0);
    await collect();
    const base = threadHeap().liveBytes;
    expect(base).toBeGreaterThan(0);

    // 40 MB kept alive: the next full collection's live figure includes it.
    let kept: number[][] | undefined = Array.from({ length: 40 }, () => new Array<number>(MB / 8).fill(1.5));
    await collect();
    expect(threadHeap().liveBytes - base).toBeGreaterThan(30 * MB);

    // Garbage made between collections raises the heap in use, not the live figure.
    const live = threadHeap().liveBytes;
    for (let i = 0; i < 8; i++) new Array<number>(MB / 8).fill(2.5);
    expect(threadHeap().liveBytes).toBe(live);

    // Let go of it: the figure falls back at the next full collection.
    expect(kept.length).toBe(40);
    kept = undefined;
    await collect();
    expect(threadHeap().liveBytes - base).toBeLessThan(10 * MB);
  });

  it('is exported for the main thread as kind="live"', async () => {
    await collect();
    const text = await createMetrics(false).registry.metrics();
    const m = /firstring_thread_heap_bytes\{thread="main",kind="live"\} (\d+)/.exec(text);
    expect(Number(m?.[1])).toBeGreaterThan(0);
  });
});
