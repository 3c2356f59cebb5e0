import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { profileRequestFromEnv, threadCpuMs, type ProfileWindow } from '../../src/observability/thread-profiler.js';

const dir = mkdtempSync(join(tmpdir(), 'firstring-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const moduleUrl = new URL('../../src/observability/thread-profiler.ts', import.meta.url).href;

describe('on-demand CPU profile of a media worker thread', () => {
  it('is off without FIRSTRING_MEDIA_CPU_PROF, reads its settings, refuses bad ones by name', () => {
    expect(profileRequestFromEnv({})).toBeUndefined();
    expect(profileRequestFromEnv({ FIRSTRING_MEDIA_CPU_PROF: '/tmp/p', FIRSTRING_MEDIA_CPU_PROF_CALLS: '120', FIRSTRING_MEDIA_HEAP_PROF: '1' })).toEqual({
      dir: '/tmp/p',
      calls: 120,
      delayS: 3,
      seconds: 15,
      intervalUs: 200,
      heap: '1',
      snapshot: '0',
    });
    expect(profileRequestFromEnv({ FIRSTRING_MEDIA_CPU_PROF: '/tmp/p', FIRSTRING_MEDIA_HEAP_SNAPSHOT: '1' })?.snapshot).toBe('1');
    expect(() => profileRequestFromEnv({ FIRSTRING_MEDIA_CPU_PROF: '/tmp/p', FIRSTRING_MEDIA_HEAP_SNAPSHOT: 'on' })).toThrow(/snapshot/);
    expect(() => profileRequestFromEnv({ FIRSTRING_MEDIA_CPU_PROF: '/tmp/p', FIRSTRING_MEDIA_CPU_PROF_SECONDS: '-1' })).toThrow(/FIRSTRING_MEDIA_CPU_PROF.*seconds/);
    expect(() => profileRequestFromEnv({ FIRSTRING_MEDIA_CPU_PROF: '/tmp/p', FIRSTRING_MEDIA_HEAP_PROF: 'yes' })).toThrow(/heap/);
  });

  it('reads the calling thread’s own CPU time', () => {
    const before = threadCpuMs() as number;
    // Spin until the process has used 80 ms more CPU (this thread is the only busy one), however long the wait on a shared core.
    const c0 = process.cpuUsage();
    while (process.cpuUsage(c0).user < 80_000) Math.sqrt(Math.random());
    expect((threadCpuMs() as number) - before).toBeGreaterThanOrEqual(40);
  });

  it('opens the window only once the thread holds the call count, and writes the profile, heap profile and window', async () => {
    // A worker that "holds" 0 calls for 0.6 s, then 3, busy with work meanwhile.
    const boot = `const { parentPort } = require('node:worker_threads');
      import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); }).then((p) => {
        const t0 = performance.now();
        let calls = 0, ticks = 0;
        setTimeout(() => { calls = 3; }, 600);
        const busy = setInterval(() => { ticks++; const a = []; for (let i = 0; i < 2000; i++) a.push({ i }); }, 5);
        p.armThreadProfile({ dir: ${JSON.stringify(dir)}, calls: 3, delayS: 0.2, seconds: 0.4, intervalUs: 500, heap: 'major', snapshot: '1' }, 'test-worker',
          { calls: () => calls, counters: () => ({ ticks }) },
          (r) => { clearInterval(busy); parentPort.postMessage({ file: r instanceof Error ? null : r, error: r instanceof Error ? r.message : null, openedAfterMs: performance.now() - t0 }); });
      });`;
    const w = new Worker(boot, { eval: true });
    try {
      const r = await new Promise<{ file: string | null; error: string | null; openedAfterMs: number }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(r.error).toBeNull();
      // 0.6 s before the count is reached + 0.2 s held + the 0.4 s window.
      expect(r.openedAfterMs).toBeGreaterThanOrEqual(1100);
      const profile = JSON.parse(readFileSync(r.file as string, 'utf8')) as { nodes: unknown[]; samples: number[] };
      expect(profile.nodes.length).toBeGreaterThan(1);
      expect(profile.samples.length).toBeGreaterThan(10);
      const windowFile = readdirSync(dir).find((f) => f.endsWith('.window.json')) as string;
      const win = JSON.parse(readFileSync(join(dir, windowFile), 'utf8')) as ProfileWindow;
      expect(win.label).toBe('test-worker');
      expect(win.callsAtStart).toBe(3);
      expect(win.counters.ticks).toBeGreaterThan(20);
      expect(win.wallMs).toBeGreaterThanOrEqual(390);
      expect(win.heapAtStart.new_space).toBeGreaterThanOrEqual(0);
      expect(readdirSync(dir).some((f) => f.endsWith('.heapprofile'))).toBe(true);
      // The heap snapshot of the thread at the window's end: V8's format, with the worker's objects in it.
      const snapshotFile = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot')) as string;
      const snapshot = JSON.parse(readFileSync(join(dir, snapshotFile), 'utf8')) as { snapshot: { node_count: number }; strings: string[] };
      expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
      expect(snapshot.strings).toContain('test-worker');
    } finally {
      await w.terminate();
    }
  });
});
