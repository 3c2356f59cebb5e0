import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from './child-reaper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The command line, prefixed with `taskset -c <cpus>` when pinned. */
export function pinned(cpus: string | undefined, cmd: string, args: string[]): [string, string[]] {
  if (!cpus) return [cmd, args];
  if (!/^\d+([-,]\d+)*$/.test(cpus)) throw new Error(`bad CPU list "${cpus}" (expected e.g. 0 or 0,1 or 0-1)`);
  return ['taskset', ['-c', cpus, cmd, ...args]];
}

export interface LocalProcess {
  readonly pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function stopper(child: ChildProcess): (graceMs?: number) => Promise<void> {
  return (graceMs = 5000) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Waits for the first stdout line matching `re` (its first group), or fails on exit/timeout. */
function awaitLine(child: ChildProcess, re: RegExp, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const tail: string[] = [];
    const timer = setTimeout(() => fail(new Error(`${what} not up after ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${e.message}; last output: ${tail.join(' | ').slice(-600)}`));
    };
    lines.on('line', (l) => {
      tail.push(l);
      if (tail.length > 8) tail.shift();
      const m = re.exec(l);
      if (m) {
        clearTimeout(timer);
        // Keep draining so the child never blocks on a full pipe.
        lines.removeAllListeners('line');
        lines.on('line', () => undefined);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', (d: Buffer) => tail.push(d.toString().trim()));
    child.once('exit', (code) => fail(new Error(`${what} exited with ${code}`)));
  });
}

export interface StubOptions {
  ttftMs: number;
  ttfbMs: number;
  transcriptionDelayMs: number;
}

/** Runs a TypeScript file of this repository under Node (optionally pinned) until it prints a line matching `ready`; resolves with its first group. */
export async function startNodeScript(
  script: string,
  args: string[],
  o: { ready: RegExp; what: string; cpus?: string; timeoutMs?: number },
): Promise<LocalProcess & { match: string }> {
  const [cmd, argv] = pinned(o.cpus, process.execPath, ['--import', 'tsx', join(ROOT, script), ...args]);
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  const stop = stopper(child);
  try {
    const match = await awaitLine(child, o.ready, o.timeoutMs ?? 20_000, o.what);
    return { pid: child.pid as number, match, stop };
  } catch (err) {
    await stop(1000);
    throw err;
  }
}

/** Nice value of the stub's thread: above the callers sharing its cores (0). */
const STUB_NICE = -5;

/**
 * The local OpenAI-compatible stub (bench/openai-stub) in its own process, with chosen delays.
 * It stands in for a remote provider, so it must not queue behind the synthetic callers it shares
 * the load cores with: its thread runs at a higher priority than theirs when the OS allows
 * (`priorityRefused` says why not; its answers may then carry the generator's load).
 */
export async function startStubProcess(o: StubOptions, cpus?: string): Promise<LocalProcess & { baseURL: string; priorityRefused?: string }> {
  const p = await startNodeScript('bench/load/stub-process.ts', ['--ttft-ms', String(o.ttftMs), '--ttfb-ms', String(o.ttfbMs), '--stt-ms', String(o.transcriptionDelayMs)], {
    ready: /^STUB (\S+)$/,
    what: 'OpenAI stub',
    cpus,
  });
  try {
    setPriority(p.pid, STUB_NICE);
    return { pid: p.pid, baseURL: p.match, stop: p.stop };
  } catch (err) {
    return { pid: p.pid, baseURL: p.match, stop: p.stop, priorityRefused: err instanceof Error ? err.message : String(err) };
  }
}

export interface LocalGateway extends LocalProcess {
  readonly url: string;
}

/**
 * Starts `src/main.ts` on a free port of 127.0.0.1 (optionally pinned with taskset) with
 * a throw-away database; resolves once it logs its port and /readyz answers 200.
 */
export async function startLocalGateway(o: { cpus?: string; env?: Record<string, string> } = {}): Promise<LocalGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'firstring-bench-'));
  // BENCH_GATEWAY_NODE_ARGS: extra Node/V8 flags for the gateway process (e.g. GC settings under test).
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_GATEWAY_ENV: extra KEY=VALUE pairs (space-separated) for the gateway process only (e.g. an allocator under test).
  const extraEnv = Object.fromEntries(
    (process.env.BENCH_GATEWAY_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i < 1) throw new Error(`BENCH_GATEWAY_ENV: "${kv}" is not KEY=VALUE`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
  );
  const [cmd, args] = pinned(o.cpus, process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src/main.ts')]);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', FIRSTRING_DB: join(dir, 'bench.db'), ...extraEnv, ...o.env },
  });
  reapOnExit(child);
  const stop = stopper(child);
  try {
    const port = await awaitLine(child, /"port":(\d+).*"msg":"firstring gateway started"/, 60_000, 'gateway');
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      pid: child.pid as number,
      url,
      stop: async (g) => {
        await stop(g);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stop(1000);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
