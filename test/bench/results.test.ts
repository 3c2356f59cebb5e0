import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../bench/load/call-script.js';
import { analyzeArrivals } from '../../bench/load/continuity.js';
import { windowFigures } from '../../bench/load/gateway-sampler.js';
import { aggregateStep, DEFAULT_CRITERIA, evaluateStep, generatorFigures, type StepResult } from '../../bench/load/results.js';
import type { WorkerStats } from '../../bench/load/worker-messages.js';

const call = (over: Partial<CallResult>): CallResult => ({
  index: 0,
  callId: 'c',
  transport: 'webrtc',
  startedAt: 0,
  durationMs: 1000,
  outcome: 'ok',
  setupMs: 500,
  turns: [],
  continuity: analyzeArrivals([0, 20, 40]),
  ...over,
});
const stats = (cpuPct: number, lagP99Ms = 5): WorkerStats => ({ at: 0, cpuPct, lagP99Ms, lagMaxMs: lagP99Ms, active: 1, rssBytes: 1 });

function passingGateway(): StepResult['gateway'] {
  return { ...windowFigures([]), missing: [], tickOverrunRatio: 0, pacingJitterP99Ms: 1, cpuPct: 40, rssBytes: 200 * 2 ** 20, callsActiveMax: 10, rssPerCallBytes: null };
}

describe('step aggregation', () => {
  it('collects turn gaps, barge-ins, outcomes and per-call RSS', () => {
    const calls = [
      call({ turns: [{ language: 'en', gapMs: 600, bargeInMs: null }, { language: 'fr', gapMs: 700, bargeInMs: 250, bargeLanguage: 'en' }] }),
      call({ outcome: 'dropped', error: 'dropped while waiting for reply: media_timeout', turns: [{ language: 'en', gapMs: null }, { language: 'en', gapMs: null, overlapped: true }] }),
      call({ outcome: 'failed', error: 'no greeting audio', setupMs: null }),
    ];
    const s = aggregateStep(3, 10, calls, 1, [[stats(10), stats(20), stats(30)]], { ...passingGateway(), rssBytes: 30 * 2 ** 20, callsActiveMax: 3 });
    expect(s.calls).toMatchObject({ total: 4, ok: 1, failed: 1, dropped: 1, lost: 1 });
    expect(s.calls.errors).toEqual(['dropped while waiting for reply: media_timeout', 'no greeting audio']);
    expect(s.turns).toBe(4);
    expect(s.turnsWithoutReply).toBe(1);
    expect(s.turnsOverlapped).toBe(1);
    expect(s.turnGapMs).toMatchObject({ count: 2, p50: 650 });
    expect(s.bargeInMs).toMatchObject({ count: 1, p50: 250 });
    expect(Object.keys(s.bargeInMsByLanguage)).toEqual(['en']);
    expect(s.bargeInsIgnored).toBe(1);
    expect(s.setupMs.count).toBe(2);
    expect(s.turnGapHistogram.counts[12]).toBe(1);
    expect(s.turnGapHistogram.counts[14]).toBe(1);
    expect(s.continuity.packets).toBe(9);
    expect(s.gateway.rssPerCallBytes).toBe(10 * 2 ** 20);
  });
});

describe('load generator saturation', () => {
  it('is flagged when a worker passes 85% of a core or 50 ms of event-loop delay in a quarter of its intervals', () => {
    // The first interval (start-up) is skipped.
    expect(generatorFigures([[stats(99), stats(40), stats(50)]]).saturated).toBe(false);
    const hot = generatorFigures([[stats(10), stats(90), stats(50), stats(60)], [stats(10), stats(20), stats(30)]]);
    expect(hot.saturated).toBe(true);
    expect(hot.overloadedShare).toBeCloseTo(1 / 3, 9);
    expect(hot.reasons).toEqual(['a caller worker was above 85% of a core in 33% of its intervals (max 90%)']);
    expect(hot.cpuPctTotal).toBeCloseTo(200 / 3 + 25, 9);
    const laggy = generatorFigures([[stats(10), stats(20, 80), stats(20), stats(20)]]);
    expect(laggy.saturated).toBe(true);
    expect(laggy.reasons[0]).toMatch(/event-loop delay p99 was above 50 ms in 33%/);
  });

  it('one blocked interval among many is not saturation', () => {
    const burst = generatorFigures([[stats(10), stats(20, 90), stats(20), stats(20), stats(20), stats(20)]]);
    expect(burst.saturated).toBe(false);
    expect(burst.lagP99MsMax).toBe(90);
  });
});

describe('capacity criteria', () => {
  const step = (over: Partial<StepResult['gateway']> = {}, gaps: number[] = [600, 620, 640]): StepResult =>
    aggregateStep(10, 20, [call({ turns: gaps.map((g) => ({ language: 'en' as const, gapMs: g })) })], 0, [[stats(10)]], { ...passingGateway(), ...over });

  it('a healthy step passes', () => {
    expect(evaluateStep(step(), 640)).toEqual([]);
  });

  it('fails on overruns ≥ 0.1%, pacing p99 ≥ 5 ms, turn gap p95 > 1.2 × baseline, missing metrics', () => {
    expect(evaluateStep(step({ tickOverrunRatio: 0.001 }), 640)[0]).toMatch(/tick overruns 0.10%/);
    expect(evaluateStep(step({ tickOverrunRatio: 0.0009 }), 640)).toEqual([]);
    expect(evaluateStep(step({ pacingJitterP99Ms: 5 }), 640)[0]).toMatch(/pacing jitter p99/);
    expect(evaluateStep(step({}, [600, 700, 800]), 600)[0]).toMatch(/turn gap p95 790 ms > 1.2 × 600 ms/);
    expect(evaluateStep(step({}, [600, 700, 710]), 600)).toEqual([]);
    expect(evaluateStep(step({ tickOverrunRatio: null }), 640)[0]).toMatch(/unavailable/);
    expect(DEFAULT_CRITERIA.maxTickOverrunRatio).toBe(0.001);
  });

  it('fails when any call fails or a turn gets no reply', () => {
    const s = aggregateStep(2, 20, [call({ turns: [{ language: 'en', gapMs: 600 }] }), call({ outcome: 'failed', error: 'x' })], 0, [[stats(10)]], passingGateway());
    expect(evaluateStep(s, 600)).toEqual(['1 call(s) failed, dropped or lost']);
  });
});
