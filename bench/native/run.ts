import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StageBench, StageResult } from './stage.js';

/**
 * Runs every stage in bench/native/stages/ at 1, 100 and 1000 calls (override with
 * `--calls=1,10`, pick stages with `--only=jitter,dsp`), writes bench/results/native.json
 * and the table between `<!-- native:begin -->` and `<!-- native:end -->` in BENCHMARKS.md.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const BEGIN = '<!-- native:begin -->';
const END = '<!-- native:end -->';

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function fmt(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

function table(results: readonly StageResult[], failures: readonly string[]): string {
  const rows = results.map((r) => {
    const target = r.targetUs === undefined ? '' : `≤ ${r.targetUs}`;
    const verdict = r.targetUs === undefined ? '' : r.usPerUnit <= r.targetUs ? 'met' : 'missed';
    return `| ${r.stage} | ${r.calls} | ${fmt(r.usPerUnit)} | ${r.unit} | ${target} | ${verdict} | ${r.note ?? ''} |`;
  });
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    BEGIN,
    '## Native audio core',
    '',
    `\`npm run bench:native\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu} (${os.cpus().length} cores).`,
    'CPU time (process.cpuUsage) per unit per call.',
    '',
    '| Stage | Calls | µs per unit | Unit | Target | Result | Note |',
    '|---|---:|---:|---|---|---|---|',
    ...rows,
    ...(failures.length > 0 ? ['', ...failures.map((f) => `Stage failed: ${f}`)] : []),
    END,
  ].join('\n');
}

function writeMarkdown(section: string): void {
  const file = path.join(root, 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

async function main(): Promise<void> {
  const callCounts = (arg('calls') ?? '1,100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const only = arg('only')?.split(',');
  const dir = path.join(here, 'stages');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => only === undefined || only.includes(path.basename(f, '.ts')))
    .sort();
  const results: StageResult[] = [];
  const failures: string[] = [];
  for (const f of files) {
    const name = path.basename(f, '.ts');
    try {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: StageBench };
      const got = await mod.default(callCounts);
      for (const r of got) {
        console.log(`${name}: ${r.stage} @ ${r.calls}: ${fmt(r.usPerUnit)} µs per ${r.unit}${r.targetUs === undefined ? '' : ` (target ${r.targetUs})`}`);
      }
      results.push(...got);
    } catch (err) {
      const msg = `${name}: ${err instanceof Error ? err.message : String(err)}`;
      console.error(`stage failed: ${msg}`);
      failures.push(msg);
    }
  }
  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'native.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, callCounts, results, failures }, null, 2)}\n`,
  );
  writeMarkdown(table(results, failures));
  if (failures.length > 0) process.exitCode = 1;
}

await main();
