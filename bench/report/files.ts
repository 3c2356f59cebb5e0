import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderReport, type BenchResult } from './html.js';
import { renderMarkdown } from './markdown.js';

/** Writes `<dir>/<name>.json` and `<dir>/<name>.html`; returns both paths. */
export function writeResults(dir: string, r: BenchResult): { json: string; html: string } {
  if (!/^[A-Za-z0-9._-]+$/.test(r.name)) throw new Error(`result name "${r.name}" must be letters, digits, dot, dash or underscore`);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${r.name}.json`);
  const html = join(dir, `${r.name}.html`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(html, renderReport(r));
  return { json, html };
}

function readResults(path: string): BenchResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read results ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (!['api', 'calls', 'capacity', 'soak'].includes(String(kind))) throw new Error(`${path} is not a bench results document (kind ${String(kind)})`);
  return raw as BenchResult;
}

/** Renders an existing results JSON to HTML (beside it unless `out` is given); returns the HTML path. */
export function renderResultsFile(path: string, out?: string): string {
  const r = readResults(path);
  const target = out ?? join(dirname(path), `${basename(path, '.json')}.html`);
  writeFileSync(target, renderReport(r));
  return target;
}

/** The Markdown summary table of a results JSON. */
export function markdownOfResultsFile(path: string): string {
  return renderMarkdown(readResults(path));
}
