import { describe, expect, it } from 'vitest';
import { threadHeapBytes, windowFigures, type GatewaySample } from '../../bench/load/gateway-sampler.js';
import { parsePromText } from '../../bench/load/prom-text.js';
import { createMetrics } from '../../src/observability/metrics.js';

describe('gateway window figures from the media workers’ own metrics', () => {
  it('divides overruns by the ticks counter and reports skipped slots and the workers’ loop delay', async () => {
    // The gateway's real registry (src/observability/metrics.ts), fed as the worker pool feeds it.
    const m = createMetrics(false);
    m.mediaTicks.inc(100);
    m.tickOverruns.inc(9);
    m.workerLoopDelay.set({ worker: '0', stat: 'p99' }, 0.2);
    const first: GatewaySample = { at: 1_000_000, scrape: parsePromText(await m.registry.metrics()) };
    m.mediaTicks.inc(1000);
    m.tickOverruns.inc(3);
    m.mediaTicksSkipped.inc(4);
    // Only 10 jitter observations: the ratio must come from the ticks counter, not this count.
    for (let i = 0; i < 10; i++) m.pacingJitter.observe(0.001);
    m.workerLoopDelay.set({ worker: '0', stat: 'p99' }, 0.012);
    m.workerLoopDelay.set({ worker: '1', stat: 'p99' }, 0.03);
    m.workerLoopDelay.set({ worker: '1', stat: 'max' }, 0.045);
    const last: GatewaySample = { at: 1_010_000, scrape: parsePromText(await m.registry.metrics()) };
    const f = windowFigures([first, last]);
    expect(f.tickOverruns).toBe(3);
    expect(f.tickOverrunRatio).toBeCloseTo(0.003, 12);
    expect(f.ticksSkipped).toBe(4);
    // The largest value seen in the window, over workers and samples (the 200 ms before it counts too).
    expect(f.mediaLoopDelayP99Ms).toBeCloseTo(200, 9);
    expect(f.mediaLoopDelayMaxMs).toBeCloseTo(45, 9);
  });

  it('gives per-stage p50/p95 of the turns observed in the window only, and each thread’s heap at its end', async () => {
    const m = createMetrics(false);
    m.endToEndSeconds.observe(5); // before the window: not counted
    const first: GatewaySample = { at: 1_000_000, scrape: parsePromText(await m.registry.metrics()) };
    for (let i = 0; i < 100; i++) m.endToEndSeconds.observe(i < 90 ? 0.55 : 0.95);
    for (let i = 0; i < 10; i++) m.playoutDelay.observe(0.03);
    m.threadHeap.set({ thread: 'media-0', kind: 'physical' }, 30e6);
    m.threadHeap.set({ thread: 'media-0', kind: 'used' }, 20e6);
    m.threadHeap.set({ thread: 'handler-0', kind: 'physical' }, 50e6);
    m.threadHeap.set({ thread: 'handler-0', kind: 'external' }, 7e6);
    m.threadHeap.set({ thread: 'handler-0', kind: 'live' }, 40e6);
    const last: GatewaySample = { at: 1_010_000, scrape: parsePromText(await m.registry.metrics()) };
    const f = windowFigures([first, last]);
    expect(f.stages?.endToEnd?.count).toBe(100);
    // Interpolated inside the 0.5–0.6 s and 0.9–1 s buckets.
    expect(f.stages?.endToEnd?.p50Ms).toBeGreaterThan(500);
    expect(f.stages?.endToEnd?.p50Ms).toBeLessThanOrEqual(600);
    expect(f.stages?.endToEnd?.p95Ms).toBeGreaterThan(900);
    expect(f.stages?.endToEnd?.p95Ms).toBeLessThanOrEqual(1000);
    expect(f.stages?.playoutDelay?.count).toBe(10);
    expect(f.stages?.transcription).toBeUndefined();
    expect(f.heapBytes).toEqual({ 'media-0': 30e6, 'handler-0': 50e6 });
    expect(f.heapExternalBytes).toEqual({ 'handler-0': 7e6 });
    // The main thread reports its live heap itself (0 until its first full collection).
    expect(f.heapLiveBytes).toMatchObject({ 'handler-0': 40e6 });
    expect(Object.keys(f.heapLiveBytes ?? {}).sort()).toEqual(['handler-0', 'main']);
    expect(f.mallocBytes).toBeUndefined(); // this registry has no allocator reader
    expect(threadHeapBytes(first.scrape)).toEqual({});
  });

  it('records the C allocator totals at the window’s end when the gateway exposes them', async () => {
    let inUse = 10e6;
    const m = createMetrics(false, { mallocStats: () => ({ arenaBytes: 8e6, inUseBytes: inUse, freeBytes: 2e6, mmappedBytes: 4e6 }) });
    const first: GatewaySample = { at: 1_000_000, scrape: parsePromText(await m.registry.metrics()) };
    inUse = 12e6;
    const last: GatewaySample = { at: 1_010_000, scrape: parsePromText(await m.registry.metrics()) };
    expect(windowFigures([first, last]).mallocBytes).toEqual({ in_use: 12e6, free: 2e6, arena: 8e6, mmapped: 4e6 });
  });
});
