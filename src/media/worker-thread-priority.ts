import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { z } from 'zod';
import { native } from './native.js';

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

/**
 * Sets the calling thread's nice value; returns why it could not (undefined on success). 0 leaves
 * the thread as it is unless `force` (a new thread inherits its creator's value: `force` resets it).
 */
export function setThreadNice(nice: number, opts: { force?: boolean } = {}): string | undefined {
  if (nice === 0 && !opts.force) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return 'no per-thread priority on this platform';
  try {
    setPriority(tid, nice);
    return undefined;
  } catch (err) {
    return `setpriority(${nice}) refused: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * `MEDIA_WORKER_RT_PRIORITY`: 1–99 runs media workers under SCHED_RR at that real-time
 * priority (above every normal thread and process on the core, whatever their nice value
 * or autogroup: a nice value only orders threads within one autogroup, so other sessions'
 * processes still take their share); 0 (the default) keeps the nice value alone. The
 * kernel's RT throttling (sched_rt_runtime_us, 95%) bounds what a runaway worker takes.
 * Measured on a gateway pinned to one core (BENCHMARKS.md, media worker section): it ends
 * the stalls other processes cause but about doubles the worker's CPU for the same calls
 * (V8's normal-priority GC helper threads starve on that core), so it is off by default.
 */
const RtSchema = z.coerce.number().int().min(0).max(99).default(0);

export function mediaWorkerRtPriorityFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const r = RtSchema.safeParse(env.MEDIA_WORKER_RT_PRIORITY === '' ? undefined : env.MEDIA_WORKER_RT_PRIORITY);
  if (!r.success) throw new Error(`MEDIA_WORKER_RT_PRIORITY must be an integer from 0 to 99 (got ${JSON.stringify(env.MEDIA_WORKER_RT_PRIORITY)})`);
  return r.data;
}

interface ThreadAddon {
  setThreadRealtime?: (priority: number) => void;
  threadSchedPolicy?: () => { policy: 'other' | 'rr' | 'fifo'; priority: number };
}
const addon = native as ThreadAddon;

/** The calling thread's scheduling policy (native core), or undefined when the addon lacks it. */
export function threadSchedPolicy(): { policy: 'other' | 'rr' | 'fifo'; priority: number } | undefined {
  return addon.threadSchedPolicy?.();
}

/** Puts the calling thread under SCHED_RR at `priority` (0: back to normal); returns why it could not, else undefined. */
export function setThreadRealtime(priority: number): string | undefined {
  if (!addon.setThreadRealtime) return 'the native core has no setThreadRealtime (rebuild it)';
  try {
    addon.setThreadRealtime(priority);
    return undefined;
  } catch (err) {
    return `SCHED_RR ${priority} refused: ${err instanceof Error ? err.message : String(err)}`;
  }
}
