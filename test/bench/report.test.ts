import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../bench/api/types.js';
import type { CallResult } from '../../bench/load/call-script.js';
import { analyzeArrivals } from '../../bench/load/continuity.js';
import { windowFigures } from '../../bench/load/gateway-sampler.js';
import { aggregateStep, type RunResult } from '../../bench/load/results.js';
import { renderReport } from '../../bench/report/html.js';
import { markdownOfResultsFile, renderResultsFile, writeResults } from '../../bench/report/files.js';
import { lineChart, niceTicks } from '../../bench/report/svg.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-report-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const call = (gaps: number[]): CallResult => ({
  index: 0,
  callId: 'c1',
  transport: 'webrtc',
  startedAt: 0,
  durationMs: 1,
  outcome: 'ok',
  setupMs: 400,
  turns: gaps.map((g) => ({ language: 'en' as const, gapMs: g, bargeInMs: 250 })),
  continuity: analyzeArrivals([0, 20]),
});

function runResult(): RunResult {
  const gw = { ...windowFigures([]), missing: ['firstring_media_tick_overruns_total'], cpuPct: 30, tickOverrunRatio: 0, pacingJitterP99Ms: 2 };
  const steps = [1, 10, 20].map((n, i) => aggregateStep(n, 20, [call([600 + i * 50, 650 + i * 50])], 0, [[{ at: 0, cpuPct: 10 * (i + 1), lagP99Ms: 3, lagMaxMs: 4, active: n, rssBytes: 1 }]], gw));
  return {
    name: 'unit',
    kind: 'capacity',
    startedAt: '2026-11-27T10:00:00Z',
    machine: { cpus: 2, model: 'Test <CPU> & co', node: 'v20' },
    config: { url: 'http://127.0.0.1:1' },
    steps,
    capacity: { criteria: { maxTickOverrunRatio: 0.001, maxPacingJitterP99Ms: 5, maxTurnGapP95Factor: 1.2 }, baselineTurnGapP95Ms: 650, largestPassingN: 10, bindingConstraint: ['turn gap p95 745 ms > 1.2 × 650 ms (1 call)'] },
  };
}

const api: ApiResult = {
  name: 'api-unit',
  kind: 'api',
  startedAt: '2026-11-27T10:00:00Z',
  machine: { cpus: 2, model: 'x', node: 'v20' },
  config: {},
  routes: [
    { name: 'POST /json', target: 'bare', connections: 10, durationS: 5, requests: 250000, rps: 50000, latencyMs: { p50: 0, p99: 1, max: 3 }, non2xx: 0, errors: 0 },
    { name: 'POST /api/v1/tokens', target: 'gateway', connections: 10, durationS: 5, requests: 85000, rps: 17000, latencyMs: { p50: 0, p99: 5, max: 9 }, non2xx: 0, errors: 0 },
  ],
  ws: [{ name: 'WS /ws/webrtc (welcome)', target: 'gateway', concurrency: 10, attempted: 100, connected: 100, failed: 0, durationS: 1, perS: 100, latencyMs: { p50: 1, p99: 2, max: 3 } }],
  ratios: [{ what: 'POST /api/v1/tokens vs POST /json', ratio: 0.34 }],
};

/** No element pulls anything from elsewhere: no src/href attributes, no <link>, no CSS url(). */
function externalRefs(html: string): string[] {
  return html.match(/\s(?:src|href)\s*=|<link\b|url\(|@import/gi) ?? [];
}

describe('HTML report', () => {
  it('renders a call run self-contained with the three plots and escaped text', () => {
    const html = renderReport(runResult());
    expect(externalRefs(html)).toEqual([]);
    expect(html.match(/<svg\b/g)?.length).toBe(3);
    expect(html).toContain('Caller-side latency against concurrency');
    expect(html).toContain('CPU against concurrency');
    expect(html).toContain('Turn gap histogram');
    expect(html).toContain('Test &lt;CPU&gt; &amp; co');
    expect(html).not.toContain('Test <CPU>');
    expect(html).toContain('Largest passing N: <b>10</b>');
    expect(html).toContain('firstring_media_tick_overruns_total');
  });

  it("renders a soak's RSS and, per thread, its heap after full collections", () => {
    const min = 60_000;
    const soak: RunResult = {
      ...runResult(),
      kind: 'soak',
      soak: {
        warmupMs: 5 * min,
        rssSlopeBytesPerMin: 1024 * 1024,
        heapSlopesBytesPerMin: {},
        liveHeapSlopesBytesPerMin: { 'media-0': 150 * 1024 },
        liveHeapSeries: { 'media-0': [[0, 30 * 2 ** 20], [5 * min, 31 * 2 ** 20]], 'handler-0': [[0, 40 * 2 ** 20]] },
        rssSeries: [[0, 500 * 2 ** 20], [10 * min, 510 * 2 ** 20]],
        recordsChecked: 2,
        recordsIncomplete: ['c9: no caller turn (caller side: 21.3 s, ok, 1 turns (1 without reply, 0 overlapped, 0 barge-ins))'],
        recordsUnavailable: false,
      },
    };
    const html = renderReport(soak);
    expect(html.match(/<svg\b/g)?.length).toBe(5);
    expect(html).toContain('Gateway RSS during the soak');
    expect(html).toContain('Heap in use after full collections, per thread');
    expect(html).toContain('media-0 150.0 KiB/min');
    expect(html).toMatch(/<title>media-0: 5 → 31<\/title>/);
    expect(html).toContain('c9: no caller turn (caller side: 21.3 s');
    // Without the series (documents before session 8) the chart is left out.
    const { liveHeapSeries: _, ...older } = soak.soak!;
    expect(renderReport({ ...soak, soak: older }).match(/<svg\b/g)?.length).toBe(4);
  });

  it('renders an API run with its ratio table and a throughput chart', () => {
    const html = renderReport(api);
    expect(externalRefs(html)).toEqual([]);
    expect(html).toContain('0.340');
    expect(html).toContain('<svg');
  });

  it('writes JSON and HTML, and re-renders a JSON file; refuses what is not a results document', () => {
    const files = writeResults(dir, runResult());
    expect(JSON.parse(readFileSync(files.json, 'utf8')).steps).toHaveLength(3);
    const again = renderResultsFile(files.json, join(dir, 'again.html'));
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(files.html, 'utf8'));
    const md = markdownOfResultsFile(files.json).split('\n');
    expect(md.filter((l) => /^\| (1|10|20) \|/.test(l))).toHaveLength(3);
    expect(md.at(-1)).toBe('Largest passing N: **10**; binding constraint: turn gap p95 745 ms > 1.2 × 650 ms (1 call).');
    writeFileSync(join(dir, 'bad.json'), '{"hello":1}');
    expect(() => renderResultsFile(join(dir, 'bad.json'))).toThrow(/not a bench results document/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => renderResultsFile(join(dir, 'broken.json'))).toThrow(/cannot read results/);
    expect(() => writeResults(dir, { ...runResult(), name: '../escape' })).toThrow(/result name/);
  });
});

describe('SVG helpers', () => {
  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('skips NaN points instead of drawing them', () => {
    const svg = lineChart('t', 'x', 'y', [{ name: 's', points: [[1, 10], [2, Number.NaN], [3, 30]] }]);
    expect(svg.match(/<circle/g)?.length).toBe(2);
    expect(svg).not.toContain('NaN');
  });
});
