import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { windowFigures, type GatewaySample } from '../../bench/load/gateway-sampler.js';
import { bucketQuantile, bucketsDelta, histogramBuckets, parsePromText, PromParseError, sampleSum } from '../../bench/load/prom-text.js';

describe('Prometheus text parser', () => {
  it('parses prom-client output: types, labels with escapes, histogram buckets', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'x_total', help: 'h', labelNames: ['outcome'], registers: [registry] });
    const g = new Gauge({ name: 'x_active', help: 'h', registers: [registry] });
    const h = new Histogram({ name: 'x_seconds', help: 'h', buckets: [0.001, 0.005, 0.01], registers: [registry] });
    c.inc({ outcome: 'ok' }, 3);
    c.inc({ outcome: 'we "quoted"\\ \n' }, 2);
    g.set(7);
    for (const v of [0.0005, 0.002, 0.002, 0.007, 0.5]) h.observe(v);
    const scrape = parsePromText(await registry.metrics());
    expect(scrape.types.get('x_total')).toBe('counter');
    expect(scrape.types.get('x_seconds')).toBe('histogram');
    expect(sampleSum(scrape, 'x_total')).toBe(5);
    expect(sampleSum(scrape, 'x_total', { outcome: 'we "quoted"\\ \n' })).toBe(2);
    expect(sampleSum(scrape, 'x_active')).toBe(7);
    expect(sampleSum(scrape, 'absent')).toBeUndefined();
    const b = histogramBuckets(scrape, 'x_seconds');
    expect(b).toEqual({ le: [0.001, 0.005, 0.01, Number.POSITIVE_INFINITY], counts: [1, 3, 4, 5] });
  });

  it('reads special float values in any case, as Go ParseFloat does (prom-client writes "Nan")', () => {
    const s = parsePromText('a Nan\nb +Inf\nc -inf\nd 1e-3 1700000000000\n').samples.map((x) => x.value);
    expect(s[0]).toBeNaN();
    expect(s.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.001]);
  });

  it('reports the line of a malformed sample', () => {
    expect(() => parsePromText('# TYPE a counter\na 1\nb{x="1"} nope\n')).toThrow(PromParseError);
    expect(() => parsePromText('a 1\nb{x="1"} nope\n')).toThrow(/line 2/);
    expect(() => parsePromText('c{x="unterminated} 1')).toThrow(/unterminated|expected/);
    expect(() => parsePromText('{x="1"} 1')).toThrow(/metric name/);
  });
});

describe('histogram quantiles from buckets', () => {
  const b = { le: [1, 2, 5, Number.POSITIVE_INFINITY], counts: [10, 60, 100, 100] };

  it('interpolates inside the bucket holding the rank', () => {
    expect(bucketQuantile(b, 0.1)).toBeCloseTo(1, 12);
    expect(bucketQuantile(b, 0.35)).toBeCloseTo(1.5, 12);
    expect(bucketQuantile(b, 0.8)).toBeCloseTo(3.5, 12);
  });

  it('caps at the last finite bound and is NaN without observations', () => {
    expect(bucketQuantile({ le: [1, Number.POSITIVE_INFINITY], counts: [1, 10] }, 0.99)).toBe(1);
    expect(bucketQuantile({ le: [1, Number.POSITIVE_INFINITY], counts: [0, 0] }, 0.5)).toBeNaN();
  });

  it('subtracts an earlier scrape bucket by bucket', () => {
    expect(bucketsDelta(b, { le: b.le, counts: [5, 5, 5, 5] }).counts).toEqual([5, 55, 95, 95]);
    expect(bucketsDelta(b, undefined)).toBe(b);
  });
});

describe('gateway window figures from two real scrapes', () => {
  it('derives CPU, overrun ratio and pacing jitter over the window', async () => {
    const registry = new Registry();
    const cpu = new Counter({ name: 'firstring_process_cpu_seconds_total', help: 'h', registers: [registry] });
    const rss = new Gauge({ name: 'firstring_process_resident_memory_bytes', help: 'h', registers: [registry] });
    const over = new Counter({ name: 'firstring_media_tick_overruns_total', help: 'h', registers: [registry] });
    const jitter = new Histogram({ name: 'firstring_outbound_pacing_jitter_seconds', help: 'h', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01], registers: [registry] });
    // Before the window: a bad start-up that must not count.
    over.inc(50);
    for (let i = 0; i < 100; i++) jitter.observe(0.02);
    rss.set(100e6);
    const first: GatewaySample = { at: 1_000_000, scrape: parsePromText(await registry.metrics()) };
    cpu.inc(5);
    over.inc(2);
    for (let i = 0; i < 985; i++) jitter.observe(0.0003);
    for (let i = 0; i < 15; i++) jitter.observe(0.004);
    rss.set(120e6);
    const last: GatewaySample = { at: 1_010_000, scrape: parsePromText(await registry.metrics()) };
    const f = windowFigures([first, last]);
    expect(f.cpuPct).toBeCloseTo(50, 9);
    expect(f.tickOverruns).toBe(2);
    expect(f.tickOverrunRatio).toBeCloseTo(0.002, 12);
    // p50: rank 500 of 985 inside (0, 0.5 ms]; p99: rank 990, 5 of 15 into (2, 5 ms] → 3 ms.
    expect(f.pacingJitterP50Ms).toBeCloseTo((0.5 * 500) / 985, 9);
    expect(f.pacingJitterP99Ms).toBeCloseTo(3, 9);
    expect(f.rssBytes).toBe(120e6);
    expect(f.rssPeakBytes).toBe(120e6);
    expect(f.missing).toEqual(['firstring_nodejs_eventloop_lag_p99_seconds', 'firstring_calls_active']);
  });

  it('says so when the window has too few samples', () => {
    expect(windowFigures([]).missing[0]).toMatch(/fewer than two samples/);
  });
});
