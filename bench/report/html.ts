import type { ApiResult } from '../api/types.js';
import { marginalRssPerCall, type RunResult, type StepResult } from '../load/results.js';
import { barChart, escapeXml, lineChart, type Series } from './svg.js';

/** A results document: call load (calls, capacity, soak) or API load. */
export type BenchResult = RunResult | ApiResult;

const n = (v: number | null | undefined, d = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
const esc = escapeXml;

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The marginal RSS per call (from the document, or fitted from its steps for older documents) beside RSS / N. */
export function memoryLine(r: RunResult): string {
  const m = r.marginalRss !== undefined ? r.marginalRss : marginalRssPerCall(r.steps);
  const last = r.steps[r.steps.length - 1];
  const perCall = last ? `RSS / N at N = ${last.concurrency}: ${n((last.gateway.rssPerCallBytes ?? Number.NaN) / 2 ** 20, 2)} MiB` : 'no step';
  if (!m) return `Marginal RSS per call: – (needs two steps with different call counts and an RSS figure); ${perCall}.`;
  return `Marginal RSS per call (least-squares slope of gateway RSS against active calls over ${m.steps} steps): ${n(m.bytesPerCall / 2 ** 20, 2)} MiB (r² ${n(m.r2, 2)}, ${n(m.baseBytes / 2 ** 20)} MiB at 0 calls); ${perCall}.`;
}

function callSections(r: RunResult): string {
  const steps = r.steps;
  const per = (f: (s: StepResult) => number | null): Array<[number, number]> => steps.map((s) => [s.concurrency, f(s) ?? Number.NaN]);
  const latency: Series[] = [
    { name: 'turn gap p50', points: per((s) => s.turnGapMs.p50) },
    { name: 'turn gap p95', points: per((s) => s.turnGapMs.p95) },
    { name: 'setup p50', points: per((s) => s.setupMs.p50) },
    { name: 'setup p95', points: per((s) => s.setupMs.p95) },
    { name: 'barge-in p50', points: per((s) => s.bargeInMs.p50) },
    { name: 'barge-in p95', points: per((s) => s.bargeInMs.p95) },
  ];
  const cpu: Series[] = [
    { name: 'gateway process', points: per((s) => s.gateway.cpuPct) },
    { name: 'load generator (sum)', points: per((s) => s.generator.cpuPctTotal) },
    { name: 'busiest caller worker', points: per((s) => s.generator.cpuPctMax) },
  ];
  const rows = steps.map((s) => [
    String(s.concurrency),
    `${s.calls.ok}/${s.calls.failed}/${s.calls.dropped}/${s.calls.lost}`,
    `${s.turns}/${s.turnsWithoutReply}/${s.turnsOverlapped ?? 0}`,
    `${n(s.setupMs.p50)} / ${n(s.setupMs.p95)}`,
    `${n(s.turnGapMs.p50)} / ${n(s.turnGapMs.p95)}`,
    `${n(s.bargeInMs.p50)} / ${n(s.bargeInMs.p95)}`,
    `${s.continuity.gaps} / ${s.continuity.latePackets} / ${n(s.continuity.jitterMs, 1)}`,
    n(s.gateway.cpuPct),
    n((s.gateway.rssBytes ?? Number.NaN) / 2 ** 20),
    n((s.gateway.rssPerCallBytes ?? Number.NaN) / 2 ** 20, 2),
    n((s.gateway.tickOverrunRatio ?? Number.NaN) * 100, 3),
    n(s.gateway.pacingJitterP99Ms, 2),
    `${n(s.generator.cpuPctMax)}${s.generator.saturated ? ' (saturated)' : ''}`,
    s.verdict ? (s.verdict.pass ? 'pass' : `fail: ${s.verdict.failures.join('; ')}`) : '',
  ]);
  let html = '<h2>Steps</h2>';
  html += table(
    ['N', 'ok/failed/dropped/lost', 'turns/no reply/overlapped', 'setup p50/p95 ms', 'turn gap p50/p95 ms', 'barge-in p50/p95 ms', 'gaps/late/jitter ms', 'gateway CPU %', 'RSS MiB', 'RSS/call MiB', 'tick overruns %', 'pacing p99 ms', 'generator max CPU %', 'verdict'],
    rows,
  );
  const bargeRows = steps.flatMap((s) =>
    Object.entries(s.bargeInMsByLanguage ?? {}).map(([lang, b]) => [String(s.concurrency), lang, String(b.count), n(b.p50), n(b.p95), String(s.bargeInsIgnored ?? 0)]),
  );
  if (bargeRows.length) html += table(['N', 'barge-in language', 'barge-ins', 'reaction p50 ms', 'p95 ms', 'ignored (all languages)'], bargeRows);
  const sat = steps.filter((s) => s.generator.saturated);
  if (sat.length) html += `<p class="warn">Load generator saturated at N = ${sat.map((s) => s.concurrency).join(', ')}: ${esc(sat[0]?.generator.reasons.join('; ') ?? '')}. Figures at those steps measure the generator as much as the gateway.</p>`;
  html += `<h2>Memory</h2><p>${esc(memoryLine(r))}</p>`;
  const missing = [...new Set(steps.flatMap((s) => s.gateway.missing))];
  if (r.scrapeFailures?.length) html += `<p class="warn">Failed /metrics scrapes (first ones): ${esc(r.scrapeFailures.join('; '))}.</p>`;
  if (missing.length) html += `<p class="warn">Not exposed by the gateway's /metrics: ${esc(missing.join(', '))}.</p>`;
  if (r.capacity) {
    html += `<h2>Capacity</h2><p>Largest passing N: <b>${n(r.capacity.largestPassingN)}</b> (1-call turn gap p95 ${n(r.capacity.baselineTurnGapP95Ms)} ms). Binding constraint: ${esc(r.capacity.bindingConstraint.join('; ') || 'none reached')}.</p>`;
  }
  if (r.soak) {
    const warm = r.soak.warmupMs ? ` after a warm-up of ${n(r.soak.warmupMs / 60_000, 1)} min (whole soak: ${n((r.soak.rssSlopeWholeBytesPerMin ?? Number.NaN) / 1024, 1)} KiB/min)` : '';
    html += `<h2>Soak</h2><p>RSS slope ${n((r.soak.rssSlopeBytesPerMin ?? Number.NaN) / 1024, 1)} KiB/min${warm}; call records checked ${r.soak.recordsChecked}, incomplete ${r.soak.recordsIncomplete.length}${r.soak.recordsUnavailable ? ' (GET /api/v1/calls/{id} unavailable)' : ''}.</p>`;
    const live = Object.entries(r.soak.liveHeapSlopesBytesPerMin ?? {});
    if (live.length) html += `<p>Heap in use after full collections, slope per thread: ${esc(live.map(([t, v]) => `${t} ${n(v / 1024, 1)} KiB/min`).join(', '))}.</p>`;
    const t0 = r.soak.rssSeries[0]?.[0] ?? 0;
    html += lineChart('Gateway RSS during the soak', 'minutes', 'MiB', [{ name: 'RSS', points: r.soak.rssSeries.map(([t, v]) => [(t - t0) / 60_000, v / 2 ** 20]) }]);
    const liveSeries = Object.entries(r.soak.liveHeapSeries ?? {});
    if (liveSeries.length) {
      const lines = liveSeries.map(([thread, pts]) => ({ name: thread, points: pts.map(([t, v]) => [(t - t0) / 60_000, v / 2 ** 20] as [number, number]) }));
      html += lineChart('Heap in use after full collections, per thread', 'minutes', 'MiB', lines);
    }
    if (r.soak.recordsIncomplete.length) html += `<pre>${esc(r.soak.recordsIncomplete.slice(0, 20).join('\n'))}</pre>`;
  }
  html += '<h2>Plots</h2>';
  html += lineChart('Caller-side latency against concurrency', 'concurrent calls', 'ms', latency);
  html += lineChart('CPU against concurrency', 'concurrent calls', '% of one core', cpu);
  const histSteps = steps.length > 2 ? [steps[0] as StepResult, steps[steps.length - 1] as StepResult] : steps;
  // Bins up to two past the last non-empty one, so the bars stay readable.
  let lastBin = 0;
  for (const s of histSteps) s.turnGapHistogram.counts.forEach((c, i) => (lastBin = c > 0 ? Math.max(lastBin, i) : lastBin));
  html += barChart(
    'Turn gap histogram',
    'turn gap (ms, 50 ms bins)',
    'turns',
    histSteps.map((s) => ({
      name: `N=${s.concurrency}`,
      bars: s.turnGapHistogram.counts.slice(0, lastBin + 3).map((c, i) => ({ label: String(s.turnGapHistogram.start + i * s.turnGapHistogram.binWidth), value: c })),
    })),
  );
  const errs = [...new Set(steps.flatMap((s) => s.calls.errors))];
  if (errs.length) html += `<h2>Errors (first ones)</h2><pre>${esc(errs.slice(0, 20).join('\n'))}</pre>`;
  return html;
}

function apiSections(r: ApiResult): string {
  let html = '<h2>HTTP routes (autocannon)</h2>';
  html += table(
    ['route', 'target', 'connections', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'],
    r.routes.map((x) => [x.name, x.target, String(x.connections), String(x.requests), n(x.rps), n(x.latencyMs.p50, 2), n(x.latencyMs.p99, 2), n(x.latencyMs.max, 1), String(x.non2xx), String(x.errors)]),
  );
  html += '<h2>WebSocket connect rate</h2>';
  html += table(
    ['socket', 'target', 'concurrency', 'connected/attempted', 'per s', 'connect→welcome p50 ms', 'p99 ms'],
    r.ws.map((w) => [w.name, w.target, String(w.concurrency), `${w.connected}/${w.attempted}`, n(w.perS), n(w.latencyMs.p50, 2), n(w.latencyMs.p99, 2)]),
  );
  html += '<h2>Ratios to the bare uWebSockets.js route</h2>';
  html += table(['what', 'gateway / bare'], r.ratios.map((x) => [x.what, n(x.ratio, 3)]));
  html += barChart('Throughput', '', 'per second', [
    { name: 'gateway', bars: [...r.routes.filter((x) => x.target === 'gateway').map((x) => ({ label: x.name, value: x.rps })), ...r.ws.filter((w) => w.target === 'gateway').map((w) => ({ label: w.name, value: w.perS }))] },
    { name: 'bare', bars: [...r.routes.filter((x) => x.target === 'bare').map((x) => ({ label: x.name, value: x.rps })), ...r.ws.filter((w) => w.target === 'bare').map((w) => ({ label: w.name, value: w.perS }))] },
  ]);
  return html;
}

/** One self-contained HTML page (inline CSS and SVG, no external asset) for a results document. */
export function renderReport(r: BenchResult): string {
  const body = r.kind === 'api' ? apiSections(r) : callSections(r);
  const cfg = JSON.stringify(r.config, null, 2);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>firstring bench: ${esc(r.name)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}.warn{color:#a40}pre{background:#f7f7f7;padding:.5em;overflow:auto;font-size:12px}svg{display:block;margin:1em 0}</style>
</head><body>
<h1>firstring bench: ${esc(r.name)} (${esc(r.kind)})</h1>
<p>${esc(r.startedAt)} · ${esc(r.machine.model)} × ${r.machine.cpus} · Node ${esc(r.machine.node)}${r.machine.loadAvg ? ` · load average at the end ${r.machine.loadAvg.map((x) => x.toFixed(2)).join(' ')}` : ''}</p>
${body}
<h2>Configuration</h2><pre>${esc(cfg)}</pre>
</body></html>
`;
}
