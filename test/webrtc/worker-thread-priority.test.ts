import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, mediaWorkerNiceFromEnv, setThreadNice } from '../../src/media/worker-thread-priority.js';

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

  it('leaves the thread alone for 0', () => {
    const before = getPriority();
    expect(setThreadNice(0)).toBeUndefined();
    expect(getPriority()).toBe(before);
  });
});
