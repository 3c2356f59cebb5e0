/**
 * A parser for the Prometheus text exposition format (version 0.0.4), enough for the
 * gateway's /metrics: samples with labels, HELP/TYPE comments, histogram buckets.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromScrape {
  samples: PromSample[];
  /** Metric family name → declared type. */
  types: Map<string, PromType>;
}

export class PromParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(`metrics line ${line}: ${message}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** A sample value: a Go float (ParseFloat accepts Inf/NaN in any case; prom-client writes NaN as "Nan"). */
function parseValue(raw: string, line: number): number {
  const lower = raw.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const v = Number(raw);
  if (raw === '' || Number.isNaN(v)) throw new PromParseError(line, `bad value "${raw}"`);
  return v;
}

/** Parses `{a="x",b="y\"z"}` starting at `s[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(s: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (s[i] === '}') return [labels, i + 1];
    const m = NAME.exec(s.slice(i));
    if (!m) throw new PromParseError(line, 'bad label name');
    const key = m[0];
    i += key.length;
    if (s[i] !== '=' || s[i + 1] !== '"') throw new PromParseError(line, `expected ="…" after label ${key}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new PromParseError(line, 'unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[key] = value;
    i++;
  }
}

export function parsePromText(text: string): PromScrape {
  const samples: PromSample[] = [];
  const types = new Map<string, PromType>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const parts = line.split(/\s+/);
      if (parts[1] === 'TYPE' && parts[2] && parts[3]) {
        const t = parts[3] as PromType;
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(t)) throw new PromParseError(n + 1, `unknown type ${t}`);
        types.set(parts[2], t);
      }
      continue;
    }
    const m = NAME.exec(line);
    if (!m) throw new PromParseError(n + 1, 'expected a metric name');
    const name = m[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, n + 1);
    const rest = line.slice(i).trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(rest[0] ?? '', n + 1) });
  }
  return { samples, types };
}

function labelsMatch(have: Record<string, string>, want: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}

/** Sum of every sample named `name` whose labels include `labels` (undefined when none). */
export function sampleSum(scrape: PromScrape, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const s of scrape.samples) if (s.name === name && labelsMatch(s.labels, labels)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** Cumulative histogram buckets (`le` upper bound → count) of family `name`, merged over other labels. */
export interface Buckets {
  le: number[];
  counts: number[];
}

export function histogramBuckets(scrape: PromScrape, name: string): Buckets | undefined {
  const byLe = new Map<number, number>();
  for (const s of scrape.samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = parseValue(s.labels.le, 0);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  if (byLe.size === 0) return undefined;
  const le = [...byLe.keys()].sort((a, b) => a - b);
  return { le, counts: le.map((x) => byLe.get(x) as number) };
}

/** Bucket-wise difference `after - before` (the observations made between two scrapes). */
export function bucketsDelta(after: Buckets, before: Buckets | undefined): Buckets {
  if (!before) return after;
  return { le: after.le, counts: after.counts.map((c, i) => c - (before.le[i] === after.le[i] ? (before.counts[i] as number) : 0)) };
}

/**
 * Estimates the q-quantile from cumulative buckets by linear interpolation inside the
 * bucket that holds it (as PromQL's histogram_quantile does). Returns the highest finite
 * bound when the quantile falls in the +Inf bucket, NaN when there are no observations.
 */
export function bucketQuantile(b: Buckets, q: number): number {
  const total = b.counts[b.counts.length - 1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < b.le.length; i++) {
    const le = b.le[i] as number;
    const c = b.counts[i] as number;
    if (c >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      if (c === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (c - prevCount);
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}
