import type { MallocStats } from '../observability/malloc-stats.js';
import { native } from './native.js';

/** malloc_trim(0) on a libuv pool thread; undefined when the addon has no such function. */
export function nativeMallocTrim(): (() => Promise<boolean>) | undefined {
  const fn = (native as { mallocTrim?: () => Promise<boolean> }).mallocTrim;
  return typeof fn === 'function' ? () => fn() : undefined;
}

/** glibc's mallinfo2 totals through the native addon; undefined where the C library has none. */
export function nativeMallocStats(): MallocStats | undefined {
  const fn = (native as { mallocStats?: () => MallocStats | undefined }).mallocStats;
  return typeof fn === 'function' ? fn() : undefined;
}
