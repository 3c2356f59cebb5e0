import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { z } from 'zod';

/**
 * Scheduling priority of a media worker thread. Its 20 ms clock must run on time; on a
 * busy core a normal-priority thread waits behind other runnable threads and processes
 * (bench: stalls of 20–100 ms at 14–23% gateway CPU). Media servers commonly raise their
 * timing threads (Asterisk `-p`, FreeSWITCH `-rp`); here: a negative nice value on the
 * worker's own thread (Linux setpriority(2) on a thread id), which needs CAP_SYS_NICE or
 * an RLIMIT_NICE allowance. Without it the worker keeps its priority and says so.
 */

/** `MEDIA_WORKER_NICE`: the nice value media workers ask for [-10]; 0 leaves them as is. */
const NiceSchema = z.coerce.number().int().min(-20).max(19).default(-10);

export function mediaWorkerNiceFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const r = NiceSchema.safeParse(env.MEDIA_WORKER_NICE === '' ? undefined : env.MEDIA_WORKER_NICE);
  if (!r.success) throw new Error(`MEDIA_WORKER_NICE must be an integer from -20 to 19 (got ${JSON.stringify(env.MEDIA_WORKER_NICE)})`);
  return r.data;
}

/** The kernel thread id of the calling thread (Linux /proc/thread-self), or undefined elsewhere. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value; returns why it could not (undefined on success or for 0). */
export function setThreadNice(nice: number): string | undefined {
  if (nice === 0) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return 'no per-thread priority on this platform';
  try {
    setPriority(tid, nice);
    return undefined;
  } catch (err) {
    return `setpriority(${nice}) refused: ${err instanceof Error ? err.message : String(err)}`;
  }
}
