import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, mediaWorkerNiceFromEnv, mediaWorkerRtPriorityFromEnv, setThreadNice, setThreadRealtime, threadSchedPolicy } from '../../src/media/worker-thread-priority.js';

const moduleUrl = new URL('../../src/media/worker-thread-priority.ts', import.meta.url).href;

/** Nice value of a thread from /proc/<pid>/task/<tid>/stat (proc(5): field 19, counted after the ')' of comm). */
function threadNice(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('media worker thread priority', () => {
  it('reads MEDIA_WORKER_NICE with a default of -10 and refuses a bad value', () => {
    expect(mediaWorkerNiceFromEnv({})).toBe(-10);
    expect(mediaWorkerNiceFromEnv({ MEDIA_WORKER_NICE: '0' })).toBe(0);
    expect(mediaWorkerNiceFromEnv({ MEDIA_WORKER_NICE: '-5' })).toBe(-5);
    expect(() => mediaWorkerNiceFromEnv({ MEDIA_WORKER_NICE: '-21' })).toThrow(/MEDIA_WORKER_NICE/);
    expect(() => mediaWorkerNiceFromEnv({ MEDIA_WORKER_NICE: 'high' })).toThrow(/MEDIA_WORKER_NICE/);
  });

  it('changes the nice value of the calling worker thread only', async () => {
    expect(currentThreadId()).toBe(process.pid);
    const mainBefore = getPriority();
    // A positive nice value needs no privilege, so this runs anywhere on Linux.
    const boot = `const { parentPort } = require('node:worker_threads');
      import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); })
        .then((m) => parentPort.postMessage({ tid: m.currentThreadId(), refused: m.setThreadNice(7) ?? null }));`;
    const w = new Worker(boot, { eval: true });
    try {
      const { tid, refused } = await new Promise<{ tid: number; refused: string | null }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(refused).toBeNull();
      expect(tid).not.toBe(process.pid);
      expect(threadNice(tid)).toBe(7);
      expect(getPriority()).toBe(mainBefore);
    } finally {
      await w.terminate();
    }
  });

  it('reads MEDIA_WORKER_RT_PRIORITY (off by default) and refuses a bad value', () => {
    expect(mediaWorkerRtPriorityFromEnv({})).toBe(0);
    expect(mediaWorkerRtPriorityFromEnv({ MEDIA_WORKER_RT_PRIORITY: '10' })).toBe(10);
    expect(() => mediaWorkerRtPriorityFromEnv({ MEDIA_WORKER_RT_PRIORITY: '100' })).toThrow(/MEDIA_WORKER_RT_PRIORITY/);
    expect(() => mediaWorkerRtPriorityFromEnv({ MEDIA_WORKER_RT_PRIORITY: 'max' })).toThrow(/MEDIA_WORKER_RT_PRIORITY/);
    expect(setThreadRealtime(100)).toMatch(/refused: .*0\.\.99/);
    // Garbage reaches the native core only as a refusal with a reason, never a crash or a changed class.
    for (const junk of [Number.NaN, 1.5, -1, Infinity, 'x', undefined, null, {}]) {
      expect(setThreadRealtime(junk as unknown as number)).toMatch(/refused: priority must be/);
    }
    expect(threadSchedPolicy()?.policy).toBe('other');
  });

  it('puts the calling worker thread (only) under SCHED_RR, or says why it cannot', async () => {
    const boot = `const { parentPort } = require('node:worker_threads');
      import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); })
        .then((m) => parentPort.postMessage({ tid: m.currentThreadId(), refused: m.setThreadRealtime(5) ?? null, sched: m.threadSchedPolicy() }));`;
    const w = new Worker(boot, { eval: true });
    try {
      const r = await new Promise<{ tid: number; refused: string | null; sched: { policy: string; priority: number } }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      // proc(5) stat: field 40 is the RT priority, 41 the policy (0 SCHED_OTHER, 2 SCHED_RR); index 0 here is field 3.
      const stat = readFileSync(`/proc/${process.pid}/task/${r.tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (r.refused === null) {
        expect(r.sched).toEqual({ policy: 'rr', priority: 5 });
        expect(stat[37]).toBe('5');
        expect(stat[38]).toBe('2');
      } else {
        // Without CAP_SYS_NICE / RLIMIT_RTPRIO: a clear reason and the thread as it was.
        expect(r.refused).toMatch(/SCHED_RR 5 refused: pthread_setschedparam failed/);
        expect(r.sched.policy).toBe('other');
      }
      expect(threadSchedPolicy()?.policy).toBe('other');
    } finally {
      await w.terminate();
    }
  });

  it('leaves the thread alone for 0', () => {
    const before = getPriority();
    expect(setThreadNice(0)).toBeUndefined();
    expect(getPriority()).toBe(before);
  });
});
