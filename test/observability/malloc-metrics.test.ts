/** firstring_malloc_bytes: the C allocator's totals from the native addon, read at each scrape. */
import { describe, expect, it } from 'vitest';
import { nativeMallocStats } from '../../src/media/native-malloc-stats.js';
import { createMetrics } from '../../src/observability/metrics.js';

async function inUse(registry: ReturnType<typeof createMetrics>['registry']): Promise<number> {
  const m = (await registry.getSingleMetric('firstring_malloc_bytes')?.get())?.values.find((v) => v.labels.kind === 'in_use');
  return m?.value ?? Number.NaN;
}

describe('firstring_malloc_bytes', () => {
  it('reports the memory the C allocator hands out, as it changes', async () => {
    const { registry } = createMetrics(false, { mallocStats: nativeMallocStats });
    const before = await inUse(registry);
    expect(before).toBeGreaterThan(0);
    // Buffers' backing stores come from malloc: 32 MiB of them must show.
    const kept = Array.from({ length: 32 }, () => Buffer.alloc(1 << 20, 1));
    const during = await inUse(registry);
    expect(during - before).toBeGreaterThan(30 * 2 ** 20);
    expect(kept.length).toBe(32);
    const text = await registry.metrics();
    for (const kind of ['in_use', 'free', 'arena', 'mmapped']) expect(text).toContain(`firstring_malloc_bytes{kind="${kind}"}`);
  });

  it('is absent when no reader is given', async () => {
    const { registry } = createMetrics(false);
    expect(registry.getSingleMetric('firstring_malloc_bytes')).toBeUndefined();
  });
});
