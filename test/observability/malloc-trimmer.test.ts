/** The periodic malloc_trim: the native trim on a pool thread, never two at once, each one timed. */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startMallocTrimmer } from '../../src/gateway/malloc-trimmer.js';
import { nativeMallocTrim } from '../../src/media/native-malloc-stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('malloc trimmer', () => {
  it('trims with the native malloc_trim at its interval and times each trim', async () => {
    const trim = nativeMallocTrim();
    expect(trim).toBeDefined();
    await expect((trim as () => Promise<boolean>)()).resolves.toEqual(expect.any(Boolean));
    const duration = new Histogram({ name: 't1', help: 'h', registers: [new Registry()] });
    const t = startMallocTrimmer({ trim: trim as () => Promise<boolean>, intervalMs: 25, duration });
    await sleep(300);
    t.stop();
    await sleep(50);
    const n = t.trims;
    expect(n).toBeGreaterThanOrEqual(3);
    expect((await duration.get()).values.find((v) => v.metricName === 't1_count')?.value).toBe(n);
    await sleep(100);
    expect(t.trims).toBe(n); // stopped
  });

  it('never starts a trim while the previous one still runs', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const slow = async (): Promise<boolean> => {
      calls++;
      running++;
      most = Math.max(most, running);
      await sleep(120);
      running--;
      return true;
    };
    const t = startMallocTrimmer({ trim: slow, intervalMs: 20, log: undefined });
    await sleep(400);
    t.stop();
    expect(most).toBe(1);
    expect(calls).toBeLessThanOrEqual(4); // one per 120 ms trim, not one per 20 ms tick
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
