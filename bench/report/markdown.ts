import type { ApiResult } from '../api/types.js';
import type { RunResult } from '../load/results.js';
import { memoryLine, type BenchResult } from './html.js';

const n = (v: number | null | undefined, d = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

function api(r: ApiResult): string {
  const lines = [
    '| route | target | req/s | p50 ms | p99 ms | non-2xx | errors |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...r.routes.map((x) => `| ${x.name} | ${x.target} | ${n(x.rps)} | ${n(x.latencyMs.p50)} | ${n(x.latencyMs.p99)} | ${x.non2xx} | ${x.errors} |`),
    ...r.ws.map((w) => `| ${w.name} connect + welcome + close | ${w.target} | ${n(w.perS)} | ${n(w.latencyMs.p50, 2)} | ${n(w.latencyMs.p99, 2)} | ${w.failed} failed | |`),
    '',
    '| gateway / bare | ratio |',
    '|---|---:|',
    ...r.ratios.map((x) => `| ${x.what} | ${n(x.ratio, 2)} |`),
  ];
  return lines.join('\n');
}

function calls(r: RunResult): string {
  const lines = [
    '| N | ok/failed/dropped | turns/no reply/overlapped | setup p50/p95 ms | turn gap p50/p95 ms | barge-in p50/p95 ms | gaps/late | gateway CPU % | RSS MiB | RSS/call MiB | overruns % | pacing p99 ms | generator max CPU % | verdict |',
    '|---:|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...r.steps.map((s) =>
      [
        s.concurrency,
        `${s.calls.ok}/${s.calls.failed}/${s.calls.dropped + s.calls.lost}`,
        `${s.turns}/${s.turnsWithoutReply}/${s.turnsOverlapped ?? 0}`,
        `${n(s.setupMs.p50)} / ${n(s.setupMs.p95)}`,
        `${n(s.turnGapMs.p50)} / ${n(s.turnGapMs.p95)}`,
        `${n(s.bargeInMs.p50)} / ${n(s.bargeInMs.p95)}`,
        `${s.continuity.gaps}/${s.continuity.latePackets}`,
        n(s.gateway.cpuPct),
        n((s.gateway.rssBytes ?? Number.NaN) / 2 ** 20),
        n((s.gateway.rssPerCallBytes ?? Number.NaN) / 2 ** 20, 1),
        n((s.gateway.tickOverrunRatio ?? Number.NaN) * 100, 2),
        n(s.gateway.pacingJitterP99Ms, 2),
        `${n(s.generator.cpuPctMax)}${s.generator.saturated ? ' (saturated)' : ''}`,
        s.verdict ? (s.verdict.pass ? 'pass' : `fail: ${s.verdict.failures.join('; ')}`) : '',
      ].join(' | '),
    ).map((row) => `| ${row} |`),
  ];
  lines.push('', memoryLine(r));
  if (r.capacity) lines.push('', `Largest passing N: **${n(r.capacity.largestPassingN)}**; binding constraint: ${r.capacity.bindingConstraint.join('; ') || 'none reached'}.`);
  return lines.join('\n');
}

/** The summary table of a results document, as Markdown (for BENCHMARKS.md). */
export function renderMarkdown(r: BenchResult): string {
  return r.kind === 'api' ? api(r) : calls(r);
}
