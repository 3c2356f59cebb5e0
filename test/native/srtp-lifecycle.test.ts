/**
 * Native SRTP sessions in worker threads and at exit: each thread has its own handle
 * table, and live sessions at thread or process exit do not crash the process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const addon = path.resolve('build/Release/firstring_native.node');

/** CommonJS snippet: a protect/unprotect round trip, leaving both sessions open. */
const roundTrip = `
  const n = require(${JSON.stringify(addon)});
  const k1 = new Uint8Array(16).fill(1), s1 = new Uint8Array(14).fill(2);
  const k2 = new Uint8Array(16).fill(3), s2 = new Uint8Array(14).fill(4);
  const a = new n.SrtpSession(1, k1, s1, k2, s2);
  const b = new n.SrtpSession(1, k2, s2, k1, s1);
  const p = new Uint8Array(12 + 160 + 10); p[0] = 0x80; p[3] = 7; p[11] = 9;
  const len = a.protectRtp(p, 172);
  const back = b.unprotectRtp(p, len);
  globalThis.__keep = [a, b];
`;

describe('SRTP sessions across threads and exit', () => {
  it('works in a worker thread and survives the worker ending with sessions open', async () => {
    const worker = new Worker(`${roundTrip}; require('node:worker_threads').parentPort.postMessage({ len, back, handle: a.handle }); setInterval(() => {}, 1000);`, {
      eval: true,
    });
    const msg = await new Promise<{ len: number; back: number; handle: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(msg).toMatchObject({ len: 182, back: 172 });
    expect(msg.handle).toBeGreaterThanOrEqual(0);
    expect(await worker.terminate()).toBe(1);
  });

  it('process.exit with open sessions exits cleanly', () => {
    const r = spawnSync(process.execPath, ['-e', `${roundTrip}; console.log(len, back); process.exit(0);`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('182 172');
    expect(r.status).toBe(0);
    expect(r.signal).toBeNull();
  });
});
