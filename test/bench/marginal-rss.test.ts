import { describe, expect, it } from 'vitest';
import { analyzeArrivals } from '../../bench/load/continuity.js';
import { windowFigures } from '../../bench/load/gateway-sampler.js';
import { aggregateStep, marginalRssPerCall, type RunResult, type StepResult } from '../../bench/load/results.js';
import { renderReport } from '../../bench/report/html.js';
import { renderMarkdown } from '../../bench/report/markdown.js';

const MiB = 2 ** 20;

/** A step of N calls whose gateway reported `rssMiB` (and `active` calls at its peak, when given). */
function step(n: number, rssMiB: number | null, active: number | null = n): StepResult {
  const gw = { ...windowFigures([]), missing: [], rssBytes: rssMiB === null ? null : rssMiB * MiB, callsActiveMax: active };
  const call = { index: 0, callId: 'c', transport: 'webrtc-lean', startedAt: 0, durationMs: 1, outcome: 'ok' as const, setupMs: 1, turns: [], continuity: analyzeArrivals([]) };
  return aggregateStep(n, 10, [call], 0, [[]], gw);
}

describe('marginal RSS per call', () => {
  it('is the least-squares slope of RSS against active calls, unlike RSS / N', () => {
    // 180 MiB fixed plus 0.5 MiB per call, with a little noise.
    const steps = [step(1, 180.5), step(30, 195.2), step(60, 209.8), step(90, 225.1)];
    const m = marginalRssPerCall(steps);
    if (!m) throw new Error('no fit');
    expect(m.bytesPerCall / MiB).toBeCloseTo(0.5, 1);
    expect(m.baseBytes / MiB).toBeCloseTo(180, 0);
    expect(m.steps).toBe(4);
    expect(m.r2).toBeGreaterThan(0.99);
    // RSS / N at 30 calls charges each call its share of the fixed 180 MiB.
    expect((steps[1]?.gateway.rssPerCallBytes ?? 0) / MiB).toBeCloseTo(6.5, 1);
  });

  it('uses the gateway-reported active calls over the step N, and skips steps without RSS', () => {
    // Active calls 2, 20, 40 (replacements overlapping): slope over those, not over N = 1, 10, 20.
    const m = marginalRssPerCall([step(1, 101, 2), step(10, 110, 20), step(15, null), step(20, 120, 40)]);
    expect((m?.bytesPerCall ?? 0) / MiB).toBeCloseTo(0.5, 2);
    expect(m?.steps).toBe(3);
    expect(marginalRssPerCall([step(20, 120, null), step(10, 110, null)])?.bytesPerCall).toBeCloseTo(MiB, 0);
  });

  it('is null with one usable step or a single call count', () => {
    expect(marginalRssPerCall([step(10, 100)])).toBeNull();
    expect(marginalRssPerCall([step(10, 100), step(10, 104)])).toBeNull();
    expect(marginalRssPerCall([step(10, 100), step(20, null)])).toBeNull();
  });

  it('appears in the HTML and Markdown reports, fitted from the steps for documents that lack it', () => {
    const r: RunResult = { name: 'm', kind: 'calls', startedAt: '2026-11-27T12:00:00Z', machine: { cpus: 2, model: 'x', node: 'v20' }, config: {}, steps: [step(1, 181), step(41, 201)] };
    expect(renderMarkdown(r)).toContain('Marginal RSS per call (least-squares slope of gateway RSS against active calls over 2 steps): 0.50 MiB');
    expect(renderMarkdown(r)).toContain('RSS / N at N = 41: 4.90 MiB');
    expect(renderReport({ ...r, marginalRss: marginalRssPerCall(r.steps) })).toContain('<h2>Memory</h2><p>Marginal RSS per call');
    expect(renderMarkdown({ ...r, steps: [step(1, 181)] })).toContain('Marginal RSS per call: – (needs two steps');
  });
});
