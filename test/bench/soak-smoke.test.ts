import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../bench/load/results.js';

const ROOT = join(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'bench-soak-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs `npm run bench -- calls ...` as an operator would (node + tsx on bench/cli.ts); resolves with its exit code and output. */
function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/cli.ts'), 'calls', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the call bench, end to end', () => {
  it('soaks a local gateway with lean WebRTC callers, checks every call record, and writes the JSON and HTML report', async () => {
    const { code, output } = await bench(['--mode', 'soak', '--transport', 'webrtc-lean', '--concurrency', '2', '--ramp', '2', '--duration', '20', '--hold', '4', '--workers', '1', '--name', 'smoke', '--out', out]);
    expect(code, output).toBe(0);
    const r = JSON.parse(readFileSync(join(out, 'smoke.json'), 'utf8')) as RunResult;
    expect(r.kind).toBe('soak');
    const step = r.steps[0]!;
    expect(step.calls.failed + step.calls.dropped, output).toBe(0);
    // Two calls at a time, each hung up after its turn past 4 s and replaced: more than two calls in 20 s.
    expect(step.calls.ok).toBeGreaterThanOrEqual(3);
    expect(r.soak!.recordsChecked).toBe(step.calls.ok);
    expect(r.soak!.recordsIncomplete, output).toEqual([]);
    expect(r.soak!.rssSeries.length).toBeGreaterThan(5);
    expect(step.gateway.missing).toEqual([]);
    expect(readFileSync(join(out, 'smoke.html'), 'utf8')).toContain('Gateway RSS during the soak');
  }, 180_000);
});
